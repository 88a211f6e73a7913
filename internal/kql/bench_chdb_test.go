//go:build chdb

package kql_test

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/sqlgen"
	"github.com/vigilsec/vigil/internal/store/chdb"
)

// BenchmarkChDBQuery runs three typical hunting queries, compiled to ClickHouse SQL, on chDB
// over a generated DeviceProcessEvents table of one million rows in one tenant (a day).
func BenchmarkChDBQuery(b *testing.B) {
	reg := schema.NewRegistry()
	s, err := chdb.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	tab, _ := reg.Table("DeviceProcessEvents")
	if err := s.CreateTables([]*schema.Table{tab}); err != nil {
		b.Fatal(err)
	}
	gen := "INSERT INTO `DeviceProcessEvents` (`TenantId`, `TimeGenerated`, `Timestamp`, `DeviceName`, `AccountName`, `FileName`, `ProcessCommandLine`, `FileSize`) " +
		"SELECT 't1', toDateTime64('2024-01-09 00:00:00', 6, 'UTC') + toIntervalMillisecond(number * 86), toDateTime64('2024-01-09 00:00:00', 6, 'UTC') + toIntervalMillisecond(number * 86), " +
		"concat('ws', toString(number % 500)), concat('user', toString(number % 2000)), ['cmd.exe', 'powershell.exe', 'svchost.exe', 'notepad.exe'][number % 4 + 1], " +
		"if(number % 1000 = 0, 'powershell.exe -enc SQBFAFgA', concat('proc --arg ', toString(number))), toInt64(number % 100000) FROM numbers(1000000)"
	if _, err := s.Exec(gen, "TabSeparated"); err != nil {
		b.Fatal(err)
	}
	queries := map[string]string{
		"filter_has":   `DeviceProcessEvents | where ProcessCommandLine has "-enc" | project TimeGenerated, DeviceName, ProcessCommandLine`,
		"summarize":    `DeviceProcessEvents | summarize Count = count(), Users = dcount(AccountName) by DeviceName | top 10 by Count`,
		"bin_timeline": `DeviceProcessEvents | where FileName =~ "powershell.exe" | summarize count() by bin(TimeGenerated, 1h)`,
	}
	opts := kql.Options{Tenant: "t1", Now: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), Dialect: sqlgen.ClickHouse}
	for name, src := range queries {
		q, diags := kql.Compile(src, reg, opts)
		if q == nil {
			b.Fatal(diags)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Exec(q.SQL, "JSONCompact"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
