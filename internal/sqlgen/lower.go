package sqlgen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// FuncSQL lowers one Kusto operator or function call: a holds the lowered
// arguments, in the checked plan arguments (for their types and constant
// values) and out is the call's result type.
type FuncSQL func(a []Expr, in []plan.Expr, out schema.Type) Expr

// Dialect is one SQL engine: its function table and its printer.
type Dialect struct {
	Name string
	// Title names the engine in messages; Name when empty.
	Title   string
	Funcs   map[string]FuncSQL
	Printer Printer
	// Check, when set, refuses a plan node the dialect cannot lower yet with an
	// [UnsupportedError].
	Check func(n plan.Node) error
	// windows lowers the window functions; windowFuncs when nil.
	windows map[string]windowSQL
	// nodes, when set, lowers the plan nodes the dialect lowers its own way; it returns
	// nil for the nodes the shared lowering handles.
	nodes func(l *lowerer, n plan.Node) Query
}

// Generate lowers the plan n to SQL text in dialect d. The outermost SELECT
// lists n's columns in order.
func Generate(n plan.Node, d *Dialect) (sql string, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*UnsupportedError); ok {
				err = e
				return
			}
			err = fmt.Errorf("sqlgen: %v", r)
		}
	}()
	q := Lower(n, d)
	if d == DuckDB {
		q = simplify(distinctCase(q))
	}
	return d.Printer.Print(q), nil
}

// Lower lowers the plan n to a SQL tree; it panics on a plan the checker
// could not have produced (an unknown function, a scan without tenant).
func Lower(n plan.Node, d *Dialect) Query {
	l := &lowerer{d: d}
	q := l.node(n)
	items := make([]SelectItem, 0, len(n.Columns()))
	for _, c := range n.Columns() {
		items = append(items, SelectItem{X: &Ident{Name: c.Name}})
	}
	return &Select{Items: items, From: l.sub(q), Limit: -1}
}

type lowerer struct {
	d     *Dialect
	alias int
	outer []string // aliases of the enclosing mv-apply rows, innermost last
}

func (l *lowerer) sub(q Query) *Subquery {
	l.alias++
	return &Subquery{Q: q, Alias: "t" + strconv.Itoa(l.alias)}
}

func (l *lowerer) over(in plan.Node) *Select {
	return &Select{Items: []SelectItem{{X: &Star{}}}, From: l.sub(l.node(in)), Limit: -1}
}

func (l *lowerer) node(n plan.Node) Query {
	if l.d.Check != nil {
		if err := l.d.Check(n); err != nil {
			panic(err)
		}
	}
	if l.d.nodes != nil {
		if q := l.d.nodes(l, n); q != nil {
			return q
		}
	}
	switch n := n.(type) {
	case *plan.Scan:
		return l.scan(n)
	case *plan.Filter:
		s := l.over(n.In)
		if order, ok := windowOrder(n.Pred); ok {
			s.Qualify, s.OrderBy = l.expr(n.Pred), l.keepOrder(order)
			return s
		}
		s.Where = l.expr(n.Pred)
		return s
	case *plan.Project:
		s := l.over(n.In)
		s.Items = l.items(n.Items)
		xs := make([]plan.Expr, len(n.Items))
		for i, it := range n.Items {
			xs[i] = it.Expr
		}
		if order, ok := windowOrder(xs...); ok {
			s.OrderBy = l.keepOrder(order)
		}
		return s
	case *plan.Serialize:
		return l.node(n.In)
	case *plan.Aggregate:
		return l.aggregate(n)
	case *plan.Sort:
		s := l.over(n.In)
		s.OrderBy = l.orders(n.Keys)
		return s
	case *plan.Limit:
		if srt, ok := n.In.(*plan.Sort); ok {
			s := l.over(srt.In)
			s.OrderBy = l.orders(srt.Keys)
			s.Limit = n.N
			return s
		}
		s := l.over(n.In)
		s.Limit = n.N
		return s
	case *plan.Distinct:
		s := l.over(n.In)
		s.Distinct = true
		return s
	case *plan.Union:
		return l.union(n)
	case *plan.Join:
		return l.join(n)
	case *plan.MvExpand:
		return l.mvexpand(n)
	case *plan.MakeSeries:
		return l.makeSeries(n)
	case *plan.TopNested:
		return l.topNested(n)
	case *plan.MvApply:
		return l.mvApply(n)
	case *plan.OuterRow:
		return l.outerRow(n)
	case *plan.Values:
		return l.values(n)
	case *plan.Range:
		s := &Select{Items: []SelectItem{{X: &Ident{Name: n.Col.Name}}}, Limit: -1}
		s.From = &TableFunc{Fn: Call("generate_series", l.expr(n.From), l.expr(n.To), l.expr(n.Step)), Alias: "r", Cols: []string{n.Col.Name}}
		return s
	}
	panic(fmt.Sprintf("cannot lower plan node %T", n))
}

