package syntax

import (
	"testing"
)

// fuzzSeeds are extra seeds beside the corpus: error cases and odd tokens.
var fuzzSeeds = []string{
	"T | summarise count() by X | whre x == 1",
	"T | where (a == 1 | take 5",
	"let f = (a:string, b:int = 5) { a }; print f('x')",
	"print h@'x' , ```y```, '''z''', datetime(null), 0x1F, 1.5h",
	"union withsource=S Device*, (T | take 1)",
	"T | mv-apply x on (top 1 by x) | parse s with * 'a' b:int",
	"search in (A) c:'x'",
	"find where x project-smart",
	"print ['a'], d['k'][0].x, $left.a",
	"T | render timechart with (ycolumns=a, b)",
	"datatable(a:string) ['x'] | fork (count) (take 1)",
}

func FuzzLex(f *testing.F) {
	for _, q := range loadCorpus(f) {
		f.Add(q.src)
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		toks, diags := Lex(src)
		if len(toks) == 0 || toks[len(toks)-1].Kind != TokEOF {
			t.Fatalf("token stream does not end with EOF")
		}
		prev := 0
		for _, tok := range toks {
			if tok.Span.Start < prev || tok.Span.End < tok.Span.Start || tok.Span.End > len(src) {
				t.Fatalf("bad span %v after %d (len %d)", tok.Span, prev, len(src))
			}
			if tok.Kind != TokEOF && tok.Span.Len() == 0 {
				t.Fatalf("empty token %v at %v", tok.Kind, tok.Span)
			}
			prev = tok.Span.End
		}
		for _, d := range diags {
			_ = Render(src, d)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, q := range loadCorpus(f) {
		f.Add(q.src)
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, diags := Parse(src)
		for _, d := range diags {
			if d.Span.Start < 0 || d.Span.End > len(src) || d.Span.End < d.Span.Start {
				t.Fatalf("diagnostic span %v out of range (len %d): %s", d.Span, len(src), d.Message)
			}
			_ = Render(src, d)
		}
		if len(diags) > 0 {
			_ = Format(s)
			return
		}
		checkSpans(t, "fuzz", src, s, Span{0, len(src)})
		printed := Format(s)
		s2, diags2 := Parse(printed)
		if len(diags2) > 0 {
			t.Fatalf("printed query does not parse\nsrc: %q\nprinted: %q\n%s", src, printed, diagString(diags2))
		}
		if a, b := Dump(s), Dump(s2); a != b {
			t.Fatalf("print-then-parse changed the tree\nsrc: %q\nprinted: %q\nbefore: %s\nafter:  %s", src, printed, a, b)
		}
	})
}
