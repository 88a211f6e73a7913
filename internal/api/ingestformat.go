package api

import (
	"bytes"
	"net/http"
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
)

// formatRoutes serves POST /api/v1/ingest/format/{format}: a body in one of the source formats
// of normalize.Normalizer (JSON ones such as entra-signin, cloudtrail, okta, github-audit, and
// the line-based auditd text) or the Windows event formats (winevent-xml, winlogbeat, nxlog,
// evtx-json, winevent-json), normalized here and sent to each record's tables. The query
// parameter host names the device of records that do not name theirs (auditd lines without
// node=). Records that cannot be mapped go to IngestionErrors with the reason and their raw
// text. The answer is the native ingest result, with each error's row the index of the source
// record in the body.
func (s *Server) formatRoutes(mux *http.ServeMux) {
	n, err := normalize.NewNormalizer(s.d.Registry)
	if err != nil {
		s.d.Log.Error("source formats disabled", "err", err)
		return
	}
	wm, err := normalize.NewWinMapper(s.d.Registry)
	if err != nil {
		s.d.Log.Error("source formats disabled", "err", err)
		return
	}
	f := &sourceFormats{json: n, win: wm}
	mux.Handle("POST /api/v1/ingest/format/{format}", s.counted(recvFormat, s.authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ingestFormat(w, r, f)
	}))))
}

// sourceFormats normalizes every source format the route takes: the JSON cloud, identity and
// email formats, and the Windows event formats (XML and the JSON forms shippers write).
type sourceFormats struct {
	json *normalize.Normalizer
	win  *normalize.WinMapper
}

func (f *sourceFormats) known(name string) bool {
	_, ok := f.json.Format(name)
	return ok || normalize.IsWinFormat(name)
}

func (f *sourceFormats) names() []string {
	return append(f.json.Formats(), normalize.WinFormats()...)
}

// normalize maps body; host names the device for formats whose records may not (auditd).
func (f *sourceFormats) normalize(name string, body []byte, host string) ([]normalize.Item, error) {
	if normalize.IsWinFormat(name) {
		return f.win.Normalize(name, body)
	}
	return f.json.NormalizeHost(name, body, host)
}

// formatBatch is what one request gives one table.
type formatBatch struct {
	t       *schema.Table
	rows    [][]schema.Value
	rejects []ingest.RowError
}

func (s *Server) ingestFormat(w http.ResponseWriter, r *http.Request, n *sourceFormats) {
	format := r.PathValue("format")
	if !n.known(format) {
		writeError(w, s.d.Log, &Error{Status: http.StatusNotFound, Code: "unknownFormat",
			Msg: "unknown format " + format + "; known formats: " + strings.Join(n.names(), ", ")})
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	items, err := n.normalize(format, body, r.URL.Query().Get("host"))
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	batches := groupFormatRecords(body, items)
	names := make([]string, 0, len(batches))
	for name := range batches {
		names = append(names, name)
	}
	sort.Strings(names)
	p, _ := PrincipalFrom(r.Context())
	total := &ingest.Result{}
	for _, name := range names {
		b := batches[name]
		res, err := s.ingestRows(r.Context(), p.Tenant, "http:/api/v1/ingest/format/"+format, b.t, b.rows, b.rejects)
		if err != nil {
			writeError(w, s.d.Log, err)
			return
		}
		total.Accepted += res.Accepted
		total.Rejected += res.Rejected
		total.Errors = append(total.Errors, res.Errors...)
		total.ErrorsTruncated = total.ErrorsTruncated || res.ErrorsTruncated
	}
	sort.SliceStable(total.Errors, func(i, j int) bool { return total.Errors[i].Row < total.Errors[j].Row })
	writeJSON(w, http.StatusOK, total)
}

// groupFormatRecords gathers the rows and rejects of the items by table.
func groupFormatRecords(body []byte, items []normalize.Item) map[string]*formatBatch {
	out := map[string]*formatBatch{}
	for i, it := range items {
		for _, rec := range it.Records {
			b := out[rec.Table.Name]
			if b == nil {
				b = &formatBatch{t: rec.Table}
				out[rec.Table.Name] = b
			}
			if rec.Err == nil {
				b.rows = append(b.rows, rec.Row)
				continue
			}
			b.rejects = append(b.rejects, ingest.RowError{Row: i, Line: 1 + bytes.Count(body[:it.Offset], []byte{'\n'}),
				Offset: it.Offset, Reason: rec.Err.Format + ": " + rec.Err.Reason, Raw: it.Raw})
		}
	}
	return out
}
