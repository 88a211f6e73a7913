package simulate

import (
	"crypto/md5" //nolint:gosec // MD5 is what Sysmon reports, not a security control here
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"time"
)

// noise makes the benign background of the organization: what people, servers and
// schedules do on a normal day. It avoids what the content rules look for (encoded
// PowerShell, LSASS access, rare tools, brute force, several countries per user,
// forwarding rules, mass downloads, the attacker's and TI-listed addresses, decoys), and
// its Sysmon process events carry MD5 and IMPHASH but no SHA256, so that a common binary
// first seen on many hosts within the demo's single day is not a "rare process" to the
// 7-day baseline rule.
type noise struct {
	e      *emitter
	r      *rand.Rand
	org    *Org
	acts   []noiseActivity
	total  int
	hashes map[string]string
}

// noiseActivity is one kind of benign activity and how often it happens relative to others.
type noiseActivity struct {
	weight int
	emit   func(n *noise, t time.Time) []Record
}

// noiseActivities is the table of benign activities.
func noiseActivities() []noiseActivity {
	return []noiseActivity{
		{250, (*noise).processStart}, {150, (*noise).dnsQuery}, {150, (*noise).webConnection},
		{60, (*noise).fileCreate}, {30, (*noise).registrySet}, {20, (*noise).interactiveLogon},
		{60, (*noise).fileShareLogon}, {20, (*noise).ticketGrant}, {10, (*noise).ntlmValidation},
		{40, (*noise).serverProcess}, {30, (*noise).cloudSignin}, {2, (*noise).mistypedPassword},
		{50, (*noise).sharePointFile}, {20, (*noise).mailboxAccess}, {10, (*noise).officeLogin},
		{60, (*noise).email}, {10, (*noise).safeClick}, {100, (*noise).firewallAllow}, {5, (*noise).firewallDeny},
		{10, (*noise).adminSSH}, {10, (*noise).adminSudo}, {20, (*noise).cronRun},
	}
}

func newNoise(org *Org, r *rand.Rand) *noise {
	n := &noise{e: newEmitter(org, r), r: r, org: org, acts: noiseActivities(), hashes: map[string]string{}}
	for _, a := range n.acts {
		n.total += a.weight
	}
	return n
}

// next emits one benign activity at t (one or a few records).
func (n *noise) next(t time.Time) []Record {
	k := n.r.IntN(n.total)
	for _, a := range n.acts {
		if k < a.weight {
			return a.emit(n, t)
		}
		k -= a.weight
	}
	return nil
}

// activity is the share of the working-hours volume at t: full from 08:00 to 18:00 UTC on
// weekdays, a tenth otherwise.
func activity(t time.Time) float64 {
	h, wd := t.UTC().Hour(), t.UTC().Weekday()
	if h >= 8 && h < 18 && wd != time.Saturday && wd != time.Sunday {
		return 1
	}
	return 0.1
}

// between emits the noise of the organization from from to to, perHour activities per user
// in working hours, plus the nightly backup at 01:30 UTC, in time order.
func (n *noise) between(from, to time.Time, perHour int) []Record {
	var out []Record
	users := len(n.org.Users)
	for m := from.Truncate(time.Minute); m.Before(to); m = m.Add(time.Minute) {
		count := int(float64(users*perHour) / 60 * activity(m))
		if n.r.Float64() < float64(users*perHour)/60*activity(m)-float64(count) {
			count++
		}
		for i := 0; i < count; i++ {
			t := m.Add(time.Duration(n.r.Int64N(int64(time.Minute))))
			if t.Before(from) || !t.Before(to) {
				continue
			}
			out = append(out, n.next(t)...)
		}
		if m.UTC().Hour() == 1 && m.UTC().Minute() == 30 {
			out = append(out, n.backup(m)...)
		}
	}
	sortRecords(out)
	return out
}

