package normalize

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/iptype"
)

// secDerived are SecurityEvent columns the mapper computes from the System part or several
// fields; an event data field of the same name never fills them.
var secDerived = map[string]bool{
	"TimeGenerated": true, "Computer": true, "EventID": true, "Activity": true, "Channel": true,
	"EventSourceName": true, "Level": true, "EventLevelName": true, "Keywords": true, "Task": true,
	"Opcode": true, "Version": true, "EventRecordId": true, "SystemProcessId": true, "SystemThreadId": true,
	"SystemUserId": true, "Correlation": true, "SourceSystem": true, "EventData": true, "Account": true,
	"AccountType": true, "SubjectAccount": true, "TargetAccount": true, "LogonTypeName": true, "Process": true,
	"TenantId": true, "Type": true, "_BilledSize": true, "_IsBillable": true, "_ResourceId": true,
	"_SubscriptionId": true, "ManagementGroupName": true, "AzureDeploymentID": true, "SourceComputerId": true,
}

// resolveSecurity maps each SecurityEvent column not derived to the event data field of the same
// name (as Sentinel's Windows Security Events connector does: TargetUserName, IpAddress, ...).
func (m *WinMapper) resolveSecurity() (map[string]target, error) {
	wt := m.tables["SecurityEvent"]
	out := map[string]target{}
	for name, tg := range wt.cols {
		if !secDerived[name] {
			out[name] = tg
		}
	}
	for name := range secDerived {
		if _, ok := wt.cols[name]; !ok && !strings.HasPrefix(name, "_") {
			return nil, fmt.Errorf("table SecurityEvent has no column %s", name)
		}
	}
	return out, nil
}

// securityActivities are the descriptions Sentinel's Activity column gives event ids.
var securityActivities = map[int32]string{
	1100: "The event logging service has shut down.", 1102: "The audit log was cleared.",
	4608: "Windows is starting up.", 4616: "The system time was changed.",
	4624: "An account was successfully logged on.", 4625: "An account failed to log on.",
	4634: "An account was logged off.", 4647: "User initiated logoff.",
	4648: "A logon was attempted using explicit credentials.", 4656: "A handle to an object was requested.",
	4663: "An attempt was made to access an object.", 4670: "Permissions on an object were changed.",
	4672: "Special privileges assigned to new logon.", 4673: "A privileged service was called.",
	4688: "A new process has been created.", 4689: "A process has exited.",
	4697: "A service was installed in the system.", 4698: "A scheduled task was created.",
	4699: "A scheduled task was deleted.", 4700: "A scheduled task was enabled.",
	4701: "A scheduled task was disabled.", 4702: "A scheduled task was updated.",
	4719: "System audit policy was changed.", 4720: "A user account was created.",
	4722: "A user account was enabled.", 4723: "An attempt was made to change an account's password.",
	4724: "An attempt was made to reset an account's password.", 4725: "A user account was disabled.",
	4726: "A user account was deleted.", 4727: "A security-enabled global group was created.",
	4728: "A member was added to a security-enabled global group.", 4729: "A member was removed from a security-enabled global group.",
	4732: "A member was added to a security-enabled local group.", 4733: "A member was removed from a security-enabled local group.",
	4738: "A user account was changed.", 4740: "A user account was locked out.",
	4741: "A computer account was created.", 4742: "A computer account was changed.",
	4756: "A member was added to a security-enabled universal group.", 4757: "A member was removed from a security-enabled universal group.",
	4767: "A user account was unlocked.", 4768: "A Kerberos authentication ticket (TGT) was requested.",
	4769: "A Kerberos service ticket was requested.", 4770: "A Kerberos service ticket was renewed.",
	4771: "Kerberos pre-authentication failed.", 4776: "The domain controller attempted to validate the credentials for an account.",
	4778: "A session was reconnected to a Window Station.", 4779: "A session was disconnected from a Window Station.",
	4781: "The name of an account was changed.", 4798: "A user's local group membership was enumerated.",
	4799: "A security-enabled local group membership was enumerated.", 4800: "The workstation was locked.",
	4801: "The workstation was unlocked.", 4946: "A change has been made to Windows Firewall exception list. A rule was added.",
	5140: "A network share object was accessed.", 5145: "A network share object was checked to see whether client can be granted desired access.",
	5156: "The Windows Filtering Platform has permitted a connection.", 5157: "The Windows Filtering Platform has blocked a connection.",
}

