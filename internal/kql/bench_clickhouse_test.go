package kql_test

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/sqlgen"
)

// BenchmarkCompileClickHouse is BenchmarkCompile with the ClickHouse dialect.
func BenchmarkCompileClickHouse(b *testing.B) {
	reg := schema.NewRegistry()
	opts := kql.Options{Tenant: "t1", Now: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), Dialect: sqlgen.ClickHouse}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if q, d := kql.Compile(benchQueries[i%len(benchQueries)], reg, opts); q == nil {
			b.Fatal(d)
		}
	}
}
