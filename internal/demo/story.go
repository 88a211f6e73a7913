package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// tell prints what the demo produced: the incidents with their alerts by domain, and where to
// look.
func (d *driver) tell(ctx context.Context, started time.Time, opts Options) {
	incidents, err := d.a.Incidents(ctx, meta.DefaultTenantID)
	if err != nil {
		fmt.Fprintf(d.out, "Could not read incidents: %v\n", err)
		return
	}
	fmt.Fprintf(d.out, "\nIn %s: %d incident(s).\n", time.Since(started).Round(100*time.Millisecond), len(incidents))
	for _, in := range incidents {
		if in.MergedInto != 0 {
			continue
		}
		alerts, err := d.a.IncidentAlerts(ctx, meta.DefaultTenantID, in.ID)
		if err != nil {
			continue
		}
		tags := ""
		if len(in.Tags) > 0 {
			tags = " {" + strings.Join(in.Tags, ", ") + "}"
		}
		fmt.Fprintf(d.out, "  #%d [%s]%s %s: %d alerts from %s\n", in.ID, in.Severity, tags, in.Title, len(alerts), strings.Join(domains(alerts), ", "))
	}
	d.tellActions(ctx)
	user, pw := d.login(ctx)
	fmt.Fprintf(d.out, "\nPortal:   %s/\n", d.base)
	if pw != "" {
		fmt.Fprintf(d.out, "Sign in:  user %s, one-time password %s\n", user, pw)
	} else {
		fmt.Fprintf(d.out, "Sign in:  user %s (created by an earlier run), or with the API key in %s/admin.key\n", user, opts.Data)
	}
	fmt.Fprintf(d.out, "CLI:      vigil incidents list --data %s --server %s\n", opts.Data, d.base)
	fmt.Fprintln(d.out, "Vigil keeps serving; Ctrl-C stops it.")
	if !opts.NoBrowser {
		openBrowser(d.base + "/")
	}
}

// domainOfRule names the domain of an alert from the tables its rule reads, as the rule ids
// do not say it: email, endpoint, identity, cloud, network.
func domains(alerts []meta.IncidentAlert) []string {
	set := map[string]bool{}
	for _, a := range alerts {
		set[domainOf(a.Title+" "+a.RuleID)] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// domainWords maps words of alert titles to domains; the first that matches wins.
var domainWords = []struct{ word, domain string }{
	{"mail", "email"}, {"phish", "email"}, {"attachment", "email"}, {"url click", "email"},
	{"sign-in", "identity"}, {"signin", "identity"}, {"mfa", "identity"}, {"kerbero", "identity"}, {"travel", "identity"}, {"decoy", "identity"},
	{"sharepoint", "cloud"}, {"download", "cloud"}, {"inbox", "cloud"}, {"forward", "cloud"}, {"aws", "cloud"},
	{"threat intelligence", "network"}, {"firewall", "network"}, {"connection", "network"},
}

func domainOf(text string) string {
	t := strings.ToLower(text)
	for _, w := range domainWords {
		if strings.Contains(t, w.word) {
			return w.domain
		}
	}
	return "endpoint"
}

// tellActions prints the Action Center once its actions have run.
func (d *driver) tellActions(ctx context.Context) {
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	acts, err := d.a.SettleActions(wctx, meta.DefaultTenantID)
	if err != nil {
		fmt.Fprintf(d.out, "Action Center: %v\n", err)
	}
	if len(acts) == 0 {
		fmt.Fprintln(d.out, "\nNo response action was taken.")
		return
	}
	fmt.Fprintln(d.out, "\nAction Center (responses carried out by the simulated responder; no real system is touched):")
	for _, a := range acts {
		target := a.Target.Device + a.Target.Account + a.Target.FileHash + a.Target.Indicator + a.Target.MessageID
		fmt.Fprintf(d.out, "  %s %s: %s (by %s %s)\n", a.Type, target, a.Status, a.Requester.Type, a.Requester.Name)
	}
}