// logonTypes are the LogonType numbers of 4624/4625 with the names Defender and Sentinel use.
var logonTypes = map[string]string{
	"0": "System", "2": "Interactive", "3": "Network", "4": "Batch", "5": "Service", "7": "Unlock",
	"8": "NetworkCleartext", "9": "NewCredentials", "10": "RemoteInteractive", "11": "CachedInteractive",
	"12": "CachedRemoteInteractive", "13": "CachedUnlock",
}

// logonFailures maps NTSTATUS codes of 4625's Status/SubStatus to Defender's FailureReason.
var logonFailures = map[string]string{
	"0xc0000064": "UnknownUser", "0xc000006a": "WrongPassword", "0xc000006d": "InvalidUserNameOrPassword",
	"0xc000006e": "AccountRestrictions", "0xc000006f": "InvalidLogonHours", "0xc0000070": "InvalidWorkstation",
	"0xc0000071": "PasswordExpired", "0xc0000072": "AccountDisabled", "0xc0000193": "AccountExpired",
	"0xc0000224": "PasswordMustChange", "0xc0000234": "AccountLocked", "0xc000015b": "LogonTypeNotGranted",
	"0xc0000133": "ClockOutOfSync", "0xc0000413": "AuthenticationFirewallFailed", "0xc00000dc": "InvalidServerState",
}

// integrityLevels maps 4688's MandatoryLabel SID to the integrity level name.
var integrityLevels = map[string]string{
	"S-1-16-0": "Untrusted", "S-1-16-4096": "Low", "S-1-16-8192": "Medium", "S-1-16-8448": "MediumPlus",
	"S-1-16-12288": "High", "S-1-16-16384": "System", "S-1-16-20480": "ProtectedProcess",
}

// tokenElevations maps 4688's TokenElevationType message ids to Defender's names.
var tokenElevations = map[string]string{"%%1936": "TokenElevationTypeDefault", "%%1937": "TokenElevationTypeFull", "%%1938": "TokenElevationTypeLimited"}

// securityRows maps a Security channel event to SecurityEvent and, for 4624/4625 and 4688,
// to DeviceLogonEvents and DeviceProcessEvents; domain controller authentications (4768, 4769,
// 4771, 4776 and network logons of domain accounts) also to IdentityLogonEvents.
func (m *WinMapper) securityRows(ev *WinEvent) []Record {
	recs := []Record{m.securityEventRow(ev)}
	switch ev.EventID {
	case 4624, 4625:
		recs = append(recs, m.logonRow(ev))
	case 4688:
		recs = append(recs, m.processRow4688(ev))
	default:
	}
	if identityLogon(ev) {
		recs = append(recs, m.identityLogonRow(ev))
	}
	return recs
}

