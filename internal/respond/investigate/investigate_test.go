package investigate_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/investigate"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

var (
	now       = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	evilHash  = strings.Repeat("e1", 32)
	commonHsh = strings.Repeat("c2", 32)
	rareHash  = strings.Repeat("a3", 32)
)

// events is an event store with one tenant's fleet: six devices run a common binary, ws1 also
// ran a known-bad file from its Temp folder and a rare one from Downloads, and talked to a
// known-bad address; bob received the bad file by mail.
func events(t *testing.T) investigate.Events {
	t.Helper()
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "ev.duckdb"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	reg := schema.NewRegistry()
	var all []*schema.Table
	for _, name := range []string{"DeviceProcessEvents", "DeviceFileEvents", "DeviceNetworkEvents", "DeviceInfo", "EmailEvents",
		"EmailAttachmentInfo", "EmailUrlInfo", "ThreatIntelligenceIndicator"} {
		tab, _ := reg.Table(name)
		all = append(all, tab)
	}
	if err := st.EnsureTables(ctx, all); err != nil {
		t.Fatal(err)
	}
	var seq uint64
	put := func(table string, rows ...map[string]any) {
		t.Helper()
		tab, ok := reg.Table(table)
		if !ok {
			t.Fatalf("no table %s", table)
		}
		var names []string
		for _, r := range rows {
			for k := range r {
				if k != "at" && !slices.Contains(names, k) {
					names = append(names, k)
				}
			}
		}
		nData := len(names)
		names = append(names, "TimeGenerated")
		if _, ok := tab.Column("Timestamp"); ok { // Sentinel tables have none
			names = append(names, "Timestamp")
		}
		cols := make([]int, len(names))
		for i, n := range names {
			c, ok := tab.Column(n)
			if !ok {
				t.Fatalf("%s has no column %s", table, n)
			}
			cols[i] = c
		}
		var vals [][]schema.Value
		for _, r := range rows {
			at, _ := r["at"].(time.Time)
			if at.IsZero() {
				at = now.Add(-10 * time.Minute)
			}
			v := make([]schema.Value, len(names))
			for i, n := range names {
				if i < nData {
					v[i] = r[n]
				} else {
					v[i] = at
				}
			}
			vals = append(vals, v)
		}
		seq++
		if err := st.Write(ctx, "test", seq, []store.Batch{{Seq: seq, Tenant: "t1", Table: tab, IngestTime: now, Columns: cols, Rows: vals}}); err != nil {
			t.Fatal(err)
		}
	}
	var fleet []map[string]any
	for _, d := range []string{"ws1", "ws2", "ws3", "ws4", "ws5", "srv1"} {
		fleet = append(fleet, map[string]any{"DeviceName": d})
		put("DeviceProcessEvents", map[string]any{"DeviceName": d, "SHA256": commonHsh, "FileName": "svchost.exe",
			"FolderPath": `C:\Windows\System32\svchost.exe`, "ProcessCommandLine": "svchost.exe -k netsvcs"})
	}
	put("DeviceInfo", fleet...)
	put("DeviceProcessEvents",
		map[string]any{"DeviceName": "ws1", "SHA256": strings.ToUpper(evilHash), "FileName": "evil.exe",
			"FolderPath": `C:\Users\dan\AppData\Local\Temp\evil.exe`, "ProcessCommandLine": "evil.exe -connect"},
		map[string]any{"DeviceName": "ws1", "SHA256": rareHash, "FileName": "tool.exe",
			"FolderPath": `C:\Users\dan\Downloads\tool.exe`, "ProcessCommandLine": "tool.exe"},
		// outside the window: not evidence
		map[string]any{"DeviceName": "ws1", "SHA256": strings.Repeat("0f", 32), "FileName": "old.exe",
			"FolderPath": `C:\Users\dan\Downloads\old.exe`, "at": now.Add(-5 * time.Hour)})
	put("DeviceNetworkEvents",
		map[string]any{"DeviceName": "ws1", "RemoteIP": "203.0.113.9", "RemoteUrl": "", "InitiatingProcessFileName": "evil.exe"},
		map[string]any{"DeviceName": "ws1", "RemoteIP": "8.8.8.8", "RemoteUrl": "dns.google", "InitiatingProcessFileName": "chrome.exe"},
		map[string]any{"DeviceName": "ws1", "RemoteIP": "10.0.0.5", "InitiatingProcessFileName": "svchost.exe"})
	put("EmailEvents",
		map[string]any{"NetworkMessageId": "m-1", "InternetMessageId": "<m1@evil.example>", "RecipientEmailAddress": "bob@contoso.com",
			"SenderFromAddress": "x@evil.example", "Subject": "Invoice"},
		map[string]any{"NetworkMessageId": "m-2", "InternetMessageId": "<m2@contoso.com>", "RecipientEmailAddress": "bob@contoso.com",
			"SenderFromAddress": "alice@contoso.com", "Subject": "Lunch"})
	put("EmailAttachmentInfo", map[string]any{"NetworkMessageId": "m-1", "SHA256": evilHash, "FileName": "invoice.exe"})
	put("EmailUrlInfo", map[string]any{"NetworkMessageId": "m-2", "Url": "https://contoso.com/menu"})
	put("ThreatIntelligenceIndicator",
		map[string]any{"FileHashValue": evilHash, "Active": true, "ExpirationDateTime": now.Add(365 * 24 * time.Hour),
			"ThreatType": "Malware", "Description": "EvilLoader", "ConfidenceScore": 90.0, "at": now.Add(-30 * 24 * time.Hour)},
		map[string]any{"NetworkIP": "203.0.113.9", "Active": true, "ThreatType": "C2", "Description": "EvilLoader C2", "at": now.Add(-48 * time.Hour)},
		map[string]any{"NetworkIP": "8.8.8.8", "Active": false, "ThreatType": "C2", "Description": "revoked", "at": now.Add(-48 * time.Hour)})
	return investigate.Events{Registry: reg, Store: st}
}

