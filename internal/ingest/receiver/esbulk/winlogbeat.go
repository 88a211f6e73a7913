package esbulk

import (
	"bytes"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest/normalize"
)

// winlogHint is the member every Winlogbeat document has; documents without it skip the JSON
// decoding.
var winlogHint = []byte(`"winlog"`)

// isWinlogbeat reports whether src has the shape of a Winlogbeat 7.x or 8.x document: a winlog
// object naming the channel or provider, and an event id (winlog.event_id, or event.code as
// ECS spells it).
func isWinlogbeat(src []byte) bool {
	if !bytes.Contains(src, winlogHint) {
		return false
	}
	var p fastjson.Parser
	v, err := p.ParseBytes(src)
	if err != nil {
		return false
	}
	w := v.Get("winlog")
	if w == nil || w.Type() != fastjson.TypeObject {
		return false
	}
	if w.Get("channel") == nil && w.Get("provider_name") == nil {
		return false
	}
	return w.Get("event_id") != nil || v.Get("event", "code") != nil
}

// winlogbeat routes item i when it is a Winlogbeat document: its rows go to the tables the
// Windows normalizer picks (Sysmon to Device*, Security to SecurityEvent and the Defender
// tables, other channels to WindowsEvent), and a document that cannot be mapped is a reject
// with the normalizer's reason, answered 400 for that item. It reports false for any other
// document.
func (r *router) winlogbeat(i int, it *Item, o Outcome) (Outcome, bool) {
	if !isWinlogbeat(it.Source) {
		return o, false
	}
	if r.win == nil {
		r.win = winMappers.get(r.reg)
	}
	if r.win.err != nil {
		return o, false
	}
	items, err := r.win.v.NormalizeDoc(normalize.WinFormatWinlogbeat, it.Source)
	if err != nil {
		return o, false
	}
	return r.addRecords(i, it, o, items), true
}
