package api

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/receiver/hec"
)

// hecSource names the Splunk HEC receiver in IngestionErrors.
const hecSource = "http:/services/collector"

// hecReply is Splunk HEC's answer shape.
type hecReply struct {
	Text        string `json:"text"`
	Code        int    `json:"code"`
	InvalidItem *int   `json:"invalid-event-number,omitempty"`
}

func (s *Server) hecRoutes(mux *http.ServeMux) {
	auth := func(h http.HandlerFunc) http.Handler { return s.counted(recvHEC, s.keyAuth(hecAuthFail, h)) }
	hr := s.newHECRouter()
	for _, p := range []string{"/services/collector", "/services/collector/event", "/services/collector/event/1.0"} {
		mux.Handle("POST "+p, auth(func(w http.ResponseWriter, r *http.Request) { s.hecEvent(w, r, hr) }))
	}
	for _, p := range []string{"/services/collector/raw", "/services/collector/raw/1.0"} {
		mux.Handle("POST "+p, auth(func(w http.ResponseWriter, r *http.Request) { s.hecRaw(w, r, hr) }))
	}
	for _, p := range []string{"/services/collector/health", "/services/collector/health/1.0"} {
		mux.HandleFunc("GET "+p, s.hecHealth)
	}
}

func hecAuthFail(w http.ResponseWriter, missing bool) {
	if missing {
		writeJSON(w, http.StatusUnauthorized, hecReply{Text: "Token is required", Code: hec.CodeTokenRequired})
		return
	}
	writeJSON(w, http.StatusForbidden, hecReply{Text: "Invalid token", Code: hec.CodeInvalidToken})
}

// hecError answers err in HEC's shape, with the status writeError would give it.
func (s *Server) hecError(w http.ResponseWriter, err error) {
	status, b := classifyError(w.Header(), s.d.Log, err)
	rep := hecReply{Text: b.Error.Message, Code: hec.CodeInvalidFormat}
	var ferr *hec.FormatError
	switch {
	case errors.As(err, &ferr):
		rep.Code, rep.InvalidItem = ferr.Code, &ferr.Event
		rep.Text = map[int]string{hec.CodeEventRequired: "Event field is required", hec.CodeEventBlank: "Event field cannot be blank"}[ferr.Code]
		if rep.Text == "" {
			rep.Text = "Invalid data format"
		}
	case status == http.StatusServiceUnavailable:
		rep.Text, rep.Code = "Server is busy", hec.CodeServerBusy
	case status >= 500:
		rep.Text, rep.Code = "Internal server error", 8
	}
	writeJSON(w, status, rep)
}

// hecEvent is POST /services/collector/event: concatenated JSON events.
func (s *Server) hecEvent(w http.ResponseWriter, r *http.Request, hr *hecRouter) {
	body, ok := s.hecBody(w, r)
	if !ok {
		return
	}
	events, err := hec.Decode(body)
	if err != nil {
		var ferr *hec.FormatError
		if errors.As(err, &ferr) {
			err = s.hecRejectWhole(r, body, ferr)
		}
		s.hecError(w, err)
		return
	}
	s.hecIngest(w, r, events, hr)
}

// hecRaw is POST /services/collector/raw: one event a line, metadata in the query string.
func (s *Server) hecRaw(w http.ResponseWriter, r *http.Request, hr *hecRouter) {
	body, ok := s.hecBody(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	events := hec.DecodeRaw(body, hec.Meta{Host: q.Get("host"), Source: q.Get("source"), Sourcetype: q.Get("sourcetype"), Index: q.Get("index")})
	if len(events) == 0 {
		writeJSON(w, http.StatusBadRequest, hecReply{Text: "No data", Code: hec.CodeNoData})
		return
	}
	s.hecIngest(w, r, events, hr)
}

func (s *Server) hecBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.hecError(w, err)
		return nil, false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		writeJSON(w, http.StatusBadRequest, hecReply{Text: "No data", Code: hec.CodeNoData})
		return nil, false
	}
	return body, true
}

func (s *Server) hecIngest(w http.ResponseWriter, r *http.Request, events []hec.Event, hr *hecRouter) {
	p, _ := PrincipalFrom(r.Context())
	batches, err := hr.route(s.d.Registry, events, time.Now().UTC())
	if err != nil {
		s.hecError(w, err)
		return
	}
	for _, b := range batches {
		if _, err := s.ingestRows(r.Context(), p.Tenant, hecSource, b.Table, b.Rows, b.Rejects); err != nil {
			s.hecError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, hecReply{Text: "Success", Code: hec.CodeSuccess})
}

// hecRejectWhole records a body HEC refuses whole in IngestionErrors (under Syslog, the
// receiver's default table) and returns the error to answer with.
func (s *Server) hecRejectWhole(r *http.Request, body []byte, ferr *hec.FormatError) error {
	t, ok := s.d.Registry.Table("Syslog")
	if !ok {
		return ferr
	}
	p, _ := PrincipalFrom(r.Context())
	rej := []ingest.RowError{{Row: ferr.Event, Line: 1 + bytes.Count(body[:ferr.Offset], []byte{'\n'}), Offset: ferr.Offset, Reason: ferr.Error(), Raw: body}}
	if _, err := s.ingestRows(r.Context(), p.Tenant, hecSource, t, nil, rej); err != nil {
		return err
	}
	return ferr
}

// hecHealth is GET /services/collector/health, unauthenticated as in Splunk.
func (s *Server) hecHealth(w http.ResponseWriter, r *http.Request) {
	if s.d.Ready != nil {
		if err := s.d.Ready(r.Context()); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, hecReply{Text: "Server is busy", Code: hec.CodeServerBusy})
			return
		}
	}
	writeJSON(w, http.StatusOK, hecReply{Text: "HEC is healthy", Code: hec.CodeHealthy})
}
