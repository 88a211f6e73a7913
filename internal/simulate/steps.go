package simulate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// stepKind is one builder a scenario step can name: its parameters and how it emits.
type stepKind struct {
	doc      string // what it emits: format -> tables
	params   []string
	required []string
	build    func(s *stepRun) []Record
}

func (k *stepKind) allows(p string) bool {
	for _, q := range k.params {
		if q == p {
			return true
		}
	}
	return false
}

func (k *stepKind) paramNames() []string { return append([]string(nil), k.params...) }

// stepKinds is the table of step kinds, dispatched by name.
func stepKinds() map[string]*stepKind {
	proc := []string{"host", "user", "image", "cmd", "parent_image", "parent_cmd", "integrity", "sha256", "pid", "parent_pid", "original_name", "description", "company"}
	return map[string]*stepKind{
		"email": {doc: "email-trace -> EmailEvents, EmailAttachmentInfo, EmailUrlInfo", required: []string{"from", "to"},
			params: []string{"id", "from", "from_name", "to", "subject", "from_ip", "direction", "threat", "attachment", "attachment_sha256", "attachment_threat", "url"}, build: buildEmail},
		"url-click":           {doc: "url-click -> UrlClickEvents", required: []string{"user", "url"}, params: []string{"user", "ip", "url", "message_id", "threat"}, build: buildURLClick},
		"sysmon-process":      {doc: "winevent-xml Sysmon 1 -> DeviceProcessEvents", required: []string{"host", "image"}, params: proc, build: buildSysmonProcess},
		"sysmon-network":      {doc: "winevent-xml Sysmon 3 -> DeviceNetworkEvents", required: []string{"host", "remote_ip"}, params: []string{"host", "user", "image", "pid", "remote_ip", "remote_host", "remote_port", "protocol"}, build: buildSysmonNetwork},
		"sysmon-file":         {doc: "winevent-xml Sysmon 11 -> DeviceFileEvents", required: []string{"host", "path"}, params: []string{"host", "user", "image", "pid", "path"}, build: buildSysmonFile},
		"sysmon-registry":     {doc: "winevent-xml Sysmon 13 -> DeviceRegistryEvents", required: []string{"host", "key"}, params: []string{"host", "user", "image", "pid", "key", "value"}, build: buildSysmonRegistry},
		"sysmon-dns":          {doc: "winevent-xml Sysmon 22 -> DeviceEvents (DnsQueryResponse)", required: []string{"host", "query"}, params: []string{"host", "user", "image", "pid", "query", "answer"}, build: buildSysmonDNS},
		"sysmon-lsass-access": {doc: "winevent-xml Sysmon 10 -> DeviceEvents (OpenProcessApiCall on lsass.exe)", required: []string{"host", "image"}, params: []string{"host", "user", "image", "pid", "access"}, build: buildLsassAccess},
		"security-4624":       {doc: "winevent-xml 4624 -> SecurityEvent, DeviceLogonEvents (+ IdentityLogonEvents)", required: []string{"host", "user"}, params: []string{"host", "user", "logon_type", "src_ip", "src_host"}, build: build4624},
		"security-4625":       {doc: "winevent-xml 4625 -> SecurityEvent, DeviceLogonEvents (+ IdentityLogonEvents)", required: []string{"host", "account"}, params: []string{"host", "account", "logon_type", "src_ip", "src_host", "status"}, build: build4625},
		"security-4688":       {doc: "winevent-xml 4688 -> SecurityEvent, DeviceProcessEvents", required: []string{"host", "user", "image"}, params: []string{"host", "user", "image", "cmd", "parent"}, build: build4688},
		"security-4768":       {doc: "winevent-xml 4768 on the DC -> SecurityEvent, IdentityLogonEvents", required: []string{"user", "src_ip"}, params: []string{"user", "src_ip"}, build: build4768},
		"security-4769":       {doc: "winevent-xml 4769 on the DC, one per service -> SecurityEvent, IdentityLogonEvents", required: []string{"user", "services", "src_ip"}, params: []string{"user", "services", "src_ip", "encryption", "spacing"}, build: build4769},
		"security-4776":       {doc: "winevent-xml 4776 on the DC -> SecurityEvent, IdentityLogonEvents", required: []string{"account"}, params: []string{"account", "workstation", "status"}, build: build4776},
		"security-4697":       {doc: "winevent-xml 4697 -> SecurityEvent", required: []string{"host", "user", "service", "file"}, params: []string{"host", "user", "service", "file"}, build: build4697},
		"system-7045":         {doc: "winevent-xml System 7045 -> WindowsEvent", required: []string{"host", "service", "file"}, params: []string{"host", "service", "file"}, build: build7045},
		"security-4720":       {doc: "winevent-xml 4720 on the DC -> SecurityEvent", required: []string{"user", "account"}, params: []string{"user", "account"}, build: build4720},
		"security-4732":       {doc: "winevent-xml 4732 -> SecurityEvent", required: []string{"host", "user", "member"}, params: []string{"host", "user", "member", "group"}, build: build4732},
		"entra-signin":        {doc: "entra-signin -> SigninLogs, AADSignInEventsBeta", required: []string{"user", "ip"}, params: []string{"user", "ip", "country", "city", "result", "mfa", "app", "device", "os", "browser"}, build: buildSignin},
		"o365-inbox-rule":     {doc: "o365-audit New-InboxRule -> OfficeActivity, CloudAppEvents", required: []string{"user", "forward_to"}, params: []string{"user", "ip", "name", "forward_to"}, build: buildInboxRule},
		"o365-file":           {doc: "o365-audit SharePoint/OneDrive file operations -> OfficeActivity, CloudAppEvents", required: []string{"user"}, params: []string{"user", "ip", "operation", "site", "file", "count", "spacing"}, build: buildO365File},
		"o365-mail-access":    {doc: "o365-audit MailItemsAccessed -> OfficeActivity, CloudAppEvents", required: []string{"user"}, params: []string{"user", "ip"}, build: buildMailAccess},
		"o365-login":          {doc: "o365-audit UserLoggedIn -> OfficeActivity, CloudAppEvents", required: []string{"user"}, params: []string{"user", "ip"}, build: buildO365Login},
		"cef":                 {doc: "cef (syslog) PAN-OS TRAFFIC -> CommonSecurityLog", required: []string{"src", "dst", "dst_port"}, params: []string{"src", "dst", "src_port", "dst_port", "proto", "action", "sent", "received", "rule", "app", "user"}, build: buildCEF},
		"ssh-login":           {doc: "syslog sshd -> Syslog", required: []string{"host", "user", "ip"}, params: []string{"host", "user", "ip", "result"}, build: buildSSH},
		"sudo":                {doc: "syslog sudo -> Syslog", required: []string{"host", "user", "command"}, params: []string{"host", "user", "command"}, build: buildSudo},
		"cron":                {doc: "syslog CRON -> Syslog", required: []string{"host", "command"}, params: []string{"host", "user", "command"}, build: buildCron},
	}
}

