package sqlgen

import (
	"strings"
	"testing"
)

// TestDistinctCase checks that column names differing only by letter case
// get distinct SQL names, that a stored table's spelling is kept, and that
// the outermost SELECT restores the Kusto names.
func TestDistinctCase(t *testing.T) {
	scan := &Select{Items: []SelectItem{{X: &Ident{Name: "user"}, Alias: "user"}}, From: &Table{Name: "LinuxAuditLog"}, Limit: -1}
	ext := &Select{
		Items: []SelectItem{{X: &Ident{Name: "user"}}, {X: Call("upper", &Ident{Name: "user"}), Alias: "User"}},
		From:  &Subquery{Q: scan, Alias: "t1"}, Limit: -1,
	}
	top := &Select{Items: []SelectItem{{X: &Ident{Name: "User"}}, {X: &Ident{Name: "user"}}}, From: &Subquery{Q: ext, Alias: "t2"}, Limit: -1}
	got := DuckDB.Printer.Print(distinctCase(top))
	for _, want := range []string{`"User·1" AS "User"`, `upper("user") AS "User·1"`, `SELECT "user" AS "user"` + "\n", `FROM "LinuxAuditLog"`} {
		if !strings.Contains(got, want) {
			t.Errorf("SQL lacks %q:\n%s", want, got)
		}
	}

	plain := &Select{Items: []SelectItem{{X: &Ident{Name: "a"}}, {X: &Ident{Name: "b"}}}, From: &Table{Name: "T"}, Limit: -1}
	if got, want := DuckDB.Printer.Print(distinctCase(plain)), DuckDB.Printer.Print(plain); got != want {
		t.Errorf("names without a case clash changed:\n%s\nwant\n%s", got, want)
	}
}
