package duckdb

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkWriteSettings measures BenchmarkWrite's workload under DuckDB settings that may
// matter for bulk appends.
func BenchmarkWriteSettings(b *testing.B) {
	settings := []struct{ name, sql string }{
		{"default", ""},
		{"checkpoint=16MB", "SET GLOBAL checkpoint_threshold = '16MB'"}, // DuckDB's default
		{"checkpoint=256MB", "SET GLOBAL checkpoint_threshold = '256MB'"},
		{"checkpoint=1GB", "SET GLOBAL checkpoint_threshold = '1GB'"},
		{"no_insertion_order", "SET GLOBAL preserve_insertion_order = false"},
		{"threads=1", "SET GLOBAL threads = 1"},
	}
	for _, s := range settings {
		for _, per := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("%s/batches_per_txn=%d", s.name, per), func(b *testing.B) {
				benchWriteWith(b, per, func(st *Store) error {
					if s.sql == "" {
						return nil
					}
					_, err := st.db.ExecContext(context.Background(), s.sql)
					return err
				}, (*Store).Write)
			})
		}
	}
}