func openMeta(t *testing.T) *meta.Store {
	t.Helper()
	st, err := meta.Open(context.Background(), meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "vigil.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func theAlert(sev rule.Severity) alert.Alert {
	return alert.Alert{ID: "a-1", Tenant: "t1", Title: "Suspicious process on ws1", Severity: sev,
		StartTime: now.Add(-15 * time.Minute), EndTime: now.Add(-5 * time.Minute), CreatedTime: now,
		Entities: []alert.Entity{
			{Type: "host", Identifiers: map[string]string{"HostName": "ws1"}},
			{Type: "account", Identifiers: map[string]string{"Name": "dan"}},
			{Type: "mailbox", Identifiers: map[string]string{"MailboxPrimaryAddress": "bob@contoso.com"}},
		}}
}

func setup(t *testing.T, level respond.Level) (*investigate.Investigator, *respond.Service, *meta.Store) {
	t.Helper()
	m := openMeta(t)
	svc := respond.New(m, respond.Options{})
	admin := respond.Actor{Name: "admin", Kind: auth.KindUser}
	if _, err := svc.SetPolicy(context.Background(), "t1", admin, respond.Policy{Level: level}); err != nil {
		t.Fatal(err)
	}
	iv := investigate.New(events(t), svc, m, investigate.Config{}, nil)
	iv.Now = func() time.Time { return now }
	return iv, svc, m
}

func find(inv investigate.Investigation, kind investigate.Kind, value string) *investigate.Evidence {
	for i, e := range inv.Evidence {
		if e.Kind == kind && strings.EqualFold(e.Value, value) {
			return &inv.Evidence[i]
		}
	}
	return nil
}

func TestInvestigateVerdictsAndRemediation(t *testing.T) {
	ctx := context.Background()
	iv, svc, _ := setup(t, respond.Full)
	inv, err := iv.Investigate(ctx, theAlert(rule.SeverityMedium))
	if err != nil {
		t.Fatal(err)
	}
	if inv.State != meta.InvestigationCompleted || inv.Error != "" {
		t.Fatalf("state %s, error %q", inv.State, inv.Error)
	}
	for _, c := range []struct {
		kind    investigate.Kind
		value   string
		verdict investigate.Verdict
		action  respond.Type
		state   string
	}{
		{investigate.File, evilHash, investigate.Malicious, respond.StopAndQuarantineFile, investigate.Requested},
		{investigate.File, rareHash, investigate.Suspicious, respond.StopAndQuarantineFile, investigate.Proposed},
		{investigate.File, commonHsh, investigate.NoThreatsFound, "", ""},
		{investigate.IP, "203.0.113.9", investigate.Malicious, respond.BlockIndicator, investigate.Requested},
		{investigate.IP, "8.8.8.8", investigate.NoThreatsFound, "", ""},
		{investigate.URL, "dns.google", investigate.NoThreatsFound, "", ""},
		{investigate.Message, "m-1", investigate.Malicious, respond.SoftDeleteEmail, investigate.Requested},
		{investigate.Message, "m-2", investigate.NoThreatsFound, "", ""},
		{investigate.Account, "dan", investigate.Suspicious, respond.ResetPassword, investigate.Proposed},
	} {
		e := find(inv, c.kind, c.value)
		if e == nil {
			t.Errorf("%s %s: no evidence", c.kind, c.value)
			continue
		}
		if e.Verdict != c.verdict {
			t.Errorf("%s %s: verdict %s (%v), want %s", c.kind, c.value, e.Verdict, e.Reasons, c.verdict)
		}
		switch {
		case c.action == "" && e.Remediation != nil:
			t.Errorf("%s %s: remediation %+v, want none", c.kind, c.value, e.Remediation)
		case c.action != "" && (e.Remediation == nil || e.Remediation.Type != c.action || e.Remediation.State != c.state):
			t.Errorf("%s %s: remediation %+v, want %s %s", c.kind, c.value, e.Remediation, c.state, c.action)
		}
	}
	for _, absent := range []string{"10.0.0.5", strings.Repeat("0f", 32)} {
		if e := find(inv, investigate.IP, absent); e != nil {
			t.Errorf("%s is evidence: %+v", absent, e)
		}
		if e := find(inv, investigate.File, absent); e != nil {
			t.Errorf("%s is evidence: %+v", absent, e)
		}
	}
	if e := find(inv, investigate.File, evilHash); e == nil || !e.FirstSeen.Equal(now.Add(-10*time.Minute)) || e.Devices != 1 {
		t.Errorf("evil file first seen / devices: %+v", e)
	}
	if e := find(inv, investigate.File, evilHash); e != nil && e.Remediation != nil {
		if e.Remediation.Target.Device != "ws1" || !strings.HasSuffix(e.Remediation.Target.FilePath, `Temp\evil.exe`) {
			t.Errorf("quarantine target %+v", e.Remediation.Target)
		}
	}
	if e := find(inv, investigate.Message, "m-1"); e != nil && e.Remediation != nil {
		if e.Remediation.Target.MessageID != "<m1@evil.example>" || e.Remediation.Target.Account != "bob@contoso.com" {
			t.Errorf("soft delete target %+v", e.Remediation.Target)
		}
	}
	acts, err := svc.List(ctx, "t1", meta.ActionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]respond.Status{}
	for _, a := range acts {
		statuses[a.ID] = a.Status
		if a.Requester.Type != respond.ByInvestigation || a.Requester.Name != inv.ID {
			t.Errorf("action %s requested by %+v", a.ID, a.Requester)
		}
		if a.Status != respond.Approved && a.Status != respond.Sent && a.Status != respond.Running && a.Status != respond.Completed {
			t.Errorf("action %s is %s under full automation", a.Type, a.Status)
		}
	}
	if len(acts) != 3 {
		t.Errorf("%d actions requested, want 3 (quarantine, block, soft delete): %+v", len(acts), acts)
	}
	if got := inv.Status(statuses); got != "pendingAction" {
		t.Errorf("status before the actions ran: %s", got)
	}
	for id := range statuses {
		statuses[id] = respond.Completed
	}
	if got := inv.Status(statuses); got != "partiallyRemediated" { // the suspicious file and account wait for an analyst
		t.Errorf("status after the actions: %s", got)
	}
}

func TestInvestigateOncePerAlertAndSeverity(t *testing.T) {
	ctx := context.Background()
	iv, _, m := setup(t, respond.Semi)
	low := theAlert(rule.SeverityLow)
	low.ID = "a-low"
	if err := iv.Put(ctx, []alert.Alert{low}); err != nil {
		t.Fatal(err)
	}
	a := theAlert(rule.SeverityHigh)
	for range 2 {
		if err := iv.Put(ctx, []alert.Alert{a}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := m.Investigations(ctx, "t1", meta.InvestigationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].AlertID != "a-1" || all[0].State != meta.InvestigationQueued {
		t.Fatalf("investigations %+v, want one queued for a-1", all)
	}
	// A new investigator (a restart) resumes the queued investigation.
	iv2 := investigate.New(iv.Events, iv.Actions, m, investigate.Config{}, nil)
	iv2.Now = iv.Now
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- iv2.Run(runCtx) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := m.Investigation(ctx, "t1", investigate.ID("t1", "a-1"))
		if err != nil {
			t.Fatal(err)
		}
		if got.State == meta.InvestigationCompleted {
			var inv investigate.Investigation
			if err := json.Unmarshal([]byte(got.Doc), &inv); err != nil {
				t.Fatal(err)
			}
			// High severity: the rare file the alert does not name is still only suspicious.
			if e := find(inv, investigate.File, rareHash); e == nil || e.Verdict != investigate.Suspicious {
				t.Errorf("rare file: %+v", e)
			}
			break
		}
		if got.State == meta.InvestigationFailed || time.Now().After(deadline) {
			t.Fatalf("investigation %s: %s", got.State, got.Doc)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestInvestigateAutomationOff(t *testing.T) {
	ctx := context.Background()
	iv, svc, _ := setup(t, respond.None)
	inv, err := iv.Investigate(ctx, theAlert(rule.SeverityMedium))
	if err != nil {
		t.Fatal(err)
	}
	e := find(inv, investigate.File, evilHash)
	if e == nil || e.Remediation == nil || e.Remediation.State != investigate.NotAllowed || e.Remediation.Error == "" {
		t.Fatalf("malicious file under automation none: %+v", e)
	}
	if acts, _ := svc.List(ctx, "t1", meta.ActionFilter{}); len(acts) != 0 {
		t.Errorf("automation none requested %d actions", len(acts))
	}
	if got := inv.Status(nil); got != "remediationFailed" {
		t.Errorf("status %s", got)
	}
}
