package sigma

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// accKind is how an accessor computes a field's text from a row.
type accKind uint8

const (
	aCol     accKind = iota // a column
	aJSON                   // a key path inside a column holding JSON
	aAccount                // domain\name
	aRegKey                 // key\value name
	aHashes                 // SHA1=..,MD5=..,SHA256=.. or the extra column
	aKV                     // key=value inside text
	aXML                    // <Data Name="x">value</Data> inside text
)

// accessor computes the text of one Sigma field from a row. Accessors are shared by every
// rule of a table and each has an id, so a row computes each field once.
type accessor struct {
	kind    accKind
	col     string // aCol, aJSON: the column as the table spells it
	colType schema.Type
	path    []string    // aJSON: keys
	key     string      // aKV, aXML: the key or data name
	subs    []*accessor // composite kinds: their inputs
	enum    map[string]string
	regdata bool
	regkey  bool
	line    bool   // aKV: the value runs to the end of the line (kvline)
	expr    string // canonical form, also the dedupe key
	id      int    // index in the table's accessor list
	slot    int    // aCol, aJSON: index in the table's column slots
}

// parseAccessor reads a field expression (see mapping.yaml) against table t.
func parseAccessor(e string, t *schema.Table) (*accessor, error) {
	e = strings.TrimSpace(e)
	open := strings.IndexByte(e, '(')
	if open < 0 {
		return leafAccessor(e, t)
	}
	if !strings.HasSuffix(e, ")") {
		return nil, fmt.Errorf("bad field expression %q", e)
	}
	fn, args := e[:open], strings.Split(e[open+1:len(e)-1], ",")
	for i := range args {
		args[i] = strings.TrimSpace(args[i])
	}
	return funcAccessor(fn, args, t)
}

// funcArity gives each function's column arguments (min, max) and whether the rest are keys.
var funcArity = map[string]struct {
	kind     accKind
	min, max int
}{
	"account": {aAccount, 2, 2}, "regkey": {aRegKey, 2, 2}, "hashes": {aHashes, 3, 4},
	"kv": {aKV, 1, 1}, "kvline": {aKV, 1, 1}, "xml": {aXML, 1, 1}, "regdata": {aCol, 1, 1}, "enum": {aCol, 1, 1},
}

func funcAccessor(fn string, args []string, t *schema.Table) (*accessor, error) {
	ar, ok := funcArity[fn]
	if !ok {
		return nil, fmt.Errorf("unknown field function %s", fn)
	}
	ncols := ar.max
	if fn == "hashes" {
		ncols = len(args)
	}
	if len(args) < ar.min || (fn != "enum" && ar.kind != aKV && fn != "xml" && len(args) > ar.max) {
		return nil, fmt.Errorf("%s takes %d to %d columns", fn, ar.min, ar.max)
	}
	a := &accessor{kind: ar.kind, expr: fn + "(" + strings.Join(args, ", ") + ")"}
	for _, arg := range args[:min(ncols, len(args))] {
		sub, err := leafAccessor(arg, t)
		if err != nil {
			return nil, err
		}
		a.subs = append(a.subs, sub)
	}
	return a.finish(fn, args[min(ncols, len(args)):])
}

// finish applies the key arguments of kv, xml and enum, and turns regdata/enum into columns
// with value rewrites.
func (a *accessor) finish(fn string, rest []string) (*accessor, error) {
	switch fn {
	case "kv", "kvline", "xml":
		if len(rest) != 1 || rest[0] == "" {
			return nil, fmt.Errorf("%s takes a column and a key", fn)
		}
		a.key, a.line = rest[0], fn == "kvline"
	case "regdata", "enum":
		leaf := *a.subs[0]
		leaf.expr = a.expr
		leaf.regdata = fn == "regdata"
		if fn == "enum" {
			leaf.enum = map[string]string{}
			for _, kv := range rest {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return nil, fmt.Errorf("enum value %q is not from=to", kv)
				}
				leaf.enum[lower(k)] = v
			}
		}
		return &leaf, nil
	case "regkey":
		a.regkey = true
	}
	return a, nil
}

func leafAccessor(e string, t *schema.Table) (*accessor, error) {
	parts := strings.Split(e, ".")
	i, ok := t.Column(parts[0])
	if !ok {
		return nil, fmt.Errorf("table %s has no column %s", t.Name, parts[0])
	}
	c := t.Columns[i]
	if len(parts) == 1 {
		return &accessor{kind: aCol, col: c.Name, colType: c.Type, expr: c.Name}, nil
	}
	if !isJSONType(c.Type) {
		return nil, fmt.Errorf("column %s.%s is %s, which has no keys", t.Name, c.Name, c.Type)
	}
	for _, p := range parts[1:] {
		if p == "" {
			return nil, fmt.Errorf("empty key in %q", e)
		}
	}
	return &accessor{kind: aJSON, col: c.Name, colType: c.Type, path: parts[1:], expr: c.Name + "." + strings.Join(parts[1:], ".")}, nil
}

// rewrite maps a rule's literal to the form the column holds.
func (a *accessor) rewrite(v string) string {
	if a.enum != nil {
		if r, ok := a.enum[lower(v)]; ok {
			return r
		}
	}
	if a.regdata {
		return regData(v)
	}
	if a.regkey {
		return regKeyHive(v)
	}
	return v
}

// regKeyHive spells an abbreviated hive at the start of v in full, as the registry tables do.
func regKeyHive(v string) string {
	for _, h := range [][2]string{{`HKLM\`, `HKEY_LOCAL_MACHINE\`}, {`HKCU\`, `HKEY_CURRENT_USER\`}, {`HKU\`, `HKEY_USERS\`}, {`HKCR\`, `HKEY_CLASSES_ROOT\`}} {
		if len(v) >= len(h[0]) && strings.EqualFold(v[:len(h[0])], h[0]) {
			return h[1] + v[len(h[0]):]
		}
	}
	return v
}

// regData turns Sysmon's "DWORD (0x0000000a)" into the decimal the registry tables hold.
func regData(v string) string {
	inner, ok := strings.CutPrefix(v, "DWORD (")
	if !ok {
		return v
	}
	inner, ok = strings.CutSuffix(inner, ")")
	if !ok {
		return v
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.ToLower(inner), "0x"), 16, 64)
	if err != nil {
		return v
	}
	return strconv.FormatInt(n, 10)
}
