package api

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// readBody reads the request body up to the configured limit, undoing gzip when the sender
// compressed it; the limit applies to the decompressed bytes too.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var body io.Reader = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, &Error{Status: http.StatusBadRequest, Code: "badEncoding", Msg: "invalid gzip body: " + err.Error()}
		}
		defer zr.Close()
		body = io.LimitReader(zr, s.opts.MaxBodyBytes+1)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > s.opts.MaxBodyBytes {
		return nil, &http.MaxBytesError{Limit: s.opts.MaxBodyBytes}
	}
	return b, nil
}

func (s *Server) doIngest(w http.ResponseWriter, r *http.Request, table, source string) (*ingest.Result, bool) {
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return nil, false
	}
	p, _ := PrincipalFrom(r.Context())
	res, err := s.d.Ingest.Ingest(r.Context(), ingest.Request{Tenant: p.Tenant, Table: table, Source: source, Body: body})
	if err != nil {
		writeError(w, s.d.Log, err)
		return nil, false
	}
	return res, true
}

// ingestNative is POST /api/v1/ingest/{table}: a JSON array, one object, or NDJSON.
func (s *Server) ingestNative(w http.ResponseWriter, r *http.Request) {
	if res, ok := s.doIngest(w, r, r.PathValue("table"), "http:/api/v1/ingest"); ok {
		writeJSON(w, http.StatusOK, res)
	}
}

// ingestDCR is the Azure Monitor Logs Ingestion API shape:
// POST /dataCollectionRules/{id}/streams/{Custom-Table|Microsoft-Table}?api-version=...
// It answers 204 when every row was accepted, as Azure does, and 200 with the row errors
// otherwise.
func (s *Server) ingestDCR(w http.ResponseWriter, r *http.Request) {
	stream := r.PathValue("stream")
	table, ok := strings.CutPrefix(stream, "Custom-")
	if !ok {
		table, ok = strings.CutPrefix(stream, "Microsoft-")
	}
	if !ok || table == "" {
		writeError(w, s.d.Log, &Error{Status: http.StatusBadRequest, Code: "invalidStream",
			Msg: fmt.Sprintf("stream %q must be Custom-<Table> or Microsoft-<Table>", stream)})
		return
	}
	res, ok := s.doIngest(w, r, table, "http:/dataCollectionRules/"+r.PathValue("dcr"))
	if !ok {
		return
	}
	if res.Rejected == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
