package respond

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect/alert"
)

// ruleActionTypes maps the response actions of Defender custom detections to Action Center
// types and the target field their identifier fills. Actions not listed (restrict app
// execution, antivirus scan, initiate investigation, mark user as compromised, allow file)
// have no responder yet and are logged and skipped.
var ruleActionTypes = map[string]struct {
	typ Type
	set func(t *Target, v string)
}{
	"isolateDevice":               {IsolateDevice, func(t *Target, v string) { t.Device = v }},
	"collectInvestigationPackage": {CollectInvestigationPackage, func(t *Target, v string) { t.Device = v }},
	"stopAndQuarantineFile":       {StopAndQuarantineFile, func(t *Target, v string) { t.FileHash = v }},
	"disableUser":                 {DisableAccount, func(t *Target, v string) { t.Account = v }},
	"forceUserPasswordReset":      {ResetPassword, func(t *Target, v string) { t.Account = v }},
	"softDeleteEmail":             {SoftDeleteEmail, func(t *Target, v string) { t.MessageID = v }},
	"hardDeleteEmail":             {SoftDeleteEmail, func(t *Target, v string) { t.MessageID = v }},
	"moveToDeletedItems":          {SoftDeleteEmail, func(t *Target, v string) { t.MessageID = v }},
	"blockFile":                   {BlockIndicator, func(t *Target, v string) { t.Indicator = v }},
}

// RuleActions is the alert sink that requests the response actions a rule asks for on a
// match (Defender custom detections' responseActions): one action per action and distinct
// identifier value of the alert's evidence rows, requested as the rule, so the tenant's
// automation level decides whether it waits for approval. It is best effort: a request that
// fails is logged, never failing the alert path (which would store the alert again and ask
// twice).
type RuleActions struct {
	Service *Service
	Log     *slog.Logger
}

// Put implements alert.Sink.
func (r *RuleActions) Put(ctx context.Context, alerts []alert.Alert) error {
	for i := range alerts {
		a := &alerts[i]
		for _, ra := range a.ResponseActions {
			r.request(ctx, a, ra.Type, ra.Identifier)
		}
	}
	return nil
}

func (r *RuleActions) request(ctx context.Context, a *alert.Alert, name, identifier string) {
	m, ok := ruleActionTypes[name]
	if !ok {
		r.Log.Warn("rule response action has no responder yet; skipped", "rule", a.RuleID, "action", name)
		return
	}
	for _, v := range identifierValues(a.Evidence, identifier) {
		var t Target
		m.set(&t, v)
		req := Request{Type: m.typ, Target: t, Reason: fmt.Sprintf("alert %s: %s", a.ID, a.Title)}
		actor := Actor{Name: a.RuleID, Kind: auth.KindSystem, As: ByRule}
		if _, err := r.Service.Request(ctx, a.Tenant, actor, req); err != nil {
			r.Log.Warn("rule response action not requested", "rule", a.RuleID, "action", name, "target", v, "err", err)
		}
	}
}

// identifierValues returns the distinct values of the evidence column named by identifier
// (compared case-insensitively, as Defender names them in camel case: deviceId, accountSid).
func identifierValues(ev alert.Evidence, identifier string) []string {
	col := slices.IndexFunc(ev.Columns, func(c string) bool { return strings.EqualFold(c, identifier) })
	if col < 0 {
		return nil
	}
	var out []string
	for _, row := range ev.Rows {
		if col < len(row) && row[col] != nil {
			if v := fmt.Sprint(row[col]); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}
