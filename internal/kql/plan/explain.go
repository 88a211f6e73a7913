package plan

import (
	"fmt"
	"strings"
)

// Explain renders the plan as an indented tree, one node a line.
func Explain(n Node) string {
	var b strings.Builder
	explain(&b, n, 0)
	return b.String()
}

func items(its []Item) string {
	parts := make([]string, len(its))
	for i, it := range its {
		parts[i] = it.Name + "=" + it.Expr.String()
	}
	return strings.Join(parts, ", ")
}

func explain(b *strings.Builder, n Node, depth int) {
	ind := strings.Repeat("  ", depth)
	var kids []Node
	switch n := n.(type) {
	case *Scan:
		if len(n.Tenants) > 0 {
			fmt.Fprintf(b, "%sScan %s tenants=%q", ind, n.Table, n.Tenants)
		} else {
			fmt.Fprintf(b, "%sScan %s tenant=%q", ind, n.Table, n.Tenant)
		}
		if !n.From.IsZero() || !n.To.IsZero() {
			fmt.Fprintf(b, " time=[%s, %s)", n.From.Format("2006-01-02T15:04:05Z"), n.To.Format("2006-01-02T15:04:05Z"))
		}
		b.WriteByte('\n')
	case *Filter:
		fmt.Fprintf(b, "%sFilter %s\n", ind, n.Pred)
		kids = []Node{n.In}
	case *Project:
		fmt.Fprintf(b, "%sProject %s\n", ind, items(n.Items))
		kids = []Node{n.In}
	case *Aggregate:
		aggs := make([]string, len(n.Aggs))
		for i, a := range n.Aggs {
			aggs[i] = a.Name + "=" + (&Call{Fn: a.Fn, Args: a.Args}).String()
			if len(a.Outs) > 0 {
				aggs[i] += " [" + items(a.Outs) + "]"
			}
		}
		fmt.Fprintf(b, "%sAggregate keys=[%s] aggs=[%s]\n", ind, items(n.Keys), strings.Join(aggs, ", "))
		kids = []Node{n.In}
	case *Sort:
		keys := make([]string, len(n.Keys))
		for i, k := range n.Keys {
			keys[i] = k.Expr.String()
			if k.Desc {
				keys[i] += " desc"
			} else {
				keys[i] += " asc"
			}
			if k.NullsFirst {
				keys[i] += " nulls first"
			} else {
				keys[i] += " nulls last"
			}
		}
		fmt.Fprintf(b, "%sSort %s\n", ind, strings.Join(keys, ", "))
		kids = []Node{n.In}
	case *Limit:
		fmt.Fprintf(b, "%sLimit %d\n", ind, n.N)
		kids = []Node{n.In}
	case *Distinct:
		fmt.Fprintf(b, "%sDistinct\n", ind)
		kids = []Node{n.In}
	case *Union:
		fmt.Fprintf(b, "%sUnion source=%q\n", ind, n.Source)
		kids = n.Inputs
	case *Join:
		fmt.Fprintf(b, "%sJoin kind=%s left=%v right=%v\n", ind, n.Kind, n.LeftKeys, n.RightKeys)
		kids = []Node{n.Left, n.Right}
	case *MvExpand:
		fmt.Fprintf(b, "%sMvExpand %v index=%q limit=%d\n", ind, n.Cols, n.Index, n.Limit)
		kids = []Node{n.In}
	case *MakeSeries:
		fmt.Fprintf(b, "%sMakeSeries keys=%v axis=%s from %s to %s step %s\n", ind, n.Keys, n.Axis, n.From, n.To, n.Step)
		kids = []Node{n.In}
	case *MvApply:
		fmt.Fprintf(b, "%sMvApply keep=%v\n", ind, n.Keep)
		kids = []Node{n.In, n.Sub}
	case *OuterRow:
		fmt.Fprintf(b, "%sOuterRow %v\n", ind, n.Cols)
	case *TopNested:
		fmt.Fprintf(b, "%sTopNested levels=%d\n", ind, len(n.Levels))
		for _, lv := range n.Levels {
			kids = append(kids, lv.Agg)
		}
	case *Serialize:
		fmt.Fprintf(b, "%sSerialize\n", ind)
		kids = []Node{n.In}
	case *Values:
		fmt.Fprintf(b, "%sValues %d rows\n", ind, len(n.Rows))
	case *Range:
		fmt.Fprintf(b, "%sRange %s from %s to %s step %s\n", ind, n.Col.Name, n.From, n.To, n.Step)
	}
	for _, k := range kids {
		explain(b, k, depth+1)
	}
}
