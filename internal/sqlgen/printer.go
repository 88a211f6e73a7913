package sqlgen

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Printer prints a SQL tree in one dialect.
type Printer interface {
	Print(q Query) string
}

// spelling is what a dialect supplies to the shared [printer]: how it quotes identifiers,
// writes literals, casts and calls, and the few nodes it spells its own way. The printer
// walks every clause and node the dialects write alike.
type spelling interface {
	// ident quotes an identifier.
	ident(s string) string
	literals
	// cast writes a (try-)cast.
	cast(p *printer, e *Cast)
	// call writes a function call with its aggregate modifiers.
	call(p *printer, f *Func)
	// binop is the function a binary operator is written as, when not as an infix operator.
	binop(op string) (fn string, ok bool)
	// field writes a struct field read.
	field(p *printer, e *Field)
	// structPack writes a struct constructor.
	structPack(p *printer, e *StructPack)
	// lambda writes a lambda.
	lambda(p *printer, e *Lambda)
	// join is the spelling of a join kind, "... JOIN".
	join(k JoinKind) string
	// lateral is the prefix of a correlated subquery in FROM.
	lateral() string
	// values writes VALUES rows in FROM.
	values(p *printer, v *Values, depth int)
	// tableFunc writes a table function in FROM.
	tableFunc(p *printer, f *TableFunc)
	// other writes an expression only this dialect's lowering emits; false when e is not one.
	other(p *printer, e Expr) bool
}

// literals spell a dialect's typed constants, one method per Go type of [Lit.V].
type literals interface {
	null(t schema.Type) string
	str(v string, t schema.Type) string
	integer(v int64, t schema.Type) string
	float(v float64) string
	boolean(v bool) string
	datetime(v time.Time) string
	timespan(v time.Duration) string
}

// printer writes a SQL tree as text in the dialect whose spelling it holds.
type printer struct {
	b     *strings.Builder
	sp    spelling
	depth int // of the SELECT being printed, for subqueries in expressions
}

func newPrinter(sp spelling) *printer { return &printer{b: new(strings.Builder), sp: sp} }

func (p *printer) w(s ...string) {
	for _, x := range s {
		p.b.WriteString(x)
	}
}

func (p *printer) nl(depth int) { p.w("\n", strings.Repeat("  ", depth)) }

func (p *printer) query(q Query, depth int) {
	switch q := q.(type) {
	case *Select:
		p.sel(q, depth)
	case *SetOp:
		for i, part := range q.Parts {
			if i > 0 {
				p.nl(depth)
				p.w("UNION ALL")
				p.nl(depth)
			}
			p.query(part, depth)
		}
	}
}

func (p *printer) sel(s *Select, depth int) {
	defer func(d int) { p.depth = d }(p.depth)
	p.depth = depth
	p.w("SELECT ")
	if s.Distinct {
		p.w("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			p.w(", ")
		}
		p.expr(it.X)
		if it.Alias != "" {
			p.w(" AS ", p.sp.ident(it.Alias))
		}
	}
	if s.From != nil {
		p.nl(depth)
		p.w("FROM ")
		p.from(s.From, depth)
	}
	p.clauses(s, depth)
}

func (p *printer) clauses(s *Select, depth int) {
	p.clause(depth, "WHERE ", s.Where)
	if len(s.GroupBy) > 0 {
		p.nl(depth)
		p.w("GROUP BY ")
		p.list(s.GroupBy)
	}
	p.clause(depth, "QUALIFY ", s.Qualify)
	if len(s.OrderBy) > 0 {
		p.nl(depth)
		p.w("ORDER BY ")
		p.orders(s.OrderBy)
	}
	if s.Limit >= 0 {
		p.nl(depth)
		p.w("LIMIT ", strconv.FormatInt(s.Limit, 10))
	}
}

// clause writes keyword and x on a new line, when x is set.
func (p *printer) clause(depth int, keyword string, x Expr) {
	if x == nil {
		return
	}
	p.nl(depth)
	p.w(keyword)
	p.expr(x)
}

func (p *printer) orders(os []Order) {
	for i, o := range os {
		if i > 0 {
			p.w(", ")
		}
		p.expr(o.X)
		if o.Desc {
			p.w(" DESC")
		} else {
			p.w(" ASC")
		}
		if o.NullsFirst {
			p.w(" NULLS FIRST")
		} else {
			p.w(" NULLS LAST")
		}
	}
}

