package simulate

import (
	"fmt"
	"strings"
	"time"
)

// The builders of the step kinds; each reads its parameters from the run and emits records.

func buildEmail(s *stepRun) []Record {
	to := strings.Split(s.str("to", ""), ",")
	for i := range to {
		to[i] = strings.TrimSpace(to[i])
	}
	m := mail{id: s.str("id", ""), from: s.str("from", ""), fromName: s.str("from_name", ""), to: to,
		subject: s.str("subject", "(no subject)"), fromIP: s.str("from_ip", ""), direction: s.str("direction", "Inbound"),
		threat: s.str("threat", ""), attachment: s.str("attachment", ""), sha256: s.str("attachment_sha256", ""),
		attachmentThreat: s.str("attachment_threat", ""), url: s.str("url", "")}
	return []Record{s.e.emailTrace(s.t, m)}
}

func buildURLClick(s *stepRun) []Record {
	u := s.user("user")
	ip := s.str("ip", s.e.org.EgressIPs[0])
	return []Record{s.e.urlClick(s.t, u.UPN, ip, s.str("url", ""), s.str("message_id", ""), s.str("threat", ""))}
}

func stepUser(s *stepRun) string {
	if s.str("user", "") == "" {
		return `NT AUTHORITY\SYSTEM`
	}
	return account(s.user("user").SAM)
}

func buildSysmonProcess(s *stepRun) []Record {
	p := process{host: s.host("host"), user: stepUser(s), image: s.str("image", ""), cmd: s.str("cmd", ""),
		pid: s.int("pid", 0), parentImage: s.str("parent_image", `C:\Windows\explorer.exe`), parentPID: s.int("parent_pid", 0),
		integrity: s.str("integrity", "Medium"), originalName: s.str("original_name", ""),
		description: s.str("description", ""), company: s.str("company", "")}
	p.parentCmd = s.str("parent_cmd", p.parentImage)
	if p.cmd == "" {
		p.cmd = p.image
	}
	if h := s.str("sha256", ""); h != "" {
		p.hashes = "SHA256=" + strings.ToUpper(h)
	}
	return []Record{s.e.sysmonProcess(s.t, p)}
}

func buildSysmonNetwork(s *stepRun) []Record {
	c := connection{host: s.host("host"), user: stepUser(s), image: s.str("image", `C:\Windows\System32\svchost.exe`),
		pid: s.int("pid", s.e.pid()), protocol: s.str("protocol", "tcp"), remoteIP: s.str("remote_ip", ""),
		remoteHost: s.str("remote_host", ""), remotePort: s.int("remote_port", 443)}
	return []Record{s.e.sysmonNetwork(s.t, c)}
}

func buildSysmonFile(s *stepRun) []Record {
	return []Record{s.e.sysmonFileCreate(s.t, s.host("host"), s.str("image", `C:\Windows\explorer.exe`), s.int("pid", s.e.pid()), stepUser(s), s.str("path", ""))}
}

func buildSysmonRegistry(s *stepRun) []Record {
	return []Record{s.e.sysmonRegistrySet(s.t, s.host("host"), s.str("image", `C:\Windows\regedit.exe`), s.int("pid", s.e.pid()), stepUser(s), s.str("key", ""), s.str("value", ""))}
}

func buildSysmonDNS(s *stepRun) []Record {
	return []Record{s.e.sysmonDNS(s.t, s.host("host"), s.str("image", `C:\Windows\System32\svchost.exe`), s.int("pid", s.e.pid()), stepUser(s), s.str("query", ""), s.str("answer", "192.0.2.80"))}
}

func buildLsassAccess(s *stepRun) []Record {
	return []Record{s.e.sysmonProcessAccess(s.t, s.host("host"), s.str("image", ""), s.int("pid", s.e.pid()), stepUser(s),
		`C:\Windows\system32\lsass.exe`, s.str("access", "0x1010"))}
}

func build4624(s *stepRun) []Record {
	l := logon{host: s.host("host"), user: s.user("user"), logonType: s.int("logon_type", 3), srcIP: s.str("src_ip", ""), srcWS: s.str("src_host", "-")}
	return []Record{s.e.security4624(s.t, l)}
}

func build4625(s *stepRun) []Record {
	l := logon{host: s.host("host"), logonType: s.int("logon_type", 3), srcIP: s.str("src_ip", "-"), srcWS: s.str("src_host", "-"),
		failureStatus: s.str("status", "0xc000006a")}
	return []Record{s.e.security4625(s.t, l, s.str("account", ""))}
}

func build4688(s *stepRun) []Record {
	return []Record{s.e.security4688(s.t, s.host("host"), s.user("user"), s.str("image", ""), s.str("cmd", s.str("image", "")), s.str("parent", `C:\Windows\explorer.exe`))}
}

func build4768(s *stepRun) []Record {
	return []Record{s.e.security4768(s.t, s.user("user"), s.str("src_ip", ""))}
}

