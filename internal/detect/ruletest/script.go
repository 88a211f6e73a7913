package ruletest

import (
	"fmt"
	"time"
)

// DefaultBase returns the time a script's offsets count from when it has no base line.
func DefaultBase() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// Script is a parsed test file.
type Script struct {
	File  string
	Base  time.Time
	Rules []RuleRef
	Steps []Step
}

// RuleRef names a rule file, relative to the test file's directory.
type RuleRef struct {
	Line int
	Path string
}

// Step is a Load or an Eval, in file order.
type Step interface{ line() int }

// Load is a block of rows written to one table.
type Load struct {
	Line  int
	Table string
	At    time.Duration // offset from the base
	Rows  []Row
}

// Row is one row line of a load block: JSON, possibly repeated.
type Row struct {
	Line   int
	Offset time.Duration // added to the block's time
	Repeat int           // how many rows; at least 1
	Every  time.Duration // time between repeated rows
	JSON   string        // may hold {{i}}, replaced by the repetition number (1-based)
}

// Eval evaluates the script's rules at a time and checks the alerts.
type Eval struct {
	Line   int
	At     time.Duration // offset from the base: the slot time and now()
	Count  *Count        // nil when no count is expected
	Alerts []Matcher
}

// Count is an expected number of alerts.
type Count struct {
	Line int
	N    int
}

// Matcher expects one alert whose properties match every field.
type Matcher struct {
	Line   int
	Fields []Field
}

// Field is one key=value (exact) or key~value (contains, any case) condition.
type Field struct {
	Key      string
	Value    string
	Contains bool
}

func (l *Load) line() int { return l.Line }
func (e *Eval) line() int { return e.Line }

// Error is a problem in a test file, at a line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

func (f Field) String() string {
	op := "="
	if f.Contains {
		op = "~"
	}
	return f.Key + op + quoteIfNeeded(f.Value)
}
