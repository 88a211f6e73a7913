package schema

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Registry holds every table Vigil knows. It is safe for concurrent use; tables are immutable
// and replaced whole when a custom table changes.
type Registry struct {
	mu     sync.RWMutex
	tables map[string]*Table // by lower-case name
}

// NewRegistry returns a registry holding the built-in tables.
func NewRegistry() *Registry {
	r := &Registry{tables: make(map[string]*Table, len(builtinTables))}
	for _, bt := range builtinTables {
		t, err := NewTable(bt.name, bt.kind, bt.columns())
		if err != nil {
			// The generated list is checked by TestBuiltinTables; this cannot happen at run time.
			panic(fmt.Sprintf("schema: built-in table %s: %v", bt.name, err))
		}
		r.tables[strings.ToLower(t.Name)] = t
	}
	return r
}

// Table returns the table named name. Kusto table names are case-sensitive, but two tables
// never differ only by case, so a name in another case resolves too.
func (r *Registry) Table(name string) (*Table, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.tables[strings.ToLower(name)]
	return t, ok
}

// Tables returns every table sorted by name.
func (r *Registry) Tables() []*Table {
	r.mu.RLock()
	out := make([]*Table, 0, len(r.tables))
	for _, t := range r.tables {
		out = append(out, t)
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var customNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,59}_CL$`)

// CheckCustomName reports whether name is a valid custom table name: it ends in _CL, as Log
// Analytics custom tables do, and starts with a letter.
func CheckCustomName(name string) error {
	if !customNameRE.MatchString(name) {
		return fmt.Errorf("invalid custom table name %q: must start with a letter, hold only letters, digits and _, and end in _CL (at most 63 characters)", name)
	}
	return nil
}

// NewCustom builds a custom table and checks that it may be registered: a replacement may only
// add columns, since stored rows depend on the existing ones. It does not register it.
func (r *Registry) NewCustom(name, description string, cols []ColumnDef) (*Table, error) {
	if err := CheckCustomName(name); err != nil {
		return nil, err
	}
	t, err := NewTable(name, KindCustom, cols)
	if err != nil {
		return nil, err
	}
	t.Description = description
	r.mu.RLock()
	defer r.mu.RUnlock()
	if old, ok := r.tables[strings.ToLower(name)]; ok {
		if old.Kind != KindCustom {
			return nil, fmt.Errorf("table %s is a built-in table and cannot be changed", old.Name)
		}
		if err := compatible(old, t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Register adds or replaces a table built by NewCustom.
func (r *Registry) Register(t *Table) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tables[strings.ToLower(t.Name)] = t
}

// PutCustom is NewCustom followed by Register.
func (r *Registry) PutCustom(name, description string, cols []ColumnDef) (*Table, error) {
	t, err := r.NewCustom(name, description, cols)
	if err != nil {
		return nil, err
	}
	r.Register(t)
	return t, nil
}

func compatible(old, nu *Table) error {
	for _, c := range old.Columns {
		i, ok := nu.Column(c.Name)
		if !ok {
			return fmt.Errorf("table %s: column %s cannot be removed", old.Name, c.Name)
		}
		if nu.Columns[i].Type != c.Type {
			return fmt.Errorf("table %s: column %s cannot change type from %s to %s", old.Name, c.Name, c.Type, nu.Columns[i].Type)
		}
	}
	return nil
}

// Nearest returns up to n table names closest to name by edit distance, for "did you mean".
func (r *Registry) Nearest(name string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	l := strings.ToLower(name)
	var cs []cand
	for _, t := range r.Tables() {
		d := EditDistance(l, strings.ToLower(t.Name))
		if strings.HasPrefix(strings.ToLower(t.Name), l) || strings.Contains(strings.ToLower(t.Name), l) {
			d = min(d, 2)
		}
		if d <= max(3, len(name)/3) {
			cs = append(cs, cand{t.Name, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	out := make([]string, 0, n)
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// EditDistance is the Levenshtein distance between a and b, in bytes.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
