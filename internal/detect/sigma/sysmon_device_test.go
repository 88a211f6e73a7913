package sigma_test

import (
	"strconv"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/sigma"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
)

// TestSysmonDeviceRowsMatchSigma runs Sigma rules of the categories whose Sysmon events moved
// from WindowsEvent to Device* tables on rows the WinMapper produces, so that the normalizer
// and internal/detect/sigma/mapping.yaml agree on where each field is.
func TestSysmonDeviceRowsMatchSigma(t *testing.T) {
	reg := schema.NewRegistry()
	m, err := normalize.NewWinMapper(reg)
	if err != nil {
		t.Fatal(err)
	}
	ev := func(id int, data ...string) string {
		s := `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon'/>` +
			`<EventID>` + strconv.Itoa(id) + `</EventID><TimeCreated SystemTime='2024-03-10T11:10:00Z'/><EventRecordID>5</EventRecordID>` +
			`<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>ws1</Computer></System><EventData>`
		for i := 0; i+1 < len(data); i += 2 {
			s += `<Data Name='` + data[i] + `'>` + data[i+1] + `</Data>`
		}
		return s + `</EventData></Event>`
	}
	tests := []struct{ name, detection, xml string }{
		{"wmi_event", "{EventID: 20, Type: Command Line, Destination|contains: upd.exe}",
			ev(20, "EventType", "WmiConsumerEvent", "User", `C\a`, "Type", "Command Line", "Destination", `"C:\ProgramData\upd.exe -q"`)},
		{"driver_load", "{ImageLoaded|endswith: RTCore64.sys, Hashes|contains: IMPHASH=CE8C, Signed: 'true'}",
			ev(6, "ImageLoaded", `C:\d\RTCore64.sys`, "Hashes", "SHA1=AA,IMPHASH=CE8C", "Signed", "true")},
		{"process_tampering", `{Type: 'Image is replaced', Image|endswith: '\x.exe'}`,
			ev(25, "Image", `C:\x.exe`, "ProcessId", "5", "Type", "Image is replaced")},
		{"create_stream_hash", "{TargetFilename|endswith: ':Zone.Identifier', Contents|contains: 'HostUrl=https://files'}",
			ev(15, "Image", `C:\x.exe`, "TargetFilename", `C:\a.iso:Zone.Identifier`, "Contents", "[ZoneTransfer] ZoneId=3 HostUrl=https://files.example/a")},
		{"file_change", "{TargetFilename|endswith: 'svc.dll', CreationUtcTime|startswith: '2019', EventID: 2}",
			ev(2, "Image", `C:\x.exe`, "TargetFilename", `C:\svc.dll`, "CreationUtcTime", "2019-01-01 00:00:00.000")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "title: t\nid: 11111111-1111-1111-1111-111111111111\nstatus: test\nlevel: high\n" +
				"logsource: {product: windows, category: " + tt.name + "}\ndetection:\n  s: " + tt.detection + "\n  condition: s\n"
			rules, err := sigma.Load([]byte(src), "test.yml")
			if err != nil {
				t.Fatal(err)
			}
			rs, err := sigma.Compile(rules, sigma.Config{Registry: reg})
			if err != nil {
				t.Fatal(err)
			}
			items, _ := m.Normalize(normalize.WinFormatXML, []byte(tt.xml))
			rec := items[0].Records[0]
			if rec.Err != nil {
				t.Fatal(rec.Err)
			}
			b := &stream.Batch{Tenant: "t1", Table: rec.Table.Name, Seq: 1, Columns: rec.Table.Columns, Rows: [][]schema.Value{rec.Row}}
			var got []alert.Alert
			if err := sigma.NewDetector(rs).Detect(b, func(a alert.Alert) { got = append(got, a) }); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Errorf("%d alerts on %s row %v", len(got), rec.Table.Name, rec.Row)
			}
		})
	}
}
