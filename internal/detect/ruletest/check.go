package ruletest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// check compares an eval's alerts with its expectations. Matchers are tried in file order,
// each taking the first alert not taken yet that it matches.
func (r *run) check(e *Eval, alerts []alert.Alert) {
	if e.Count != nil && len(alerts) != e.Count.N {
		r.fail(e.Count.Line, r.ruleNames(), "got %d alerts, want %d%s", len(alerts), e.Count.N, describeAll(alerts))
	}
	taken := make([]bool, len(alerts))
	for _, m := range e.Alerts {
		found, err := -1, error(nil)
		for i, a := range alerts {
			ok, ferr := matches(a, m.Fields)
			if ferr != nil {
				err = ferr
				break
			}
			if ok && !taken[i] {
				found = i
				break
			}
		}
		switch {
		case err != nil:
			r.fail(m.Line, "", "%v", err)
		case found < 0:
			r.fail(m.Line, r.ruleNames(), "no alert matches %s%s", fieldsString(m.Fields), describeAll(alerts))
		default:
			taken[found] = true
		}
	}
}

func (r *run) ruleNames() string {
	names := make([]string, len(r.rules))
	for i, l := range r.rules {
		names[i] = l.name
	}
	return strings.Join(names, ", ")
}

// matches reports whether a has every field; an unknown key is an error.
func matches(a alert.Alert, fields []Field) (bool, error) {
	for _, f := range fields {
		vals, err := alertValues(a, f.Key)
		if err != nil {
			return false, err
		}
		if !slices.ContainsFunc(vals, f.match) {
			return false, nil
		}
	}
	return true, nil
}

func (f Field) match(v string) bool {
	if f.Contains {
		return strings.Contains(strings.ToLower(v), strings.ToLower(f.Value))
	}
	return strings.EqualFold(v, f.Value)
}

// alertValues returns the values of a property of a for a condition key.
func alertValues(a alert.Alert, key string) ([]string, error) {
	switch key {
	case "rule":
		return []string{a.RuleID, a.RuleName}, nil
	case "title":
		return []string{a.Title}, nil
	case "description":
		return []string{a.Description}, nil
	case "severity":
		return []string{string(a.Severity)}, nil
	case "tactic":
		return a.Tactics, nil
	case "technique":
		return a.Techniques, nil
	case "rows":
		return []string{strconv.Itoa(len(a.Evidence.Rows))}, nil
	}
	if name, ok := strings.CutPrefix(key, "detail."); ok {
		var out []string
		for _, v := range a.CustomDetails[name] {
			out = append(out, valueText(v))
		}
		return out, nil
	}
	if name, ok := strings.CutPrefix(key, "prop."); ok {
		return []string{a.Properties[name]}, nil
	}
	typ, id, ok := strings.Cut(key, ".")
	if !ok || typ == "" || id == "" {
		return nil, fmt.Errorf("unknown key %q: want rule, title, description, severity, tactic, technique, rows, detail.KEY, prop.NAME or EntityType.Identifier", key)
	}
	var out []string
	for _, e := range a.Entities {
		if e.Type == typ {
			if v, ok := e.Identifiers[id]; ok {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// valueText renders a cell as the alert package renders it.
func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

func fieldsString(fs []Field) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, " ")
}

// describeAll lists alerts for a failure message.
func describeAll(alerts []alert.Alert) string {
	if len(alerts) == 0 {
		return "; there are no alerts"
	}
	var b strings.Builder
	b.WriteString("; the alerts are:")
	for _, a := range alerts {
		fmt.Fprintf(&b, "\n\trule=%q title=%q severity=%s rows=%d", a.RuleName, a.Title, a.Severity, len(a.Evidence.Rows))
		for _, e := range a.Entities {
			for _, k := range sortedKeys(e.Identifiers) {
				fmt.Fprintf(&b, " %s.%s=%s", e.Type, k, quoteIfNeeded(e.Identifiers[k]))
			}
		}
		for _, k := range sortedKeys(a.CustomDetails) {
			for _, v := range a.CustomDetails[k] {
				fmt.Fprintf(&b, " detail.%s=%s", k, quoteIfNeeded(valueText(v)))
			}
		}
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
