package kql_test

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
)

var benchQueries = []string{
	`DeviceProcessEvents | where Timestamp > ago(7d) | where FileName in~ ("powershell.exe", "pwsh.exe") | where ProcessCommandLine has_any ("-enc", "-encodedcommand") | summarize Count = count(), Devices = make_set(DeviceName) by AccountName | top 10 by Count`,
	`SigninLogs | where ResultType == "50126" | summarize Failures = count(), IPs = dcount(IPAddress) by UserPrincipalName, bin(TimeGenerated, 1h) | where Failures > 10`,
	`IdentityLogonEvents | where ActionType == "LogonSuccess" | project LogonTime = Timestamp, DeviceName, AccountName | join kind=inner (DeviceProcessEvents | project ProcTime = Timestamp, DeviceName, FileName) on DeviceName | where ProcTime between (LogonTime .. 2h)`,
}

func BenchmarkCompile(b *testing.B) {
	reg := schema.NewRegistry()
	opts := kql.Options{Tenant: "t1", Now: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if q, d := kql.Compile(benchQueries[i%len(benchQueries)], reg, opts); q == nil {
			b.Fatal(d)
		}
	}
}
