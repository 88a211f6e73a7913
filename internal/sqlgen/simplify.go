package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// simplify shrinks a lowered DuckDB tree without changing its rows: it folds the stacked
// SELECT * ... WHERE layers that each KQL operator adds into the SELECT below, and drops from
// every SELECT the plain columns no SELECT above it reads. The lowering projects every column
// of a table (most through COALESCE) at the scan and wraps each operator in a subquery, so a
// two-line hunting query became 4–9 KB of SQL whose parse and plan cost more than running it
// on a small table (BENCHMARKS.md). DuckDB's optimizer removes the same columns and pushes the
// same filters, so the plans barely change; the text and the planner's work do. A filter
// folded into a scan also compares a string column itself instead of its COALESCE where that
// keeps the same rows (bareFilter), which DuckDB runs as a filter inside the scan.
//
// Both steps are conservative: a layer is folded and a column dropped only when the result is
// the same SQL query written more directly, as checked by the goldens, whose rows run on
// DuckDB in every test run.
func simplify(q Query) Query {
	s := &simplifier{quals: map[string]bool{}}
	walkQuery(q, func(e Expr) {
		switch e := e.(type) {
		case *Ident:
			s.quals[e.Table] = true
		case *Star:
			s.quals[e.Table] = true
		}
	})
	q = s.query(q)
	p := &pruner{seen: map[*Select]int{}}
	p.count(q)
	p.query(q, nil)
	unanchorRegexes(q)
	return q
}

// simplifier folds SELECT layers. quals holds every table alias some column reference names:
// a subquery whose alias is read that way is never folded away.
type simplifier struct {
	quals map[string]bool
}

func (s *simplifier) query(q Query) Query {
	switch q := q.(type) {
	case *Select:
		return s.sel(q)
	case *SetOp:
		for i, p := range q.Parts {
			q.Parts[i] = s.query(p)
		}
	}
	return q
}

func (s *simplifier) from(f From) {
	switch f := f.(type) {
	case *Subquery:
		f.Q = s.query(f.Q)
	case *Join:
		s.from(f.L)
		s.from(f.R)
	}
}

// sel simplifies the subqueries below q, then folds q's own layers for as long as a rule
// applies.
func (s *simplifier) sel(q *Select) Query {
	s.from(q.From)
	walkSelectExprs(q, func(e Expr) {
		if sq := subqueryOf(e); sq != nil {
			*sq = s.query(*sq)
		}
	})
	for {
		sub, ok := q.From.(*Subquery)
		if !ok || sub.Lateral || s.quals[sub.Alias] {
			return q
		}
		inner, ok := sub.Q.(*Select)
		if !ok {
			return q
		}
		switch {
		case isPassThrough(inner):
			// SELECT … FROM (SELECT * FROM x WHERE a) WHERE b is SELECT … FROM x WHERE a AND b:
			// the inner layer only filters, and every clause of the outer one applies after
			// its WHERE.
			q.From = inner.From
			q.Where = and(inner.Where, q.Where)
		case isFilterOnly(q):
			merged, ok := pushFilter(inner, q.Where)
			if !ok {
				return q
			}
			q = merged
		default:
			merged, ok := composeProject(q, inner)
			if !ok {
				return q
			}
			q = merged
		}
	}
}

// isPassThrough is SELECT * FROM x [WHERE a] with nothing else, over a FROM item whose
// columns outer references resolve alike without the layer's alias.
func isPassThrough(q *Select) bool {
	if len(q.Items) != 1 || q.Distinct || len(q.GroupBy) > 0 || q.Qualify != nil || len(q.OrderBy) > 0 || q.Limit >= 0 {
		return false
	}
	if st, ok := q.Items[0].X.(*Star); !ok || st.Table != "" {
		return false
	}
	switch f := q.From.(type) {
	case *Table, *Values, *TableFunc:
		return true
	case *Subquery:
		return !f.Lateral
	}
	return false
}

// isFilterOnly is SELECT * FROM (…) WHERE b with nothing else.
func isFilterOnly(q *Select) bool {
	return isPassThrough(q) && q.Where != nil
}

