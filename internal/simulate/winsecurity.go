package simulate

import (
	"strconv"
	"strings"
	"time"
)

// Windows Security and System channel builders, normalized to SecurityEvent plus
// DeviceLogonEvents, DeviceProcessEvents and IdentityLogonEvents (and WindowsEvent for 7045).

// Audit tasks of the Security events.
const (
	taskLogon         = 12544
	taskProcess       = 13312
	taskKerberosTGT   = 14339
	taskKerberosTGS   = 14337
	taskCredValidate  = 14336
	taskSecSystemExt  = 12289
	taskUserMgmt      = 13824
	taskSecGroupMgmt  = 13826
	logonProcessNames = "User32 "
)

// logon describes a 4624 or 4625.
type logon struct {
	host          *Host
	user          *User // the account logging on
	logonType     int   // 2 interactive, 3 network, 10 remote interactive
	srcIP, srcWS  string
	failureStatus string // 4625 SubStatus, e.g. 0xc000006a
}

// security4624 is an account logon: SecurityEvent + DeviceLogonEvents (+ IdentityLogonEvents
// for network logons of domain accounts).
func (e *emitter) security4624(t time.Time, l logon) Record {
	proc, pkg, lp := `C:\Windows\System32\svchost.exe`, "Negotiate", logonProcessNames
	switch l.logonType {
	case 3:
		proc, pkg, lp = "-", "Kerberos", "Kerberos"
	case 10:
		proc = `C:\Windows\System32\svchost.exe`
	}
	if l.srcIP == "" {
		l.srcIP, l.srcWS = "127.0.0.1", l.host.Name
	}
	return e.win(securitySource, 4624, taskLogon, t, l.host,
		"SubjectUserSid", "S-1-5-18", "SubjectUserName", l.host.Name+"$", "SubjectDomainName", DomainNetBIOS, "SubjectLogonId", "0x3e7",
		"TargetUserSid", l.user.SID, "TargetUserName", l.user.SAM, "TargetDomainName", DomainNetBIOS, "TargetLogonId", e.hexID(),
		"LogonType", strconv.Itoa(l.logonType), "LogonProcessName", lp, "AuthenticationPackageName", pkg,
		"WorkstationName", l.srcWS, "LogonGuid", "{"+e.guid()+"}", "TransmittedServices", "-", "LmPackageName", "-",
		"KeyLength", "0", "ProcessId", "0x"+strconv.FormatInt(int64(e.pid()), 16), "ProcessName", proc,
		"IpAddress", l.srcIP, "IpPort", strconv.Itoa(e.port()), "ImpersonationLevel", "%%1833", "ElevatedToken", "%%1842")
}

// security4625 is a failed logon.
func (e *emitter) security4625(t time.Time, l logon, sam string) Record {
	if l.failureStatus == "" {
		l.failureStatus = "0xc000006a"
	}
	return e.win(securitySource, 4625, taskLogon, t, l.host,
		"SubjectUserSid", "S-1-0-0", "SubjectUserName", "-", "SubjectDomainName", "-", "SubjectLogonId", "0x0",
		"TargetUserSid", "S-1-0-0", "TargetUserName", sam, "TargetDomainName", DomainNetBIOS,
		"Status", "0xc000006d", "FailureReason", "%%2313", "SubStatus", l.failureStatus,
		"LogonType", strconv.Itoa(l.logonType), "LogonProcessName", "NtLmSsp ", "AuthenticationPackageName", "NTLM",
		"WorkstationName", l.srcWS, "TransmittedServices", "-", "LmPackageName", "-", "KeyLength", "0",
		"ProcessId", "0x0", "ProcessName", "-", "IpAddress", l.srcIP, "IpPort", strconv.Itoa(e.port()))
}

// security4688 is a process creation: SecurityEvent + DeviceProcessEvents.
func (e *emitter) security4688(t time.Time, h *Host, u *User, image, cmd, parent string) Record {
	return e.win(securitySource, 4688, taskProcess, t, h,
		"SubjectUserSid", u.SID, "SubjectUserName", u.SAM, "SubjectDomainName", DomainNetBIOS, "SubjectLogonId", e.hexID(),
		"NewProcessId", "0x"+strconv.FormatInt(int64(e.pid()), 16), "NewProcessName", image, "TokenElevationType", "%%1938",
		"ProcessId", "0x"+strconv.FormatInt(int64(e.pid()), 16), "CommandLine", cmd,
		"TargetUserSid", "S-1-0-0", "TargetUserName", "-", "TargetDomainName", "-", "TargetLogonId", "0x0",
		"ParentProcessName", parent, "MandatoryLabel", "S-1-16-8192")
}

