package sigma

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/schema"
)

// rowCtx evaluates accessors on one row, computing each field at most once per row. It is
// owned by one goroutine; text lives in buf, valid until the next row.
type rowCtx struct {
	row   []schema.Value
	pos   []int // table slot -> batch column index, or -1
	gen   uint32
	cache []accCache // by accessor id
	json  []jsonCache
	buf   []byte
	mark  []uint32 // prefilter: generation of each rule's mask, by rule index in the table
	mask  []uint8  // prefilter: anchor groups seen for each rule in this row
	cands []int32
}

type accCache struct {
	gen    uint32
	lowGen uint32
	ok     bool
	val    []byte // into buf, or a string cell's bytes (read only)
	low    []byte
}

type jsonCache struct {
	gen uint32
	v   *fastjson.Value
	p   fastjson.Parser
}

// reset prepares the context for a row of a table with nacc accessors and nslot slots.
func (c *rowCtx) reset(row []schema.Value, pos []int, nacc, nrules int) {
	c.row, c.pos = row, pos
	c.gen++
	if c.gen == 0 { // wrapped: clear stale generations
		clear(c.cache)
		for i := range c.json {
			c.json[i].gen = 0
		}
		clear(c.mark)
		c.gen = 1
	}
	if len(c.cache) < nacc {
		c.cache = make([]accCache, nacc)
	}
	if len(c.json) < len(pos) {
		c.json = make([]jsonCache, len(pos))
	}
	if len(c.mark) < nrules {
		c.mark = make([]uint32, nrules)
		c.mask = make([]uint8, nrules)
	}
	c.buf = c.buf[:0]
	c.cands = c.cands[:0]
}

// raw returns the field's text and whether it is set (a null is unset).
func (c *rowCtx) raw(a *accessor) ([]byte, bool) {
	e := &c.cache[a.id]
	if e.gen == c.gen {
		return e.val, e.ok
	}
	if a.kind == aCol {
		if s, ok := c.cell(a.slot).(string); ok {
			e.gen, e.ok, e.val = c.gen, true, stringBytes(s)
			return e.val, true
		}
	}
	for _, s := range a.subs { // inputs first, so that a's text is contiguous
		c.raw(s)
	}
	start := len(c.buf)
	ok := c.compute(a)
	e.gen, e.ok, e.val = c.gen, ok, c.buf[start:len(c.buf):len(c.buf)]
	return e.val, ok
}

// low returns the field's text folded to lower case.
func (c *rowCtx) low(a *accessor) []byte {
	r, _ := c.raw(a)
	e := &c.cache[a.id]
	if e.lowGen == c.gen {
		return e.low
	}
	e.lowGen = c.gen
	if isLower(r) {
		e.low = r
		return r
	}
	start := len(c.buf)
	c.buf = appendLowerBytes(c.buf, r)
	e.low = c.buf[start:len(c.buf):len(c.buf)]
	return e.low
}

// isLower reports whether b is ASCII without upper-case letters, so folding would not change it.
func isLower(b []byte) bool {
	for _, x := range b {
		if x >= utf8.RuneSelf || ('A' <= x && x <= 'Z') {
			return false
		}
	}
	return true
}

// compute appends a's text to buf and reports whether the field is set.
func (c *rowCtx) compute(a *accessor) bool {
	switch a.kind {
	case aCol:
		return c.appendCell(a.slot)
	case aJSON:
		return c.appendJSON(a)
	case aAccount, aRegKey:
		return c.join(a)
	case aHashes:
		return c.hashes(a)
	case aKV, aXML:
		return c.extract(a)
	}
	return false
}

func (c *rowCtx) cell(slot int) schema.Value {
	if slot < 0 || slot >= len(c.pos) || c.pos[slot] < 0 || c.pos[slot] >= len(c.row) {
		return nil
	}
	return c.row[c.pos[slot]]
}

func (c *rowCtx) appendCell(slot int) bool {
	v := c.cell(slot)
	if v == nil {
		return false
	}
	c.buf = appendValue(c.buf, v)
	return true
}

