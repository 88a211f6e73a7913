package sigma

import "fmt"

// Rule is one Sigma rule as loaded, before compilation.
type Rule struct {
	File           string
	Line           int // line of the rule's document
	ID             string
	Name           string
	Title          string
	Status         string
	Level          string
	Description    string
	Author         string
	Date           string
	Modified       string
	Tags           []string
	References     []string
	FalsePositives []string
	LogSource      LogSource
	Detection      Detection
	Correlation    *Correlation // set for correlation rules, which have no Detection
}

// LogSource names the kind of events a rule reads.
type LogSource struct {
	Product  string
	Category string
	Service  string
}

// String renders the log source as product/category/service, skipping empty parts.
func (l LogSource) String() string {
	s := ""
	for _, p := range []string{l.Product, l.Category, l.Service} {
		if p == "" {
			continue
		}
		if s != "" {
			s += "/"
		}
		s += p
	}
	return s
}

// Detection is a rule's named searches and its conditions (any of which raises the rule).
type Detection struct {
	Searches   map[string]*Search
	Order      []string // search names in file order
	Conditions []Condition
}

// Condition is one condition expression with its place in the file.
type Condition struct {
	Text string
	Line int
	Col  int
}

// Search is one named search: an OR of field maps, or a keyword list.
type Search struct {
	Name     string
	Line     int
	Maps     []*FieldMap // OR of maps; each map is an AND of its items
	Keywords *Item       // set for a keyword search (no field)
}

// FieldMap is a map of field items that must all match.
type FieldMap struct {
	Items []*Item
	Line  int
}

// Item is one field with its modifiers and values; by default any value may match.
type Item struct {
	Field     string // Sigma field name; empty for keywords
	Modifiers []string
	Values    []Value
	Line      int
	Col       int
}

// Value is one literal of an item. A YAML null is Null; numbers and booleans keep their text.
type Value struct {
	S       string
	Null    bool
	Numeric bool // a YAML int or float
}

// Pos is a place in a rule file.
type Pos struct {
	Line int
	Col  int
}

// LoadError is a rule that cannot be loaded, at a line of its file.
type LoadError struct {
	File string
	Line int
	Msg  string
}

func (e *LoadError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}
