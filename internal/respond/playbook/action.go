package playbook

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/respond"
)

// The actions that are not Action Center types.
const (
	actHTTPWebhook     = "httpWebhook"
	actEmail           = "emailNotification"
	actAddComment      = "addComment"
	actAddTags         = "addTags"
	actSetSeverity     = "setSeverity"
	actWaitForApproval = "waitForApproval"
)

// spec is what a step action takes and does.
type spec struct {
	params   []string
	required []string
	// checks validate literal arguments at load.
	checks map[string]func(string) error
	run    func(r *Runner, ctx context.Context, x *stepCall) (any, error)
}

// targetFields are the `with` names of the Action Center target fields.
var targetFields = []string{"device", "account", "fileSha256", "filePath", "indicator", "messageId"}

func setTarget(t *respond.Target, field, v string) {
	switch field {
	case "device":
		t.Device = v
	case "account":
		t.Account = v
	case "fileSha256":
		t.FileHash = v
	case "filePath":
		t.FilePath = v
	case "indicator":
		t.Indicator = v
	case "messageId":
		t.MessageID = v
	}
}

// targetFieldOf finds the target field the Action Center needs for t, from its own table.
func targetFieldOf(t respond.Type) string {
	for _, f := range targetFields {
		var tg respond.Target
		setTarget(&tg, f, "x")
		if respond.TargetKey(t, tg) != "" {
			return f
		}
	}
	return ""
}

var severities = []string{"informational", "low", "medium", "high"}

func checkSeverity(s string) error {
	if !slices.Contains(severities, strings.ToLower(s)) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(severities, ", "))
	}
	return nil
}

// specs returns the action table: every Action Center type, then the playbook's own.
var specs = sync.OnceValue(func() map[string]spec {
	m := map[string]spec{
		actHTTPWebhook: {params: []string{"method", "url", "headers", "body", "secret", "timeout"}, required: []string{"url"},
			checks: map[string]func(string) error{"timeout": checkDuration}, run: (*Runner).webhook},
		actEmail:      {params: []string{"to", "cc", "subject", "body"}, required: []string{"to", "subject"}, run: (*Runner).email},
		actAddComment: {params: []string{"comment"}, required: []string{"comment"}, run: (*Runner).addComment},
		actAddTags:    {params: []string{"tags"}, required: []string{"tags"}, run: (*Runner).addTags},
		actSetSeverity: {params: []string{"severity"}, required: []string{"severity"},
			checks: map[string]func(string) error{"severity": checkSeverity}, run: (*Runner).setSeverity},
		actWaitForApproval: {params: []string{"message", "timeout"},
			checks: map[string]func(string) error{"timeout": checkDuration}},
	}
	for _, t := range respond.Types() {
		field := targetFieldOf(t)
		m[string(t)] = spec{params: append(slices.Clone(targetFields), "comment", "parameters"),
			required: []string{field}, run: (*Runner).requestAction}
	}
	return m
})

// ActionNames returns the names of the step actions, sorted.
func ActionNames() []string {
	var out []string
	for k := range specs() {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