func (l *lowerer) items(its []plan.Item) []SelectItem {
	out := make([]SelectItem, len(its))
	for i, it := range its {
		out[i] = SelectItem{X: l.expr(it.Expr), Alias: it.Name}
	}
	return out
}

func (l *lowerer) orders(keys []plan.SortKey) []Order {
	out := make([]Order, len(keys))
	for i, k := range keys {
		out[i] = Order{X: l.expr(k.Expr), Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	return out
}

// scan reads a table with the tenant predicate (always) and the time range.
// Kusto strings are never null, so string columns read null as ”. Timestamp is
// read as stored: ingest fills Timestamp and TimeGenerated from each other, and
// wrapping it (COALESCE with TimeGenerated) kept DuckDB from pushing time
// predicates into the scan (BenchmarkQueryKQLvsSQL: 5x slower).
func (l *lowerer) scan(n *plan.Scan) Query {
	if n.Tenant == "" && len(n.Tenants) == 0 {
		panic("scan of " + n.Table + " without a tenant")
	}
	s := &Select{From: &Table{Name: n.Table}, Limit: -1}
	for _, c := range n.Cols {
		var x Expr = &Ident{Name: c.Name}
		if c.Type == schema.TypeString {
			x = Call("COALESCE", x, Str(""))
		}
		s.Items = append(s.Items, SelectItem{X: x, Alias: c.Name})
	}
	for _, c := range n.Hidden {
		s.Items = append(s.Items, SelectItem{X: &Ident{Name: c.Name}, Alias: c.Name})
	}
	where := tenantPredicate(n)
	tg := &Ident{Name: schema.ColTimeGenerated}
	if !n.From.IsZero() {
		where = Bin("AND", where, Bin(">=", tg, &Lit{V: n.From, T: schema.TypeDatetime}))
	}
	if !n.To.IsZero() {
		where = Bin("AND", where, Bin("<", tg, &Lit{V: n.To, T: schema.TypeDatetime}))
	}
	if n.IngestThrough > 0 {
		id := &Ident{Name: schema.ColIngestID}
		lo, hi := int64(n.IngestAfter+1)<<schema.IngestIDRowBits, int64(n.IngestThrough+1)<<schema.IngestIDRowBits
		where = Bin("AND", where, Bin("AND", Bin(">=", id, Int(lo)), Bin("<", id, Int(hi))))
	}
	s.Where = where
	return s
}

func (l *lowerer) expr(e plan.Expr) Expr {
	switch e := e.(type) {
	case *plan.Col:
		return &Ident{Name: e.Name}
	case *plan.Const:
		return &Lit{V: e.V, T: e.T}
	case *plan.Call:
		f, ok := l.d.Funcs[e.Fn]
		if !ok {
			panic(l.d.unsupported("function " + e.Fn))
		}
		args := make([]Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = l.expr(a)
		}
		return f(args, e.Args, e.T)
	case *plan.Window:
		return l.window(e)
	case *plan.InQuery:
		return l.inQuery(e)
	case *plan.ScalarQuery:
		return l.scalarQuery(e)
	}
	panic(fmt.Sprintf("cannot lower expression %T", e))
}

func (l *lowerer) aggregate(n *plan.Aggregate) Query {
	inner := l.over(n.In)
	inner.Items = l.items(n.Keys)
	for _, k := range inner.Items {
		inner.GroupBy = append(inner.GroupBy, k.X)
	}
	outer := &Select{Limit: -1}
	for _, k := range n.Keys {
		outer.Items = append(outer.Items, SelectItem{X: &Ident{Name: k.Name}})
	}
	needOuter := false
	for i, a := range n.Aggs {
		if len(a.Outs) > 0 || a.Fn == "arg_max" || a.Fn == "arg_min" {
			needOuter = true
			tmp := "__arg" + strconv.Itoa(i)
			names := []string{a.Name}
			vals := []Expr{l.expr(a.Args[0])}
			for _, o := range a.Outs {
				names = append(names, o.Name)
				vals = append(vals, l.expr(o.Expr))
			}
			fn := "arg_max"
			if a.Fn == "arg_min" {
				fn = "arg_min"
			}
			inner.Items = append(inner.Items, SelectItem{X: Call(fn, &StructPack{Names: names, Vals: vals}, vals[0]), Alias: tmp})
			for j, nm := range names {
				outer.Items = append(outer.Items, SelectItem{X: &Field{X: &Ident{Name: tmp}, Name: nm, Index: j + 1}, Alias: nm})
			}
			continue
		}
		f, ok := l.d.Funcs["agg:"+a.Fn]
		if !ok {
			panic(l.d.unsupported("aggregate " + a.Fn))
		}
		args := make([]Expr, len(a.Args))
		for j, x := range a.Args {
			args[j] = l.expr(x)
		}
		inner.Items = append(inner.Items, SelectItem{X: f(args, a.Args, a.T), Alias: a.Name})
		outer.Items = append(outer.Items, SelectItem{X: &Ident{Name: a.Name}})
	}
	if !needOuter {
		return inner
	}
	outer.From = l.sub(inner)
	return outer
}

func (l *lowerer) union(n *plan.Union) Query {
	set := &SetOp{}
	for i, in := range n.Inputs {
		have := map[string]bool{}
		for _, c := range in.Columns() {
			have[c.Name] = true
		}
		s := &Select{From: l.sub(l.node(in)), Limit: -1}
		for _, c := range n.Out {
			var x Expr
			switch {
			case c.Name == n.Source && n.Source != "":
				x = Str(n.Names[i])
			case have[c.Name]:
				x = &Ident{Name: c.Name}
			case c.Type == schema.TypeString:
				x = Str("")
			default:
				x = &Lit{T: c.Type}
			}
			s.Items = append(s.Items, SelectItem{X: x, Alias: c.Name})
		}
		set.Parts = append(set.Parts, s)
	}
	return set
}

func (l *lowerer) join(n *plan.Join) Query {
	left, right := n.Left, n.Right
	lk, rk := n.LeftKeys, n.RightKeys
	swap := n.Kind == plan.RightSemi || n.Kind == plan.RightAnti
	if swap {
		left, right, lk, rk = right, left, rk, lk
	}
	lq := l.node(left)
	if n.Kind == plan.InnerUnique {
		dedup := &Select{Items: []SelectItem{{X: &Star{}}}, From: l.sub(lq), Limit: -1}
		parts := make([]Expr, len(lk))
		for i, k := range lk {
			parts[i] = &Ident{Name: k}
		}
		dedup.Qualify = Bin("=", &Window{Fn: Call("row_number"), PartitionBy: parts}, Int(1))
		lq = dedup
	}
	ls, rs := l.sub(lq), l.sub(l.node(right))
	var on Expr
	for i := range lk {
		eq := Bin("=", &Ident{Table: ls.Alias, Name: lk[i]}, &Ident{Table: rs.Alias, Name: rk[i]})
		if on == nil {
			on = eq
		} else {
			on = Bin("AND", on, eq)
		}
	}
	kind := map[plan.JoinKind]JoinKind{
		plan.InnerUnique: JoinInner, plan.Inner: JoinInner, plan.LeftOuter: JoinLeft,
		plan.RightOuter: JoinRight, plan.FullOuter: JoinFull, plan.LeftSemi: JoinSemi,
		plan.RightSemi: JoinSemi, plan.LeftAnti: JoinAnti, plan.RightAnti: JoinAnti,
	}[n.Kind]
	s := &Select{From: &Join{Kind: kind, L: ls, R: rs, On: on}, Limit: -1}
	for _, c := range left.Columns() {
		s.Items = append(s.Items, SelectItem{X: &Ident{Table: ls.Alias, Name: c.Name}, Alias: c.Name})
	}
	if kind != JoinSemi && kind != JoinAnti {
		for i, c := range right.Columns() {
			var x Expr = &Ident{Table: rs.Alias, Name: c.Name}
			if c.Type == schema.TypeString && (kind == JoinLeft || kind == JoinFull) {
				x = Call("COALESCE", x, Str(""))
			}
			s.Items = append(s.Items, SelectItem{X: x, Alias: n.RightNames[i]})
		}
		if kind == JoinRight || kind == JoinFull {
			for i, c := range left.Columns() {
				if c.Type == schema.TypeString {
					s.Items[i].X = Call("COALESCE", s.Items[i].X, Str(""))
				}
			}
		}
	}
	return s
}

func (l *lowerer) values(n *plan.Values) Query {
	if len(n.Rows) == 1 {
		s := &Select{Limit: -1}
		for i, c := range n.Cols {
			s.Items = append(s.Items, SelectItem{X: &Cast{X: l.expr(n.Rows[0][i]), T: c.Type}, Alias: c.Name})
		}
		return s
	}
	names := make([]string, len(n.Cols))
	for i, c := range n.Cols {
		names[i] = c.Name
	}
	if len(n.Rows) == 0 {
		s := &Select{Limit: -1, Where: &Lit{V: false, T: schema.TypeBool}}
		for _, c := range n.Cols {
			s.Items = append(s.Items, SelectItem{X: &Lit{T: c.Type}, Alias: c.Name})
		}
		return s
	}
	v := &Values{Alias: "v", Cols: names}
	for _, r := range n.Rows {
		row := make([]Expr, len(r))
		for i, x := range r {
			row[i] = &Cast{X: l.expr(x), T: n.Cols[i].Type}
		}
		v.Rows = append(v.Rows, row)
	}
	return &Select{Items: []SelectItem{{X: &Star{}}}, From: v, Limit: -1}
}

// inQuery lowers x in (subquery) to SQL IN over the subquery's non-null
// values (so that !in is not null when the subquery holds a null).
func (l *lowerer) inQuery(e *plan.InQuery) Expr {
	col := e.Q.Columns()[0].Name
	var v Expr = &Ident{Name: col}
	x := l.expr(e.X)
	ci := strings.HasSuffix(e.Fn, "~")
	if ci {
		v, x = lower(v), lower(x)
	}
	sub := &Select{Items: []SelectItem{{X: v}}, From: l.sub(l.node(e.Q)), Where: &IsNull{X: &Ident{Name: col}, Not: true}, Limit: -1}
	return &In{X: x, Sub: sub, Not: strings.HasPrefix(e.Fn, "!")}
}

// scalarQuery lowers toscalar(Q) to the scalar subquery
// (SELECT first column FROM Q LIMIT 1), which is null when Q has no rows. A
// string is never null in Kusto, so an empty Q gives the empty string for a
// string column.
func (l *lowerer) scalarQuery(e *plan.ScalarQuery) Expr {
	col := e.Q.Columns()[0].Name
	sub := &Select{Items: []SelectItem{{X: &Ident{Name: col}}}, From: l.sub(l.node(e.Q)), Limit: 1}
	var x Expr = &ScalarSub{Q: sub}
	if e.T == schema.TypeString {
		x = Call("COALESCE", x, Str(""))
	}
	return x
}

// tenantPredicate restricts a scan to its tenant, or to its tenants with IN
// when it has several. It is ANDed with everything else on the scan, so no
// predicate the query writes can widen it.
func tenantPredicate(n *plan.Scan) Expr {
	col := &Ident{Name: schema.ColTenantID}
	if len(n.Tenants) == 0 {
		return Bin("=", col, Str(n.Tenant))
	}
	if len(n.Tenants) == 1 {
		return Bin("=", col, Str(n.Tenants[0]))
	}
	list := make([]Expr, len(n.Tenants))
	for i, t := range n.Tenants {
		list[i] = Str(t)
	}
	return &In{X: col, List: list}
}
