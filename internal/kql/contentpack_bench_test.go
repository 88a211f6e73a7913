package kql_test

import (
	"context"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/schema"
)

// BenchmarkContentPackRound is one evaluation round of the built-in rule pack (content/rules)
// over the 10M-row data set of BenchmarkQueryKQLvsSQL: every scheduled rule runs once over its
// query period ending at the data set's now(), through the scheduler's evaluator (compile and
// query). One op is one round; the tables the data set lacks are empty.
//
//	go test -run '^$' -bench BenchmarkContentPackRound -benchtime 3x ./internal/kql/
func BenchmarkContentPackRound(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 10M-row DuckDB data set")
	}
	ctx := context.Background()
	st := huntBenchStore(b)
	reg := schema.NewRegistry()
	if err := st.EnsureTables(ctx, reg.Tables()); err != nil {
		b.Fatal(err)
	}
	rules, findings, err := rule.Load([]string{"../../content/rules"})
	if err != nil {
		b.Fatal(err)
	}
	ok, skipped, _ := schedule.Select(rules, findings, reg)
	if len(skipped) > 0 {
		b.Logf("%d rules skipped, e.g. %s", len(skipped), skipped[0])
	}
	ev := schedule.KQL{Registry: reg, Store: st}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range ok {
			w := schedule.Window{Tenant: "t1", From: huntNow.Add(-r.Period.Std()), To: huntNow, Now: huntNow}
			if r.Kind == rule.KindNRT {
				w = schedule.Window{Tenant: "t1", Now: huntNow}
			}
			if _, err := ev.Evaluate(ctx, r, w); err != nil {
				b.Fatalf("rule %s (%s): %v", r.ID, r.Name, err)
			}
		}
	}
	b.ReportMetric(float64(len(ok)), "rules")
}
