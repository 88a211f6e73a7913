package syntax

import "testing"

// BenchmarkParse parses each corpus query once per iteration; ns/op divided
// by the number of queries is the cost of a typical query.
func BenchmarkParse(b *testing.B) {
	queries := loadCorpus(b)
	var bytes int64
	for _, q := range queries {
		bytes += int64(len(q.src))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, q := range queries {
			Parse(q.src)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(queries)), "ns/query")
}

// BenchmarkLex measures the lexer alone over the corpus.
func BenchmarkLex(b *testing.B) {
	queries := loadCorpus(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range queries {
			Lex(q.src)
		}
	}
}