func kindNames() []string {
	ks := stepKinds()
	out := make([]string, 0, len(ks))
	for k := range ks {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// stepRun is one repetition of a step being built: resolved parameters, the time, and the
// first fault met.
type stepRun struct {
	e   *emitter
	t   time.Time
	p   map[string]string
	err error
}

func (s *stepRun) fail(format string, a ...any) {
	if s.err == nil {
		s.err = fmt.Errorf(format, a...)
	}
}

func (s *stepRun) str(k, def string) string {
	if v, ok := s.p[k]; ok && v != "" {
		return v
	}
	return def
}

func (s *stepRun) int(k string, def int) int {
	v, ok := s.p[k]
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		s.fail("parameter %s: %q is not a number", k, v)
	}
	return n
}

func (s *stepRun) dur(k string, def time.Duration) time.Duration {
	v, ok := s.p[k]
	if !ok || v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		s.fail("parameter %s: %q is not a duration", k, v)
	}
	return d
}

// host resolves a device by its short name.
func (s *stepRun) host(k string) *Host {
	name := s.str(k, "")
	h, ok := s.e.org.Host(name)
	if !ok {
		s.fail("parameter %s: no device %q in the organization", k, name)
		return &Host{Name: name, FQDN: name, IP: "0.0.0.0"}
	}
	return h
}

// user resolves an account by sAMAccountName or UPN; an unknown one (a decoy, an outsider)
// gets identities derived from its name.
func (s *stepRun) user(k string) *User {
	return s.e.org.lookup(s.str(k, ""))
}

// lookup finds an account by sAMAccountName or UPN, or makes one up for a name the
// organization lacks (decoys, typos an attacker tries).
func (o *Org) lookup(name string) *User {
	sam := strings.ToLower(name)
	if i := strings.IndexByte(sam, '@'); i >= 0 {
		for _, list := range [][]*User{o.Users, o.Admins, o.Services} {
			for _, u := range list {
				if strings.EqualFold(u.UPN, name) {
					return u
				}
			}
		}
		sam = sam[:i]
	}
	if u, ok := o.User(sam); ok {
		return u
	}
	return &User{DisplayName: sam, SAM: sam, UPN: sam + "@" + DomainDNS, SID: DomainSID + "-9999", ObjectID: objectID(0, sam),
		Country: HomeCountry, City: homeCities[0]}
}