// security4768 is a Kerberos TGT request on the domain controller.
func (e *emitter) security4768(t time.Time, u *User, srcIP string) Record {
	return e.win(securitySource, 4768, taskKerberosTGT, t, e.org.DC,
		"TargetUserName", u.SAM, "TargetDomainName", strings.ToUpper(DomainDNS), "TargetSid", u.SID,
		"ServiceName", "krbtgt", "ServiceSid", DomainSID+"-502", "TicketOptions", "0x40810010", "Status", "0x0",
		"TicketEncryptionType", "0x12", "PreAuthType", "2", "IpAddress", "::ffff:"+srcIP, "IpPort", strconv.Itoa(e.port()),
		"CertIssuerName", "", "CertSerialNumber", "", "CertThumbprint", "")
}

// security4769 is a Kerberos service ticket request on the domain controller; encryption
// 0x17 (RC4) is what Kerberoasting asks for, 0x12 (AES256) is normal.
func (e *emitter) security4769(t time.Time, u *User, service, srcIP, encryption string) Record {
	svcSID := DomainSID + "-1000"
	if s, ok := e.org.User(service); ok {
		svcSID = s.SID
	}
	return e.win(securitySource, 4769, taskKerberosTGS, t, e.org.DC,
		"TargetUserName", u.SAM+"@"+strings.ToUpper(DomainDNS), "TargetDomainName", strings.ToUpper(DomainDNS),
		"ServiceName", service, "ServiceSid", svcSID, "TicketOptions", "0x40810000", "TicketEncryptionType", encryption,
		"IpAddress", "::ffff:"+srcIP, "IpPort", strconv.Itoa(e.port()), "Status", "0x0",
		"LogonGuid", "{"+e.guid()+"}", "TransmittedServices", "-")
}

// security4776 is an NTLM credential validation on the domain controller.
func (e *emitter) security4776(t time.Time, sam, workstation, status string) Record {
	return e.win(securitySource, 4776, taskCredValidate, t, e.org.DC,
		"PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", "TargetUserName", sam, "Workstation", workstation, "Status", status)
}

// security4697 is a service installed (Security channel): SecurityEvent with ServiceFileName.
func (e *emitter) security4697(t time.Time, h *Host, u *User, service, file string) Record {
	return e.win(securitySource, 4697, taskSecSystemExt, t, h,
		"SubjectUserSid", u.SID, "SubjectUserName", u.SAM, "SubjectDomainName", DomainNetBIOS, "SubjectLogonId", e.hexID(),
		"ServiceName", service, "ServiceFileName", file, "ServiceType", "0x10", "ServiceStartType", "3", "ServiceAccount", "LocalSystem")
}

// system7045 is a service installed (System channel, Service Control Manager): WindowsEvent.
func (e *emitter) system7045(t time.Time, h *Host, service, file string) Record {
	return e.win(scmSource, 7045, 0, t, h, "ServiceName", service, "ImagePath", file,
		"ServiceType", "user mode service", "StartType", "demand start", "AccountName", "LocalSystem")
}

// security4720 is a user account created.
func (e *emitter) security4720(t time.Time, by *User, sam, newSID string) Record {
	return e.win(securitySource, 4720, taskUserMgmt, t, e.org.DC,
		"TargetUserName", sam, "TargetDomainName", DomainNetBIOS, "TargetSid", newSID,
		"SubjectUserSid", by.SID, "SubjectUserName", by.SAM, "SubjectDomainName", DomainNetBIOS, "SubjectLogonId", e.hexID(),
		"SamAccountName", sam, "DisplayName", sam, "UserPrincipalName", sam+"@"+DomainDNS, "UserAccountControl", "%%2080")
}

// security4732 is a member added to a security-enabled local group.
func (e *emitter) security4732(t time.Time, h *Host, by *User, memberSID, group string) Record {
	return e.win(securitySource, 4732, taskSecGroupMgmt, t, h,
		"MemberName", "-", "MemberSid", memberSID, "TargetUserName", group, "TargetDomainName", "Builtin", "TargetSid", "S-1-5-32-544",
		"SubjectUserSid", by.SID, "SubjectUserName", by.SAM, "SubjectDomainName", DomainNetBIOS, "SubjectLogonId", e.hexID())
}