// appendValue renders a cell as text, as KQL's tostring does.
func appendValue(dst []byte, v schema.Value) []byte {
	switch x := v.(type) {
	case string:
		return append(dst, x...)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int32:
		return strconv.AppendInt(dst, int64(x), 10)
	case float64:
		return strconv.AppendFloat(dst, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(dst, x)
	case time.Time:
		return x.UTC().AppendFormat(dst, time.RFC3339Nano)
	case schema.Dynamic:
		return append(dst, x...)
	case schema.GUID:
		return append(dst, x.String()...)
	case schema.Decimal:
		return append(dst, x...)
	case time.Duration:
		return append(dst, x.String()...)
	}
	return dst
}

func (c *rowCtx) parsed(slot int) *fastjson.Value {
	j := &c.json[slot]
	if j.gen == c.gen {
		return j.v
	}
	j.gen, j.v = c.gen, nil
	var s string
	switch x := c.cell(slot).(type) {
	case string:
		s = x
	case schema.Dynamic:
		s = string(x)
	default:
		return nil
	}
	if s == "" || (s[0] != '{' && s[0] != '[') {
		return nil
	}
	if v, err := j.p.Parse(s); err == nil {
		j.v = v
	}
	return j.v
}

func (c *rowCtx) appendJSON(a *accessor) bool {
	root := c.parsed(a.slot)
	if root == nil {
		return false
	}
	v := root.Get(a.path...)
	if v == nil {
		return false
	}
	switch v.Type() {
	case fastjson.TypeNull:
		return false
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		c.buf = append(c.buf, b...)
	default:
		c.buf = v.MarshalTo(c.buf)
	}
	return true
}

// join renders domain\name (account) or key\value (regkey), leaving out an empty part.
func (c *rowCtx) join(a *accessor) bool {
	first, ok1 := c.raw(a.subs[0])
	second, ok2 := c.raw(a.subs[1])
	if a.kind == aAccount {
		first, second = second, first // name is the main part; domain goes before it
		if len(second) > 0 {
			c.buf = append(append(c.buf, second...), '\\')
		}
		c.buf = append(c.buf, first...)
		return ok1 || ok2
	}
	c.buf = append(c.buf, first...)
	if len(second) > 0 {
		c.buf = append(append(c.buf, '\\'), second...)
	}
	return ok1 || ok2
}

func (c *rowCtx) hashes(a *accessor) bool {
	if len(a.subs) == 4 {
		if x, ok := c.raw(a.subs[3]); ok && len(x) > 0 {
			c.buf = append(c.buf, x...)
			return true
		}
	}
	set := false
	for i, name := range []string{"SHA1=", ",MD5=", ",SHA256="} {
		v, ok := c.raw(a.subs[i])
		set = set || ok
		c.buf = append(append(c.buf, name...), v...)
	}
	return set
}

// extract finds key=value (aKV) or <Data Name="key">value</Data> (aXML) in the input text.
func (c *rowCtx) extract(a *accessor) bool {
	text, ok := c.raw(a.subs[0])
	if !ok {
		return false
	}
	var v []byte
	switch {
	case a.kind == aKV && a.line:
		v, ok = kvLine(text, a.key)
	case a.kind == aKV:
		v, ok = kvValue(text, a.key)
	default:
		v, ok = xmlData(text, a.key)
	}
	if ok {
		c.buf = append(c.buf, v...)
	}
	return ok
}

// kvValue finds key=value or key="value" at a word start (after start, space, comma or ;);
// the key is compared ignoring case.
func kvValue(text []byte, key string) ([]byte, bool) {
	for i := 0; i+len(key) < len(text); i++ {
		if i > 0 && !isKVSep(text[i-1]) {
			continue
		}
		if text[i+len(key)] != '=' || !bytes.EqualFold(text[i:i+len(key)], []byte(key)) {
			continue
		}
		rest := text[i+len(key)+1:]
		if len(rest) > 0 && rest[0] == '"' {
			if j := bytes.IndexByte(rest[1:], '"'); j >= 0 {
				return rest[1 : 1+j], true
			}
		}
		j := 0
		for j < len(rest) && !isKVSep(rest[j]) {
			j++
		}
		return rest[:j], true
	}
	return nil, false
}

// kvLine finds key=value at a line start (after white space), the value running to the end of
// the line; classic PowerShell events hold their fields so.
func kvLine(text []byte, key string) ([]byte, bool) {
	for i := 0; i+len(key) < len(text); i++ {
		if i > 0 && !isSpace(text[i-1]) {
			continue
		}
		if text[i+len(key)] != '=' || !bytes.EqualFold(text[i:i+len(key)], []byte(key)) {
			continue
		}
		rest := text[i+len(key)+1:]
		if j := bytes.IndexAny(rest, "\r\n"); j >= 0 {
			rest = rest[:j]
		}
		return rest, true
	}
	return nil, false
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

func isKVSep(b byte) bool { return b == ' ' || b == ',' || b == ';' || b == '\t' }

// xmlData finds <Data Name="key">value</Data>; entities in the value are not decoded.
func xmlData(text []byte, key string) ([]byte, bool) {
	open := `<Data Name="` + key + `"`
	i := bytes.Index(text, []byte(open))
	if i < 0 {
		return nil, false
	}
	rest := text[i+len(open):]
	if bytes.HasPrefix(rest, []byte("/>")) {
		return nil, true
	}
	if len(rest) == 0 || rest[0] != '>' {
		return nil, false
	}
	rest = rest[1:]
	j := bytes.IndexByte(rest, '<')
	if j < 0 {
		return nil, false
	}
	return rest[:j], true
}
