package esbulk

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
)

// SourceSystem is what Syslog rows from _bulk carry in SourceSystem.
const SourceSystem = "Elasticsearch bulk"

// Batch is the rows and rejects of one table, ready for ingest.Service.IngestRows.
type Batch struct {
	Table   *schema.Table
	Rows    [][]schema.Value
	Rejects []ingest.RowError
}

// Outcome is what became of one item, for the bulk response.
type Outcome struct {
	ID        string
	Status    int    // 201, or 400
	ErrType   string // for 400
	ErrReason string
}

// Route turns items into one batch per target table, in order of first use, and the outcome
// of each item (in the order of items). It fails only when the registry lacks Syslog.
func Route(reg *schema.Registry, items []Item) ([]*Batch, []Outcome, error) {
	syslog, ok := reg.Table("Syslog")
	if !ok {
		return nil, nil, fmt.Errorf("the Syslog table is not registered")
	}
	r := router{reg: reg, syslog: syslog, byName: map[string]*Batch{}, tables: map[string]*schema.Table{}}
	out := make([]Outcome, len(items))
	for i := range items {
		out[i] = r.route(i, &items[i])
	}
	return r.batches, out, nil
}

type router struct {
	reg     *schema.Registry
	syslog  *schema.Table
	batches []*Batch
	byName  map[string]*Batch
	tables  map[string]*schema.Table      // by index, nil for Syslog-mapped indexes
	lower   map[string]*schema.Table      // tables by lower-case name, built on first need
	net     *built[*normalize.Normalizer] // Zeek and Suricata documents (netsensor.go), looked up on first need
	win     *built[*normalize.WinMapper]  // Winlogbeat documents (winlogbeat.go), looked up on first need
}

func (r *router) batch(t *schema.Table) *Batch {
	b := r.byName[t.Name]
	if b == nil {
		b = &Batch{Table: t}
		r.byName[t.Name] = b
		r.batches = append(r.batches, b)
	}
	return b
}

// table returns the table named like index, case-insensitively, or nil.
func (r *router) table(index string) *schema.Table {
	if t, ok := r.tables[index]; ok {
		return t
	}
	if r.lower == nil {
		r.lower = map[string]*schema.Table{}
		for _, t := range r.reg.Tables() {
			if t.Kind != schema.KindVigil {
				r.lower[strings.ToLower(t.Name)] = t
			}
		}
	}
	t := r.lower[strings.ToLower(index)]
	r.tables[index] = t
	return t
}

func (r *router) route(i int, it *Item) Outcome {
	o := Outcome{ID: it.ID}
	if o.ID == "" {
		o.ID = newID()
	}
	if it.Action != "index" && it.Action != "create" {
		o.Status, o.ErrType = 400, "action_request_validation_exception"
		o.ErrReason = fmt.Sprintf("Vigil tables are append-only: the %s action is not supported", it.Action)
		return o
	}
	t := r.table(it.Index)
	if t == nil {
		if wo, ok := r.winlogbeat(i, it, o); ok {
			return wo
		}
		if so, ok := r.sensor(i, it, o); ok {
			return so
		}
	}
	var (
		row  []schema.Value
		rerr *ingest.RowError
	)
	if t != nil {
		row, rerr = tableRow(t, it.Source)
	} else {
		t = r.syslog
		row, rerr = syslogRow(t, it.Index, it.Source)
	}
	b := r.batch(t)
	if rerr != nil {
		rerr.Row, rerr.Line, rerr.Raw = i, it.Line+1, it.Source
		b.Rejects = append(b.Rejects, *rerr)
		o.Status, o.ErrType, o.ErrReason = 400, "document_parsing_exception", rerr.Reason
		return o
	}
	b.Rows = append(b.Rows, row)
	o.Status = 201
	return o
}

// newID returns a 20-character random id, like the ids Elasticsearch generates.
func newID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func parseObject(p *fastjson.Parser, src []byte) (*fastjson.Value, *ingest.RowError) {
	if err := fastjson.ValidateBytes(src); err != nil {
		return nil, &ingest.RowError{Reason: "failed to parse the document: " + err.Error()}
	}
	v, err := p.ParseBytes(src)
	if err != nil {
		return nil, &ingest.RowError{Reason: "failed to parse the document: " + err.Error()}
	}
	if v.Type() != fastjson.TypeObject {
		return nil, &ingest.RowError{Reason: "the document must be a JSON object"}
	}
	return v, nil
}

// tableRow decodes a document as a row of t, with @timestamp as TimeGenerated when the
// document carries neither TimeGenerated nor the table's event time column.
func tableRow(t *schema.Table, src []byte) ([]schema.Value, *ingest.RowError) {
	var p fastjson.Parser
	v, rerr := parseObject(&p, src)
	if rerr != nil {
		return nil, rerr
	}
	if ts := v.Get("@timestamp"); ts != nil {
		if v.Get(schema.ColTimeGenerated) == nil && v.Get(t.Columns[t.EventTimeColumn()].Name) == nil {
			v.Set(schema.ColTimeGenerated, ts)
		}
		v.Del("@timestamp")
		src = v.MarshalTo(nil)
	}
	dec, err := ingest.Decode(t, src)
	if err != nil {
		return nil, &ingest.RowError{Reason: err.Error()}
	}
	if len(dec.Errors) > 0 {
		return nil, &dec.Errors[0]
	}
	return dec.Rows[0], nil
}
