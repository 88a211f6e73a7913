package hec

import (
	"errors"
	"fmt"
	"strings"
)

// Rule sends the events of one sourcetype, and of one index when Index is set, to a table
// (Table: JSON object events decoded as its rows, as fields.vigil_table does) or through a
// source format (Format), instead of the default Syslog route.
type Rule struct {
	Sourcetype string
	Index      string // empty: any index
	Table      string
	Format     string
}

// Rules finds the rule of an event. The zero value has no rules. Sourcetype and index match
// case-insensitively; a rule naming the event's index wins over one for any index.
type Rules struct {
	byKey map[string]Rule
}

// NewRules checks the rules: each names a sourcetype and exactly one of Table and Format, and
// no sourcetype and index pair comes twice.
func NewRules(rules []Rule) (*Rules, error) {
	r := &Rules{byKey: make(map[string]Rule, len(rules))}
	var errs []error
	for i, ru := range rules {
		switch {
		case ru.Sourcetype == "":
			errs = append(errs, fmt.Errorf("hec route %d: no sourcetype", i))
			continue
		case (ru.Table == "") == (ru.Format == ""):
			errs = append(errs, fmt.Errorf("hec route %d (sourcetype %s): set one of table and format", i, ru.Sourcetype))
			continue
		}
		k := ruleKey(ru.Sourcetype, ru.Index)
		if _, dup := r.byKey[k]; dup {
			errs = append(errs, fmt.Errorf("hec route %d: sourcetype %q and index %q are routed twice", i, ru.Sourcetype, ru.Index))
			continue
		}
		r.byKey[k] = ru
	}
	return r, errors.Join(errs...)
}

// Match returns the rule for an event's sourcetype and index.
func (r *Rules) Match(sourcetype, index string) (Rule, bool) {
	if r == nil || len(r.byKey) == 0 || sourcetype == "" {
		return Rule{}, false
	}
	if index != "" {
		if ru, ok := r.byKey[ruleKey(sourcetype, index)]; ok {
			return ru, true
		}
	}
	ru, ok := r.byKey[ruleKey(sourcetype, "")]
	return ru, ok
}

// Len returns the number of rules.
func (r *Rules) Len() int {
	if r == nil {
		return 0
	}
	return len(r.byKey)
}

func ruleKey(sourcetype, index string) string {
	return strings.ToLower(sourcetype) + "\x00" + strings.ToLower(index)
}
