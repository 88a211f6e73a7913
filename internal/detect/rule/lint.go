package rule

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// LintTenant is the tenant used to compile rule queries offline.
const LintTenant = "00000000-0000-0000-0000-000000000000"

// Sentinel's scheduling limits.
const (
	MinFrequency   = 5 * time.Minute
	MaxFrequency   = 14 * 24 * time.Hour
	MaxPeriod      = 14 * 24 * time.Hour
	MaxThreshold   = 10000
	MaxEntityMaps  = 10
	MaxIdentifiers = 3
	MaxCustomKeys  = 20
	MaxLookback    = 7 * 24 * time.Hour
)

var (
	placeholderRE = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
	detailKeyRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,19}$`)
)

// linter checks one rule.
type linter struct {
	r    *Rule
	opts LintOptions
	out  []Finding
	cols map[string]schema.Type
}

func (l *linter) add(lvl Level, path, format string, args ...any) {
	l.out = append(l.out, Finding{File: l.r.Source.File, Pos: l.r.Pos(path), Level: lvl, RuleID: l.r.ID, Message: fmt.Sprintf(format, args...)})
}

func (l *linter) errorf(path, format string, args ...any) { l.add(LevelError, path, format, args...) }

// Lint checks a parsed rule against the schema: it compiles the query, checks that
// mapped columns exist in the query's output with fitting types, and checks scheduling,
// trigger, MITRE and incident settings. Findings carry file positions.
func Lint(r *Rule, reg *schema.Registry) []Finding {
	return LintWith(r, reg, LintOptions{})
}

// LintOptions are what LintWith checks a rule against besides the schema.
type LintOptions struct {
	// Watchlists resolves the aliases the query passes to _GetWatchlist(). Without it, a
	// query that reads a watchlist is only parsed: it is resolved when the rule runs,
	// against its tenant's watchlists, and the finding is a warning.
	Watchlists kql.Watchlists
}

// LintWith is Lint with options.
func LintWith(r *Rule, reg *schema.Registry, opts LintOptions) []Finding {
	l := &linter{r: r, opts: opts}
	l.required()
	l.query(reg)
	l.schedule()
	l.trigger()
	l.mitre()
	l.entities()
	l.details()
	l.override()
	l.grouping()
	return l.out
}

func (l *linter) required() {
	if l.r.ID == "" {
		l.errorf("", "rule has no id")
	}
	if l.r.Severity == "" {
		l.errorf("", "rule has no severity")
	}
}

func (l *linter) query(reg *schema.Registry) {
	if strings.TrimSpace(l.r.Query) == "" {
		l.errorf("query", "rule has no query")
		return
	}
	q, diags := kql.Compile(l.r.Query, reg, kql.Options{Tenant: LintTenant, Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Watchlists: l.opts.Watchlists})
	for _, d := range diags {
		lvl := LevelError
		if d.Severity != syntax.SeverityError {
			lvl = LevelWarning
		}
		if d.Message == kql.NoWatchlistsMessage {
			lvl, d.Message = LevelWarning, "_GetWatchlist() is resolved when the rule runs, against its tenant's watchlists; the rest of the query is not checked here"
		}
		l.out = append(l.out, Finding{File: l.r.Source.File, Pos: l.r.QueryPos(d.Span.Start), Level: lvl, RuleID: l.r.ID, Message: "query: " + d.Message})
	}
	if q == nil {
		return
	}
	if len(q.Discoveries) > 0 {
		// An evaluate bag_unpack or pivot without an output schema takes its columns from
		// the rows of each run: the query is valid, but what follows the operator and the
		// output columns can only be checked when the rule runs.
		d := q.Discoveries[0]
		l.out = append(l.out, Finding{File: l.r.Source.File, Pos: l.r.QueryPos(d.Span.Start), Level: LevelWarning, RuleID: l.r.ID,
			Message: "query: evaluate " + d.Plugin + " takes its output columns from the data of each run; declare its output schema to have the rest of the query and its columns checked here"})
		return
	}
	l.cols = map[string]schema.Type{}
	for _, c := range q.Columns {
		l.cols[c.Name] = c.Type
	}
	if l.r.Format == FormatDefender {
		l.defenderColumns()
	}
}

// defenderColumns checks the columns Defender requires of a custom detection's results.
func (l *linter) defenderColumns() {
	if _, ok := l.cols["Timestamp"]; !ok {
		if _, ok := l.cols["TimeGenerated"]; !ok {
			l.errorf("queryCondition.queryText", "custom detection results must include a Timestamp column")
		}
	}
	for _, c := range []string{"ReportId", "DeviceId", "AccountObjectId", "AccountSid", "AccountUpn", "RecipientEmailAddress", "NetworkMessageId"} {
		if _, ok := l.cols[c]; ok {
			return
		}
	}
	l.errorf("queryCondition.queryText", "custom detection results must include ReportId or an entity column (DeviceId, AccountObjectId, AccountSid, AccountUpn, RecipientEmailAddress, NetworkMessageId)")
}

func (l *linter) schedule() {
	r := l.r
	if r.Format == FormatDefender {
		return // the parser checked the Defender frequencies
	}
	f, p := r.Frequency.Std(), r.Period.Std()
	if r.Kind == KindNRT {
		if f != 0 {
			l.errorf("queryFrequency", "NRT rules run every minute: remove queryFrequency")
		}
		if p != 0 {
			l.errorf("queryPeriod", "NRT rules look at new rows only: remove queryPeriod")
		}
	} else {
		switch {
		case f == 0:
			l.errorf("", "scheduled rule has no queryFrequency")
		case f < MinFrequency || f > MaxFrequency:
			l.errorf("queryFrequency", "queryFrequency %s is outside 5m..14d", fmtDur(f))
		}
		switch {
		case p == 0:
			l.errorf("", "scheduled rule has no queryPeriod")
		case p < MinFrequency || p > MaxPeriod:
			l.errorf("queryPeriod", "queryPeriod %s is outside 5m..14d", fmtDur(p))
		case f > p:
			l.errorf("queryFrequency", "queryFrequency %s is longer than queryPeriod %s: rows between runs would never be looked at", fmtDur(f), fmtDur(p))
		}
	}
	if s := r.SuppressionDuration.Std(); r.SuppressionEnabled && (s < MinFrequency || s > 24*time.Hour) {
		l.errorf("suppressionDuration", "suppressionDuration %s is outside 5m..24h", fmtDur(s))
	}
}

func (l *linter) trigger() {
	t := l.r.Trigger
	switch {
	case t.Threshold < 0 || t.Threshold > MaxThreshold:
		l.errorf("triggerThreshold", "triggerThreshold %d is outside 0..%d", t.Threshold, MaxThreshold)
	case t.Operator == OpLessThan && t.Threshold == 0:
		l.errorf("triggerThreshold", "trigger lt 0 can never fire")
	}
}

func (l *linter) mitre() {
	for i, t := range l.r.Tactics {
		if !ValidTactic(t) {
			hint := ""
			if c, ok := canonicalTactic(t); ok {
				hint = fmt.Sprintf(" (Sentinel spells it %q)", c)
			}
			l.errorf(fmt.Sprintf("tactics[%d]", i), "unknown tactic %q%s", t, hint)
		}
	}
	key := "relevantTechniques"
	switch l.r.Format {
	case FormatSentinelARM:
		key = "techniques"
	case FormatDefender:
		key = "detectionAction.alertTemplate.mitreTechniques"
	case FormatSentinelYAML:
	}
	for i, t := range l.r.Techniques {
		if !ValidTechnique(t) {
			l.errorf(fmt.Sprintf("%s[%d]", key, i), "technique %q is not an ATT&CK id such as T1059 or T1059.001", t)
		}
	}
}

func fmtDur(d time.Duration) string { return Duration(d).String() }
