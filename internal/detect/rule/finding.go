package rule

import (
	"fmt"
	"sort"
)

// Pos is a 1-based line and column in a rule file; the zero Pos means unknown.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

// Level says how serious a finding is.
type Level int

// Finding levels.
const (
	LevelError Level = iota
	LevelWarning
)

// String returns the lowercase name of the level.
func (l Level) String() string {
	if l == LevelWarning {
		return "warning"
	}
	return "error"
}

// MarshalText renders the level by name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Finding is one problem in a rule file.
type Finding struct {
	File    string `json:"file"`
	Pos     Pos    `json:"pos"`
	Level   Level  `json:"level"`
	RuleID  string `json:"ruleId,omitempty"`
	Message string `json:"message"`
}

// String renders the finding as "file:line:col: message", with "warning: " before the
// message of a warning.
func (f Finding) String() string {
	sev := ""
	if f.Level == LevelWarning {
		sev = "warning: "
	}
	line, col := f.Pos.Line, f.Pos.Col
	if line == 0 {
		line, col = 1, 1
	}
	return fmt.Sprintf("%s:%d:%d: %s%s", f.File, line, col, sev, f.Message)
}

// HasErrors reports whether any finding is an error.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Level == LevelError {
			return true
		}
	}
	return false
}

// SortFindings orders findings by file, line and column, keeping the order of equal ones.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Pos.Col < b.Pos.Col
	})
}
