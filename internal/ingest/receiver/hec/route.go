package hec

import (
	"fmt"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// SourceSystem is what Syslog rows from HEC carry in SourceSystem.
const SourceSystem = "Splunk HEC"

// Batch is the rows and rejects of one table, ready for ingest.Service.IngestRows.
type Batch struct {
	Table   *schema.Table
	Rows    [][]schema.Value
	Rejects []ingest.RowError
}

// Route turns events into one batch per target table, in order of first use. now is the
// receive time, given to events without a time. It fails only when the registry lacks Syslog.
func Route(reg *schema.Registry, events []Event, now time.Time) ([]*Batch, error) {
	syslog, ok := reg.Table("Syslog")
	if !ok {
		return nil, fmt.Errorf("the Syslog table is not registered")
	}
	var (
		batches []*Batch
		byName  = map[string]*Batch{}
	)
	batch := func(t *schema.Table) *Batch {
		b := byName[t.Name]
		if b == nil {
			b = &Batch{Table: t}
			byName[t.Name] = b
			batches = append(batches, b)
		}
		return b
	}
	for i := range events {
		ev := &events[i]
		if ev.Time.IsZero() {
			ev.Time = now
		}
		if ev.Table == "" {
			b := batch(syslog)
			b.Rows = append(b.Rows, syslogRow(syslog, ev))
			continue
		}
		t, ok := reg.Table(ev.Table)
		if !ok || t.Kind == schema.KindVigil {
			b := batch(syslog)
			b.Rejects = append(b.Rejects, reject(i, ev, "", fmt.Sprintf("fields.vigil_table: unknown table %q", ev.Table)))
			continue
		}
		b := batch(t)
		row, rerr := tableRow(t, ev)
		if rerr != nil {
			b.Rejects = append(b.Rejects, reject(i, ev, rerr.Column, rerr.Reason))
			continue
		}
		b.Rows = append(b.Rows, row)
	}
	return batches, nil
}

func reject(i int, ev *Event, col, reason string) ingest.RowError {
	return ingest.RowError{Row: i, Line: 1, Column: col, Reason: reason, Raw: ev.Raw}
}

func syslogRow(t *schema.Table, ev *Event) []schema.Value {
	row := make([]schema.Value, len(t.Columns))
	set := func(col string, v schema.Value) {
		if i, ok := t.Column(col); ok {
			row[i] = v
		}
	}
	set(schema.ColTimeGenerated, ev.Time)
	set("SyslogMessage", ev.Text)
	set("SourceSystem", SourceSystem)
	if ev.Host != "" {
		set("Computer", ev.Host)
		set("HostName", ev.Host)
	}
	if ev.Source != "" {
		set("ProcessName", ev.Source)
	}
	if ev.Sourcetype != "" {
		set("Facility", ev.Sourcetype)
	}
	return row
}

// tableRow decodes an object event as a row of t, giving it the event's time when it has none.
func tableRow(t *schema.Table, ev *Event) ([]schema.Value, *ingest.RowError) {
	if ev.Object == nil {
		return nil, &ingest.RowError{Reason: fmt.Sprintf("fields.vigil_table %s needs an event that is a JSON object", t.Name)}
	}
	obj := ev.Object
	var p fastjson.Parser
	v, err := p.ParseBytes(obj)
	if err != nil {
		return nil, &ingest.RowError{Reason: err.Error()}
	}
	if v.Get(schema.ColTimeGenerated) == nil && v.Get(t.Columns[t.EventTimeColumn()].Name) == nil {
		var a fastjson.Arena
		v.Set(schema.ColTimeGenerated, a.NewString(ev.Time.Format(time.RFC3339Nano)))
		obj = v.MarshalTo(nil)
	}
	dec, err := ingest.Decode(t, obj)
	if err != nil {
		return nil, &ingest.RowError{Reason: err.Error()}
	}
	if len(dec.Errors) > 0 {
		return nil, &dec.Errors[0]
	}
	return dec.Rows[0], nil
}
