package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serveAudited runs next and, for requests that change state, appends an
// api.request record with the outcome. Ingest is data, not a change of
// state, and is not audited per request.
func (s *Server) serveAudited(w http.ResponseWriter, r *http.Request, p Principal, next http.Handler) {
	if safeMethod(r.Method) || s.d.Auth == nil || s.perms[r.Pattern] == auth.IngestWrite {
		next.ServeHTTP(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	next.ServeHTTP(rec, r)
	result := "success"
	if rec.status >= 400 {
		result = "failure"
	}
	s.audit(r, p, auth.Event{Action: "api.request", Target: r.URL.Path, Result: result,
		Detail: map[string]any{"route": r.Pattern, "status": rec.status}})
}

// auditDenied records a refused request (authentication or authorization).
func (s *Server) auditDenied(r *http.Request, p Principal, err error) {
	if s.d.Auth == nil {
		return
	}
	if p.Name == "" {
		p.Name, p.Kind = "anonymous", "anonymous"
	}
	s.audit(r, p, auth.Event{Action: "api.request", Target: r.URL.Path, Result: "denied",
		Detail: map[string]any{"route": r.Pattern, "method": r.Method, "reason": err.Error()}})
}

// audit appends ev for p and r (actor, tenant and source filled in). A
// failure to audit is logged; the request has been answered already.
func (s *Server) audit(r *http.Request, p Principal, ev auth.Event) {
	if s.d.Auth == nil {
		return
	}
	ev.Actor, ev.ActorType, ev.Source = p.Name, p.Kind, sourceOf(r)
	if ev.Tenant == "" {
		ev.Tenant = p.Tenant
	}
	if err := s.d.Auth.Audit(context.WithoutCancel(r.Context()), ev); err != nil {
		s.d.Log.Error("audit", "action", ev.Action, "err", err)
	}
}

// auditRecordJSON is one audit record as the API returns it.
type auditRecordJSON struct {
	Seq       int64     `json:"seq"`
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor"`
	ActorType string    `json:"actorType"`
	Tenant    string    `json:"tenant"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	Source    string    `json:"source"`
	Result    string    `json:"result"`
	Detail    rawJSON   `json:"detail"`
	PrevHash  string    `json:"prevHash"`
	Hash      string    `json:"hash"`
	PrunedBy  int64     `json:"prunedBy,omitempty"` // a pruned record: the checkpoint that removed its content
}

// rawJSON is JSON text written as is.
type rawJSON string

// MarshalJSON implements json.Marshaler.
func (j rawJSON) MarshalJSON() ([]byte, error) { return []byte(j), nil }

// listAudit is GET /api/v1/audit?actor=&action=&from=&to=&after=&top=: the
// records of the tenants where the caller holds audit:read (every tenant for
// a global grant), oldest first; nextAfter is the cursor of the next page.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	q := r.URL.Query()
	f := meta.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action")}
	var err error
	if f.From, err = optTime(q.Get("from")); err == nil {
		f.To, err = optTime(q.Get("to"))
	}
	if err != nil {
		writeError(w, s.d.Log, badRequest("from and to are RFC 3339 times"))
		return
	}
	f.AfterSeq, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	if f.Limit, _ = strconv.Atoi(q.Get("top")); f.Limit <= 0 || f.Limit > maxTop {
		f.Limit = 100
	}
	if !p.Can(auth.AuditRead, auth.AllTenants) {
		f.Tenants = []string{p.Tenant}
	}
	recs, err := s.d.Auth.AuditRecords(r.Context(), f)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	out := struct {
		Value     []auditRecordJSON `json:"value"`
		NextAfter int64             `json:"nextAfter,omitempty"`
	}{Value: make([]auditRecordJSON, len(recs))}
	for i, a := range recs {
		if a.Detail == "" {
			a.Detail = "null" // a pruned record
		}
		out.Value[i] = auditRecordJSON{a.Seq, a.Time, a.Actor, a.ActorType, a.Tenant, a.Action, a.Target, a.Source, a.Result, rawJSON(a.Detail), a.PrevHash, a.Hash, a.PrunedBy}
	}
	if len(recs) == f.Limit {
		out.NextAfter = recs[len(recs)-1].Seq
	}
	writeJSON(w, http.StatusOK, out)
}

func optTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// auditQuery records a hunting query with its text and the tenants it reads.
func (s *Server) auditQuery(r *http.Request, p Principal, query string, tenants []string) {
	s.audit(r, p, auth.Event{Action: "hunting.query", Target: "runHuntingQuery",
		Detail: map[string]any{"query": query, "tenants": tenants}})
}

// verifyAudit is GET /api/v1/audit/verify: it walks the whole chain and
// answers {ok, records} or {ok: false, brokenSeq, reason}.
func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) {
	n, err := s.d.Auth.VerifyAudit(r.Context())
	var b *meta.AuditBreak
	switch {
	case errors.As(err, &b):
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "records": n, "brokenSeq": b.Seq, "reason": b.Reason})
	case err != nil:
		writeError(w, s.d.Log, err)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "records": n})
	}
}
