package normalize

import (
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

// checkRecord fails unless rec is either an error or a row of valid values for its table.
func checkRecord(t *testing.T, rec Record) {
	t.Helper()
	if rec.Table == nil {
		t.Fatal("record without a table")
	}
	if rec.Err != nil {
		if rec.Row != nil || rec.Err.Reason == "" {
			t.Fatalf("error record %v has a row or no reason", rec.Err)
		}
		return
	}
	if len(rec.Row) != len(rec.Table.Columns) {
		t.Fatalf("row of %d values for %d columns", len(rec.Row), len(rec.Table.Columns))
	}
	for i, v := range rec.Row {
		c := rec.Table.Columns[i]
		if !schema.ValidateValue(c.Type, v) {
			t.Fatalf("column %s (%s) holds %T %v", c.Name, c.Type, v, v)
		}
	}
	if i, _ := rec.Table.Column("TimeGenerated"); rec.Row[i] == nil {
		t.Fatal("row without TimeGenerated")
	}
}

func fuzzParse(f *testing.F, seeds []string) {
	p := newTestParser(f)
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkRecord(t, p.Parse(b, "192.0.2.10", testNow))
	})
}

func FuzzRFC3164(f *testing.F) {
	fuzzParse(f, []string{
		"<38>Mar  9 22:14:15 web01 sshd[4123]: Failed password for root from 203.0.113.7 port 52814 ssh2",
		"<13>Mar 10 08:00:00 kernel: eth0: link up", "<166>Mar 10 2024 09:30:00: %ASA-6-302013: Built",
		"<30>2024-03-10T10:15:30.123456+01:00 nas systemd[1]: Started.", "<11>no header", "<0>", "<191>Dec 31 23:59:60.999999999 h t[]: x",
	})
}

func FuzzRFC5424(f *testing.F) {
	fuzzParse(f, []string{
		"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"] \xEF\xBB\xBFmsg",
		`<86>1 2024-03-10T11:59:58.250+00:00 bastion sshd 2231 - [a b="\"\]"][c d="e"] text`, "<14>1 - - - - - -", "<14>1 - - - - - [x]",
	})
}

func FuzzCEF(f *testing.F) {
	fuzzParse(f, []string{
		"CEF:0|Fortinet|Fortigate|v7|13|close|3|src=1.2.3.4 spt=1 end=1710068400123 cn1=5 cfp1=0.5 in=1 start=Mar 10 2024 10:59:30 GMT",
		"<14>Mar 10 11:00:00 h CEF:0|a\\|b|c|d|e|f|g|msg=a\\=b\\nc\\\\ cs1=x y z act= rt=Mar 10 11:00:00.123 UTC",
		`<134>1 2024-03-10T10:00:00Z cp - - - - CEF:1|a|b|c|d|e|f|x=1`, "CEF:0|a|b", "CEF:9|||||||=",
	})
}

func FuzzLEEF(f *testing.F) {
	fuzzParse(f, []string{
		"LEEF:1.0|Microsoft|MSExchange|4.0|15345|src=192.0.2.0\tdst=172.50.123.1\tsev=5\tsrcPort=81",
		"LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dstPort=22^srcBytes=9", "LEEF:2.0|a|b|c|d|0x09|x=1",
		"<13>Mar 10 10:30:00 s LEEF:2.0|a|b|c|d||usrName=x", "LEEF:1|a|b|c|d|",
	})
}