func (n *noise) user() *User { return n.org.Users[n.r.IntN(len(n.org.Users))] }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// benignProcesses are everyday programs: image, command line, parent.
var benignProcesses = [][3]string{
	{`C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, `"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n`, `C:\Windows\explorer.exe`},
	{`C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, `"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE"`, `C:\Windows\explorer.exe`},
	{`C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, `"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"`, `C:\Windows\explorer.exe`},
	{`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, `"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --profile-directory=Default`, `C:\Windows\explorer.exe`},
	{`C:\Program Files\Google\Chrome\Application\chrome.exe`, `"C:\Program Files\Google\Chrome\Application\chrome.exe"`, `C:\Windows\explorer.exe`},
	{`C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\ms-teams.exe`, `"ms-teams.exe" --system-initiated`, `C:\Windows\explorer.exe`},
	{`C:\Windows\System32\svchost.exe`, `C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`, `C:\Windows\System32\services.exe`},
	{`C:\Program Files\Microsoft OneDrive\OneDrive.exe`, `"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /background`, `C:\Windows\explorer.exe`},
	{`C:\Windows\System32\notepad.exe`, `"C:\Windows\System32\notepad.exe"`, `C:\Windows\explorer.exe`},
	{`C:\Windows\System32\usoclient.exe`, `C:\Windows\system32\usoclient.exe StartScan`, `C:\Windows\System32\svchost.exe`},
	{`C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe`, `"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /ua /installsource scheduler`, `C:\Windows\System32\svchost.exe`},
	{`C:\Windows\explorer.exe`, `C:\Windows\Explorer.EXE`, `C:\Windows\System32\userinit.exe`},
}

// benignSites are the external destinations of everyday traffic, in documentation ranges.
var benignSites = [][2]string{
	{"login.microsoftonline.com", "198.51.100.20"}, {"outlook.office365.com", "198.51.100.21"},
	{"contoso.sharepoint.com", "198.51.100.22"}, {"teams.microsoft.com", "198.51.100.23"},
	{"www.bing.com", "192.0.2.30"}, {"fe2cr.update.microsoft.com", "192.0.2.31"}, {"github.com", "192.0.2.32"},
	{"news.example.com", "192.0.2.33"}, {"www.wikipedia.org", "192.0.2.34"}, {"cdn.example.net", "192.0.2.35"},
}

func (n *noise) hashesOf(image string) string {
	h, ok := n.hashes[image]
	if !ok {
		m := md5.Sum([]byte(strings.ToLower(image))) //nolint:gosec // a stable fake digest
		imp := md5.Sum([]byte("imphash:" + image))   //nolint:gosec // a stable fake digest
		h = "MD5=" + strings.ToUpper(hex.EncodeToString(m[:])) + ",IMPHASH=" + strings.ToUpper(hex.EncodeToString(imp[:]))
		n.hashes[image] = h
	}
	return h
}

func (n *noise) processStart(t time.Time) []Record {
	u, p := n.user(), pick(n.r, benignProcesses)
	integrity, user := "Medium", account(u.SAM)
	if strings.Contains(p[2], "services.exe") || strings.Contains(p[2], "svchost.exe") {
		integrity, user = "System", `NT AUTHORITY\SYSTEM`
	}
	return []Record{n.e.sysmonProcess(t, process{host: u.Host, user: user, image: p[0], cmd: p[1], parentImage: p[2],
		parentCmd: p[2], integrity: integrity, hashes: n.hashesOf(p[0]), company: "Microsoft Corporation"})}
}

func (n *noise) browser() string {
	return pick(n.r, []string{benignProcesses[3][0], benignProcesses[4][0], benignProcesses[5][0], benignProcesses[2][0]})
}

func (n *noise) dnsQuery(t time.Time) []Record {
	u, s := n.user(), pick(n.r, benignSites)
	return []Record{n.e.sysmonDNS(t, u.Host, n.browser(), n.e.pid(), account(u.SAM), s[0], s[1])}
}

func (n *noise) webConnection(t time.Time) []Record {
	u, s := n.user(), pick(n.r, benignSites)
	return []Record{n.e.sysmonNetwork(t, connection{host: u.Host, user: account(u.SAM), image: n.browser(), pid: n.e.pid(),
		remoteIP: s[1], remoteHost: s[0], remotePort: 443})}
}

func (n *noise) fileCreate(t time.Time) []Record {
	u := n.user()
	doc := pick(n.r, []string{"Budget", "Notes", "Minutes", "Proposal", "Roadmap", "Invoice"}) + "-" + itoa(1+n.r.IntN(40))
	ext, image := ".docx", benignProcesses[0][0]
	if n.r.IntN(2) == 0 {
		ext, image = ".xlsx", benignProcesses[1][0]
	}
	return []Record{n.e.sysmonFileCreate(t, u.Host, image, n.e.pid(), account(u.SAM), `C:\Users\`+u.SAM+`\Documents\`+doc+ext)}
}

func (n *noise) registrySet(t time.Time) []Record {
	u := n.user()
	key := `HKU\` + u.SID + `\Software\Microsoft\Office\16.0\Word\Reading Locations\Document ` + itoa(n.r.IntN(20))
	return []Record{n.e.sysmonRegistrySet(t, u.Host, benignProcesses[0][0], n.e.pid(), account(u.SAM), key, "DWORD (0x00000001)")}
}

func (n *noise) interactiveLogon(t time.Time) []Record {
	u := n.user()
	return []Record{n.e.security4624(t, logon{host: u.Host, user: u, logonType: 2})}
}

func (n *noise) fileShareLogon(t time.Time) []Record {
	u := n.user()
	fs, _ := n.org.Host("FS01")
	return []Record{
		n.e.security4769(t, u, "FS01$", u.Host.IP, "0x12"),
		n.e.security4624(t.Add(40*time.Millisecond), logon{host: fs, user: u, logonType: 3, srcIP: u.Host.IP, srcWS: u.Host.Name}),
	}
}

func (n *noise) ticketGrant(t time.Time) []Record {
	u := n.user()
	return []Record{n.e.security4768(t, u, u.Host.IP)}
}

func (n *noise) ntlmValidation(t time.Time) []Record {
	u := n.user()
	return []Record{n.e.security4776(t, u.SAM, u.Host.Name, "0x0")}
}

func (n *noise) serverProcess(t time.Time) []Record {
	h := pick(n.r, n.org.Servers[1:])
	svc := pick(n.r, n.org.Services)
	p := pick(n.r, [][2]string{
		{`C:\Windows\System32\svchost.exe`, `C:\Windows\system32\svchost.exe -k netsvcs -p`},
		{`C:\Windows\System32\taskhostw.exe`, `taskhostw.exe`},
		{`C:\Windows\System32\wbem\WmiPrvSE.exe`, `C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding`},
		{`C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn\sqlservr.exe`, `"sqlservr.exe" -sMSSQLSERVER`},
	})
	return []Record{n.e.security4688(t, h, svc, p[0], p[1], `C:\Windows\System32\services.exe`)}
}

// officeIP is where a user's cloud traffic comes from: the office egress for the
// headquarters' country, a fixed address per traveler otherwise.
func (n *noise) officeIP(u *User) string {
	if !u.Traveler {
		return n.org.EgressIPs[len(u.SAM)%len(n.org.EgressIPs)]
	}
	return "192.0.2." + itoa(100+int(u.SID[len(u.SID)-1]-'0')*10+len(u.SAM))
}

func (n *noise) cloudSignin(t time.Time) []Record {
	u := n.user()
	return []Record{n.e.entraSignin(t, signin{upn: u.UPN, userID: u.ObjectID, display: u.DisplayName, ip: n.officeIP(u),
		country: u.Country, city: u.City, app: pick(n.r, sortedKeys(apps)), mfa: true, device: u.Host.Name,
		os: "Windows10", browser: "Edge 130.0.0"})}
}

func (n *noise) mistypedPassword(t time.Time) []Record {
	u := n.user()
	return []Record{n.e.entraSignin(t, signin{upn: u.UPN, userID: u.ObjectID, display: u.DisplayName, ip: n.officeIP(u),
		country: u.Country, city: u.City, app: "OfficeHome", errorCode: 50126, device: u.Host.Name, os: "Windows10", browser: "Edge 130.0.0"})}
}

func (n *noise) sharePointFile(t time.Time) []Record {
	u := n.user()
	op := "FileAccessed"
	if n.r.IntN(5) == 0 {
		op = "FileDownloaded"
	}
	site := "https://contoso.sharepoint.com/sites/" + strings.ReplaceAll(u.Department, " ", "") + "/"
	file := pick(n.r, []string{"Plan", "Report", "Policy", "Forecast", "Handbook"}) + " " + itoa(2020+n.r.IntN(7)) + ".docx"
	return []Record{n.e.o365File(t, op, u, n.officeIP(u), site, file)}
}

func (n *noise) mailboxAccess(t time.Time) []Record {
	u := n.user()
	return []Record{n.e.o365MailItemsAccessed(t, u, n.officeIP(u))}
}

func (n *noise) officeLogin(t time.Time) []Record {
	u := n.user()
	return []Record{n.e.o365UserLoggedIn(t, u, n.officeIP(u))}
}

func (n *noise) email(t time.Time) []Record {
	from, to := n.user(), n.user()
	subject := pick(n.r, []string{"Weekly sync", "Re: budget review", "Lunch on Friday?", "Updated slides", "Quarterly numbers", "Travel plans"})
	m := mail{from: from.UPN, fromName: from.DisplayName, to: []string{to.UPN}, subject: subject, direction: "Intra-org"}
	switch n.r.IntN(3) {
	case 0:
		m.from, m.fromName, m.fromIP, m.direction = "updates@partner.example.com", "Partner Updates", "192.0.2."+itoa(40+n.r.IntN(10)), "Inbound"
	case 1:
		m.to, m.direction = []string{"contact@customer.example.org"}, "Outbound"
	}
	return []Record{n.e.emailTrace(t, m)}
}

func (n *noise) safeClick(t time.Time) []Record {
	u := n.user()
	return []Record{n.e.urlClick(t, u.UPN, n.officeIP(u), "https://news.example.com/article/"+itoa(n.r.IntN(1000)), "", "")}
}

func (n *noise) firewallAllow(t time.Time) []Record {
	u, s := n.user(), pick(n.r, benignSites)
	return []Record{n.e.cefTraffic(t, flow{src: u.Host.IP, dst: s[1], dport: 443, action: "allow", rule: "allow-web",
		app: "ssl", sent: int64(500 + n.r.IntN(20000)), received: int64(2000 + n.r.IntN(400000)), user: account(u.SAM)})}
}

func (n *noise) firewallDeny(t time.Time) []Record {
	src := "198.51.100." + itoa(150+n.r.IntN(100))
	return []Record{n.e.cefTraffic(t, flow{src: src, dst: n.org.EgressIPs[0], dport: pick(n.r, []int{23, 445, 3389}),
		action: "deny", rule: "deny-inbound", app: "not-applicable", sent: 60, received: 0})}
}

func (n *noise) itAdmin() *User { return pick(n.r, n.org.Admins) }

func (n *noise) adminSSH(t time.Time) []Record {
	a := n.itAdmin()
	return []Record{n.e.sshdAccepted(t, pick(n.r, n.org.Linux), strings.TrimPrefix(a.SAM, "adm-"), n.org.lookup(strings.TrimPrefix(a.SAM, "adm-")).Host.IP)}
}

func (n *noise) adminSudo(t time.Time) []Record {
	a := n.itAdmin()
	cmd := pick(n.r, []string{"/usr/bin/systemctl restart nginx", "/usr/bin/apt-get upgrade -y", "/usr/bin/journalctl -u sshd", "/usr/bin/df -h"})
	return []Record{n.e.sudoCommand(t, pick(n.r, n.org.Linux), strings.TrimPrefix(a.SAM, "adm-"), cmd)}
}

func (n *noise) cronRun(t time.Time) []Record {
	cmd := pick(n.r, []string{"/usr/lib/sysstat/debian-sa1 1 1", "cd / && run-parts --report /etc/cron.hourly", "/usr/bin/certbot -q renew"})
	return []Record{n.e.cronJob(t, pick(n.r, n.org.Linux), "root", cmd)}
}

// backup is the nightly backup: cron on the backup server, its service account's network
// logon on the file server, and the transfer through the firewall.
func (n *noise) backup(t time.Time) []Record {
	bk, _ := n.org.Host("lnx-backup01")
	fs, _ := n.org.Host("FS01")
	svc, _ := n.org.User("svc-backup")
	return []Record{
		n.e.cronJob(t, bk, "backup", "/usr/local/bin/nightly-backup.sh --target fs01"),
		n.e.security4624(t.Add(2*time.Second), logon{host: fs, user: svc, logonType: 3, srcIP: bk.IP, srcWS: bk.Name}),
		n.e.cefTraffic(t.Add(40*time.Minute), flow{src: fs.IP, dst: bk.IP, dport: 22, action: "allow", rule: "allow-backup",
			app: "ssh", sent: 48 << 30, received: 12 << 20, start: t.Add(3 * time.Second)}),
	}
}
