package syntax

import "strings"

// opSpec describes a tabular operator: how to parse what follows its name.
type opSpec struct {
	parse func(p *parser, name Token) Operator
}

// operators is the dispatch table from operator name to parser. Adding an
// operator means adding a row here and a parse function in its family file.
var operators = map[string]opSpec{
	"where":           {parseWhere},
	"filter":          {parseWhere},
	"project":         {parseProject},
	"project-away":    {parseProjectAway},
	"project-keep":    {parseProjectAway},
	"project-reorder": {parseProjectAway},
	"project-rename":  {parseProjectRename},
	"extend":          {parseExtend},
	"summarize":       {parseSummarize},
	"count":           {parseCount},
	"distinct":        {parseDistinct},
	"take":            {parseTake},
	"limit":           {parseTake},
	"top":             {parseTop},
	"sort":            {parseSort},
	"order":           {parseSort},
	"top-nested":      {parseTopNested},
	"join":            {parseJoin},
	"lookup":          {parseJoin},
	"union":           {parseUnionOp},
	"mv-expand":       {parseMvExpand},
	"mvexpand":        {parseMvExpand}, // the old spelling Kusto still accepts
	"mv-apply":        {parseMvApply},
	"parse":           {parseParse},
	"parse-where":     {parseParse},
	"parse-kv":        {parseParseKV},
	"make-series":     {parseMakeSeries},
	"serialize":       {parseSerialize},
	"as":              {parseAs},
	"getschema":       {parseGetSchema},
	"evaluate":        {parseEvaluate},
	"invoke":          {parseInvoke},
	"sample":          {parseSample},
	"sample-distinct": {parseSample},
	"render":          {parseRender},
	"facet":           {parseFacet},
	"fork":            {parseFork},
	"search":          {parseSearchOp},
}

// unsupportedOperators are real Kusto operators Vigil does not implement;
// naming them gets a clearer message than "unknown operator".
var unsupportedOperators = []string{
	"scan", "make-graph", "graph-match", "graph-merge", "graph-to-table", "graph-shortest-paths",
	"partition", "reduce", "top-hitters", "project-smart", "consume", "externaldata", "macro-expand",
	"execute-and-cache", "assert-schema",
}

// parseOperator parses one operator after '|' and checks that it ends where
// an operator may end; on any error it resynchronizes at the next '|' or ';'.
func (p *parser) parseOperator() Operator {
	t := p.cur()
	if t.Kind == TokPipe && t.Span.Start == p.prevEnd {
		p.errorf(Span{t.Span.Start - 1, t.Span.End}, "unexpected '||'; use 'or' to combine conditions")
		p.next()
		p.sync()
		return nil
	}
	if t.Kind != TokIdent {
		p.errorf(t.Span, "expected an operator name after '|', found %s", t.describe())
		p.sync()
		return nil
	}
	spec, ok := p.ops[t.Text]
	if !ok || p.peek(1).Kind == TokMinus && p.peek(1).Span.Start == t.Span.End && p.peek(2).Kind == TokIdent && p.peek(2).Span.Start == t.Span.End+1 {
		p.unknownOperator(t)
		p.sync()
		return nil
	}
	p.next()
	op := spec.parse(p, t)
	if !p.panicking && !p.atEndOfOperator() {
		p.unexpectedInOperator(t.Text)
	}
	if p.panicking {
		p.sync()
	}
	return op
}

// unexpectedInOperator reports a token left over after operator op.
func (p *parser) unexpectedInOperator(op string) {
	c := p.cur()
	if c.Kind == TokAssign && (op == "where" || op == "filter") {
		p.errorf(c.Span, "unexpected '=' in '%s'; use '==' to compare values", op)
		return
	}
	if c.Kind == TokIdent && len(c.Text) >= 3 {
		if s := suggest(c.Text, clauseWords); s != "" {
			p.errorf(c.Span, "unexpected %s in '%s'; did you mean '%s'?", c.describe(), op, s)
			return
		}
	}
	p.errorf(c.Span, "unexpected %s in '%s'; expected '|', ';' or end of query", c.describe(), op)
}

// clauseWords are the words a misspelling left over after an operator is
// most likely meant to be: clause keywords and binary operators.
var clauseWords = []string{
	"by", "on", "with", "of", "step", "from", "to", "limit", "asc", "desc", "nulls", "and", "or",
	"has", "has_cs", "hasprefix", "hassuffix", "contains", "contains_cs", "startswith", "startswith_cs",
	"endswith", "endswith_cs", "has_any", "has_all", "between", "matches", "in",
}

// unknownOperator reports a name that is not an operator, suggesting the
// nearest known one. A name split by a hyphen the lexer did not join
// (say "project-foo") is reported whole.
func (p *parser) unknownOperator(t Token) {
	name, end := t.Text, t.Span.End
	for i := 1; p.peek(i).Kind == TokMinus && p.peek(i).Span.Start == end && p.peek(i+1).Kind == TokIdent && p.peek(i+1).Span.Start == end+1; i += 2 {
		end = p.peek(i + 1).Span.End
		name = p.src[t.Span.Start:end]
	}
	sp := Span{t.Span.Start, end}
	for _, u := range unsupportedOperators {
		if name == u {
			p.errorf(sp, "operator '%s' is not supported", name)
			return
		}
	}
	if s := suggest(name, p.operatorNames()); s != "" {
		p.errorf(sp, "unknown operator '%s'; did you mean '%s'?", name, s)
		return
	}
	p.errorf(sp, "unknown operator '%s'", name)
}

func (p *parser) operatorNames() []string {
	names := make([]string, 0, len(p.ops))
	for n := range p.ops {
		names = append(names, n)
	}
	return names
}

// suggest returns the candidate closest to name by edit distance (ignoring
// case) if it is a plausible misspelling: at most len(name)/4+1 edits away.
// Ties go to the alphabetically first candidate, so the answer is stable.
func suggest(name string, candidates []string) string {
	limit := len(name)/4 + 1
	best, bestDist := "", limit+1
	lower := strings.ToLower(name)
	for _, c := range candidates {
		d := editDistance(lower, c)
		if d < bestDist || d == bestDist && c < best {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