// pushFilter moves the filter where, written over inner's output columns, into inner's own
// WHERE by replacing each column with the plain expression inner computes it from. It fails
// when inner does more than project plain columns (a window, an aggregate or a set-returning
// function would see fewer rows) or when where reads a name inner does not output. The result
// is a copy: inner may be shared by other parts of the tree.
func pushFilter(inner *Select, where Expr) (*Select, bool) {
	byName, ok := plainColumns(inner)
	if !ok {
		return nil, false
	}
	pushed, ok := substitute(where, byName)
	if !ok {
		return nil, false
	}
	cp := *inner
	cp.Where = and(inner.Where, bareFilter(pushed))
	return &cp, true
}

// composeProject writes outer, a projection (with WHERE and LIMIT at most) over inner, a
// projection of plain columns, as one SELECT: outer's items and filter with inner's columns
// replaced by the expressions inner computes them from, over inner's FROM and WHERE. Every
// clause of outer applies after inner's WHERE either way; outer's GROUP BY, ORDER BY and
// QUALIFY may name its own output columns as well as inner's, so a SELECT with them stays.
func composeProject(outer, inner *Select) (*Select, bool) {
	if len(outer.GroupBy) > 0 || outer.Qualify != nil || len(outer.OrderBy) > 0 {
		return nil, false
	}
	byName, ok := plainColumns(inner)
	if !ok {
		return nil, false
	}
	items := make([]SelectItem, len(outer.Items))
	for i, it := range outer.Items {
		name := outputName(it)
		if name == "" {
			return nil, false
		}
		x, ok := substitute(it.X, byName)
		if !ok {
			return nil, false
		}
		items[i] = SelectItem{X: x, Alias: name}
	}
	where, ok := substitute(outer.Where, byName)
	if !ok {
		return nil, false
	}
	cp := *inner
	cp.Items, cp.Distinct, cp.Limit = items, outer.Distinct, outer.Limit
	cp.Where = and(inner.Where, bareFilter(where))
	return &cp, true
}

// plainColumns maps each output column of inner to its expression, when inner only projects
// plain columns and filters: no DISTINCT, grouping, window, ordering or limit.
func plainColumns(inner *Select) (map[string]Expr, bool) {
	if inner.Distinct || len(inner.GroupBy) > 0 || inner.Qualify != nil || len(inner.OrderBy) > 0 || inner.Limit >= 0 {
		return nil, false
	}
	byName := map[string]Expr{}
	for _, it := range inner.Items {
		if !isPlainColumn(it.X) {
			return nil, false
		}
		name := outputName(it)
		if name == "" {
			return nil, false
		}
		if _, dup := byName[name]; dup {
			return nil, false
		}
		byName[name] = it.X
	}
	return byName, true
}

// isPlainColumn is a column read as is or through a cast or COALESCE with a constant: an
// expression that is neither an aggregate, a window nor a set-returning function, and cheap
// enough to compute twice.
func isPlainColumn(e Expr) bool {
	switch e := e.(type) {
	case *Ident, *Lit:
		return true
	case *Cast:
		return isPlainColumn(e.X)
	case *Func:
		if !strings.EqualFold(e.Name, "COALESCE") || e.Distinct || e.Filter != nil || len(e.OrderBy) > 0 {
			return false
		}
		for _, a := range e.Args {
			if !isPlainColumn(a) {
				return false
			}
		}
		return true
	}
	return false
}

// outputName is the name a SELECT item is read by from above; "" when DuckDB names it.
func outputName(it SelectItem) string {
	if it.Alias != "" {
		return it.Alias
	}
	if id, ok := it.X.(*Ident); ok {
		return id.Name
	}
	return ""
}

