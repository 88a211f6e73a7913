package syntax

// Pipeline is a tabular expression: a Source followed by '|' operators.
// Source is nil for the implicit input of an mv-apply, facet or fork
// subquery, which starts directly with an operator.
type Pipeline struct {
	Span
	Source Source
	Ops    []Operator
}

// Source is the start of a [Pipeline].
type Source interface {
	Node
	sourceNode()
}

// Operator is a tabular operator following '|'.
type Operator interface {
	Node
	operatorNode()
}

// Option is a key=value setting of an operator such as kind=inner,
// hint.strategy=shuffle, withsource=Table or with_itemindex=Index.
type Option struct {
	Span
	Name  string
	Value Expr
}

// TableRef names a table, a let-bound tabular value or, with Wildcard set, a
// pattern of table names such as Device*.
type TableRef struct {
	Span
	Name     string
	Quoted   bool
	Wildcard bool
}

// CallSource is a function call used as a source: _GetWatchlist('x'),
// materialize(T), a let-bound function, or table('Name').
type CallSource struct {
	Span
	Call *CallExpr
}

// ParenSource is a parenthesized tabular expression used as a source.
type ParenSource struct {
	Span
	Query *Pipeline
}

// DatatableSource is datatable(Columns) [Values...], values row by row.
type DatatableSource struct {
	Span
	Columns []*ColumnDecl
	Values  []Expr
}

// ExternalDataSource is externaldata(Columns) [URIs...] [with (Options)]:
// rows read from storage, such as a threat-intelligence feed.
type ExternalDataSource struct {
	Span
	Columns []*ColumnDecl
	URIs    []Expr
	Options []*Option
}

// RangeSource is range Column from From to To step Step.
type RangeSource struct {
	Span
	Column *Ident
	From   Expr
	To     Expr
	Step   Expr
}

// PrintSource is print [Name=]Expr, ...
type PrintSource struct {
	Span
	Columns []*NamedExpr
}

// FindSource is find [options] [in (Tables)] where Pred [project ... | project-smart].
type FindSource struct {
	Span
	Options      []*Option
	Tables       []*Pipeline
	Pred         Expr
	Project      []Expr
	ProjectSmart bool
}

func (*TableRef) sourceNode()           {}
func (*CallSource) sourceNode()         {}
func (*ParenSource) sourceNode()        {}
func (*DatatableSource) sourceNode()    {}
func (*ExternalDataSource) sourceNode() {}
func (*RangeSource) sourceNode()        {}
func (*PrintSource) sourceNode()        {}
func (*FindSource) sourceNode()         {}
func (*UnionOp) sourceNode()            {}
func (*SearchOp) sourceNode()           {}

// SortKey is Expr [asc|desc] [nulls first|last] in sort and top.
type SortKey struct {
	Span
	Expr  Expr
	Order string // "", "asc" or "desc"
	Nulls string // "", "first" or "last"
}

// WhereOp is where Pred (Keyword is "where" or "filter").
type WhereOp struct {
	Span
	Keyword string
	Pred    Expr
}

// ProjectOp is project Columns.
type ProjectOp struct {
	Span
	Columns []*NamedExpr
}

// ProjectAwayOp is project-away, project-keep or project-reorder (Keyword)
// over column names and wildcards, with optional asc/desc in project-reorder.
type ProjectAwayOp struct {
	Span
	Keyword string
	Columns []*SortKey
}

// Rename is New = Old in project-rename.
type Rename struct {
	Span
	New *Ident
	Old *Ident
}

// ProjectRenameOp is project-rename New = Old, ...
type ProjectRenameOp struct {
	Span
	Renames []*Rename
}

// ExtendOp is extend [Name=]Expr, ...
type ExtendOp struct {
	Span
	Columns []*NamedExpr
}

// SummarizeOp is summarize [options] Aggs [by Keys].
type SummarizeOp struct {
	Span
	Options []*Option
	Aggs    []*NamedExpr
	By      []*NamedExpr
}

// CountOp is count [as Name].
type CountOp struct {
	Span
	As *Ident
}

// DistinctOp is distinct [options] Columns (or *).
type DistinctOp struct {
	Span
	Options []*Option
	Columns []Expr
}

// TakeOp is take N or limit N (Keyword).
type TakeOp struct {
	Span
	Keyword string
	Options []*Option
	Count   Expr
}

// TopOp is top N by Keys.
type TopOp struct {
	Span
	Options []*Option
	Count   Expr
	By      []*SortKey
}

// SortOp is sort by Keys or order by Keys (Keyword).
type SortOp struct {
	Span
	Keyword string
	Options []*Option
	By      []*SortKey
}

// TopNestedLevel is one level of top-nested:
// top-nested [Count] of Of [with others = Others] by Agg [asc|desc].
type TopNestedLevel struct {
	Span
	Count  Expr
	Of     *NamedExpr
	Others Expr
	By     *NamedExpr
	Order  string
}

// TopNestedOp is a comma-separated list of top-nested levels.
type TopNestedOp struct {
	Span
	Levels []*TopNestedLevel
}

// JoinOp is join [options] Right on Conds, or lookup (Keyword).
// A condition is a column name or $left.X == $right.Y.
type JoinOp struct {
	Span
	Keyword string
	Options []*Option
	Right   *Pipeline
	On      []Expr
}

