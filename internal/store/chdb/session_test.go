//go:build chdb

package chdb

import (
	"errors"
	"strings"
	"testing"
)

func TestSessionExec(t *testing.T) {
	s := openTest(t)
	cases := []struct {
		name, sql, want, err string
	}{
		{"select", "SELECT 1 AS a, 'x' AS b", "1\tx\n", ""},
		{"version is current", "SELECT toUInt8(splitByChar('.', version())[1]) >= 25", "1\n", ""},
		{"syntax error", "SELEC 1", "", "Syntax error"},
		{"unknown function", "SELECT nosuchfn(1)", "", "UNKNOWN_FUNCTION"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := s.Exec(c.sql, "TabSeparated")
			if c.err != "" {
				var qe *QueryError
				if !errors.As(err, &qe) || !strings.Contains(qe.Msg, c.err) {
					t.Fatalf("err = %v, want a QueryError with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != c.want {
				t.Fatalf("got %q, want %q", out, c.want)
			}
		})
	}
}

func openTest(t *testing.T) *Session {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