// substitute copies e with every unqualified column replaced by its expression in byName. It
// fails on a qualified column, a subquery or a lambda (whose parameters look like columns).
func substitute(e Expr, byName map[string]Expr) (Expr, bool) {
	ok := true
	var sub func(Expr) Expr
	sub = func(e Expr) Expr {
		if e == nil || !ok {
			return e
		}
		switch e := e.(type) {
		case *Ident:
			x, found := byName[e.Name]
			if e.Table != "" || !found {
				ok = false
				return e
			}
			return x
		case *Lit, *Star:
			return e
		case *Func:
			c := *e
			c.Args = subAll(e.Args, sub)
			c.OrderBy = subOrders(e.OrderBy, sub)
			c.Filter = sub(e.Filter)
			return &c
		case *Binary:
			return &Binary{Op: e.Op, L: sub(e.L), R: sub(e.R)}
		case *Unary:
			return &Unary{Op: e.Op, X: sub(e.X)}
		case *IsNull:
			return &IsNull{X: sub(e.X), Not: e.Not}
		case *In:
			if e.Sub != nil && !selfContained(e.Sub) {
				ok = false
				return e
			}
			return &In{X: sub(e.X), List: subAll(e.List, sub), Sub: e.Sub, Not: e.Not}
		case *ScalarSub:
			// The subquery reads nothing of the rows around it unless it names them by a
			// qualified name, so it moves as it is.
			if !selfContained(e.Q) {
				ok = false
			}
			return e
		case *Case:
			c := &Case{Else: sub(e.Else)}
			for _, w := range e.Whens {
				c.Whens = append(c.Whens, When{Cond: sub(w.Cond), Then: sub(w.Then)})
			}
			return c
		case *Cast:
			return &Cast{X: sub(e.X), T: e.T, Try: e.Try}
		case *Field:
			return &Field{X: sub(e.X), Name: e.Name, Index: e.Index}
		case *StructPack:
			return &StructPack{Names: e.Names, Vals: subAll(e.Vals, sub)}
		}
		// Windows, lambdas and anything new: not moved.
		ok = false
		return e
	}
	out := sub(e)
	return out, ok
}

// selfContained is a subquery without qualified column references, which are the only way
// the lowering correlates a subquery with the query around it: moving it keeps its meaning.
func selfContained(q Query) bool {
	ok := true
	walkQuery(q, func(e Expr) {
		if id, isID := e.(*Ident); isID && id.Table != "" {
			ok = false
		}
	})
	return ok
}

func subAll(es []Expr, f func(Expr) Expr) []Expr {
	if es == nil {
		return nil
	}
	out := make([]Expr, len(es))
	for i, e := range es {
		out[i] = f(e)
	}
	return out
}

func subOrders(os []Order, f func(Expr) Expr) []Order {
	if os == nil {
		return nil
	}
	out := make([]Order, len(os))
	for i, o := range os {
		out[i] = Order{X: f(o.X), Desc: o.Desc, NullsFirst: o.NullsFirst}
	}
	return out
}

// bareFilter rewrites the conjuncts of a WHERE that compare a COALESCE'd string column with
// non-empty constants to compare the column itself: COALESCE(c, <empty>) = 'x' keeps the same
// rows as c = 'x' when 'x' is not empty (a null c fails both), and likewise IN ('x', 'y'). DuckDB
// evaluates the latter in the scan as a constant filter, on the compressed column and with
// its row groups' min/max, instead of as an expression on every row. Only the top-level
// conjuncts qualify: under NOT or OR, null and false differ.
func bareFilter(e Expr) Expr {
	b, ok := e.(*Binary)
	if !ok {
		return bareIn(e)
	}
	switch b.Op {
	case "AND":
		return Bin("AND", bareFilter(b.L), bareFilter(b.R))
	case "=":
		if c, ok := coalescedColumn(b.L); ok && nonEmptyString(b.R) {
			return Bin("=", c, b.R)
		}
		if c, ok := coalescedColumn(b.R); ok && nonEmptyString(b.L) {
			return Bin("=", b.L, c)
		}
	}
	return e
}

// bareIn is bareFilter's rewrite of c IN (constants).
func bareIn(e Expr) Expr {
	in, ok := e.(*In)
	if !ok || in.Not || in.Sub != nil || len(in.List) == 0 {
		return e
	}
	c, ok := coalescedColumn(in.X)
	if !ok {
		return e
	}
	for _, x := range in.List {
		if !nonEmptyString(x) {
			return e
		}
	}
	return &In{X: c, List: in.List}
}

// coalescedColumn is e with COALESCE(c, <empty>) replaced by c, c a column, when e is that call
// or lower or upper of it: functions that keep null null and the empty string empty.
func coalescedColumn(e Expr) (Expr, bool) {
	f, ok := e.(*Func)
	if !ok || f.Distinct || f.Filter != nil || len(f.OrderBy) > 0 {
		return nil, false
	}
	switch {
	case (f.Name == "lower" || f.Name == "upper") && len(f.Args) == 1:
		x, ok := coalescedColumn(f.Args[0])
		if !ok {
			return nil, false
		}
		return Call(f.Name, x), true
	case !strings.EqualFold(f.Name, "COALESCE") || len(f.Args) != 2:
		return nil, false
	}
	c, ok := f.Args[0].(*Ident)
	if !ok {
		return nil, false
	}
	if lit, ok := f.Args[1].(*Lit); !ok || lit.V != "" {
		return nil, false
	}
	return c, true
}