func (m *WinMapper) securityEventRow(ev *WinEvent) Record {
	r := m.newRow("SecurityEvent")
	r.setValue("TimeGenerated", ev.Time)
	r.set("Computer", ev.Computer)
	r.setValue("EventID", ev.EventID)
	id := strconv.Itoa(int(ev.EventID))
	if d := securityActivities[ev.EventID]; d != "" {
		id += " - " + d
	}
	r.set("Activity", id)
	r.set("Channel", ev.Channel)
	r.set("EventSourceName", ev.Provider)
	r.set("Level", strconv.Itoa(int(ev.Level)))
	r.set("EventLevelName", eventLevelName(ev))
	r.set("Keywords", ev.Keywords)
	r.setValue("Task", ev.Task)
	r.set("Opcode", strconv.Itoa(int(ev.Opcode)))
	r.setValue("Version", ev.Version)
	if ev.RecordID != 0 {
		r.set("EventRecordId", strconv.FormatInt(ev.RecordID, 10))
	}
	r.setValue("SystemProcessId", ev.ProcessID)
	r.setValue("SystemThreadId", ev.ThreadID)
	r.set("SystemUserId", ev.UserID)
	r.set("Correlation", ev.ActivityID)
	r.set("SourceSystem", "OpsManager")
	for _, d := range ev.Data {
		if tg, ok := m.sec[d.Name]; ok && d.Value != "" {
			if v, ok := winConvert(tg.typ, d.Value); ok {
				r.row[tg.col] = v
			}
		}
	}
	subject := joinAccount(ev.Get("SubjectDomainName"), ev.Get("SubjectUserName"))
	target := joinAccount(ev.Get("TargetDomainName"), ev.Get("TargetUserName"))
	r.set("SubjectAccount", subject)
	r.set("TargetAccount", target)
	acct := target
	if acct == "" {
		acct = subject
	}
	r.set("Account", acct)
	if acct != "" {
		r.set("AccountType", map[bool]string{true: "Machine", false: "User"}[strings.HasSuffix(acct, "$")])
	}
	if lt := ev.Get("LogonType"); logonTypes[lt] != "" {
		r.set("LogonTypeName", lt+" - "+logonTypes[lt])
	}
	proc := ev.Get("NewProcessName")
	if proc == "" || proc == "-" {
		proc = ev.Get("ProcessName")
	}
	if proc != "" && proc != "-" {
		_, name := splitPath(proc)
		r.set("Process", name)
	}
	r.set("EventData", eventDataXML(ev.Data))
	return r.record()
}

// joinAccount gives DOMAIN\user, or user, or "" when the user is missing or "-".
func joinAccount(dom, user string) string {
	switch {
	case user == "" || user == "-":
		return ""
	case dom == "" || dom == "-":
		return user
	}
	return dom + `\` + user
}

// eventDataXML renders the data fields as the <EventData> element Sentinel keeps.
func eventDataXML(data []WinData) string {
	var b strings.Builder
	b.WriteString(`<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`)
	for _, d := range data {
		b.WriteString(`<Data Name="`)
		_ = xml.EscapeText(&b, []byte(d.Name))
		b.WriteString(`">`)
		_ = xml.EscapeText(&b, []byte(d.Value))
		b.WriteString(`</Data>`)
	}
	b.WriteString(`</EventData>`)
	return b.String()
}

// deviceCommon sets the columns every Device* row from a Security event has.
func deviceCommon(r *winRow, ev *WinEvent, action string) {
	r.setValue("Timestamp", ev.Time)
	r.setValue("TimeGenerated", ev.Time)
	r.set("DeviceName", ev.Computer)
	r.set("ActionType", action)
	if ev.RecordID != 0 {
		r.setValue("ReportId", ev.RecordID)
	}
}

