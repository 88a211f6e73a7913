package syntax

import "time"

// Node is implemented by every syntax tree node. Each node embeds the [Span]
// of source text it was parsed from.
type Node interface {
	NodeSpan() Span
}

// Expr is a scalar expression, or a tabular expression used where a scalar
// may appear (see [TabularExpr]).
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement of a [Script].
type Stmt interface {
	Node
	stmtNode()
}

// Script is a whole query text: statements separated by ';'.
type Script struct {
	Span
	Stmts []Stmt
}

// LetStmt binds a name: let Name = Value. Value is a scalar expression, a
// [TabularExpr], or a [FuncExpr] (a lambda or view).
type LetStmt struct {
	Span
	Name  *Ident
	Value Expr
}

// SetStmt is a request option: set Name [= Value].
type SetStmt struct {
	Span
	Name  string
	Value Expr // nil when the option is set without a value
}

// ExprStmt is a query statement. At the top level of a script X is always a
// [TabularExpr]; inside a function body the final statement may be scalar.
type ExprStmt struct {
	Span
	X Expr
}

func (*LetStmt) stmtNode()  {}
func (*SetStmt) stmtNode()  {}
func (*ExprStmt) stmtNode() {}

// Ident is a name: a column, table, variable or function. Quoted records that
// it was written in brackets, as ['name'] or ["name"].
type Ident struct {
	Span
	Name   string
	Quoted bool
}

// Wildcard is a name pattern with '*' such as Device* or *Events, used by
// union, project-away, project-keep and project-reorder.
type Wildcard struct {
	Span
	Pattern string
}

// IntLit is an integer literal; Text is as written (decimal or 0x hex).
type IntLit struct {
	Span
	Text  string
	Value int64
}

// RealLit is a real literal such as 1.5 or 1e-3.
type RealLit struct {
	Span
	Text  string
	Value float64
}

// StringLit is a string literal; Value holds the decoded characters.
// Obfuscated records an h"..." literal, whose value is hidden from logs.
type StringLit struct {
	Span
	Value      string
	Obfuscated bool
}

// BoolLit is true or false.
type BoolLit struct {
	Span
	Value bool
}

// TimespanLit is a timespan literal with a unit suffix, such as 1d or 100ms.
type TimespanLit struct {
	Span
	Text  string
	Value time.Duration
}

// TypedLit is a literal written as type(value): datetime(2024-01-01),
// timespan(1.02:03:04), guid(...), bool(true), long(null), real(nan), ...
// Type is the canonical type name (date is datetime, double is real, ...);
// Value is the raw text between the parentheses, trimmed; "null" is the null
// value of the type.
type TypedLit struct {
	Span
	Type  string
	Value string
}

// DynamicLit is dynamic(value) where Value is an [ArrayLit], a [BagLit],
// a scalar literal, or a [NullLit] for dynamic(null).
type DynamicLit struct {
	Span
	Value Expr
}

// ArrayLit is a JSON-style array inside dynamic(...).
type ArrayLit struct {
	Span
	Elems []Expr
}

// BagLit is a JSON-style property bag inside dynamic(...).
type BagLit struct {
	Span
	Entries []*BagEntry
}

// BagEntry is one "key": value pair of a [BagLit].
type BagEntry struct {
	Span
	Key   string
	Value Expr
}

// NullLit is null inside dynamic(...).
type NullLit struct {
	Span
}

// UnaryExpr is a prefix operation: -X or +X.
type UnaryExpr struct {
	Span
	Op string
	X  Expr
}

// BinaryExpr is X Op Y for arithmetic (+ - * / %), logic (and, or),
// comparison (== != <> < <= > >= =~ !~), string operators (has, !has,
// contains_cs, startswith, matches regex, ...) and ':' inside search.
type BinaryExpr struct {
	Span
	Op string
	X  Expr
	Y  Expr
}

