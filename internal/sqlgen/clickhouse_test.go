package sqlgen

import (
	"errors"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func TestClickHouseLiterals(t *testing.T) {
	cases := []struct {
		name string
		x    Expr
		want string
	}{
		{"string escapes backslash and quote", Str(`C:\it's`), `'C:\\it\'s'`},
		{"string with NUL", Str("a\x00b"), `'a\0b'`},
		{"long", Int(-5), "toInt64(-5)"},
		{"datetime", &Lit{V: time.Date(1969, 12, 31, 23, 30, 0, 0, time.UTC), T: schema.TypeDatetime}, "toDateTime64('1969-12-31 23:30:00.000000', 6, 'UTC')"},
		{"timespan is microseconds", &Lit{V: 90 * time.Minute, T: schema.TypeTimespan}, "toInt64(5400000000)"},
		{"typed null", &Lit{T: schema.TypeReal}, "CAST(NULL AS Nullable(Float64))"},
		{"identifier", &Ident{Table: "t1", Name: "a`b"}, "`t1`.`a\\`b`"},
		{"integer division", Bin("//", Int(7), Int(2)), "intDiv(toInt64(7), toInt64(2))"},
		{"aggregate filter", &Func{Name: "count", Filter: Bin(">", &Ident{Name: "n"}, Int(1))}, "countIf((`n` > toInt64(1)))"},
		{"try cast", &Cast{X: Str("12"), T: schema.TypeLong, Try: true}, "accurateCastOrNull('12', 'Int64')"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newPrinter(chSpelling{})
			p.expr(c.x)
			if got := p.b.String(); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestClickHouseRefuses(t *testing.T) {
	scan := &plan.Scan{Table: "T", Tenant: "t1", Cols: []plan.Column{{Name: "d", Type: schema.TypeDynamic}}}
	expanded := &plan.MvExpand{In: &plan.OuterRow{Cols: scan.Cols}, Cols: []plan.MvCol{{Name: "d", To: schema.TypeDynamic}}}
	cases := []struct {
		name string
		n    plan.Node
		want string
	}{
		{"function", &plan.Project{In: scan, Items: []plan.Item{{Name: "x", Expr: &plan.Call{Fn: "hash", T: schema.TypeLong}}}}, "not supported in ClickHouse: function hash"},
		// A summarize without by-columns yields a row even for an empty subtable, which the
		// rewrite without LATERAL cannot give.
		{"mv-apply summarize without keys", &plan.MvApply{In: scan, Sub: &plan.Aggregate{In: expanded, Aggs: []plan.Agg{{Name: "n", Fn: "count", T: schema.TypeLong}}}}, "not supported in ClickHouse: mv-apply with summarize without by-columns"},
		{"mv-apply over a join", &plan.MvApply{In: scan, Sub: &plan.Join{Kind: plan.Inner, Left: expanded, Right: scan, LeftKeys: []string{"d"}, RightKeys: []string{"d"}, RightNames: []string{"d1"}, Out: []plan.Column{{Name: "d", Type: schema.TypeDynamic}, {Name: "d1", Type: schema.TypeDynamic}}}}, "not supported in ClickHouse: mv-apply over Join"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sql, err := Generate(c.n, ClickHouse)
			var ue *UnsupportedError
			if !errors.As(err, &ue) || err.Error() != c.want {
				t.Fatalf("Generate = %q, %v; want the error %q", sql, err, c.want)
			}
		})
	}
}