func build4769(s *stepRun) []Record {
	u, ip, enc := s.user("user"), s.str("src_ip", ""), s.str("encryption", "0x12")
	gap := s.dur("spacing", 300*time.Millisecond)
	var out []Record
	for i, svc := range strings.Split(s.str("services", ""), ",") {
		if svc = strings.TrimSpace(svc); svc != "" {
			out = append(out, s.e.security4769(s.t.Add(time.Duration(i)*gap), u, svc, ip, enc))
		}
	}
	return out
}

func build4776(s *stepRun) []Record {
	return []Record{s.e.security4776(s.t, s.str("account", ""), s.str("workstation", "-"), s.str("status", "0xc000006a"))}
}

func build4697(s *stepRun) []Record {
	return []Record{s.e.security4697(s.t, s.host("host"), s.user("user"), s.str("service", ""), s.str("file", ""))}
}

func build7045(s *stepRun) []Record {
	return []Record{s.e.system7045(s.t, s.host("host"), s.str("service", ""), s.str("file", ""))}
}

func build4720(s *stepRun) []Record {
	return []Record{s.e.security4720(s.t, s.user("user"), s.str("account", ""), DomainSID+"-4000")}
}

func build4732(s *stepRun) []Record {
	return []Record{s.e.security4732(s.t, s.host("host"), s.user("user"), s.user("member").SID, s.str("group", "Administrators"))}
}

// signinResults maps the result parameter to an error code.
var signinResults = map[string]int{"success": 0, "0": 0, "bad-password": 50126, "50126": 50126, "mfa-denied": 500121,
	"500121": 500121, "locked": 50053, "50053": 50053}

func buildSignin(s *stepRun) []Record {
	u := s.user("user")
	code, ok := signinResults[s.str("result", "success")]
	if !ok {
		s.fail("parameter result: %q is not one of success, bad-password, mfa-denied, locked", s.str("result", ""))
	}
	sg := signin{upn: u.UPN, userID: u.ObjectID, display: u.DisplayName, ip: s.str("ip", ""), country: s.str("country", u.Country),
		city: s.str("city", u.City), app: s.str("app", "OfficeHome"), errorCode: code, mfa: s.str("mfa", "false") == "true",
		device: s.str("device", ""), os: s.str("os", "Windows10"), browser: s.str("browser", "Edge 130.0.0")}
	return []Record{s.e.entraSignin(s.t, sg)}
}

func buildInboxRule(s *stepRun) []Record {
	return []Record{s.e.o365InboxRule(s.t, s.user("user"), s.str("ip", ""), s.str("name", "."), s.str("forward_to", ""))}
}

func buildO365File(s *stepRun) []Record {
	u, ip := s.user("user"), s.str("ip", s.e.org.EgressIPs[0])
	op, site, file := s.str("operation", "FileDownloaded"), s.str("site", "https://contoso.sharepoint.com/sites/Finance/"), s.str("file", "Report.xlsx")
	n, gap := s.int("count", 1), s.dur("spacing", 500*time.Millisecond)
	if n < 1 || n > 10000 {
		s.fail("parameter count: %d is out of range 1..10000", n)
		return nil
	}
	out := make([]Record, 0, n)
	for i := 0; i < n; i++ {
		name := file
		if n > 1 {
			name = numbered(file, i+1)
		}
		out = append(out, s.e.o365File(s.t.Add(time.Duration(i)*gap), op, u, ip, site, name))
	}
	return out
}

// numbered inserts " (n)" before a file name's extension.
func numbered(file string, n int) string {
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		return fmt.Sprintf("%s %03d%s", file[:i], n, file[i:])
	}
	return fmt.Sprintf("%s %03d", file, n)
}

func buildMailAccess(s *stepRun) []Record {
	return []Record{s.e.o365MailItemsAccessed(s.t, s.user("user"), s.str("ip", ""))}
}

func buildO365Login(s *stepRun) []Record {
	return []Record{s.e.o365UserLoggedIn(s.t, s.user("user"), s.str("ip", ""))}
}

func buildCEF(s *stepRun) []Record {
	f := flow{src: s.str("src", ""), dst: s.str("dst", ""), srcPort: s.int("src_port", 0), dport: s.int("dst_port", 443),
		proto: s.str("proto", "TCP"), action: s.str("action", "allow"), sent: int64(s.int("sent", 2000)),
		received: int64(s.int("received", 8000)), rule: s.str("rule", "allow-outbound"), app: s.str("app", "ssl"), user: s.str("user", "")}
	return []Record{s.e.cefTraffic(s.t, f)}
}

func buildSSH(s *stepRun) []Record {
	h, user, ip := s.host("host"), s.str("user", ""), s.str("ip", "")
	if s.str("result", "accepted") == "failed" {
		return []Record{s.e.sshdFailed(s.t, h, user, ip)}
	}
	return []Record{s.e.sshdAccepted(s.t, h, user, ip)}
}

func buildSudo(s *stepRun) []Record {
	return []Record{s.e.sudoCommand(s.t, s.host("host"), s.str("user", ""), s.str("command", ""))}
}

func buildCron(s *stepRun) []Record {
	return []Record{s.e.cronJob(s.t, s.host("host"), s.str("user", "root"), s.str("command", ""))}
}
