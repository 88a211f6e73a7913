package normalize

import (
	"os"
	"path/filepath"
	"testing"
)

// readSample reads the sample file testdata/formats/file.
func readSample(tb testing.TB, file string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "formats", file))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// checkItems checks what normalizing b answered: no error, every item within b with at least
// one record, and every record either an error with a reason or a row of valid values.
func checkItems(t *testing.T, b []byte, items []Item, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Offset < 0 || it.Offset > len(b) || len(it.Records) == 0 {
			t.Fatalf("item at %d of %d bytes with %d records", it.Offset, len(b), len(it.Records))
		}
		for _, rec := range it.Records {
			checkRecord(t, rec)
		}
	}
}

// benchNormalize measures Normalize of data as format, reporting allocations, bytes and the
// time per source record (items of them, named unit).
func benchNormalize(b *testing.B, n *Normalizer, format string, data []byte, items int, unit string) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := n.Normalize(format, data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*items), unit)
}

// fuzzFormat normalizes b as format and checks every item and record.
func fuzzFormat(t *testing.T, n *Normalizer, format string, b []byte) {
	items, err := n.Normalize(format, b)
	checkItems(t, b, items, err)
}

// benchFormat measures Normalize on the format's sample file, per record.
func benchFormat(b *testing.B, format string) {
	n := newTestNormalizer(b)
	data := readSample(b, fileOf(format))
	items, _ := n.Normalize(format, data)
	benchNormalize(b, n, format, data, len(items), "ns/event")
}
