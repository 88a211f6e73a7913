package syntax

import (
	"fmt"
	"testing"
)

// TestSpansNest checks, over the whole corpus, that every node has a
// non-empty span inside its parent's span and that Inspect reaches every
// kind of node the corpus contains.
func TestSpansNest(t *testing.T) {
	kinds := map[string]bool{}
	for _, q := range loadCorpus(t) {
		s, diags := Parse(q.src)
		if len(diags) > 0 {
			t.Fatalf("%s: %s", q.name, diagString(diags))
		}
		checkSpans(t, q.name, q.src, s, Span{0, len(q.src)})
		Inspect(s, func(n Node) bool {
			kinds[fmt.Sprintf("%T", n)] = true
			return true
		})
	}
	t.Logf("node types reached: %d", len(kinds))
	if len(kinds) < 70 {
		t.Errorf("corpus reaches only %d node types", len(kinds))
	}
}

func checkSpans(t *testing.T, name, src string, n Node, parent Span) {
	t.Helper()
	sp := n.NodeSpan()
	_, root := n.(*Script)
	if sp.Start < parent.Start || sp.End > parent.End || sp.Len() <= 0 && !root {
		t.Errorf("%s: %T span %v (%q) not a non-empty part of parent %v", name, n, sp, src[max(0, sp.Start):min(len(src), max(sp.Start, sp.End))], parent)
		return
	}
	for _, c := range Children(n) {
		checkSpans(t, name, src, c, sp)
	}
}

func TestInspectSkip(t *testing.T) {
	s, _ := Parse("T | where a == 1 and f(b) | extend c = d")
	var idents []string
	Inspect(s, func(n Node) bool {
		if _, ok := n.(*CallExpr); ok {
			return false
		}
		if id, ok := n.(*Ident); ok {
			idents = append(idents, id.Name)
		}
		return true
	})
	if got := fmt.Sprint(idents); got != "[a c d]" {
		t.Errorf("visited identifiers %s, want [a c d]", got)
	}
}