// UnionOp is union [options] Tables; as a source it has no implicit input.
type UnionOp struct {
	Span
	Options []*Option
	Tables  []*Pipeline
}

// MvColumn is one expanded column of mv-expand or mv-apply:
// [Name =] Expr [to typeof(Type)].
type MvColumn struct {
	Span
	Column *NamedExpr
	ToType string
}

// MvExpandOp is mv-expand [options] Columns [limit N].
type MvExpandOp struct {
	Span
	Options []*Option
	Columns []*MvColumn
	Limit   Expr
}

// MvApplyOp is mv-apply [options] Columns [limit N] on (Sub).
type MvApplyOp struct {
	Span
	Options []*Option
	Columns []*MvColumn
	Limit   Expr
	Sub     *Pipeline
}

// ParseItemKind says what a [ParseItem] of a parse pattern is.
type ParseItemKind uint8

// Parse pattern item kinds.
const (
	ParseLiteral ParseItemKind = iota // a string literal to match
	ParseStar                         // '*', skip any text
	ParseColumn                       // Name[:Type], a column to extract
)

// ParseItem is one element of a parse pattern.
type ParseItem struct {
	Span
	Kind    ParseItemKind
	Literal *StringLit
	Column  *Ident
	Type    string
}

// ParseOp is parse or parse-where (Keyword) [kind=... flags=...] Source with Pattern.
type ParseOp struct {
	Span
	Keyword string
	Options []*Option
	Source  Expr
	Pattern []*ParseItem
}

// ParseKVOp is parse-kv Source as (Columns) [with (Options)].
type ParseKVOp struct {
	Span
	Source  Expr
	Columns []*ColumnDecl
	With    []*Option
}

// SeriesAgg is one aggregate of make-series: [Name=]Agg [default=Default].
type SeriesAgg struct {
	Span
	Agg     *NamedExpr
	Default Expr
}

// MakeSeriesOp is make-series [options] Aggs on On [from From] [to To] step
// Step [by Keys], or with InRange set, on On in range(From, To, Step).
type MakeSeriesOp struct {
	Span
	Options []*Option
	Aggs    []*SeriesAgg
	On      Expr
	From    Expr
	To      Expr
	Step    Expr
	InRange bool
	By      []*NamedExpr
}

// SerializeOp is serialize [Name=Expr, ...].
type SerializeOp struct {
	Span
	Columns []*NamedExpr
}

// AsOp is as [options] Name.
type AsOp struct {
	Span
	Options []*Option
	Name    *Ident
}

// GetSchemaOp is getschema.
type GetSchemaOp struct {
	Span
}

// EvaluateOp is evaluate [options] Plugin(args) [: (Schema)], where the
// optional output schema declares the plugin's result columns; a leading
// '*' in it (AllInput) keeps the input's columns too.
type EvaluateOp struct {
	Span
	Options  []*Option
	Call     *CallExpr
	AllInput bool
	Schema   []*ColumnDecl
}

// InvokeOp is invoke Function(args).
type InvokeOp struct {
	Span
	Call *CallExpr
}

// SampleOp is sample N, or sample-distinct N of Of (Keyword).
type SampleOp struct {
	Span
	Keyword string
	Count   Expr
	Of      Expr
}

// RenderOp is render Chart [with (Props)].
type RenderOp struct {
	Span
	Chart string
	With  []*Option
}

// FacetOp is facet by Columns [with (Sub)].
type FacetOp struct {
	Span
	Columns []Expr
	With    *Pipeline
}

// ForkBranch is one [Name=](subquery) of fork.
type ForkBranch struct {
	Span
	Name  *Ident
	Query *Pipeline
}

// ForkOp is fork Branches.
type ForkOp struct {
	Span
	Branches []*ForkBranch
}

// SearchOp is search [options] [in (Tables)] Pred; it is both a source and,
// after '|', an operator.
type SearchOp struct {
	Span
	Options []*Option
	Tables  []*Pipeline
	Pred    Expr
}

func (*WhereOp) operatorNode()         {}
func (*ProjectOp) operatorNode()       {}
func (*ProjectAwayOp) operatorNode()   {}
func (*ProjectRenameOp) operatorNode() {}
func (*ExtendOp) operatorNode()        {}
func (*SummarizeOp) operatorNode()     {}
func (*CountOp) operatorNode()         {}
func (*DistinctOp) operatorNode()      {}
func (*TakeOp) operatorNode()          {}
func (*TopOp) operatorNode()           {}
func (*SortOp) operatorNode()          {}
func (*TopNestedOp) operatorNode()     {}
func (*JoinOp) operatorNode()          {}
func (*UnionOp) operatorNode()         {}
func (*MvExpandOp) operatorNode()      {}
func (*MvApplyOp) operatorNode()       {}
func (*ParseOp) operatorNode()         {}
func (*ParseKVOp) operatorNode()       {}
func (*MakeSeriesOp) operatorNode()    {}
func (*SerializeOp) operatorNode()     {}
func (*AsOp) operatorNode()            {}
func (*GetSchemaOp) operatorNode()     {}
func (*EvaluateOp) operatorNode()      {}
func (*InvokeOp) operatorNode()        {}
func (*SampleOp) operatorNode()        {}
func (*RenderOp) operatorNode()        {}
func (*FacetOp) operatorNode()         {}
func (*ForkOp) operatorNode()          {}
func (*SearchOp) operatorNode()        {}
