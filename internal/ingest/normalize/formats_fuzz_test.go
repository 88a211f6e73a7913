package normalize

import (
	"testing"
)

// fuzzJSONFormat fuzzes one JSON source format, seeded with its sample file and a few broken
// shapes: Normalize must not fail for a known format, and every record is either a reason or
// a row of valid values.
func fuzzJSONFormat(f *testing.F, format string, seeds ...string) {
	n := newTestNormalizer(f)
	b := readSample(f, fileOf(format))
	f.Add(b)
	for _, s := range append(seeds, `{}`, `[]`, `{"value":[1,"x",null]}`, `{"records":[{}]}`, "{\"a\":1}\n{") {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzFormat(t, n, format, b) })
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