// InExpr is X Op (List...) where Op is in, !in, in~, !in~, has_any or
// has_all. A list element may be a [TabularExpr] subquery.
type InExpr struct {
	Span
	Op   string
	X    Expr
	List []Expr
}

// BetweenExpr is X between (Lo .. Hi), or X !between (...) when Not is set.
type BetweenExpr struct {
	Span
	Not bool
	X   Expr
	Lo  Expr
	Hi  Expr
}

// CallExpr is a function call Name(Args...), including aggregates such as
// count() and arg_max(T, *).
type CallExpr struct {
	Span
	Name *Ident
	Args []Expr
}

// StarExpr is '*' as a function argument (arg_max(T, *)), in distinct * and
// as a term of search.
type StarExpr struct {
	Span
}

// MemberExpr is X.Name: dynamic property access or $left.Col / $right.Col.
type MemberExpr struct {
	Span
	X    Expr
	Name *Ident
}

// IndexExpr is X[Index]: d['key'] or d[0].
type IndexExpr struct {
	Span
	X     Expr
	Index Expr
}

// ParenExpr is a parenthesized expression, kept so that printing is exact.
type ParenExpr struct {
	Span
	X Expr
}

// TabularExpr wraps a tabular expression used as a value: the value of a
// let, an argument of toscalar() or materialize(), an element of an in-list,
// or a query statement.
type TabularExpr struct {
	Span
	Query *Pipeline
}

// FuncExpr is a user-defined function or view: [view] (Params) { Body }.
type FuncExpr struct {
	Span
	View   bool
	Params []*Param
	Body   []Stmt
}

// Param is a function parameter: Name:Type [= Default], or a tabular
// parameter Name:(Columns) where Star records (*).
type Param struct {
	Span
	Name    *Ident
	Type    string
	Tabular bool
	Star    bool
	Columns []*ColumnDecl
	Default Expr
}

// ColumnDecl is Name:Type in datatable, parse-kv and tabular parameters.
type ColumnDecl struct {
	Span
	Name *Ident
	Type string
}

// NamedExpr is [Name =] Expr, or (A, B) = Expr, as used by project, extend,
// summarize and print. Names is empty when no name is given.
type NamedExpr struct {
	Span
	Names []*Ident
	Expr  Expr
}

// ListExpr is a bare comma-separated list, used for multi-valued render
// properties such as ycolumns=A, B.
type ListExpr struct {
	Span
	Elems []Expr
}

// NamedArg is Name = Value as an argument of a call: Kusto lets a call name the optional
// parameters it sets (series_decompose_anomalies(y, seasonality=24)).
type NamedArg struct {
	Span
	Name  *Ident
	Value Expr
}

// BadExpr stands in for an expression that could not be parsed.
type BadExpr struct {
	Span
}

func (*Ident) exprNode()       {}
func (*Wildcard) exprNode()    {}
func (*IntLit) exprNode()      {}
func (*RealLit) exprNode()     {}
func (*StringLit) exprNode()   {}
func (*BoolLit) exprNode()     {}
func (*TimespanLit) exprNode() {}
func (*TypedLit) exprNode()    {}
func (*DynamicLit) exprNode()  {}
func (*ArrayLit) exprNode()    {}
func (*BagLit) exprNode()      {}
func (*NullLit) exprNode()     {}
func (*UnaryExpr) exprNode()   {}
func (*BinaryExpr) exprNode()  {}
func (*InExpr) exprNode()      {}
func (*BetweenExpr) exprNode() {}
func (*CallExpr) exprNode()    {}
func (*StarExpr) exprNode()    {}
func (*MemberExpr) exprNode()  {}
func (*IndexExpr) exprNode()   {}
func (*ParenExpr) exprNode()   {}
func (*TabularExpr) exprNode() {}
func (*FuncExpr) exprNode()    {}
func (*ListExpr) exprNode()    {}
func (*NamedArg) exprNode()    {}
func (*BadExpr) exprNode()     {}
