package api

import (
	"bytes"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/ingest/receiver/hec"
	"github.com/vigilsec/vigil/internal/schema"
)

// hecSyslogFormat is the route format that parses each event as a syslog line.
const hecSyslogFormat = "syslog"

// hecRouter applies the configured sourcetype routes (Options.HECRoutes) to HEC events:
// events of a table route get that table as fields.vigil_table would give it, events of a
// format route are normalized like /api/v1/ingest/format bodies (or parsed as syslog lines),
// and the rest follow hec.Route.
type hecRouter struct {
	rules   *hec.Rules
	formats *sourceFormats    // nil: no format routes
	syslog  *normalize.Parser // nil: no syslog format route
}

// newHECRouter builds the router; a route naming an unknown table or format is logged and left
// out (the app checks them before the server starts).
func (s *Server) newHECRouter() *hecRouter {
	hr := &hecRouter{}
	if len(s.opts.HECRoutes) == 0 {
		return hr
	}
	if n, err := normalize.NewNormalizer(s.d.Registry); err == nil {
		if wm, err := normalize.NewWinMapper(s.d.Registry); err == nil {
			hr.formats = &sourceFormats{json: n, win: wm}
		}
	}
	hr.syslog, _ = normalize.NewParser(s.d.Registry)
	var ok []hec.Rule
	for _, ru := range s.opts.HECRoutes {
		if err := hr.check(s.d.Registry, ru); err != "" {
			s.d.Log.Error("hec route left out", "sourcetype", ru.Sourcetype, "index", ru.Index, "err", err)
			continue
		}
		ok = append(ok, ru)
	}
	rules, err := hec.NewRules(ok)
	if err != nil {
		s.d.Log.Error("hec routes", "err", err)
	}
	hr.rules = rules
	return hr
}

func (hr *hecRouter) check(reg *schema.Registry, ru hec.Rule) string {
	switch {
	case ru.Table != "":
		if t, ok := reg.Table(ru.Table); !ok || t.Kind == schema.KindVigil {
			return "unknown table " + ru.Table
		}
	case ru.Format == hecSyslogFormat:
		if hr.syslog == nil {
			return "the syslog parser is not available"
		}
	case hr.formats == nil || !hr.formats.known(ru.Format):
		return "unknown format " + ru.Format
	}
	return ""
}

// routedEvent is an event of a format route, with its index in the request.
type routedEvent struct {
	i      int
	ev     *hec.Event
	format string
}

// split returns the events hec.Route takes (with their indexes in events) and those of format
// routes. An event's own fields.vigil_table wins over any route.
func (hr *hecRouter) split(events []hec.Event) (rest []hec.Event, idx []int, routed []routedEvent) {
	if hr.rules.Len() == 0 {
		return events, nil, nil
	}
	for i := range events {
		ev := &events[i]
		ru, ok := hr.rules.Match(ev.Sourcetype, ev.Index)
		if ok && ev.Table == "" && ru.Format != "" {
			routed = append(routed, routedEvent{i: i, ev: ev, format: ru.Format})
			continue
		}
		if ok && ev.Table == "" {
			ev.Table = ru.Table
		}
		rest, idx = append(rest, *ev), append(idx, i)
	}
	return rest, idx, routed
}

// route turns events into batches by table, routes applied; reject rows are the events'
// indexes in the request.
func (hr *hecRouter) route(reg *schema.Registry, events []hec.Event, now time.Time) ([]*hec.Batch, error) {
	rest, idx, routed := hr.split(events)
	batches, err := hec.Route(reg, rest, now)
	if err != nil {
		return nil, err
	}
	if idx != nil {
		for _, b := range batches {
			for j := range b.Rejects {
				b.Rejects[j].Row = idx[b.Rejects[j].Row]
			}
		}
	}
	if len(routed) == 0 {
		return batches, nil
	}
	byName := map[string]*hec.Batch{}
	add := func(t *schema.Table) *hec.Batch {
		if b := byName[t.Name]; b != nil {
			return b
		}
		b := &hec.Batch{Table: t}
		byName[t.Name] = b
		batches = append(batches, b)
		return b
	}
	for _, re := range routed {
		for _, rec := range hr.normalize(re, now) {
			b := add(rec.Table)
			if rec.Err != nil {
				b.Rejects = append(b.Rejects, ingest.RowError{Row: re.i, Line: 1, Offset: rec.Err.Offset,
					Reason: rec.Err.Format + ": " + rec.Err.Reason + " (sourcetype " + re.ev.Sourcetype + ")", Raw: re.ev.Raw})
				continue
			}
			b.Rows = append(b.Rows, rec.Row)
		}
	}
	return batches, nil
}

// normalize maps one event of a format route: its text (a JSON string's value, or the JSON
// text of an object) is the record in that format.
func (hr *hecRouter) normalize(re routedEvent, now time.Time) []normalize.Record {
	text := []byte(re.ev.Text)
	if re.format == hecSyslogFormat {
		// Forwarders send file lines without <PRI> (linux_secure, syslog): user.notice.
		if !bytes.HasPrefix(text, []byte("<")) {
			text = append([]byte("<13>"), text...)
		}
		t := now
		if !re.ev.Time.IsZero() {
			t = re.ev.Time
		}
		rec := hr.syslog.Parse(text, "", t)
		return append([]normalize.Record{rec}, hr.syslog.Derive(rec)...)
	}
	items, err := hr.formats.normalize(re.format, text, re.ev.Host)
	if err != nil {
		return []normalize.Record{{Table: hr.syslog.SyslogTable(), Err: &normalize.ParseError{Format: re.format, Reason: err.Error()}}}
	}
	var out []normalize.Record
	for _, it := range items {
		out = append(out, it.Records...)
	}
	return out
}
