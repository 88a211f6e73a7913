package asimkql_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// TestNetworkSensorKQL stores the Zeek and Suricata samples in a real DuckDB store and runs
// queries in the style of public ASIM and Sentinel content over them through the compiler.
func TestNetworkSensorKQL(t *testing.T) {
	ctx := context.Background()
	reg := schema.NewRegistry()
	n, err := normalize.NewNormalizer(reg)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[*schema.Table][][]schema.Value{}
	for _, s := range [][2]string{{"zeek", "zeek.json"}, {"zeek", "zeek-tsv.log"}, {"suricata-eve", "suricata-eve.json"}} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "formats", s[1]))
		if err != nil {
			t.Fatal(err)
		}
		items, err := n.Normalize(s[0], b)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			for _, rec := range it.Records {
				if rec.Err == nil {
					ti, _ := rec.Table.Column("TenantId")
					rec.Row[ti] = "t1"
					rows[rec.Table] = append(rows[rec.Table], rec.Row)
				}
			}
		}
	}
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "net.db"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var (
		tables  []*schema.Table
		batches []store.Batch
	)
	for tab, rs := range rows {
		cols := make([]int, len(tab.Columns))
		for i := range cols {
			cols[i] = i
		}
		tables = append(tables, tab)
		batches = append(batches, store.Batch{Seq: uint64(len(batches) + 1), Tenant: "t1", Table: tab,
			IngestTime: time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC), Columns: cols, Rows: rs})
	}
	if len(tables) != 4 {
		t.Fatalf("rows for %d tables, want 4", len(tables))
	}
	if err := st.EnsureTables(ctx, tables); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "test", uint64(len(batches)), batches); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ q, want string }{
		{`ASimNetworkSessionLogs | where DstPortNumber == 443 | summarize count() by SrcIpAddr`,
			"192.168.1.10 4|192.168.1.11 1|192.168.1.12 1"},
		{`ASimNetworkSessionLogs | where EventType == "IDS" | project ThreatName, DvcAction, EventSeverity`,
			"ET INFO Observed DNS Query to .cloud TLD Deny Medium|ET POLICY Vulnerable Java Version 1.8.x Detected Allow High"},
		{`ASimNetworkSessionLogs | where EventVendor == "Zeek" and EventResult == "Failure" | project SrcIpAddr, DstPortNumber, EventResultDetails`,
			"203.0.113.66 22 Rejected"},
		{`ASimNetworkSessionLogs | where NetworkApplicationProtocol == "TLS" and EventType == "NetworkSession" | extend Sni = tostring(AdditionalFields.server_name) | project EventProduct, DstFQDN, Sni`,
			"Suricata www.example.com |Zeek www.example.com www.example.com"},
		{`ASimDnsActivityLogs | where EventResultDetails == "NXDOMAIN" | summarize count() by DnsQuery, EventProduct`,
			"c2.badexample.test Zeek 1|nonexistent.example Suricata 1"},
		{`ASimDnsActivityLogs | where DnsResponseName has "93.184.216.34" | project EventProduct, DnsQuery`,
			"Suricata www.example.org|Zeek www.example.com"},
		{`ASimWebSessionLogs | where toint(EventResultDetails) >= 400 | summarize Requests = count() by HttpHost, EventProduct`,
			"update.example.net Suricata 1|update.example.net Zeek 1"},
		{`CommonSecurityLog | where DeviceVendor == "OISF" and DeviceProduct == "Suricata" | where LogSeverity == "High" | project Activity, SourceIP, DestinationPort, DeviceCustomString1`,
			"ET POLICY Vulnerable Java Version 1.8.x Detected 192.168.1.10 80 Potential Corporate Privacy Violation"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			cq, diags := kql.Compile(tt.q, reg, kql.Options{Tenant: "t1"})
			if cq == nil {
				t.Fatalf("compile: %v", diags)
			}
			res, err := st.Query(ctx, cq.SQL, 100)
			if err != nil {
				t.Fatalf("query: %v\n%s", err, cq.SQL)
			}
			var got []string
			for _, r := range res.Rows {
				cells := make([]string, len(r))
				for i, v := range r {
					cells[i] = fmt.Sprint(v)
					if v == nil {
						cells[i] = ""
					}
				}
				got = append(got, strings.Join(cells, " "))
			}
			sort.Strings(got)
			if strings.Join(got, "|") != tt.want {
				t.Errorf("got  %q\nwant %q", strings.Join(got, "|"), tt.want)
			}
		})
	}
}