func (p *printer) from(f From, depth int) {
	switch f := f.(type) {
	case *Table:
		p.w(p.sp.ident(f.Name))
	case *Subquery:
		if f.Lateral {
			p.w(p.sp.lateral())
		}
		p.w("(")
		p.nl(depth + 1)
		p.query(f.Q, depth+1)
		p.nl(depth)
		p.w(") AS ", p.sp.ident(f.Alias))
	case *Join:
		p.from(f.L, depth)
		p.nl(depth)
		p.w(p.sp.join(f.Kind), " ")
		p.from(f.R, depth)
		p.w(" ON ")
		p.expr(f.On)
	case *Values:
		p.sp.values(p, f, depth)
	case *TableFunc:
		p.sp.tableFunc(p, f)
	}
}

// idents writes quoted names separated by commas.
func (p *printer) idents(names []string) {
	for i, n := range names {
		if i > 0 {
			p.w(", ")
		}
		p.w(p.sp.ident(n))
	}
}

func (p *printer) list(xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			p.w(", ")
		}
		p.expr(x)
	}
}

func (p *printer) expr(e Expr) {
	switch e := e.(type) {
	case *Ident:
		if e.Table != "" {
			p.w(p.sp.ident(e.Table), ".")
		}
		p.w(p.sp.ident(e.Name))
	case *Lit:
		p.lit(e)
	case *Func:
		p.sp.call(p, e)
	case *Binary:
		p.binary(e)
	case *Unary:
		p.w("(", e.Op)
		if e.Op == "NOT" {
			p.w(" ")
		}
		p.expr(e.X)
		p.w(")")
	case *IsNull:
		p.w("(")
		p.expr(e.X)
		if e.Not {
			p.w(" IS NOT NULL)")
		} else {
			p.w(" IS NULL)")
		}
	case *In:
		p.in(e)
	case *ScalarSub:
		p.w("(")
		p.nl(p.depth + 2)
		p.query(e.Q, p.depth+2)
		p.nl(p.depth + 1)
		p.w(")")
	case *Case:
		p.caseExpr(e)
	case *Cast:
		p.sp.cast(p, e)
	case *Field:
		p.sp.field(p, e)
	case *StructPack:
		p.sp.structPack(p, e)
	case *Window:
		p.window(e)
	case *Lambda:
		p.sp.lambda(p, e)
	case *Star:
		if e.Table != "" {
			p.w(p.sp.ident(e.Table), ".")
		}
		p.w("*")
	default:
		if !p.sp.other(p, e) {
			panic(fmt.Sprintf("sqlgen: cannot print %T", e))
		}
	}
}

func (p *printer) lit(l *Lit) {
	switch v := l.V.(type) {
	case nil:
		p.w(p.sp.null(l.T))
	case string:
		p.w(p.sp.str(v, l.T))
	case int64:
		p.w(p.sp.integer(v, l.T))
	case float64:
		p.w(p.sp.float(v))
	case bool:
		p.w(p.sp.boolean(v))
	case time.Time:
		p.w(p.sp.datetime(v))
	case time.Duration:
		p.w(p.sp.timespan(v))
	default:
		panic(fmt.Sprintf("sqlgen: cannot print literal %T", v))
	}
}

func (p *printer) binary(e *Binary) {
	if f, ok := p.sp.binop(e.Op); ok {
		p.sp.call(p, Call(f, e.L, e.R))
		return
	}
	p.w("(")
	p.expr(e.L)
	p.w(" ", e.Op, " ")
	p.expr(e.R)
	p.w(")")
}

func (p *printer) in(e *In) {
	p.w("(")
	p.expr(e.X)
	if e.Not {
		p.w(" NOT")
	}
	p.w(" IN (")
	if e.Sub != nil {
		p.nl(p.depth + 2)
		p.query(e.Sub, p.depth+2)
		p.nl(p.depth + 1)
	} else {
		p.list(e.List)
	}
	p.w("))")
}

func (p *printer) caseExpr(e *Case) {
	p.w("CASE")
	for _, wh := range e.Whens {
		p.w(" WHEN ")
		p.expr(wh.Cond)
		p.w(" THEN ")
		p.expr(wh.Then)
	}
	if e.Else != nil {
		p.w(" ELSE ")
		p.expr(e.Else)
	}
	p.w(" END")
}

func (p *printer) window(e *Window) {
	p.sp.call(p, e.Fn)
	p.w(" OVER (")
	if len(e.PartitionBy) > 0 {
		p.w("PARTITION BY ")
		p.list(e.PartitionBy)
	}
	if len(e.OrderBy) > 0 {
		if len(e.PartitionBy) > 0 {
			p.w(" ")
		}
		p.w("ORDER BY ")
		p.orders(e.OrderBy)
	}
	if e.Frame != "" {
		p.w(" ", e.Frame)
	}
	p.w(")")
}