// nonEmptyString is a string constant other than the empty string, or lower or upper of one
// (which is not empty either).
func nonEmptyString(e Expr) bool {
	if f, ok := e.(*Func); ok && (f.Name == "lower" || f.Name == "upper") && len(f.Args) == 1 && !f.Distinct && f.Filter == nil {
		return nonEmptyString(f.Args[0])
	}
	lit, ok := e.(*Lit)
	if !ok {
		return false
	}
	s, ok := lit.V.(string)
	return ok && s != "" && lit.T == schema.TypeString
}

// and is a AND b, either of which may be nil.
func and(a, b Expr) Expr {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return Bin("AND", a, b)
}

// pruner drops the plain columns no SELECT above reads. seen counts the references to each
// SELECT: one reached from two places (a let used twice) keeps all its columns, so that
// pruning it for one reader cannot take a column from the other.
type pruner struct {
	seen map[*Select]int
}

func (p *pruner) count(q Query) {
	switch q := q.(type) {
	case *Select:
		p.seen[q]++
		if p.seen[q] > 1 {
			return
		}
		p.countFrom(q.From)
		walkSelectExprs(q, func(e Expr) {
			if sq := subqueryOf(e); sq != nil {
				p.count(*sq)
			}
		})
	case *SetOp:
		for _, part := range q.Parts {
			p.count(part)
		}
	}
}

func (p *pruner) countFrom(f From) {
	switch f := f.(type) {
	case *Subquery:
		p.count(f.Q)
	case *Join:
		p.countFrom(f.L)
		p.countFrom(f.R)
	}
}

// query prunes q, of whose output columns only need are read (all when need is nil).
func (p *pruner) query(q Query, need map[string]bool) {
	switch q := q.(type) {
	case *Select:
		p.sel(q, need)
	case *SetOp:
		// UNION ALL matches its parts' columns by position: every part keeps all of them.
		for _, part := range q.Parts {
			p.query(part, nil)
		}
	}
}

func (p *pruner) sel(q *Select, need map[string]bool) {
	if p.seen[q] > 1 || q.Distinct || len(q.GroupBy) > 0 {
		need = nil
	}
	star := false
	for _, it := range q.Items {
		if _, ok := it.X.(*Star); ok {
			star = true
		}
	}
	if need != nil && !star {
		q.Items = keepItems(q, need)
	}
	// What this SELECT reads from its FROM: the columns of its own clauses, and through a *
	// whatever its readers need.
	var below map[string]bool
	if !star || need != nil {
		below = map[string]bool{}
		for n := range need {
			below[n] = true
		}
		addName := func(e Expr) {
			if id, ok := e.(*Ident); ok {
				below[id.Name] = true
			}
		}
		walkSelectExprs(q, func(e Expr) {
			addName(e)
			// A correlated subquery may read this SELECT's FROM columns too, by a qualified
			// name (mv-apply's rows); the lowering writes no other correlation.
			if sq := subqueryOf(e); sq != nil {
				walkQuery(*sq, func(e Expr) {
					if id, ok := e.(*Ident); ok && id.Table != "" {
						below[id.Name] = true
					}
				})
			}
		})
	}
	p.from(q.From, below)
	walkSelectExprs(q, func(e Expr) {
		if sq := subqueryOf(e); sq != nil {
			p.query(*sq, nil)
		}
	})
}

