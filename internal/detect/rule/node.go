package rule

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// sourceMap keeps field and query positions of a parsed rule.
type sourceMap struct {
	pos   map[string]Pos
	query func(off int) Pos
}

// decoder reads rule fields from yaml.v3 nodes, recording positions and findings.
type decoder struct {
	file     string
	src      []byte
	lines    []int // byte offset of each line start
	findings []Finding
	pos      map[string]Pos
	// strict makes unknown keys errors (our formats); Microsoft's formats get warnings.
	strict bool
}

func newDecoder(file string, src []byte) *decoder {
	d := &decoder{file: file, src: src, lines: []int{0}}
	for i, c := range src {
		if c == '\n' {
			d.lines = append(d.lines, i+1)
		}
	}
	return d
}

func (d *decoder) reset() { d.pos = map[string]Pos{} }

func nodePos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{}
	}
	return Pos{Line: n.Line, Col: n.Column}
}

func (d *decoder) addf(lvl Level, p Pos, format string, args ...any) {
	d.findings = append(d.findings, Finding{File: d.file, Pos: p, Level: lvl, Message: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.addf(LevelError, nodePos(n), format, args...)
}

// obj is a YAML mapping being decoded, with the path of its fields.
type obj struct {
	d     *decoder
	node  *yaml.Node
	path  string
	keys  map[string]*yaml.Node
	kpos  map[string]*yaml.Node
	order []string
}

func (d *decoder) object(n *yaml.Node, path, what string) *obj {
	o := &obj{d: d, node: n, path: path, keys: map[string]*yaml.Node{}, kpos: map[string]*yaml.Node{}}
	if n == nil {
		return o
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping", what)
		return o
	}
	d.pos[path] = nodePos(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := o.keys[k.Value]; dup {
			d.errorf(k, "duplicate key %q", k.Value)
		}
		o.keys[k.Value], o.kpos[k.Value] = v, k
		o.order = append(o.order, k.Value)
		d.pos[o.sub(k.Value)] = nodePos(v)
	}
	return o
}

func (o *obj) sub(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

// get returns the value of key, or nil; a null value counts as absent.
func (o *obj) get(key string) *yaml.Node {
	n := o.keys[key]
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	return n
}

// known reports keys outside the given set.
func (o *obj) known(keys ...string) {
	set := map[string]bool{}
	for _, k := range keys {
		set[k] = true
	}
	for _, k := range o.order {
		if set[k] {
			continue
		}
		lvl, how := LevelWarning, "ignored"
		if o.d.strict {
			lvl, how = LevelError, "not allowed"
		}
		where := o.path
		if where == "" {
			where = "the rule"
		}
		o.d.addf(lvl, nodePos(o.kpos[k]), "unknown field %q in %s (%s)", k, where, how)
	}
}

func (o *obj) str(key string) string {
	n := o.get(key)
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		o.d.errorf(n, "%s must be a string", key)
		return ""
	}
	return n.Value
}

func (o *obj) boolean(key string) (v, ok bool) {
	n := o.get(key)
	if n == nil {
		return false, false
	}
	b, err := strconv.ParseBool(strings.ToLower(n.Value))
	if n.Kind != yaml.ScalarNode || err != nil {
		o.d.errorf(n, "%s must be true or false", key)
		return false, false
	}
	return b, true
}

func (o *obj) integer(key string) int {
	n := o.get(key)
	if n == nil {
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		o.d.errorf(n, "%s must be an integer, not %q", key, n.Value)
		return 0
	}
	return v
}

func (o *obj) duration(key string) Duration {
	n := o.get(key)
	if n == nil {
		return 0
	}
	v, err := ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		o.d.errorf(n, "%s: %q: %v", key, n.Value, errDuration)
		return 0
	}
	return v
}

func (o *obj) strList(key string) []string {
	n := o.get(key)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode { // tolerated: a single value
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		o.d.errorf(n, "%s must be a list of strings", key)
		return nil
	}
	var out []string
	for i, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			o.d.errorf(c, "%s must be a list of strings", key)
			continue
		}
		o.d.pos[fmt.Sprintf("%s[%d]", o.sub(key), i)] = nodePos(c)
		out = append(out, c.Value)
	}
	return out
}

// list returns the items of a sequence field.
func (o *obj) list(key string) []*yaml.Node {
	n := o.get(key)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		o.d.errorf(n, "%s must be a list", key)
		return nil
	}
	for i, c := range n.Content {
		o.d.pos[fmt.Sprintf("%s[%d]", o.sub(key), i)] = nodePos(c)
	}
	return n.Content
}

// offset returns the byte offset of a 1-based line and rune column.
func (d *decoder) offset(p Pos) int {
	if p.Line < 1 || p.Line > len(d.lines) {
		return len(d.src)
	}
	off := d.lines[p.Line-1]
	for c := 1; c < p.Col && off < len(d.src) && d.src[off] != '\n'; c++ {
		_, w := utf8.DecodeRune(d.src[off:])
		off += w
	}
	return off
}

// posAt returns the 1-based line and rune column of a byte offset.
func (d *decoder) posAt(off int) Pos {
	line := 0
	for line+1 < len(d.lines) && d.lines[line+1] <= off {
		line++
	}
	if off > len(d.src) {
		off = len(d.src)
	}
	return Pos{Line: line + 1, Col: utf8.RuneCount(d.src[d.lines[line]:off]) + 1}
}

// queryMap maps offsets in a scalar's value to file positions.
func (d *decoder) queryMap(n *yaml.Node) func(int) Pos {
	if n == nil {
		return nil
	}
	val := n.Value
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		indent := 0
		for l := n.Line; l < len(d.lines); l++ { // the line after the header
			line := d.src[d.lines[l]:]
			i := 0
			for i < len(line) && line[i] == ' ' {
				i++
			}
			if i < len(line) && line[i] != '\n' {
				indent = i
				break
			}
		}
		return func(off int) Pos {
			off = min(max(off, 0), len(val))
			pre := val[:off]
			ln := strings.Count(pre, "\n")
			col := utf8.RuneCountInString(pre[strings.LastIndexByte(pre, '\n')+1:])
			return Pos{Line: n.Line + 1 + ln, Col: indent + col + 1}
		}
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		start := d.offset(nodePos(n)) + 1
		double := n.Style == yaml.DoubleQuotedStyle
		return func(off int) Pos { return d.posAt(d.walkQuoted(start, off, double)) }
	default:
		start := d.offset(nodePos(n))
		return func(off int) Pos { return d.posAt(min(start+max(off, 0), len(d.src))) }
	}
}

// walkQuoted advances over the source of a quoted scalar until off decoded bytes are consumed.
func (d *decoder) walkQuoted(si, off int, double bool) int {
	for di := 0; di < off && si < len(d.src); {
		c := d.src[si]
		switch {
		case double && c == '\\' && si+1 < len(d.src):
			n, w := 2, 1
			switch d.src[si+1] {
			case 'x':
				n = 4
			case 'u':
				n, w = 6, 2
			case 'U':
				n, w = 10, 3
			}
			si, di = si+n, di+w
		case !double && c == '\'' && si+1 < len(d.src) && d.src[si+1] == '\'':
			si, di = si+2, di+1
		default:
			si, di = si+1, di+1
		}
	}
	return min(si, len(d.src))
}
