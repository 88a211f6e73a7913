package kql_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// openFixture writes the fixed data set to a new DuckDB store: a few dozen
// rows across four tables, mostly of tenant t1, some of tenant t2 that no
// query may see.
func openFixture(t testing.TB, reg *schema.Registry) store.Store {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "golden.db"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	tabs, batches := fixtureData(t, reg)
	if err := st.EnsureTables(ctx, tabs); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "golden", uint64(len(batches)), batches); err != nil {
		t.Fatal(err)
	}
	return st
}

// fixtureData is the fixed data set and the tables it needs; every engine the goldens run
// on loads the same batches.
func fixtureData(t testing.TB, reg *schema.Registry) ([]*schema.Table, []store.Batch) {
	var batches []store.Batch
	add := func(tenant, table string, cols []string, rows [][]schema.Value) {
		tab, _ := reg.Table(table)
		idx := make([]int, len(cols))
		for i, c := range cols {
			j, ok := tab.Column(c)
			if !ok {
				t.Fatalf("fixture: %s has no column %s", table, c)
			}
			idx[i] = j
		}
		batches = append(batches, store.Batch{Seq: uint64(len(batches) + 1), Tenant: tenant, Table: tab, IngestTime: ts("2024-01-09T00:00:00Z"), Columns: idx, Rows: rows})
	}
	proc := []string{"TenantId", "TimeGenerated", "Timestamp", "DeviceName", "AccountName", "FileName", "ProcessCommandLine", "ProcessId", "FileSize", "InitiatingProcessFileName", "AdditionalFields"}
	add("t1", "DeviceProcessEvents", proc, [][]schema.Value{
		{"t1", ts("2024-01-09T10:00:00Z"), ts("2024-01-09T10:00:00Z"), "ws1", "alice", "powershell.exe", "powershell.exe -enc SQBFAFgA", int64(100), int64(4000), "explorer.exe", `{"Signer":"Microsoft","Tags":["a","b"]}`},
		{"t1", ts("2024-01-09T10:30:00Z"), ts("2024-01-09T10:30:00Z"), "ws1", "alice", "cmd.exe", `cmd.exe /c whoami`, int64(101), int64(300), "powershell.exe", ""},
		{"t1", ts("2024-01-09T11:15:00Z"), ts("2024-01-09T11:15:00Z"), "ws2", "bob", "PowerShell.EXE", "PowerShell.EXE -NoProfile Get-Process", int64(200), int64(4000), "cmd.exe", `{"Signer":"Microsoft"}`},
		{"t1", ts("2024-01-09T12:00:00Z"), ts("2024-01-09T12:00:00Z"), "ws2", "bob", "notepad.exe", "notepad.exe C:\\notes.txt", int64(201), nil, "explorer.exe", nil},
		{"t1", ts("2024-01-08T23:59:00Z"), ts("2024-01-08T23:59:00Z"), "srv1", "svc_backup", "rundll32.exe", "rundll32.exe javascript:evil", int64(300), int64(70000), "svchost.exe", ""},
		{"t1", ts("2024-01-09T13:00:00Z"), ts("2024-01-09T13:00:00Z"), "srv1", "", "whoami.exe", "whoami /all", int64(301), int64(50), "cmd.exe", ""},
		{"t1", ts("2024-01-09T13:05:00Z"), ts("2024-01-09T13:05:00Z"), "ws1", "alice", "net.exe", "net user admin /add", int64(102), int64(600), "cmd.exe", ""},
		{"t1", ts("2024-01-09T14:00:00Z"), ts("2024-01-09T14:00:00Z"), "ws3", "carol", "mimikatz.exe", "mimikatz.exe sekurlsa::logonpasswords", int64(400), int64(1200000), "powershell.exe", `{"Signer":""}`},
	})
	add("t2", "DeviceProcessEvents", proc, [][]schema.Value{
		{"t2", ts("2024-01-09T10:00:00Z"), ts("2024-01-09T10:00:00Z"), "other", "mallory", "powershell.exe", "secret", int64(1), int64(1), "x.exe", ""},
	})
	netCols := []string{"TenantId", "TimeGenerated", "Timestamp", "DeviceName", "RemoteIP", "RemotePort", "RemoteUrl", "LocalIP", "InitiatingProcessFileName", "ActionType"}
	add("t1", "DeviceNetworkEvents", netCols, [][]schema.Value{
		{"t1", ts("2024-01-09T10:01:00Z"), ts("2024-01-09T10:01:00Z"), "ws1", "203.0.113.5", int32(443), "https://evil.example.com:8443/payload.ps1?x=1#frag", "10.0.0.5", "powershell.exe", "ConnectionSuccess"},
		{"t1", ts("2024-01-09T10:02:00Z"), ts("2024-01-09T10:02:00Z"), "ws1", "10.0.0.9", int32(445), "", "10.0.0.5", "System", "ConnectionSuccess"},
		{"t1", ts("2024-01-09T11:20:00Z"), ts("2024-01-09T11:20:00Z"), "ws2", "192.168.1.20", int32(3389), "", "192.168.1.7", "mstsc.exe", "ConnectionFailed"},
		{"t1", ts("2024-01-09T14:05:00Z"), ts("2024-01-09T14:05:00Z"), "ws3", "198.51.100.7", int32(80), "http://update.contoso.com/a", "172.16.4.2", "mimikatz.exe", "ConnectionSuccess"},
		{"t1", ts("2024-01-09T14:06:00Z"), ts("2024-01-09T14:06:00Z"), "ws3", "198.51.100.7", int32(80), "http://update.contoso.com/b", "172.16.4.2", "mimikatz.exe", "ConnectionSuccess"},
		{"t1", ts("2024-01-09T15:00:00Z"), ts("2024-01-09T15:00:00Z"), "srv1", "172.32.0.1", nil, "", "10.1.1.1", "svchost.exe", "ListeningConnectionCreated"},
	})
	sign := []string{"TenantId", "TimeGenerated", "UserPrincipalName", "IPAddress", "ResultType", "AppDisplayName", "Location", "LocationDetails", "Status", "DurationMs", "IsInteractive"}
	add("t1", "SigninLogs", sign, [][]schema.Value{
		{"t1", ts("2024-01-09T08:00:00Z"), "alice@contoso.com", "203.0.113.5", "0", "Office 365", "US", schema.Dynamic(`{"city":"Seattle","geo":{"lat":47.6}}`), schema.Dynamic(`{"errorCode":0}`), int64(120), true},
		{"t1", ts("2024-01-09T08:05:00Z"), "alice@contoso.com", "203.0.113.5", "50126", "Office 365", "US", schema.Dynamic(`{"city":"Seattle"}`), schema.Dynamic(`{"errorCode":50126}`), int64(80), true},
		{"t1", ts("2024-01-09T08:06:00Z"), "Alice@Contoso.com", "198.51.100.7", "50126", "Azure Portal", "RU", schema.Dynamic(`{"city":"Moscow"}`), schema.Dynamic(`{"errorCode":50126}`), int64(60), true},
		{"t1", ts("2024-01-09T09:00:00Z"), "bob@contoso.com", "192.168.1.7", "0", "Azure Portal", "US", nil, nil, int64(200), false},
		{"t1", ts("2024-01-09T09:30:00Z"), "carol@contoso.com", "", "0", "", "", schema.Dynamic(`{}`), schema.Dynamic(`{"errorCode":0}`), nil, nil},
		{"t1", ts("2024-01-07T09:30:00Z"), "dave@contoso.com", "203.0.113.99", "50053", "Office 365", "FR", schema.Dynamic(`{"city":"Paris"}`), schema.Dynamic(`{"errorCode":50053}`), int64(10), true},
	})
	idc := []string{"TenantId", "TimeGenerated", "Timestamp", "ActionType", "AccountName", "DeviceName", "IPAddress", "LogonType", "Protocol", "AdditionalFields"}
	add("t1", "IdentityLogonEvents", idc, [][]schema.Value{
		{"t1", ts("2024-01-09T10:10:00Z"), ts("2024-01-09T10:10:00Z"), "LogonSuccess", "alice", "ws1", "10.0.0.5", "Interactive", "Kerberos", schema.Dynamic(`{"Count":1,"Spns":["http/a","cifs/b"]}`)},
		{"t1", ts("2024-01-09T10:12:00Z"), ts("2024-01-09T10:12:00Z"), "LogonFailed", "alice", "ws1", "10.0.0.5", "Network", "Ntlm", schema.Dynamic(`{"Count":3}`)},
		{"t1", ts("2024-01-09T11:00:00Z"), ts("2024-01-09T11:00:00Z"), "LogonSuccess", "bob", "ws2", "192.168.1.7", "Network", "Kerberos", schema.Dynamic(`{"Spns":[]}`)},
		{"t1", ts("2024-01-09T14:10:00Z"), ts("2024-01-09T14:10:00Z"), "LogonFailed", "carol", "ws3", "172.16.4.2", "Network", "Ntlm", nil},
		{"t1", ts("2024-01-09T14:11:00Z"), ts("2024-01-09T14:11:00Z"), "LogonFailed", "carol", "ws3", "172.16.4.2", "Network", "Ntlm", nil},
	})
	addWatchlistFixture(add)
	var tabs []*schema.Table
	for _, tab := range reg.Tables() {
		if strings.HasPrefix(tab.Name, "Device") || tab.Name == "SigninLogs" || tab.Name == "IdentityLogonEvents" || tab.Name == "Watchlist" {
			tabs = append(tabs, tab)
		}
	}
	return tabs, batches
}
