package api

import (
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/receiver/datacollector"
	"github.com/vigilsec/vigil/internal/schema"
)

// dcSource names the HTTP Data Collector API receiver in IngestionErrors.
const dcSource = "http:/api/logs"

// ingestDataCollector is the Azure Monitor HTTP Data Collector API: POST /api/logs with
// Log-Type, x-ms-date, time-generated-field and a SharedKey signature. It answers 200 with
// an empty body when every record was accepted, as Azure does, and 200 with the row errors
// otherwise.
func (s *Server) ingestDataCollector(w http.ResponseWriter, r *http.Request) {
	s.counted(recvDataCollector, http.HandlerFunc(s.dataCollector)).ServeHTTP(w, r)
}

func (s *Server) dataCollector(w http.ResponseWriter, r *http.Request) {
	p, body, ok := s.verifySharedKey(w, r)
	if !ok {
		return
	}
	name, err := datacollector.TableName(r.Header.Get("Log-Type"))
	if err != nil {
		writeError(w, s.d.Log, &Error{Status: http.StatusBadRequest, Code: "InvalidLogType", Msg: err.Error()})
		return
	}
	t, ok := s.d.Registry.Table(name)
	if !ok || t.Kind != schema.KindCustom {
		writeError(w, s.d.Log, &Error{Status: http.StatusNotFound, Code: "tableNotFound",
			Msg: "custom table " + name + " does not exist; create it with PUT /api/v1/tables/" + name})
		return
	}
	tf := r.Header.Get("time-generated-field")
	_, keep := t.Column(tf)
	ndjson, err := datacollector.Rows(body, tf, keep, time.Now())
	if err != nil {
		writeError(w, s.d.Log, &Error{Status: http.StatusBadRequest, Code: "InvalidDataFormat", Msg: err.Error()})
		return
	}
	res, err := s.ingestRequest(r.Context(), ingest.Request{Tenant: p.Tenant, Table: name, Source: dcSource, Body: ndjson})
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if res.Rejected == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// verifySharedKey checks the SharedKey signature over the request and returns the principal
// of the key that made it, with the body, read to know its length.
func (s *Server) verifySharedKey(w http.ResponseWriter, r *http.Request) (Principal, []byte, bool) {
	deny := func(msg string) (Principal, []byte, bool) {
		writeError(w, s.d.Log, &Error{Status: http.StatusForbidden, Code: "InvalidAuthorization", Msg: msg})
		return Principal{}, nil, false
	}
	workspace, sig, err := datacollector.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return deny(err.Error())
	}
	date := r.Header.Get("x-ms-date")
	if err := datacollector.CheckDate(date, time.Now()); err != nil {
		return deny(err.Error())
	}
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return Principal{}, nil, false
	}
	length := r.ContentLength
	if length < 0 {
		length = int64(len(body))
	}
	msg := datacollector.StringToSign(length, r.Header.Get("Content-Type"), date)
	p, ok := s.d.Keys.VerifySigned(workspace, sig, func(key []byte) []byte { return datacollector.MAC(key, msg) })
	if !ok {
		return deny("the signature does not match a shared key of workspace " + workspace)
	}
	return p, body, true
}