// logonRow maps 4624 (LogonSuccess) and 4625 (LogonFailed) to DeviceLogonEvents.
func (m *WinMapper) logonRow(ev *WinEvent) Record {
	r := m.newRow("DeviceLogonEvents")
	action := "LogonSuccess"
	if ev.EventID == 4625 {
		action = "LogonFailed"
		status := strings.ToLower(ev.Get("SubStatus"))
		if status == "" || status == "0x0" {
			status = strings.ToLower(ev.Get("Status"))
		}
		if f := logonFailures[status]; f != "" {
			r.set("FailureReason", f)
		} else {
			r.setNonDash("FailureReason", status)
		}
	}
	deviceCommon(r, ev, action)
	r.set("LogonType", logonTypes[ev.Get("LogonType")])
	r.setNonDash("AccountDomain", ev.Get("TargetDomainName"))
	r.setNonDash("AccountName", ev.Get("TargetUserName"))
	r.setNonDash("AccountSid", nonNullSid(ev.Get("TargetUserSid")))
	r.setNonDash("LogonId", ev.Get("TargetLogonId"))
	r.setNonDash("Protocol", strings.TrimSpace(ev.Get("AuthenticationPackageName")))
	ip := ev.Get("IpAddress")
	if ip != "-" && ip != "" {
		r.set("RemoteIP", ip)
		r.set("RemoteIPType", iptype.OfText(ip))
	}
	if p := ev.Get("IpPort"); p != "0" {
		r.setNonDash("RemotePort", p)
	}
	r.setNonDash("RemoteDeviceName", ev.Get("WorkstationName"))
	setInitiatingFromSubject(r, ev)
	if p := ev.Get("ProcessName"); p != "" && p != "-" {
		full, name := splitPath(p)
		r.set("InitiatingProcessFolderPath", full)
		r.set("InitiatingProcessFileName", name)
	}
	if pid, ok := parseWinInt(ev.Get("ProcessId")); ok && pid != 0 {
		r.setValue("InitiatingProcessId", pid)
	}
	return r.record()
}

// nonNullSid drops the NULL SID Windows puts in for an unknown account.
func nonNullSid(s string) string {
	if s == "S-1-0-0" {
		return ""
	}
	return s
}

// setInitiatingFromSubject fills the InitiatingProcessAccount* columns from the Subject fields.
func setInitiatingFromSubject(r *winRow, ev *WinEvent) {
	r.setNonDash("InitiatingProcessAccountDomain", ev.Get("SubjectDomainName"))
	r.setNonDash("InitiatingProcessAccountName", ev.Get("SubjectUserName"))
	r.setNonDash("InitiatingProcessAccountSid", nonNullSid(ev.Get("SubjectUserSid")))
}

// processRow4688 maps 4688 (a process was created) to DeviceProcessEvents.
func (m *WinMapper) processRow4688(ev *WinEvent) Record {
	r := m.newRow("DeviceProcessEvents")
	deviceCommon(r, ev, "ProcessCreated")
	full, name := splitPath(ev.Get("NewProcessName"))
	r.setNonDash("FolderPath", full)
	r.setNonDash("FileName", name)
	r.set("ProcessId", ev.Get("NewProcessId"))
	r.set("ProcessCommandLine", ev.Get("CommandLine"))
	r.setValue("ProcessCreationTime", ev.Time)
	r.set("ProcessIntegrityLevel", integrityLevels[ev.Get("MandatoryLabel")])
	r.set("ProcessTokenElevation", tokenElevations[ev.Get("TokenElevationType")])
	// The new process runs as the target account when one is given (version 2), else as the subject.
	dom, user, sid, logon := ev.Get("TargetDomainName"), ev.Get("TargetUserName"), ev.Get("TargetUserSid"), ev.Get("TargetLogonId")
	if user == "" || user == "-" {
		dom, user, sid, logon = ev.Get("SubjectDomainName"), ev.Get("SubjectUserName"), ev.Get("SubjectUserSid"), ev.Get("SubjectLogonId")
	}
	r.setNonDash("AccountDomain", dom)
	r.setNonDash("AccountName", user)
	r.setNonDash("AccountSid", nonNullSid(sid))
	r.setNonDash("LogonId", logon)
	setInitiatingFromSubject(r, ev)
	r.setNonDash("InitiatingProcessLogonId", ev.Get("SubjectLogonId"))
	if p := ev.Get("ParentProcessName"); p != "" && p != "-" {
		pf, pn := splitPath(p)
		r.set("InitiatingProcessFolderPath", pf)
		r.set("InitiatingProcessFileName", pn)
	}
	r.set("InitiatingProcessId", ev.Get("ProcessId"))
	return r.record()
}
