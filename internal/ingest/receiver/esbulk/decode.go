package esbulk

import (
	"bytes"
	"fmt"

	"github.com/valyala/fastjson"
)

// Item is one action of a bulk request.
type Item struct {
	Action string // index, create, update or delete
	Index  string // _index, or the index of the URL
	ID     string // _id; "" when the sender left it to the server
	Source []byte // the source line (aliases the body); nil for delete
	Line   int    // 1-based line of the action
}

// ActionError is a bulk body Elasticsearch would refuse whole (HTTP 400).
type ActionError struct {
	Line int
	Msg  string
}

func (e *ActionError) Error() string { return e.Msg }

var actions = map[string]bool{"index": true, "create": true, "update": true, "delete": true}

// Decode parses a bulk body; defaultIndex is the {index} of /{index}/_bulk ("" for /_bulk).
// Blank lines are skipped; the last line need not end with a newline.
func Decode(body []byte, defaultIndex string) ([]Item, error) {
	var (
		items []Item
		p     fastjson.Parser
	)
	lines := splitLines(body)
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		it, err := decodeAction(&p, ln.text, ln.no, defaultIndex)
		if err != nil {
			return nil, err
		}
		if it.Action != "delete" {
			if i+1 >= len(lines) {
				return nil, &ActionError{Line: ln.no, Msg: fmt.Sprintf("the %s action on line [%d] has no source line", it.Action, ln.no)}
			}
			i++
			it.Source = lines[i].text
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return nil, &ActionError{Msg: "Validation Failed: 1: no requests added;"}
	}
	return items, nil
}

type line struct {
	text []byte
	no   int
}

func splitLines(body []byte) []line {
	var out []line
	for no := 1; len(body) > 0; no++ {
		l := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			l, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		if l = bytes.TrimSpace(l); len(l) > 0 {
			out = append(out, line{text: l, no: no})
		}
	}
	return out
}

func decodeAction(p *fastjson.Parser, b []byte, no int, defaultIndex string) (Item, error) {
	malformed := func(why string) error {
		return &ActionError{Line: no, Msg: fmt.Sprintf("Malformed action/metadata line [%d], %s", no, why)}
	}
	if err := fastjson.ValidateBytes(b); err != nil {
		return Item{}, malformed("expected a JSON object: " + err.Error())
	}
	v, err := p.ParseBytes(b)
	if err != nil {
		return Item{}, malformed("expected a JSON object: " + err.Error())
	}
	o, err := v.Object()
	if err != nil || o.Len() != 1 {
		return Item{}, malformed("expected an object with one action")
	}
	it := Item{Line: no, Index: defaultIndex}
	var meta *fastjson.Value
	o.Visit(func(k []byte, mv *fastjson.Value) { it.Action, meta = string(k), mv })
	if !actions[it.Action] {
		return Item{}, malformed(fmt.Sprintf("expected one of [create, delete, index, update] but found [%s]", it.Action))
	}
	if meta.Type() != fastjson.TypeObject {
		return Item{}, malformed("expected the action's metadata to be an object")
	}
	if s := meta.Get("_index"); s != nil && s.Type() == fastjson.TypeString {
		it.Index = string(s.GetStringBytes())
	}
	if s := meta.Get("_id"); s != nil {
		if s.Type() == fastjson.TypeString {
			it.ID = string(s.GetStringBytes())
		} else if s.Type() == fastjson.TypeNumber {
			it.ID = string(s.MarshalTo(nil))
		}
	}
	if it.Index == "" {
		return Item{}, &ActionError{Line: no, Msg: fmt.Sprintf("Validation Failed: 1: index is missing for the action on line [%d];", no)}
	}
	return it, nil
}
