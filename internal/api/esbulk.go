package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/ingest/receiver/esbulk"
)

// esSource names the Elasticsearch _bulk receiver in IngestionErrors.
const esSource = "http:/_bulk"

// esVersion is the Elasticsearch version Vigil answers as: clients pick their request format
// from it (Beats and Logstash 8 refuse a 7.x server and the other way around).
const esVersion = "8.11.0"

func (s *Server) esRoutes(mux *http.ServeMux) {
	auth := func(h http.HandlerFunc) http.Handler { return s.keyAuth(esAuthFail, esProduct(h)) }
	mux.Handle("GET /{$}", auth(esInfo)) // and HEAD
	mux.Handle("GET /_license", auth(esLicense))
	mux.Handle("GET /_xpack", auth(esXPack))
	mux.Handle("GET /_cluster/health", auth(esHealth))
	bulk := s.counted(recvESBulk, auth(s.esBulk))
	mux.Handle("POST /_bulk", bulk)
	mux.Handle("PUT /_bulk", bulk)
	mux.Handle("POST /{index}/_bulk", bulk)
	// PUT /{index}/_bulk would overlap PUT /_index_template/{name} without either being more
	// specific, which ServeMux refuses, so PUT /{index}/{op} dispatches.
	mux.Handle("PUT /{index}/{op}", auth(s.esPut))
	for _, p := range []string{"/_index_template/{name}", "/_template/{name}", "/_ilm/policy/{name}"} {
		mux.Handle("GET "+p, auth(esStubGet))
		mux.Handle("PUT "+p, auth(esAck))
	}
}

// esProduct marks answers as Elasticsearch's: the official clients check this header.
func esProduct(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		next.ServeHTTP(w, r)
	})
}

// esErr is Elasticsearch's error shape.
type esErr struct {
	Error struct {
		RootCause []esCause `json:"root_cause"`
		esCause
	} `json:"error"`
	Status int `json:"status"`
}

type esCause struct {
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

func writeESError(w http.ResponseWriter, status int, typ, reason string) {
	var e esErr
	e.Status, e.Error.Type, e.Error.Reason = status, typ, reason
	e.Error.RootCause = []esCause{{Type: typ, Reason: reason}}
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	writeJSON(w, status, e)
}

func esAuthFail(w http.ResponseWriter, missing bool) {
	w.Header().Add("WWW-Authenticate", `Basic realm="security" charset="UTF-8"`)
	w.Header().Add("WWW-Authenticate", "ApiKey")
	reason := "unable to authenticate: the password or API key is not a Vigil API key"
	if missing {
		reason = "missing authentication credentials: send a Vigil API key as the Basic password, as ApiKey base64(id:KEY) or as Bearer"
	}
	writeESError(w, http.StatusUnauthorized, "security_exception", reason)
}

// esError answers err in Elasticsearch's shape, with the status writeError would give it.
func (s *Server) esError(w http.ResponseWriter, err error) {
	status, b := classifyError(w.Header(), s.d.Log, err)
	typ := b.Error.Code
	if status == http.StatusServiceUnavailable {
		typ = "es_rejected_execution_exception"
	}
	writeESError(w, status, typ, b.Error.Message)
}

func esInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"name":         "vigil",
		"cluster_name": "vigil",
		"cluster_uuid": "vigil-0000000000000000000",
		"version": map[string]any{
			"number":                              esVersion,
			"build_flavor":                        "default",
			"build_type":                          "vigil",
			"build_hash":                          "vigil",
			"build_date":                          "2023-11-04T10:04:57.184859352Z",
			"build_snapshot":                      false,
			"lucene_version":                      "9.8.0",
			"minimum_wire_compatibility_version":  "7.17.0",
			"minimum_index_compatibility_version": "7.0.0",
		},
		"tagline": "You Know, for Search",
	})
}

func esLicense(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"license": map[string]any{
		"status": "active", "uid": "vigil", "type": "basic", "issue_date": "2024-01-01T00:00:00.000Z",
		"issue_date_in_millis": 1704067200000, "max_nodes": 1000, "max_resource_units": nil,
		"issued_to": "vigil", "issuer": "vigil", "start_date_in_millis": -1,
	}})
}

func esXPack(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"build":    map[string]any{"hash": "vigil", "date": "2023-11-04T10:04:57.184859352Z"},
		"license":  map[string]any{"uid": "vigil", "type": "basic", "mode": "basic", "status": "active"},
		"features": map[string]any{},
	})
}

func esHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"cluster_name": "vigil", "status": "green", "timed_out": false, "number_of_nodes": 1,
		"number_of_data_nodes": 1, "active_primary_shards": 0, "active_shards": 0,
		"relocating_shards": 0, "initializing_shards": 0, "unassigned_shards": 0,
	})
}

// esAck acknowledges a template or lifecycle policy without storing it.
func esAck(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"acknowledged": true})
}

// esStubGet says a template or policy exists, so that clients do not try to install it.
func esStubGet(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if strings.HasPrefix(r.URL.Path, "/_index_template/") {
		writeJSON(w, http.StatusOK, map[string]any{"index_templates": []any{map[string]any{"name": name, "index_template": map[string]any{}}}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{name: map[string]any{}})
}

func (s *Server) esPut(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("op") != "_bulk" {
		writeESError(w, http.StatusNotFound, "unsupported_operation_exception",
			"Vigil answers only _bulk, the cluster handshake and template stubs of the Elasticsearch API")
		return
	}
	s.esBulk(w, r)
}

// bulkItem is one entry of a bulk response, keyed by its action.
type bulkItem struct {
	Index   string   `json:"_index"`
	ID      string   `json:"_id"`
	Version int      `json:"_version,omitempty"`
	Result  string   `json:"result,omitempty"`
	Status  int      `json:"status"`
	Error   *esCause `json:"error,omitempty"`
}

type bulkReply struct {
	Took   int64                 `json:"took"`
	Errors bool                  `json:"errors"`
	Items  []map[string]bulkItem `json:"items"`
}

// esBulk is POST /_bulk and /{index}/_bulk.
func (s *Server) esBulk(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, err := s.readBody(w, r)
	if err != nil {
		s.esError(w, err)
		return
	}
	items, err := esbulk.Decode(body, r.PathValue("index"))
	if err != nil {
		s.esError(w, err)
		return
	}
	batches, outcomes, err := esbulk.Route(s.d.Registry, items)
	if err != nil {
		s.esError(w, err)
		return
	}
	p, _ := PrincipalFrom(r.Context())
	for _, b := range batches {
		if _, err := s.ingestRows(r.Context(), p.Tenant, esSource, b.Table, b.Rows, b.Rejects); err != nil {
			s.esError(w, err)
			return
		}
	}
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	writeJSON(w, http.StatusOK, bulkResponse(items, outcomes, time.Since(start)))
}

func bulkResponse(items []esbulk.Item, outcomes []esbulk.Outcome, took time.Duration) bulkReply {
	rep := bulkReply{Took: took.Milliseconds(), Items: make([]map[string]bulkItem, len(items))}
	for i, it := range items {
		o := outcomes[i]
		bi := bulkItem{Index: it.Index, ID: o.ID, Status: o.Status}
		if o.Status == http.StatusCreated {
			bi.Version, bi.Result = 1, "created"
		} else {
			rep.Errors = true
			bi.Error = &esCause{Type: o.ErrType, Reason: o.ErrReason}
		}
		rep.Items[i] = map[string]bulkItem{it.Action: bi}
	}
	return rep
}
