package sqlgen

import (
	"sort"
	"strconv"
	"strings"
)

// Kusto column names are case-sensitive; DuckDB's identifiers are not, so a
// column User made by extend next to a table's user column would read user.
// distinctCase renames, in the whole SQL tree, every spelling of a name that
// another spelling matches ignoring case: the stored table's spelling is
// kept and the others get a suffix (User becomes "User·1"). The outermost
// SELECT gives the columns their Kusto names back.
func distinctCase(q Query) Query {
	w := &caseWalker{spellings: map[string]map[string]bool{}, stored: map[string]bool{}}
	w.query(q, w.collect)
	rename := w.renames()
	if len(rename) == 0 {
		return q
	}
	w.query(q, func(s *string) {
		if r, ok := rename[*s]; ok {
			*s = r
		}
	})
	if top, ok := q.(*Select); ok {
		for i, it := range top.Items {
			if id, ok := it.X.(*Ident); ok && it.Alias == "" {
				for orig, r := range rename {
					if r == id.Name {
						top.Items[i].Alias = orig
					}
				}
			}
		}
	}
	return q
}

// caseWalker visits every column name of a SQL tree.
type caseWalker struct {
	spellings map[string]map[string]bool // lower-case name -> spellings
	stored    map[string]bool            // spellings read from a stored table
	inTable   bool                       // visiting a SELECT over a stored table
}

func (w *caseWalker) collect(s *string) {
	k := strings.ToLower(*s)
	if w.spellings[k] == nil {
		w.spellings[k] = map[string]bool{}
	}
	w.spellings[k][*s] = true
}

// renames maps each spelling to rename to its new name.
func (w *caseWalker) renames() map[string]string {
	out := map[string]string{}
	for _, group := range w.spellings {
		if len(group) < 2 {
			continue
		}
		names := make([]string, 0, len(group))
		for n := range group {
			names = append(names, n)
		}
		sort.Strings(names)
		keep := names[0]
		for _, n := range names {
			if w.stored[n] {
				keep = n
				break
			}
		}
		i := 0
		for _, n := range names {
			if n == keep || w.stored[n] {
				continue
			}
			i++
			out[n] = n + "·" + strconv.Itoa(i)
		}
	}
	return out
}

func (w *caseWalker) query(q Query, f func(*string)) {
	switch q := q.(type) {
	case *Select:
		_, overTable := q.From.(*Table)
		saved := w.inTable
		w.inTable = overTable
		for i := range q.Items {
			w.expr(q.Items[i].X, f)
			if q.Items[i].Alias != "" {
				f(&q.Items[i].Alias)
			}
		}
		w.inTable = saved
		w.from(q.From, f)
		w.inTable = overTable
		w.expr(q.Where, f)
		for _, g := range q.GroupBy {
			w.expr(g, f)
		}
		w.expr(q.Qualify, f)
		w.orders(q.OrderBy, f)
		w.inTable = saved
	case *SetOp:
		for _, p := range q.Parts {
			w.query(p, f)
		}
	}
}

func (w *caseWalker) from(fr From, f func(*string)) {
	switch fr := fr.(type) {
	case *Subquery:
		w.query(fr.Q, f)
	case *Join:
		w.from(fr.L, f)
		w.from(fr.R, f)
		w.expr(fr.On, f)
	case *Values:
		for _, r := range fr.Rows {
			w.exprs(r, f)
		}
		w.names(fr.Cols, f)
	case *TableFunc:
		w.expr(fr.Fn, f)
		w.names(fr.Cols, f)
	}
}

func (w *caseWalker) names(ns []string, f func(*string)) {
	for i := range ns {
		f(&ns[i])
	}
}

func (w *caseWalker) exprs(es []Expr, f func(*string)) {
	for _, e := range es {
		w.expr(e, f)
	}
}

func (w *caseWalker) orders(os []Order, f func(*string)) {
	for _, o := range os {
		w.expr(o.X, f)
	}
}

func (w *caseWalker) expr(e Expr, f func(*string)) {
	switch e := e.(type) {
	case *Ident:
		if w.inTable {
			w.stored[e.Name] = true
		}
		f(&e.Name)
	case *Func:
		if e == nil {
			return
		}
		w.exprs(e.Args, f)
		w.orders(e.OrderBy, f)
		w.expr(e.Filter, f)
	case *Binary:
		w.expr(e.L, f)
		w.expr(e.R, f)
	case *Unary:
		w.expr(e.X, f)
	case *IsNull:
		w.expr(e.X, f)
	case *In:
		w.expr(e.X, f)
		w.exprs(e.List, f)
		if e.Sub != nil {
			w.query(e.Sub, f)
		}
	case *ScalarSub:
		w.query(e.Q, f)
	case *Case:
		for _, c := range e.Whens {
			w.expr(c.Cond, f)
			w.expr(c.Then, f)
		}
		w.expr(e.Else, f)
	case *Cast:
		w.expr(e.X, f)
	case *Field:
		w.expr(e.X, f)
		f(&e.Name)
	case *StructPack:
		w.names(e.Names, f)
		w.exprs(e.Vals, f)
	case *Window:
		w.expr(e.Fn, f)
		w.exprs(e.PartitionBy, f)
		w.orders(e.OrderBy, f)
	case *Lambda:
		w.names(e.Params, f)
		w.expr(e.Body, f)
	}
}
