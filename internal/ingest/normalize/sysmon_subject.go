package normalize

import "strings"

// sysmonSubject fills the process an event is about (events 5 and 25: the process that ended
// or was tampered with) as FolderPath, FileName and ProcessId, besides the InitiatingProcess*
// columns Image and ProcessId fill as for every Sysmon event, so that queries written either
// way find it.
func sysmonSubject(ev *WinEvent, r *winRow) []WinData {
	if img := ev.Get("Image"); img != "" {
		full, name := splitPath(img)
		r.set("FolderPath", full)
		r.set("FileName", name)
	}
	r.set("ProcessId", ev.Get("ProcessId"))
	return nil
}

// sysmonStream fills where a file came from out of event 15's Contents, which holds the
// Zone.Identifier stream Windows writes on downloads ("[ZoneTransfer] ZoneId=3
// ReferrerUrl=... HostUrl=..."), into the columns Defender fills from the same stream.
// Contents itself stays in AdditionalFields.
func sysmonStream(ev *WinEvent, r *winRow) []WinData {
	c := ev.Get("Contents")
	if !strings.Contains(c, "ZoneTransfer") {
		return nil
	}
	for _, f := range strings.Fields(c) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || v == "" {
			continue
		}
		switch {
		case strings.EqualFold(k, "HostUrl"):
			r.set("FileOriginUrl", v)
		case strings.EqualFold(k, "ReferrerUrl"):
			r.set("FileOriginReferrerUrl", v)
		}
	}
	return nil
}
