package syntax

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusQuery is one named query of the testdata corpus.
type corpusQuery struct {
	name string
	src  string
}

// loadCorpus reads testdata/corpus_*.kql; each query starts with a
// "// ==== name" line.
func loadCorpus(tb testing.TB) []corpusQuery {
	tb.Helper()
	files, err := filepath.Glob("testdata/corpus_*.kql")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus files: %v", err)
	}
	var out []corpusQuery
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, chunk := range strings.Split(string(data), "// ==== ")[1:] {
			name, body, _ := strings.Cut(chunk, "\n")
			out = append(out, corpusQuery{name: filepath.Base(f) + "/" + name, src: body})
		}
	}
	return out
}

// TestCorpus parses every real-world-style query without diagnostics and
// checks that print-then-parse returns the same tree.
func TestCorpus(t *testing.T) {
	queries := loadCorpus(t)
	if len(queries) < 150 {
		t.Errorf("corpus has %d queries, want at least 150", len(queries))
	}
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			s, diags := Parse(q.src)
			if len(diags) > 0 {
				t.Fatalf("unexpected diagnostics:\n%s", RenderAll(q.src, diags))
			}
			assertRoundTrip(t, s)
		})
	}
}

// assertRoundTrip checks that Format(s) parses cleanly to the same tree.
func assertRoundTrip(t *testing.T, s *Script) {
	t.Helper()
	printed := Format(s)
	s2, diags := Parse(printed)
	if len(diags) > 0 {
		t.Fatalf("printed query does not parse:\n%s\n%s", printed, RenderAll(printed, diags))
	}
	if a, b := Dump(s), Dump(s2); a != b {
		t.Fatalf("print-then-parse changed the tree\nprinted:\n%s\nbefore: %s\nafter:  %s", printed, a, b)
	}
	if again := Format(s2); again != printed {
		t.Fatalf("printing is not stable:\n%s\nvs\n%s", printed, again)
	}
}
