package normalize

import (
	"os"
	"path/filepath"
	"testing"
)

// fuzzJSONFormat fuzzes one JSON source format, seeded with its sample file and a few broken
// shapes: Normalize must not fail for a known format, and every record is either a reason or
// a row of valid values.
func fuzzJSONFormat(f *testing.F, format string, seeds ...string) {
	n := newTestNormalizer(f)
	b, err := os.ReadFile(filepath.Join("testdata", "formats", fileOf(format)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	for _, s := range append(seeds, `{}`, `[]`, `{"value":[1,"x",null]}`, `{"records":[{}]}`, "{\"a\":1}\n{") {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := n.Normalize(format, b)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Offset < 0 || it.Offset > len(b) || len(it.Records) == 0 {
				t.Fatalf("item at %d of %d bytes with %d records", it.Offset, len(b), len(it.Records))
			}
			for _, rec := range it.Records {
				checkRecord(t, rec)
			}
		}
	})
}

func FuzzEntraSignin(f *testing.F) {
	fuzzJSONFormat(f, "entra-signin", `{"value":[{"createdDateTime":"2024-01-01T00:00:00Z","userId":"u","location":{"geoCoordinates":1},"status":{"errorCode":"x"}}]}`)
}

func FuzzEntraAudit(f *testing.F) {
	fuzzJSONFormat(f, "entra-audit", `{"value":[{"activityDateTime":"2024-01-01T00:00:00Z","targetResources":[{"modifiedProperties":"x"}],"initiatedBy":[]}]}`)
}

func FuzzO365Audit(f *testing.F) {
	fuzzJSONFormat(f, "o365-audit", `[{"CreationTime":"2024-01-01T00:00:00","Workload":"Exchange","Operation":"x","AuditData":"{"}]`)
}

func FuzzCloudTrail(f *testing.F) {
	fuzzJSONFormat(f, "cloudtrail", `{"Records":[{"eventTime":"2024-01-01T00:00:00Z","userIdentity":"x","requestParameters":[1]}]}`)
}

func FuzzEmailTrace(f *testing.F) {
	fuzzJSONFormat(f, "email-trace", `{"Received":"2024-01-01T00:00:00Z","RecipientAddress":["a"],"Size":"big"}`)
}

func FuzzURLClick(f *testing.F) {
	fuzzJSONFormat(f, "url-click", `{"ClickTime":"2024-01-01T00:00:00Z","Url":7,"IsClickedThrough":"maybe"}`)
}

// FuzzWinlogbeatDoc fuzzes one Winlogbeat document, as the _bulk receiver hands it over.
func FuzzWinlogbeatDoc(f *testing.F) {
	m := newTestWinMapper(f)
	f.Add([]byte(benchWinlogbeat))
	f.Add([]byte(`{"@timestamp":"2024-03-10T11:00:00Z","event":{"code":"1"},"host":{"name":"h"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_data":{"Image":"C:\\a.exe","Hashes":"SHA1=00"}}}`))
	f.Add([]byte(`{"winlog":{"event_id":[1],"event_data":"x","user_data":{"a":{"b":1}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := m.NormalizeDoc(WinFormatWinlogbeat, b)
		if err != nil || len(recs) == 0 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		for _, rec := range recs {
			checkRecord(t, rec)
		}
	})
}
