package simulate

import (
	"strconv"
	"time"
)

// Sysmon event builders (channel Microsoft-Windows-Sysmon/Operational), normalized to the
// Defender Device* tables.

// process describes a process for Sysmon event 1.
type process struct {
	host                     *Host
	user                     string // DOMAIN\sam
	image, cmd               string
	pid                      int
	parentImage, parentCmd   string
	parentPID                int
	integrity                string // Low, Medium, High, System
	hashes                   string // Sysmon's Hashes field
	company, description     string
	originalName, currentDir string
}

// sysmonProcess is event 1, ProcessCreate -> DeviceProcessEvents.
func (e *emitter) sysmonProcess(t time.Time, p process) Record {
	if p.pid == 0 {
		p.pid = e.pid()
	}
	if p.parentPID == 0 {
		p.parentPID = e.pid()
	}
	if p.integrity == "" {
		p.integrity = "Medium"
	}
	if p.currentDir == "" {
		p.currentDir = `C:\Windows\system32\`
	}
	_, name := splitWinPath(p.image)
	if p.originalName == "" {
		p.originalName = name
	}
	return e.win(sysmonSource, 1, 1, t, p.host, "RuleName", "-", "UtcTime", sysmonUTC(t),
		"ProcessGuid", "{"+e.guid()+"}", "ProcessId", strconv.Itoa(p.pid), "Image", p.image,
		"FileVersion", "-", "Description", orDash(p.description), "Product", "-", "Company", orDash(p.company),
		"OriginalFileName", p.originalName, "CommandLine", p.cmd, "CurrentDirectory", p.currentDir,
		"User", p.user, "LogonGuid", "{"+e.guid()+"}", "LogonId", e.hexID(), "TerminalSessionId", "1",
		"IntegrityLevel", p.integrity, "Hashes", p.hashes,
		"ParentProcessGuid", "{"+e.guid()+"}", "ParentProcessId", strconv.Itoa(p.parentPID),
		"ParentImage", p.parentImage, "ParentCommandLine", p.parentCmd, "ParentUser", p.user)
}

// connection describes a network connection for Sysmon event 3.
type connection struct {
	host                 *Host
	user, image          string
	pid                  int
	protocol             string // tcp or udp
	remoteIP, remoteHost string
	remotePort           int
	inbound              bool
}

// sysmonNetwork is event 3, NetworkConnect -> DeviceNetworkEvents.
func (e *emitter) sysmonNetwork(t time.Time, c connection) Record {
	if c.protocol == "" {
		c.protocol = "tcp"
	}
	src, srcPort, dst, dstPort, srcHost, dstHost := c.host.IP, e.port(), c.remoteIP, c.remotePort, c.host.FQDN, c.remoteHost
	initiated := "true"
	if c.inbound {
		src, srcPort, dst, dstPort, srcHost, dstHost = c.remoteIP, e.port(), c.host.IP, c.remotePort, c.remoteHost, c.host.FQDN
		initiated = "false"
	}
	return e.win(sysmonSource, 3, 3, t, c.host, "RuleName", "-", "UtcTime", sysmonUTC(t),
		"ProcessGuid", "{"+e.guid()+"}", "ProcessId", strconv.Itoa(c.pid), "Image", c.image, "User", c.user,
		"Protocol", c.protocol, "Initiated", initiated, "SourceIsIpv6", "false", "SourceIp", src,
		"SourceHostname", orDash(srcHost), "SourcePort", strconv.Itoa(srcPort), "SourcePortName", "-",
		"DestinationIsIpv6", "false", "DestinationIp", dst, "DestinationHostname", orDash(dstHost),
		"DestinationPort", strconv.Itoa(dstPort), "DestinationPortName", "-")
}

// sysmonProcessAccess is event 10, ProcessAccess -> DeviceEvents (OpenProcessApiCall).
func (e *emitter) sysmonProcessAccess(t time.Time, h *Host, srcImage string, srcPID int, srcUser, targetImage, access string) Record {
	return e.win(sysmonSource, 10, 10, t, h, "RuleName", "-", "UtcTime", sysmonUTC(t),
		"SourceProcessGUID", "{"+e.guid()+"}", "SourceProcessId", strconv.Itoa(srcPID), "SourceThreadId", strconv.Itoa(e.pid()),
		"SourceImage", srcImage, "TargetProcessGUID", "{"+e.guid()+"}", "TargetProcessId", "712",
		"TargetImage", targetImage, "GrantedAccess", access,
		"CallTrace", `C:\Windows\SYSTEM32\ntdll.dll+9d4c4|C:\Windows\System32\KERNELBASE.dll+2c13e|UNKNOWN(00000000004A1F22)`,
		"SourceUser", srcUser, "TargetUser", `NT AUTHORITY\SYSTEM`)
}

// sysmonFileCreate is event 11, FileCreate -> DeviceFileEvents (FileCreated).
func (e *emitter) sysmonFileCreate(t time.Time, h *Host, image string, pid int, user, target string) Record {
	return e.win(sysmonSource, 11, 11, t, h, "RuleName", "-", "UtcTime", sysmonUTC(t),
		"ProcessGuid", "{"+e.guid()+"}", "ProcessId", strconv.Itoa(pid), "Image", image, "TargetFilename", target,
		"CreationUtcTime", sysmonUTC(t), "User", user)
}

// sysmonRegistrySet is event 13, RegistryEvent (Value Set) -> DeviceRegistryEvents.
func (e *emitter) sysmonRegistrySet(t time.Time, h *Host, image string, pid int, user, key, details string) Record {
	return e.win(sysmonSource, 13, 13, t, h, "RuleName", "-", "EventType", "SetValue", "UtcTime", sysmonUTC(t),
		"ProcessGuid", "{"+e.guid()+"}", "ProcessId", strconv.Itoa(pid), "Image", image, "TargetObject", key,
		"Details", details, "User", user)
}

// sysmonDNS is event 22, DNSEvent -> DeviceEvents (DnsQueryResponse).
func (e *emitter) sysmonDNS(t time.Time, h *Host, image string, pid int, user, query, answer string) Record {
	return e.win(sysmonSource, 22, 22, t, h, "RuleName", "-", "UtcTime", sysmonUTC(t),
		"ProcessGuid", "{"+e.guid()+"}", "ProcessId", strconv.Itoa(pid), "QueryName", query, "QueryStatus", "0",
		"QueryResults", "::ffff:"+answer+";", "Image", image, "User", user)
}

// splitWinPath splits a Windows path into its folder and file name.
func splitWinPath(p string) (dir, name string) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '\\' {
			return p[:i], p[i+1:]
		}
	}
	return "", p
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