// keepItems is q's items without the plain columns that neither need nor another clause or
// item of q reads; at least one item stays, as SQL requires.
func keepItems(q *Select, need map[string]bool) []SelectItem {
	read := map[string]bool{}
	for _, x := range []Expr{q.Qualify} {
		walkExpr(x, func(e Expr) {
			if id, ok := e.(*Ident); ok {
				read[id.Name] = true
			}
		})
	}
	for _, o := range q.OrderBy {
		walkExpr(o.X, func(e Expr) {
			if id, ok := e.(*Ident); ok {
				read[id.Name] = true
			}
		})
	}
	// An item may read another's alias in DuckDB: such names stay.
	for _, it := range q.Items {
		name := outputName(it)
		walkExpr(it.X, func(e Expr) {
			if id, ok := e.(*Ident); ok && id.Name != name {
				read[id.Name] = true
			}
		})
	}
	var out []SelectItem
	for _, it := range q.Items {
		name := outputName(it)
		if name == "" || need[name] || read[name] || !isPlainColumn(it.X) {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		out = q.Items[:1]
	}
	return out
}

// from prunes the subqueries of f to need (nil: all). Both sides of a join get need, as a
// column reference does not always say which side it reads; a LATERAL subquery keeps all its
// columns and adds the columns it reads from the sides before it.
func (p *pruner) from(f From, need map[string]bool) {
	switch f := f.(type) {
	case *Subquery:
		if f.Lateral {
			p.query(f.Q, nil)
			return
		}
		p.query(f.Q, need)
	case *Join:
		if need != nil {
			walkFrom(f, func(e Expr) {
				if id, ok := e.(*Ident); ok {
					need[id.Name] = true
				}
			}, true)
		}
		p.from(f.L, need)
		p.from(f.R, need)
	}
}

// walkQuery calls f on every expression of q, its FROM items and its subqueries.
func walkQuery(q Query, f func(Expr)) {
	switch q := q.(type) {
	case *Select:
		walkSelectExprs(q, func(e Expr) {
			f(e)
			if sq := subqueryOf(e); sq != nil {
				walkQuery(*sq, f)
			}
		})
		walkFrom(q.From, f, false)
	case *SetOp:
		for _, p := range q.Parts {
			walkQuery(p, f)
		}
	}
}

// walkFrom calls f on the expressions of the FROM item fr: join conditions, VALUES rows,
// table function arguments, and every expression of its subqueries (with lateralOnly, of its
// LATERAL subqueries only).
func walkFrom(fr From, f func(Expr), lateralOnly bool) {
	switch fr := fr.(type) {
	case *Subquery:
		if !lateralOnly || fr.Lateral {
			walkQuery(fr.Q, f)
		}
	case *Join:
		walkFrom(fr.L, f, lateralOnly)
		walkFrom(fr.R, f, lateralOnly)
		walkExpr(fr.On, f)
	case *Values:
		for _, r := range fr.Rows {
			for _, e := range r {
				walkExpr(e, f)
			}
		}
	case *TableFunc:
		walkExpr(fr.Fn, f)
	}
}

// walkSelectExprs calls f on every expression node of q's own clauses (not its FROM).
func walkSelectExprs(q *Select, f func(Expr)) {
	for _, it := range q.Items {
		walkExpr(it.X, f)
	}
	walkExpr(q.Where, f)
	for _, g := range q.GroupBy {
		walkExpr(g, f)
	}
	walkExpr(q.Qualify, f)
	for _, o := range q.OrderBy {
		walkExpr(o.X, f)
	}
}

// walkExpr calls f on e and every expression below it, not entering subqueries.
func walkExpr(e Expr, f func(Expr)) {
	if e == nil {
		return
	}
	if fn, ok := e.(*Func); ok && fn == nil {
		return
	}
	f(e)
	each := func(es []Expr) {
		for _, x := range es {
			walkExpr(x, f)
		}
	}
	orders := func(os []Order) {
		for _, o := range os {
			walkExpr(o.X, f)
		}
	}
	switch e := e.(type) {
	case *Func:
		each(e.Args)
		orders(e.OrderBy)
		walkExpr(e.Filter, f)
	case *Binary:
		walkExpr(e.L, f)
		walkExpr(e.R, f)
	case *Unary:
		walkExpr(e.X, f)
	case *IsNull:
		walkExpr(e.X, f)
	case *In:
		walkExpr(e.X, f)
		each(e.List)
	case *Case:
		for _, w := range e.Whens {
			walkExpr(w.Cond, f)
			walkExpr(w.Then, f)
		}
		walkExpr(e.Else, f)
	case *Cast:
		walkExpr(e.X, f)
	case *Field:
		walkExpr(e.X, f)
	case *StructPack:
		each(e.Vals)
	case *Window:
		walkExpr(e.Fn, f)
		each(e.PartitionBy)
		orders(e.OrderBy)
	case *Lambda:
		walkExpr(e.Body, f)
	}
}
