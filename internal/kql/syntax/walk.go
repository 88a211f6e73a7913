package syntax

import "reflect"

// Inspect walks the tree rooted at n in depth-first order, calling f for
// each node; if f returns false, Inspect skips the node's children. Nil
// children are not visited.
func Inspect(n Node, f func(Node) bool) {
	if isNil(n) || !f(n) {
		return
	}
	for _, c := range Children(n) {
		Inspect(c, f)
	}
}

// isNil reports whether n is nil or a typed nil pointer.
func isNil(n Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// Children returns the direct child nodes of n in source order, skipping
// nil ones.
func Children(n Node) []Node {
	var c children
	switch n := n.(type) {
	case *Script:
		for _, s := range n.Stmts {
			c.add(s)
		}
	case *LetStmt:
		c.add(n.Name, n.Value)
	case *SetStmt:
		c.add(n.Value)
	case *ExprStmt:
		c.add(n.X)
	case *Pipeline:
		c.add(n.Source)
		for _, op := range n.Ops {
			c.add(op)
		}
	case Expr:
		exprChildren(&c, n)
	case Source:
		sourceChildren(&c, n)
	case Operator:
		operatorChildren(&c, n)
	default:
		partChildren(&c, n)
	}
	return c.nodes
}

type children struct{ nodes []Node }

func (c *children) add(nodes ...Node) {
	for _, n := range nodes {
		if !isNil(n) {
			c.nodes = append(c.nodes, n)
		}
	}
}

func addAll[T Node](c *children, list []T) {
	for _, n := range list {
		c.add(n)
	}
}

func exprChildren(c *children, n Expr) {
	switch n := n.(type) {
	case *DynamicLit:
		c.add(n.Value)
	case *ArrayLit:
		addAll(c, n.Elems)
	case *BagLit:
		addAll(c, n.Entries)
	case *UnaryExpr:
		c.add(n.X)
	case *BinaryExpr:
		c.add(n.X, n.Y)
	case *InExpr:
		c.add(n.X)
		addAll(c, n.List)
	case *BetweenExpr:
		c.add(n.X, n.Lo, n.Hi)
	case *CallExpr:
		c.add(n.Name)
		addAll(c, n.Args)
	case *MemberExpr:
		c.add(n.X, n.Name)
	case *IndexExpr:
		c.add(n.X, n.Index)
	case *ParenExpr:
		c.add(n.X)
	case *TabularExpr:
		c.add(n.Query)
	case *FuncExpr:
		addAll(c, n.Params)
		addAll(c, n.Body)
	case *ListExpr:
		addAll(c, n.Elems)
	case *NamedArg:
		c.add(n.Name, n.Value)
	}
}

// partChildren handles the nodes that are parts of statements, expressions
// and operators rather than one of those themselves.
func partChildren(c *children, n Node) {
	switch n := n.(type) {
	case *BagEntry:
		c.add(n.Value)
	case *Param:
		c.add(n.Name)
		addAll(c, n.Columns)
		c.add(n.Default)
	case *ColumnDecl:
		c.add(n.Name)
	case *NamedExpr:
		addAll(c, n.Names)
		c.add(n.Expr)
	case *Option:
		c.add(n.Value)
	case *SortKey:
		c.add(n.Expr)
	case *Rename:
		c.add(n.New, n.Old)
	case *TopNestedLevel:
		c.add(n.Count, n.Of, n.Others, n.By)
	case *MvColumn:
		c.add(n.Column)
	case *ParseItem:
		c.add(n.Literal, n.Column)
	case *SeriesAgg:
		c.add(n.Agg, n.Default)
	case *ForkBranch:
		c.add(n.Name, n.Query)
	}
}

func sourceChildren(c *children, n Source) {
	switch n := n.(type) {
	case *CallSource:
		c.add(n.Call)
	case *ParenSource:
		c.add(n.Query)
	case *DatatableSource:
		addAll(c, n.Columns)
		addAll(c, n.Values)
	case *ExternalDataSource:
		addAll(c, n.Columns)
		addAll(c, n.URIs)
		addAll(c, n.Options)
	case *RangeSource:
		c.add(n.Column, n.From, n.To, n.Step)
	case *PrintSource:
		addAll(c, n.Columns)
	case *FindSource:
		addAll(c, n.Options)
		addAll(c, n.Tables)
		c.add(n.Pred)
		addAll(c, n.Project)
	case Operator:
		operatorChildren(c, n)
	}
}

func operatorChildren(c *children, n Operator) {
	switch n := n.(type) {
	case *WhereOp:
		c.add(n.Pred)
	case *ProjectOp:
		addAll(c, n.Columns)
	case *ExtendOp:
		addAll(c, n.Columns)
	case *ProjectAwayOp:
		addAll(c, n.Columns)
	case *ProjectRenameOp:
		addAll(c, n.Renames)
	case *SummarizeOp:
		addAll(c, n.Options)
		addAll(c, n.Aggs)
		addAll(c, n.By)
	case *CountOp:
		c.add(n.As)
	case *DistinctOp:
		addAll(c, n.Options)
		addAll(c, n.Columns)
	case *TakeOp:
		addAll(c, n.Options)
		c.add(n.Count)
	case *TopOp:
		addAll(c, n.Options)
		c.add(n.Count)
		addAll(c, n.By)
	case *SortOp:
		addAll(c, n.Options)
		addAll(c, n.By)
	default:
		operatorChildren2(c, n)
	}
}

func operatorChildren2(c *children, n Operator) {
	switch n := n.(type) {
	case *TopNestedOp:
		addAll(c, n.Levels)
	case *JoinOp:
		addAll(c, n.Options)
		c.add(n.Right)
		addAll(c, n.On)
	case *UnionOp:
		addAll(c, n.Options)
		addAll(c, n.Tables)
	case *MvExpandOp:
		addAll(c, n.Options)
		addAll(c, n.Columns)
		c.add(n.Limit)
	case *MvApplyOp:
		addAll(c, n.Options)
		addAll(c, n.Columns)
		c.add(n.Limit, n.Sub)
	case *ParseOp:
		addAll(c, n.Options)
		c.add(n.Source)
		addAll(c, n.Pattern)
	case *ParseKVOp:
		c.add(n.Source)
		addAll(c, n.Columns)
		addAll(c, n.With)
	case *MakeSeriesOp:
		addAll(c, n.Options)
		addAll(c, n.Aggs)
		c.add(n.On, n.From, n.To, n.Step)
		addAll(c, n.By)
	default:
		operatorChildren3(c, n)
	}
}

func operatorChildren3(c *children, n Operator) {
	switch n := n.(type) {
	case *SerializeOp:
		addAll(c, n.Columns)
	case *AsOp:
		addAll(c, n.Options)
		c.add(n.Name)
	case *EvaluateOp:
		addAll(c, n.Options)
		c.add(n.Call)
		addAll(c, n.Schema)
	case *InvokeOp:
		c.add(n.Call)
	case *SampleOp:
		c.add(n.Count, n.Of)
	case *RenderOp:
		addAll(c, n.With)
	case *FacetOp:
		addAll(c, n.Columns)
		c.add(n.With)
	case *ForkOp:
		addAll(c, n.Branches)
	case *SearchOp:
		addAll(c, n.Options)
		addAll(c, n.Tables)
		c.add(n.Pred)
	}
}
