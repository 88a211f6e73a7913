package deception

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

// memSource is a Source in memory whose version moves on every Set.
type memSource struct {
	mu      sync.Mutex
	decoys  []Decoy
	version int64
	loads   int
}

func (m *memSource) Set(ds ...Decoy) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.decoys, m.version = ds, m.version+1
}

func (m *memSource) Version(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.version, nil
}

func (m *memSource) Decoys(context.Context) ([]Decoy, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads++
	return append([]Decoy(nil), m.decoys...), m.version, nil
}

var when = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testDecoys() []Decoy {
	return []Decoy{
		{ID: 1, Tenant: "t1", Kind: KindAccount, Value: "svc-backup-admin", Description: "fake backup admin"},
		{ID: 2, Tenant: "t1", Kind: KindHost, Value: "FILESRV-OLD.contoso.com"},
		{ID: 3, Tenant: "t1", Kind: KindFile, Value: `C:\Shares\Finance\Passwords`},
		{ID: 4, Tenant: "t1", Kind: KindFile, Value: "salaries-2026.xlsx"},
		{ID: 5, Tenant: "t1", Kind: KindCredential, Value: "AKIAFAKE0000DECOY"},
		{ID: 6, Tenant: "t1", Kind: KindIP, Value: "10.9.9.9"},
		{ID: 7, Tenant: "t1", Kind: KindMailbox, Value: "CFO-Assistant@contoso.com"},
		{ID: 8, Tenant: "t2", Kind: KindAccount, Value: "other-tenant-decoy"},
		{ID: 9, Tenant: "t1", Kind: "printer", Value: "unknown kinds are ignored"},
		{ID: 10, Tenant: "t1", Kind: KindFile, Value: "/srv/decoy-share/"},
		{ID: 11, Tenant: "t1", Kind: KindCredential, Value: "AKIAFAKE0000DECOX"},
	}
}

