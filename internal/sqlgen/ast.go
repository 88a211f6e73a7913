package sqlgen

import "github.com/vigilsec/vigil/internal/schema"

// Expr is a SQL scalar expression.
type Expr interface{ sqlExpr() }

// Ident is a column reference, optionally qualified by a table alias.
type Ident struct {
	Table string
	Name  string
}

// Lit is a typed constant; V is as in plan.Const.
type Lit struct {
	V any
	T schema.Type
}

// Func is a function call. Distinct, OrderBy and Filter apply to aggregates.
type Func struct {
	Name     string
	Args     []Expr
	Distinct bool
	OrderBy  []Order
	Filter   Expr
}

// Binary is L Op R with Op a SQL operator such as "=", "AND", "+", "||".
type Binary struct {
	Op   string
	L, R Expr
}

// Unary is Op X with Op "NOT" or "-".
type Unary struct {
	Op string
	X  Expr
}

// IsNull is X IS [NOT] NULL.
type IsNull struct {
	X   Expr
	Not bool
}

// In is X [NOT] IN (List).
type In struct {
	X    Expr
	List []Expr
	Sub  Query // a subquery of one column instead of List
	Not  bool
}

// ScalarSub is a scalar subquery, (Q): the value of the one column of Q's
// first row, null when Q has no rows. Q is uncorrelated as the lowering
// writes it, but the passes over the tree treat it like [In.Sub].
type ScalarSub struct {
	Q Query
}

// subqueryOf returns a pointer to the subquery that the expression e holds
// (the Sub of an [In], the Q of a [ScalarSub]), or nil when it holds none,
// so that every pass over subqueries handles both in one place.
func subqueryOf(e Expr) *Query {
	switch e := e.(type) {
	case *In:
		if e.Sub != nil {
			return &e.Sub
		}
	case *ScalarSub:
		return &e.Q
	}
	return nil
}

// When is one WHEN Cond THEN Then branch of a [Case].
type When struct {
	Cond, Then Expr
}

// Case is CASE WHEN ... ELSE Else END.
type Case struct {
	Whens []When
	Else  Expr
}

// Cast converts X to the engine type of Kusto type T; Try yields null on failure.
type Cast struct {
	X   Expr
	T   schema.Type
	Try bool
}

// Field reads field Name of the struct X. Index is the field's 1-based position in its
// [StructPack], for engines that read tuple fields by position (0 when unknown).
type Field struct {
	X     Expr
	Name  string
	Index int
}

// StructPack builds a struct of named fields.
type StructPack struct {
	Names []string
	Vals  []Expr
}

// Window is Fn OVER (PARTITION BY ... ORDER BY ...).
type Window struct {
	Fn          *Func
	PartitionBy []Expr
	OrderBy     []Order
	Frame       string // e.g. ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
}

// Lambda is an anonymous function argument of a list function:
// lambda Params: Body. The parameters are referred to by Ident.
type Lambda struct {
	Params []string
	Body   Expr
}

// Star is * or Table.*.
type Star struct{ Table string }

// Order is an ORDER BY term.
type Order struct {
	X          Expr
	Desc       bool
	NullsFirst bool
}

func (*Ident) sqlExpr()      {}
func (*Lit) sqlExpr()        {}
func (*Func) sqlExpr()       {}
func (*Binary) sqlExpr()     {}
func (*Unary) sqlExpr()      {}
func (*IsNull) sqlExpr()     {}
func (*In) sqlExpr()         {}
func (*ScalarSub) sqlExpr()  {}
func (*Case) sqlExpr()       {}
func (*Cast) sqlExpr()       {}
func (*Field) sqlExpr()      {}
func (*StructPack) sqlExpr() {}
func (*Window) sqlExpr()     {}
func (*Star) sqlExpr()       {}
func (*Lambda) sqlExpr()     {}

// Query is a [Select] or a [SetOp].
type Query interface{ sqlQuery() }

// SelectItem is Expr [AS Alias].
type SelectItem struct {
	X     Expr
	Alias string
}

// Select is one SELECT block. Limit < 0 means no limit.
type Select struct {
	Distinct bool
	Items    []SelectItem
	From     From
	Where    Expr
	GroupBy  []Expr
	Qualify  Expr
	OrderBy  []Order
	Limit    int64
}

// SetOp is UNION ALL of Parts.
type SetOp struct {
	Parts []Query
}

func (*Select) sqlQuery() {}
func (*SetOp) sqlQuery()  {}

// From is a FROM item.
type From interface{ sqlFrom() }

// Table is a stored table.
type Table struct{ Name string }

// Subquery is (Q) AS Alias.
type Subquery struct {
	Q       Query
	Alias   string
	Lateral bool // LATERAL: Q may refer to the columns of the FROM items before it
}

// JoinKind is a SQL join kind.
type JoinKind string

// SQL join kinds.
const (
	JoinInner JoinKind = "INNER"
	JoinLeft  JoinKind = "LEFT"
	JoinRight JoinKind = "RIGHT"
	JoinFull  JoinKind = "FULL"
	JoinSemi  JoinKind = "SEMI"
	JoinAnti  JoinKind = "ANTI"
)

// Join is L Kind JOIN R ON On.
type Join struct {
	Kind JoinKind
	L, R From
	On   Expr
}

// Values is (VALUES ...) AS Alias(Cols).
type Values struct {
	Rows  [][]Expr
	Alias string
	Cols  []string
}

// TableFunc is a table-valued function call such as generate_series.
type TableFunc struct {
	Fn    *Func
	Alias string
	Cols  []string
}

func (*Table) sqlFrom()     {}
func (*Subquery) sqlFrom()  {}
func (*Join) sqlFrom()      {}
func (*Values) sqlFrom()    {}
func (*TableFunc) sqlFrom() {}

// Call is a shorthand for a generic function call.
func Call(name string, args ...Expr) *Func { return &Func{Name: name, Args: args} }

// Bin is a shorthand for a binary expression.
func Bin(op string, l, r Expr) *Binary { return &Binary{Op: op, L: l, R: r} }

// Str is a string literal.
func Str(s string) *Lit { return &Lit{V: s, T: schema.TypeString} }

// Int is a long literal.
func Int(n int64) *Lit { return &Lit{V: n, T: schema.TypeLong} }
