package playbook

import (
	"fmt"
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"
)

// exprEnv is what an expression may use. The fields are untyped, so member access is
// checked when the expression runs; names not listed here are errors at load.
type exprEnv struct {
	Incident any `expr:"incident"`
	Alert    any `expr:"alert"`
	Entities any `expr:"entities"`
	Inputs   any `expr:"inputs"`
	Steps    any `expr:"steps"`
	Item     any `expr:"item"`
	Run      any `expr:"run"`
}

// toEnv builds the environment from the runner's map.
func toEnv(m map[string]any) exprEnv {
	return exprEnv{Incident: m["incident"], Alert: m["alert"], Entities: m["entities"], Inputs: m["inputs"],
		Steps: m["steps"], Item: m["item"], Run: m["run"]}
}

// program is a compiled expression with its source.
type program struct {
	src  string
	prog *vm.Program
}

// eval runs p over env.
func (p *program) eval(env map[string]any) (any, error) {
	v, err := expr.Run(p.prog, toEnv(env))
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", p.src, err)
	}
	return v, nil
}

// scope is what an expression may refer to where it is written.
type scope struct {
	steps []string // ids of the steps before
	item  bool     // inside a foreach step
}

// compile compiles src (found at node n, offset bytes into its value) and checks its
// references, reporting problems at their position in the file.
func (d *Checker) compile(n *yaml.Node, offset int, src string, sc scope, asBool bool) *program {
	opts := []expr.Option{expr.Env(exprEnv{})}
	if asBool {
		opts = append(opts, expr.AsBool())
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		d.exprError(n, offset, src, err)
		return nil
	}
	node := prog.Node()
	ast.Walk(&node, &refCheck{d: d, n: n, offset: offset, sc: sc})
	return &program{src: src, prog: prog}
}

func (d *Checker) exprError(n *yaml.Node, offset int, src string, err error) {
	line, col, msg := n.Line, n.Column+offset, err.Error()
	var fe *file.Error
	if e, ok := err.(*file.Error); ok { //nolint:errorlint // expr returns *file.Error unwrapped
		fe = e
	}
	if fe != nil {
		msg = fe.Message
		if fe.Line > 1 {
			line, col = n.Line+fe.Line-1, fe.Column+1
		} else {
			col += fe.Column
		}
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && fe != nil && fe.Line <= 1 {
		col++
	}
	d.list = append(d.list, Diagnostic{File: d.File, Line: line, Column: col, Msg: fmt.Sprintf("expression %q: %s", src, msg)})
}

// refCheck reports references to steps not run before and to item outside foreach.
type refCheck struct {
	d      *Checker
	n      *yaml.Node
	offset int
	sc     scope
}

// Visit implements ast.Visitor.
func (r *refCheck) Visit(node *ast.Node) {
	switch x := (*node).(type) {
	case *ast.MemberNode:
		id, ok := x.Node.(*ast.IdentifierNode)
		prop, isStr := x.Property.(*ast.StringNode)
		if ok && isStr && id.Value == "steps" && !slices.Contains(r.sc.steps, prop.Value) {
			r.d.At(r.n, "undefined step reference steps.%s (steps before this one: %s)", prop.Value, listOrNone(r.sc.steps))
		}
	case *ast.IdentifierNode:
		if x.Value == "item" && !r.sc.item {
			r.d.At(r.n, "item is defined only in a step with foreach")
		}
	}
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// tmpl is a string with ${{ expression }} parts.
type tmpl struct {
	parts []tpart
	// whole is true when the string is one expression and nothing else: its value keeps
	// its type (a list stays a list).
	whole bool
}

type tpart struct {
	lit  string
	prog *program
}

// compileTemplate splits s (the value of node n) into literal and expression parts.
func (d *Checker) compileTemplate(n *yaml.Node, s string, sc scope) *tmpl {
	t := &tmpl{}
	rest, off := s, 0
	for {
		i := strings.Index(rest, "${{")
		if i < 0 {
			if rest != "" {
				t.parts = append(t.parts, tpart{lit: rest})
			}
			break
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			d.At(n, "template: ${{ at offset %d is not closed with }}", off+i)
			return nil
		}
		if i > 0 {
			t.parts = append(t.parts, tpart{lit: rest[:i]})
		}
		src := rest[i+3 : i+j]
		p := d.compile(n, off+i+3, src, sc, false)
		if p == nil {
			return nil
		}
		t.parts = append(t.parts, tpart{prog: p})
		rest, off = rest[i+j+2:], off+i+j+2
	}
	t.whole = len(t.parts) == 1 && t.parts[0].prog != nil && strings.TrimSpace(s) == s
	return t
}

// eval renders t over env.
func (t *tmpl) eval(env map[string]any) (any, error) {
	if t.whole {
		return t.parts[0].prog.eval(env)
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.prog == nil {
			b.WriteString(p.lit)
			continue
		}
		v, err := p.prog.eval(env)
		if err != nil {
			return nil, err
		}
		if v != nil {
			fmt.Fprint(&b, v)
		}
	}
	return b.String(), nil
}

// value is a step argument: a template, a list or map of values, or a literal.
type value struct {
	t    *tmpl
	list []value
	m    map[string]value
	lit  any
}

// compileValue reads node n as a value.
func (d *Checker) compileValue(n *yaml.Node, sc scope) value {
	switch n.Kind {
	case yaml.SequenceNode:
		v := value{list: []value{}}
		for _, c := range n.Content {
			v.list = append(v.list, d.compileValue(c, sc))
		}
		return v
	case yaml.MappingNode:
		v := value{m: map[string]value{}}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v.m[n.Content[i].Value] = d.compileValue(n.Content[i+1], sc)
		}
		return v
	case yaml.ScalarNode:
		if n.Tag == "!!str" && strings.Contains(n.Value, "${{") {
			return value{t: d.compileTemplate(n, n.Value, sc)}
		}
		var lit any
		if err := n.Decode(&lit); err != nil {
			d.At(n, "%s", yamlReason(err))
		}
		return value{lit: lit}
	case yaml.DocumentNode, yaml.AliasNode:
	}
	d.At(n, "unsupported YAML value (aliases are not allowed)")
	return value{}
}

// eval evaluates v over env.
func (v value) eval(env map[string]any) (any, error) {
	switch {
	case v.t != nil:
		return v.t.eval(env)
	case v.list != nil:
		out := make([]any, 0, len(v.list))
		for _, x := range v.list {
			e, err := x.eval(env)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	case v.m != nil:
		out := make(map[string]any, len(v.m))
		for k, x := range v.m {
			e, err := x.eval(env)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	}
	return v.lit, nil
}