func newTestDetector(t *testing.T, ds ...Decoy) (*Detector, *memSource) {
	t.Helper()
	src := &memSource{}
	src.Set(ds...)
	d, err := New(Options{Registry: schema.NewRegistry(), Source: src, Now: func() time.Time { return when }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, src
}

// batchOf builds a one-row batch of table from the row's columns.
func batchOf(t *testing.T, reg *schema.Registry, tenant, table string, row map[string]any) *stream.Batch {
	t.Helper()
	tab, ok := reg.Table(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	var cols []schema.Column
	for n := range row {
		i, ok := tab.Column(n)
		if !ok {
			t.Fatalf("no column %s.%s", table, n)
		}
		cols = append(cols, tab.Columns[i])
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].Name < cols[j].Name })
	vals := make([]schema.Value, len(cols))
	for i, c := range cols {
		vals[i] = row[c.Name]
	}
	return &stream.Batch{Tenant: tenant, Table: tab.Name, Seq: 3, IngestTime: when, Columns: cols, Rows: [][]schema.Value{vals}}
}

func detect(t *testing.T, d *Detector, b *stream.Batch) []alert.Alert {
	t.Helper()
	var out []alert.Alert
	if err := d.Detect(b, func(a alert.Alert) { out = append(out, a) }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDetect(t *testing.T) {
	d, _ := newTestDetector(t, testDecoys()...)
	tests := []struct {
		name, table string
		row         map[string]any
		want        []string // titles
	}{
		{"sign-in by decoy account", "SigninLogs", map[string]any{"UserPrincipalName": "SVC-Backup-Admin@contoso.com", "IPAddress": "10.1.2.3"},
			[]string{"Decoy account 'svc-backup-admin' used in a sign-in from 10.1.2.3"}},
		{"domain\\user form", "SecurityEvent", map[string]any{"TargetAccount": `CONTOSO\svc-backup-admin`, "IpAddress": "10.1.2.4"},
			[]string{"Decoy account 'svc-backup-admin' used in a Windows security event from 10.1.2.4"}},
		{"initiating process account", "DeviceProcessEvents", map[string]any{"InitiatingProcessAccountName": "svc-backup-admin", "DeviceName": "ws1"},
			[]string{"Decoy account 'svc-backup-admin' used in a process"}},
		{"similar account", "SigninLogs", map[string]any{"UserPrincipalName": "svc-backup-admin2@contoso.com"}, nil},
		{"logon to decoy host by FQDN", "DeviceLogonEvents", map[string]any{"DeviceName": "filesrv-old.contoso.com", "RemoteIP": "10.1.2.5", "AccountName": "bob"},
			[]string{"Decoy host 'FILESRV-OLD.contoso.com' used in a logon from 10.1.2.5"}},
		{"decoy host by short name", "DeviceLogonEvents", map[string]any{"RemoteDeviceName": "FILESRV-OLD"}, []string{"Decoy host 'FILESRV-OLD.contoso.com' used in a logon"}},
		{"syslog host", "Syslog", map[string]any{"HostName": "filesrv-old", "TimeGenerated": when}, []string{"Decoy host 'FILESRV-OLD.contoso.com' seen in Syslog"}},
		{"other host", "DeviceLogonEvents", map[string]any{"DeviceName": "filesrv-new.contoso.com"}, nil},
		{"file under decoy folder", "DeviceFileEvents", map[string]any{"FolderPath": `c:\shares\finance\passwords\vpn.txt`, "FileName": "vpn.txt"},
			[]string{"Decoy file 'C:\\Shares\\Finance\\Passwords' accessed"}},
		{"decoy folder itself", "DeviceFileEvents", map[string]any{"FolderPath": `C:\Shares\Finance\Passwords`}, []string{"Decoy file 'C:\\Shares\\Finance\\Passwords' accessed"}},
		{"sibling folder", "DeviceFileEvents", map[string]any{"FolderPath": `C:\Shares\Finance\PasswordsOld\a.txt`}, nil},
		{"decoy file name", "DeviceFileEvents", map[string]any{"FolderPath": `D:\x\Salaries-2026.xlsx`, "FileName": "Salaries-2026.xlsx"},
			[]string{"Decoy file 'salaries-2026.xlsx' accessed"}},
		{"honeytoken on a command line", "DeviceProcessEvents", map[string]any{"ProcessCommandLine": "aws configure set aws_access_key_id AKIAFAKE0000DECOY"},
			[]string{"Decoy credential 'AKIAFAKE0000DECOY' used in a process"}},
		{"honeytoken in additional fields", "DeviceEvents", map[string]any{"AdditionalFields": schema.Dynamic(`{"k":"AKIAFAKE0000DECOY"}`)},
			[]string{"Decoy credential 'AKIAFAKE0000DECOY' seen in DeviceEvents"}},
		{"honeytoken twice, and a second one", "DeviceProcessEvents", map[string]any{"ProcessCommandLine": "x AKIAFAKE0000DECOY y AKIAFAKE0000DECOY AKIAFAKE0000DECOX"},
			[]string{"Decoy credential 'AKIAFAKE0000DECOX' used in a process", "Decoy credential 'AKIAFAKE0000DECOY' used in a process"}},
		{"honeytoken prefix only", "DeviceProcessEvents", map[string]any{"ProcessCommandLine": "AKIAFAKE0000DECO"}, nil},
		{"unix path under decoy folder", "DeviceFileEvents", map[string]any{"FolderPath": "/SRV/decoy-share/a/b.txt"}, []string{"Decoy file '/srv/decoy-share/' accessed"}},
		{"unix sibling", "DeviceFileEvents", map[string]any{"FolderPath": "/srv/decoy-shared"}, nil},
		{"honeytoken case matters", "DeviceProcessEvents", map[string]any{"ProcessCommandLine": "akiafake0000decoy"}, nil},
		{"connection to decoy ip", "DeviceNetworkEvents", map[string]any{"RemoteIP": "10.9.9.9", "DeviceName": "ws2"},
			[]string{"Decoy IP address '10.9.9.9' contacted in a network connection"}},
		{"decoy ip in cef", "CommonSecurityLog", map[string]any{"DestinationIP": "10.9.9.9", "SourceIP": "10.1.2.7"},
			[]string{"Decoy IP address '10.9.9.9' seen in network traffic from 10.1.2.7"}},
		{"other ip", "DeviceNetworkEvents", map[string]any{"RemoteIP": "10.9.9.90"}, nil},
		{"mail to decoy mailbox", "EmailEvents", map[string]any{"RecipientEmailAddress": "cfo-assistant@CONTOSO.com", "SenderIPv4": "198.51.100.1"},
			[]string{"Decoy mailbox 'CFO-Assistant@contoso.com' received mail from 198.51.100.1"}},
		{"several decoys in one row", "DeviceLogonEvents", map[string]any{"DeviceName": "filesrv-old", "AccountName": "svc-backup-admin", "RemoteIP": "10.9.9.9"},
			[]string{"Decoy IP address '10.9.9.9' used in a logon from 10.9.9.9", "Decoy account 'svc-backup-admin' used in a logon from 10.9.9.9", "Decoy host 'FILESRV-OLD.contoso.com' used in a logon from 10.9.9.9"}},
		{"one alert per decoy and row", "SecurityEvent", map[string]any{"TargetUserName": "svc-backup-admin", "TargetAccount": `CONTOSO\svc-backup-admin`},
			[]string{"Decoy account 'svc-backup-admin' used in a Windows security event"}},
		{"alert tables are not checked", "AlertEvidence", map[string]any{"AccountName": "svc-backup-admin"}, nil},
		{"other tenant's decoy", "SigninLogs", map[string]any{"UserPrincipalName": "other-tenant-decoy"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			as := detect(t, d, batchOf(t, d.opts.Registry, "t1", tc.table, tc.row))
			var got []string
			for _, a := range as {
				got = append(got, a.Title)
				if a.Severity != rule.SeverityHigh || a.Properties["Confidence"] != "High" {
					t.Errorf("severity %s", a.Severity)
				}
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestAlertShape(t *testing.T) {
	d, _ := newTestDetector(t, testDecoys()...)
	b := batchOf(t, d.opts.Registry, "t1", "SigninLogs", map[string]any{"TimeGenerated": when, "UserPrincipalName": "svc-backup-admin@contoso.com", "IPAddress": "10.1.2.3"})
	as := detect(t, d, b)
	if len(as) != 1 {
		t.Fatalf("%d alerts", len(as))
	}
	a := as[0]
	if fmt.Sprint(a.Entities) != "[{Account map[Name:svc-backup-admin]} {IP map[Address:10.1.2.3]}]" {
		t.Errorf("entities %v", a.Entities)
	}
	if a.Properties["DecoyId"] != "1" || a.Properties["DecoyDescription"] != "fake backup admin" || a.RuleID != RuleID ||
		!a.StartTime.Equal(when) || len(a.ID) != 36 || !reflect.DeepEqual(a.Tactics, []string{"CredentialAccess", "LateralMovement"}) {
		t.Errorf("alert %+v", a)
	}
	for _, tac := range a.Tactics {
		if !rule.ValidTactic(tac) {
			t.Errorf("tactic %s", tac)
		}
	}
	if again := detect(t, d, b); again[0].ID != a.ID {
		t.Errorf("id not stable")
	}
}

func TestReload(t *testing.T) {
	d, src := newTestDetector(t)
	ctx := context.Background()
	b := batchOf(t, d.opts.Registry, "t1", "SigninLogs", map[string]any{"UserPrincipalName": "honey@contoso.com"})
	if n := len(detect(t, d, b)); n != 0 {
		t.Fatalf("%d alerts with no decoys", n)
	}
	if changed, err := d.Reload(ctx); changed || err != nil || src.loads != 1 {
		t.Errorf("reload without change: %v %v, %d loads", changed, err, src.loads)
	}
	src.Set(Decoy{ID: 1, Tenant: "t1", Kind: KindAccount, Value: "honey"})
	if changed, err := d.Reload(ctx); !changed || err != nil {
		t.Errorf("reload after change: %v %v", changed, err)
	}
	if n := len(detect(t, d, b)); n != 1 {
		t.Errorf("%d alerts after adding the decoy", n)
	}
	src.Set()
	runCtx, cancel := context.WithCancel(ctx)
	d.opts.PollInterval = time.Millisecond
	done := make(chan error)
	go func() { done <- d.Run(runCtx) }()
	for deadline := time.Now().Add(5 * time.Second); len(detect(t, d, b)) != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Run did not reload")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestFieldsExistInSchema(t *testing.T) {
	reg := schema.NewRegistry()
	if err := checkFields(reg, DefaultFields()); err != nil {
		t.Fatal(err)
	}
	for _, tab := range DefaultExcluded() {
		if _, ok := reg.Table(tab); !ok {
			t.Errorf("excluded table %s is not in the schema", tab)
		}
	}
	for tab, a := range tableActions {
		tt, ok := reg.Table(tab)
		if !ok {
			t.Errorf("action table %s is not in the schema", tab)
			continue
		}
		if _, ok := tt.Column(a.From); a.From != "" && !ok {
			t.Errorf("action column %s.%s is not in the schema", tab, a.From)
		}
	}
	if err := checkFields(reg, []Field{{"AccountNme", KindAccount}}); err == nil || err.Error() != "deception field AccountNme: no table has this column" {
		t.Errorf("error %v", err)
	}
	if err := checkFields(reg, []Field{{"AccountName", "printer"}}); err == nil {
		t.Error("unknown kind accepted")
	}
}
