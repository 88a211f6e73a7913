package normalize

import (
	"strconv"
	"strings"
)

// Domain controller authentication events -> IdentityLogonEvents, as Defender for Identity
// records them from a domain controller's Security log:
//   - 4768 (TGT requested) and 4771 (Kerberos pre-authentication failed): LogonType
//     "Credentials validation", Protocol Kerberos;
//   - 4769 (service ticket requested): LogonType "Resource access", Protocol Kerberos, with the
//     service, ticket options and TicketEncryptionType (and its name, e.g. 0x17 Rc4Hmac) in
//     AdditionalFields, so that Kerberoasting hunts work on this table as on SecurityEvent's
//     EventData;
//   - 4776 (NTLM credential validation): LogonType "Credentials validation", Protocol NTLM;
//   - 4624/4625 of a domain account over the network or RDP (LogonType 3 or 10 with a source
//     address): LogonType the Windows logon type name, Protocol the authentication package.
//
// A Status other than 0x0 makes ActionType LogonFailed, with FailureReason named as for
// DeviceLogonEvents (Kerberos result codes get the same names). Events 4768, 4769, 4771 and
// 4776 are only logged by domain controllers for domain accounts; for 4624/4625 Vigil cannot
// know whether the computer is a domain controller, so member servers' network logons of
// domain accounts appear too.

// kerberosFailures maps Kerberos result codes of 4768/4769/4771 to FailureReason.
var kerberosFailures = map[string]string{
	"0x6": "UnknownUser", "0x7": "UnknownServer", "0xc": "AccountRestrictions", "0x12": "AccountDisabled",
	"0x17": "PasswordExpired", "0x18": "WrongPassword", "0x25": "ClockOutOfSync", "0xe": "UnsupportedEncryptionType",
	"0x20": "TicketExpired", "0x1f": "IntegrityCheckFailed",
}

// kerberosEncryptionTypes names TicketEncryptionType values.
var kerberosEncryptionTypes = map[string]string{
	"0x1": "DesCbcCrc", "0x3": "DesCbcMd5", "0x11": "Aes128CtsHmacSha196", "0x12": "Aes256CtsHmacSha196",
	"0x17": "Rc4Hmac", "0x18": "Rc4HmacExp", "0xffffffff": "Failure",
}

// identityKinds gives, per event id, the LogonType and Protocol of its IdentityLogonEvents row.
var identityKinds = map[int32][2]string{
	4768: {"Credentials validation", "Kerberos"}, 4771: {"Credentials validation", "Kerberos"},
	4769: {"Resource access", "Kerberos"}, 4776: {"Credentials validation", "NTLM"},
}

// identityAdditional are the event data fields kept in AdditionalFields.
var identityAdditional = []string{
	"ServiceName", "ServiceSid", "TicketOptions", "TicketEncryptionType", "PreAuthType", "Status", "SubStatus",
	"PackageName", "TransmittedServices", "LogonProcessName", "AuthenticationPackageName", "LogonGuid",
}

// identityLogon reports whether ev is an authentication Defender for Identity would record.
func identityLogon(ev *WinEvent) bool {
	if _, ok := identityKinds[ev.EventID]; ok {
		return true
	}
	if ev.EventID != 4624 && ev.EventID != 4625 {
		return false
	}
	lt, dom := ev.Get("LogonType"), strings.ToUpper(ev.Get("TargetDomainName"))
	host, _, _ := strings.Cut(strings.ToUpper(ev.Computer), ".")
	switch {
	case lt != "3" && lt != "10":
		return false
	case dom == "" || dom == "-" || dom == "NT AUTHORITY" || dom == host:
		return false
	}
	ip := cleanIP(ev.Get("IpAddress"))
	return ip != "" && ip != "127.0.0.1" && ip != "::1"
}

// identityLogonRow maps a domain controller authentication event to IdentityLogonEvents.
func (m *WinMapper) identityLogonRow(ev *WinEvent) Record {
	r := m.newRow("IdentityLogonEvents")
	r.setValue("Timestamp", ev.Time)
	r.setValue("TimeGenerated", ev.Time)
	r.set("Application", "Active Directory")
	kind, ok := identityKinds[ev.EventID]
	if !ok {
		kind = [2]string{logonTypes[ev.Get("LogonType")], strings.TrimSpace(ev.Get("AuthenticationPackageName"))}
	}
	r.set("LogonType", kind[0])
	r.setNonDash("Protocol", kind[1])
	action, reason := identityOutcome(ev)
	r.set("ActionType", action)
	r.set("FailureReason", reason)
	setIdentityAccount(r, ev)
	if ip := cleanIP(ev.Get("IpAddress")); ip != "" {
		r.set("IPAddress", ip)
	}
	if p := ev.Get("IpPort"); p != "0" {
		r.setNonDash("Port", p)
	}
	dev := ev.Get("Workstation")
	if dev == "" {
		dev = ev.Get("WorkstationName")
	}
	r.setNonDash("DeviceName", strings.TrimPrefix(dev, `\\`))
	r.set("DestinationDeviceName", ev.Computer)
	if ev.RecordID != 0 {
		r.set("ReportId", strconv.FormatInt(ev.RecordID, 10))
	}
	r.set("AdditionalFields", identityAdditionalFields(ev))
	return r.record()
}

// identityOutcome gives ActionType and FailureReason from the event id and Status.
func identityOutcome(ev *WinEvent) (action, reason string) {
	status := strings.ToLower(ev.Get("Status"))
	switch {
	case ev.EventID == 4625:
		sub := strings.ToLower(ev.Get("SubStatus"))
		if sub != "" && sub != "0x0" {
			status = sub
		}
	case ev.EventID == 4771:
	case ev.EventID == 4624 || status == "" || status == "0x0" || status == "0":
		return "LogonSuccess", ""
	}
	if f := kerberosFailures[status]; f != "" && ev.EventID != 4776 && ev.EventID != 4625 {
		return "LogonFailed", f
	}
	if f := logonFailures[status]; f != "" {
		return "LogonFailed", f
	}
	return "LogonFailed", status
}

// setIdentityAccount fills the account columns: 4769 names the user as user@REALM, the others
// as a name and a domain; a DNS realm gives the UPN.
func setIdentityAccount(r *winRow, ev *WinEvent) {
	name, dom := ev.Get("TargetUserName"), ev.Get("TargetDomainName")
	if u, realm, ok := strings.Cut(name, "@"); ok {
		name = u
		if dom == "" {
			dom = realm
		}
	}
	r.setNonDash("AccountName", name)
	r.setNonDash("AccountDomain", dom)
	if name != "" && name != "-" && strings.Contains(dom, ".") && !strings.HasSuffix(name, "$") {
		r.set("AccountUpn", strings.ToLower(name+"@"+dom))
	}
	sid := ev.Get("TargetSid")
	if sid == "" {
		sid = ev.Get("TargetUserSid")
	}
	r.setNonDash("AccountSid", nonNullSid(sid))
}

// identityAdditionalFields keeps the protocol details of the event, with the encryption type's
// name next to its code.
func identityAdditionalFields(ev *WinEvent) string {
	kv := []WinData{{Name: "EventId", Value: strconv.Itoa(int(ev.EventID))}}
	for _, name := range identityAdditional {
		if v := ev.Get(name); v != "" && v != "-" {
			kv = append(kv, WinData{Name: name, Value: strings.TrimSpace(v)})
		}
	}
	if et := kerberosEncryptionTypes[strings.ToLower(ev.Get("TicketEncryptionType"))]; et != "" {
		kv = append(kv, WinData{Name: "EncryptionType", Value: et})
	}
	return jsonObject(kv)
}
