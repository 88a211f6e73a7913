package app

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/meta"
)

// credentialTheftAlerts is the credential-theft scenario of attack disruption for run n: OS
// credential dumping on host ws-n.corp.example by the account u-n, then a sign-in of u-n from
// a threat intelligence address. The account entity they share puts them in one incident,
// apart from other runs'.
func credentialTheftAlerts(n string, at time.Time) []alert.Alert {
	return credentialTheftOn("ws-"+n+".corp.example", n, at)
}

// credentialTheftOn is credentialTheftAlerts on the device host.
func credentialTheftOn(host, n string, at time.Time) []alert.Alert {
	user := alert.Entity{Type: "Account", Identifiers: map[string]string{"Name": "u-" + n, "UPNSuffix": "corp.example"}}
	return []alert.Alert{
		{ID: "dump-" + n, Tenant: meta.DefaultTenantID, RuleID: "r-dump", Title: "Credential dumping from LSASS on " + host,
			Severity: rule.SeverityHigh, Status: alert.StatusNew, StartTime: at, EndTime: at, CreatedTime: at,
			Tactics: []string{"CredentialAccess"}, Techniques: []string{"T1003.001"},
			Entities: []alert.Entity{{Type: "Host", Identifiers: map[string]string{"FullName": host}}, user}},
		{ID: "signin-" + n, Tenant: meta.DefaultTenantID, RuleID: "r-signin", Title: "Sign-in from a TI address",
			Severity: rule.SeverityHigh, Status: alert.StatusNew, StartTime: at, EndTime: at, CreatedTime: at.Add(time.Second),
			Tactics:  []string{"InitialAccess"},
			Entities: []alert.Entity{user}}, // no IP entity: one address would join every run's incident
	}
}

// isolation returns the isolateDevice action on host, if any.
func isolation(ctx context.Context, m *meta.Store, host string) (meta.Action, bool, error) {
	list, err := m.Actions(ctx, meta.DefaultTenantID, meta.ActionFilter{Type: "isolateDevice", TargetKey: host})
	if err != nil || len(list) == 0 {
		return meta.Action{}, false, err
	}
	return list[0], true, nil
}

// waitIsolated polls until the isolateDevice action on host is completed, for up to limit.
func waitIsolated(ctx context.Context, m *meta.Store, host string, limit time.Duration) (meta.Action, error) {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		a, ok, err := isolation(ctx, m, host)
		if err != nil {
			return a, err
		}
		if ok && a.Status == "completed" {
			return a, nil
		}
		if ok && a.Status != "approved" && a.Status != "sent" && a.Status != "running" {
			return a, fmt.Errorf("isolation of %s: %s", host, a.Status)
		}
	}
	return meta.Action{}, fmt.Errorf("%s not isolated within %s", host, limit)
}
