package sigma

import (
	"sort"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

var testReg = schema.NewRegistry()

// mustCompile loads and compiles rule YAML, failing the test on any error.
func mustCompile(t testing.TB, src string, vars map[string][]string) *RuleSet {
	t.Helper()
	rules, err := Load([]byte(src), "test.yml")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	rs, err := Compile(rules, Config{Registry: testReg, Vars: vars})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return rs
}

// compileErr loads and compiles, returning the first error.
func compileErr(src string, vars map[string][]string) error {
	rules, err := Load([]byte(src), "test.yml")
	if err != nil {
		return err
	}
	_, err = Compile(rules, Config{Registry: testReg, Vars: vars})
	return err
}

// makeBatch builds a batch of table from rows given as column -> value; the batch holds the
// union of the columns, sorted.
func makeBatch(t testing.TB, table string, rows []map[string]schema.Value) *stream.Batch {
	t.Helper()
	tab, ok := testReg.Table(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	set := map[string]bool{}
	for _, r := range rows {
		for k := range r {
			set[k] = true
		}
	}
	names := make([]string, 0, len(set))
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	b := &stream.Batch{Tenant: "t1", Table: tab.Name, Seq: 7, IngestTime: time.Unix(0, 0)}
	for _, n := range names {
		i, ok := tab.Column(n)
		if !ok {
			t.Fatalf("%s has no column %s", table, n)
		}
		b.Columns = append(b.Columns, tab.Columns[i])
	}
	for _, r := range rows {
		row := make([]schema.Value, len(names))
		for j, n := range names {
			row[j] = r[n]
		}
		b.Rows = append(b.Rows, row)
	}
	return b
}

// detect runs rs on the batch and returns the alerts.
func detect(t testing.TB, rs *RuleSet, b *stream.Batch) []alert.Alert {
	t.Helper()
	d := NewDetector(rs)
	var out []alert.Alert
	if err := d.Detect(b, func(a alert.Alert) { out = append(out, a) }); err != nil {
		t.Fatal(err)
	}
	if s := d.Stats(); s.Panics > 0 {
		t.Fatalf("detector panicked on %d rows", s.Panics)
	}
	return out
}

// matchedRows returns the indexes of rows that raised an alert for the rule with title.
func matchedRows(t testing.TB, rs *RuleSet, b *stream.Batch) []int {
	t.Helper()
	var out []int
	for i := range b.Rows {
		one := &stream.Batch{Tenant: b.Tenant, Table: b.Table, Seq: b.Seq, Columns: b.Columns, Rows: b.Rows[i : i+1]}
		if len(detect(t, rs, one)) > 0 {
			out = append(out, i)
		}
	}
	return out
}
