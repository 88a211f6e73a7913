package normalize

import "testing"

func FuzzWinEventXML(f *testing.F) {
	m := newTestWinMapper(f)
	f.Add([]byte(logon4624))
	f.Add([]byte(sysmonXML(1, 1, "2024-03-10T11:00:00Z", 1, "Image", `C:\a.exe`, "Hashes", "SHA1=00,MD5=11", "User", `D\u`, "UtcTime", "2024-03-10 11:00:00.1")))
	f.Add([]byte(sysmonXML(13, 13, "2024-03-10T11:00:00Z", 1, "EventType", "SetValue", "TargetObject", `HKU\S-1-5-21-1\x`, "Details", "QWORD (0x1-0x2)")))
	f.Add([]byte(sysmonXML(22, 22, "2024-03-10T11:00:00Z", 1, "QueryResults", "type:  5 a;::ffff:1.2.3.4;fe80::1;")))
	f.Add([]byte(`<Event><System><EventID>1</EventID><TimeCreated SystemTime="2024-01-01T00:00:00Z"/></System><UserData><X><A>1</A></X></UserData></Event>`))
	f.Add([]byte("<Events><Event/><Event><System></Event>"))
	f.Add([]byte(sysmonXML(2, 2, "2024-03-10T11:00:00Z", 1, "Image", `C:\a.exe`, "TargetFilename", `C:\b.dll`, "CreationUtcTime", "2019-01-01 00:00:00.000")))
	f.Add([]byte(sysmonXML(5, 5, "2024-03-10T11:00:00Z", 1, "Image", `C:\a.exe`, "ProcessId", "0x10", "User", `D\u`)))
	f.Add([]byte(sysmonXML(6, 6, "2024-03-10T11:00:00Z", 1, "ImageLoaded", `C:\d.sys`, "Hashes", "SHA256=AB,IMPHASH=CD", "Signed", "true")))
	f.Add([]byte(sysmonXML(15, 15, "2024-03-10T11:00:00Z", 1, "TargetFilename", `C:\a:Zone.Identifier`, "Hash", "MD5=00", "Contents", "[ZoneTransfer] HostUrl= ReferrerUrl=x=y")))
	f.Add([]byte(sysmonXML(20, 20, "2024-03-10T11:00:00Z", 1, "EventType", "WmiConsumerEvent", "User", "u", "Destination", `"a"`)))
	f.Add([]byte(sysmonXML(25, 25, "2024-03-10T11:00:00Z", 1, "Image", "x", "Type", "Image is locked for access")))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ch := range SplitWinEventXML(b) {
			if ch.Offset < 0 || ch.Offset+len(ch.Data) > len(b) {
				t.Fatalf("chunk %d+%d outside %d bytes", ch.Offset, len(ch.Data), len(b))
			}
		}
		ev, err := ParseWinEventXML(b)
		if err != nil {
			return
		}
		for _, rec := range m.Map(&ev) {
			checkRecord(t, rec)
			if rec.Err != nil {
				t.Fatalf("mapping error %v", rec.Err)
			}
		}
	})
}

func FuzzWinEventJSON(f *testing.F) {
	m := newTestWinMapper(f)
	f.Add([]byte(`{"@timestamp":"2024-03-10T11:00:00Z","winlog":{"channel":"Security","event_id":4688,"event_data":{"NewProcessName":"C:\\a.exe","MandatoryLabel":"S-1-16-12288"},"process":{"pid":4}}}`))
	f.Add([]byte(`{"EventTime":"2024-03-10 11:00:00","EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","Initiated":"false","SourceIp":"::1","Keywords":-1}`))
	f.Add([]byte(`{"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":16384},"#text":7045},"TimeCreated":{"#attributes":{"SystemTime":"2024-03-10T11:00:00Z"}},"Channel":"System"},"EventData":{"Data":{"@Name":"x","#text":"y"}},"UserData":{"A":{"b":[1,{"c":null}]}}}}`))
	f.Add([]byte(`{"@timestamp":"2024-03-10T11:00:00Z","event":{"code":4624,"provider":"p"},"host":{"name":"h"},"winlog":{"channel":"Security","event_data":{"LogonType":"3"}}}`))
	f.Add([]byte(`{"Event":{"System":{"EventID":4625,"TimeCreated":{"@SystemTime":"2024-03-10T11:00:00Z"},"Channel":"Security"},"EventData":{"SubStatus":"0xC0000234","LogonType":"3"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseWinEventJSON(b, WinJSONAuto)
		if err != nil {
			return
		}
		for _, rec := range m.Map(&ev) {
			checkRecord(t, rec)
			if rec.Err != nil {
				t.Fatalf("mapping error %v", rec.Err)
			}
		}
	})
}
