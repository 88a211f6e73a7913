package compat

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// operatorNames lists the tabular operators of s in pre-order, named like
// the official parser's syntax classes without "Operator" (see
// tools/kustoref), so the two sequences compare directly.
func operatorNames(s *syntax.Script) []string {
	var names []string
	syntax.Inspect(s, func(n syntax.Node) bool {
		if name := operatorName(n); name != "" {
			names = append(names, name)
		}
		return true
	})
	return names
}

// keywordNames names the operators that share one node type by keyword.
var keywordNames = map[string]string{
	"project-away":    "ProjectAway",
	"project-keep":    "ProjectKeep",
	"project-reorder": "ProjectReorder",
	"join":            "Join",
	"lookup":          "Lookup",
	"parse":           "Parse",
	"parse-where":     "ParseWhere",
	"sample":          "Sample",
	"sample-distinct": "SampleDistinct",
}

// operatorName is the official parser's name for n, or "" when n is not a
// tabular operator there.
func operatorName(n syntax.Node) string {
	switch n := n.(type) {
	case *syntax.ProjectAwayOp:
		return keywordNames[n.Keyword]
	case *syntax.JoinOp:
		return keywordNames[n.Keyword]
	case *syntax.ParseOp:
		return keywordNames[n.Keyword]
	case *syntax.SampleOp:
		return keywordNames[n.Keyword]
	}
	return typeNames[typeName(n)]
}

// typeNames maps the remaining node types, by Go type, to operator names.
var typeNames = map[string]string{
	"*syntax.WhereOp":         "Filter",
	"*syntax.ProjectOp":       "Project",
	"*syntax.ProjectRenameOp": "ProjectRename",
	"*syntax.ExtendOp":        "Extend",
	"*syntax.SummarizeOp":     "Summarize",
	"*syntax.CountOp":         "Count",
	"*syntax.DistinctOp":      "Distinct",
	"*syntax.TakeOp":          "Take",
	"*syntax.TopOp":           "Top",
	"*syntax.SortOp":          "Sort",
	"*syntax.TopNestedOp":     "TopNested",
	"*syntax.UnionOp":         "Union",
	"*syntax.MvExpandOp":      "MvExpand",
	"*syntax.MvApplyOp":       "MvApply",
	"*syntax.ParseKVOp":       "ParseKv",
	"*syntax.MakeSeriesOp":    "MakeSeries",
	"*syntax.SerializeOp":     "Serialize",
	"*syntax.AsOp":            "As",
	"*syntax.GetSchemaOp":     "GetSchema",
	"*syntax.EvaluateOp":      "Evaluate",
	"*syntax.InvokeOp":        "Invoke",
	"*syntax.RenderOp":        "Render",
	"*syntax.FacetOp":         "Facet",
	"*syntax.ForkOp":          "Fork",
	"*syntax.SearchOp":        "Search",
	"*syntax.RangeSource":     "Range",
	"*syntax.PrintSource":     "Print",
	"*syntax.FindSource":      "Find",
}

// typeName is the Go type of n, such as "*syntax.WhereOp".
func typeName(n syntax.Node) string { return fmt.Sprintf("%T", n) }
