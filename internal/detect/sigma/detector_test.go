package sigma

import (
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/schema"
)

func TestAlertFields(t *testing.T) {
	rs := mustCompile(t, smokeRule, nil)
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	b := makeBatch(t, "DeviceProcessEvents", []map[string]schema.Value{{
		"Timestamp": at, "DeviceName": "ws1", "AccountName": "alice", "AccountDomain": "CORP", "AccountSid": "S-1-5-21-1",
		"FolderPath": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "FileName": "powershell.exe",
		"ProcessCommandLine": "powershell -enc AAA", "ProcessId": int64(42), "SHA256": "abc", "InitiatingProcessId": int64(7),
	}})
	as := detect(t, rs, b)
	if len(as) != 1 {
		t.Fatalf("%d alerts", len(as))
	}
	a := as[0]
	if a.Provider != alert.Provider || a.Status != alert.StatusNew || !a.StartTime.Equal(at) || !a.EndTime.Equal(at) || a.Tenant != "t1" {
		t.Fatalf("alert %+v", a)
	}
	types := map[string]map[string]string{}
	for _, e := range a.Entities {
		if types[e.Type] == nil {
			types[e.Type] = e.Identifiers
		}
	}
	if types["Host"]["HostName"] != "ws1" || types["Account"]["Sid"] != "S-1-5-21-1" || types["Account"]["NTDomain"] != "CORP" ||
		types["Process"]["ProcessId"] != "42" || types["File"]["Directory"] != `C:\Windows\System32\WindowsPowerShell\v1.0` ||
		types["FileHash"]["Algorithm"] != "SHA256" {
		t.Fatalf("entities %+v", a.Entities)
	}
	if a.Properties["logsource"] != "windows/process_creation" || a.Properties["sigmaStatus"] != "test" {
		t.Fatalf("properties %v", a.Properties)
	}
	if len(a.Evidence.Rows) != 1 || len(a.Evidence.Columns) != len(a.Evidence.Rows[0]) {
		t.Fatalf("evidence %+v", a.Evidence)
	}
	// A replayed batch yields the same id; another batch sequence does not.
	if again := detect(t, rs, b); again[0].ID != a.ID {
		t.Fatal("replay changed the alert id")
	}
	b2 := makeBatch(t, "DeviceProcessEvents", []map[string]schema.Value{{"FolderPath": `C:\powershell.exe`, "ProcessCommandLine": "x -enc y"}})
	b2.Seq = 8
	if other := detect(t, rs, b2); other[0].ID == a.ID {
		t.Fatal("different batches gave the same id")
	}
}

// TestSwapUnderLoad swaps rule sets while batches run: every batch runs on one set whole.
func TestSwapUnderLoad(t *testing.T) {
	rsA := mustCompile(t, smokeRule, nil)
	rsB := mustCompile(t, "title: B\nid: b\nlogsource: {product: windows, category: process_creation}\ndetection:\n  s:\n    CommandLine|contains: '-enc'\n  condition: s\n", nil)
	d := NewDetector(rsA)
	rows := make([]map[string]schema.Value, 50)
	for i := range rows {
		rows[i] = map[string]schema.Value{"FolderPath": `C:\powershell.exe`, "ProcessCommandLine": "x -enc y", "AccountName": "bob"}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				d.Swap(rsB)
			} else {
				d.Swap(rsA)
			}
		}
	})
	for range 200 {
		b := makeBatch(t, "DeviceProcessEvents", rows)
		ids := map[string]int{}
		if err := d.Detect(b, func(a alert.Alert) { ids[a.RuleID]++ }); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 1 || (ids["b"] != 50 && ids["11111111-2222-3333-4444-555555555555"] != 50) {
			t.Fatalf("a batch mixed rule sets or dropped rows: %v", ids)
		}
	}
	close(stop)
	wg.Wait()
}
