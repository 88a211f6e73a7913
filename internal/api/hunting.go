package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// huntingDiag is one compiler diagnostic as the API returns it.
type huntingDiag struct {
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

func huntingDiags(src string, diags []syntax.Diagnostic) []huntingDiag {
	out := make([]huntingDiag, len(diags))
	for i, d := range diags {
		pos := syntax.PositionOf(src, d.Span.Start)
		out[i] = huntingDiag{Line: pos.Line, Column: pos.Col, Start: d.Span.Start, End: d.Span.End, Message: d.Message, Severity: d.Severity.String()}
	}
	return out
}

// runHuntingQuery is POST /api/v1/security/runHuntingQuery {"Query": "KQL"}, shaped like
// Microsoft Graph's: {"schema": [{"Name", "Type"}], "results": [{"Col": value}]}. The query
// runs in the principal's tenant, with the server's row limit and timeout.
func (s *Server) runHuntingQuery(w http.ResponseWriter, r *http.Request) {
	p, ok := PrincipalFrom(r.Context())
	if !ok || p.Tenant == "" {
		writeError(w, s.d.Log, &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Msg: "no tenant for this principal"})
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var req struct {
		Query string `json:"Query"`
		// Timespan limits every scan to a time range (ISO 8601 duration or interval), as
		// Graph's runHuntingQuery does.
		Timespan string `json:"Timespan"`
	}
	if err := json.Unmarshal(body, &req); err != nil || strings.TrimSpace(req.Query) == "" {
		writeError(w, s.d.Log, &Error{Status: http.StatusBadRequest, Code: "badRequest", Msg: `want {"Query": "KQL", "Timespan": "P7D" (optional)}`})
		return
	}
	from, to, err := hunt.ParseTimespan(req.Timespan, time.Now())
	if err != nil {
		writeError(w, s.d.Log, badRequest("%v", err))
		return
	}
	tenants, err := s.queryTenants(r.Context(), p, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	s.auditQuery(r, p, req.Query, tenants)
	devices, err := s.deviceScope(r.Context(), p, auth.HuntingRun, tenants)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	res, err := hunt.Run(ctx, s.d.Store, s.d.Registry, req.Query, kql.Options{Tenant: p.Tenant, Tenants: tenants,
		Devices: devices, TableAllowed: tableAllowed(p, tenants), From: from, To: to, Watchlists: s.watchlists(r.Context(), tenants)}, s.opts.MaxQueryRows)
	var ce *hunt.CompileError
	if errors.As(err, &ce) {
		var b struct {
			Error struct {
				Code        string        `json:"code"`
				Message     string        `json:"message"`
				Diagnostics []huntingDiag `json:"diagnostics"`
			} `json:"error"`
		}
		b.Error.Code, b.Error.Message, b.Error.Diagnostics = "badQuery", "the query has errors", huntingDiags(req.Query, ce.Diagnostics)
		if len(ce.Diagnostics) > 0 {
			b.Error.Message = ce.Diagnostics[0].Message
		}
		writeJSON(w, http.StatusBadRequest, b)
		return
	}
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	type col struct {
		Name string `json:"Name"`
		Type string `json:"Type"`
	}
	out := struct {
		Schema      []col            `json:"schema"`
		Results     []map[string]any `json:"results"`
		Truncated   bool             `json:"truncated,omitempty"`
		Diagnostics []huntingDiag    `json:"diagnostics,omitempty"`
	}{Schema: make([]col, len(res.Columns)), Results: make([]map[string]any, 0, len(res.Rows)), Truncated: res.Truncated, Diagnostics: huntingDiags(req.Query, res.Warnings)}
	for i, c := range res.Columns {
		out.Schema[i] = col{Name: c.Name, Type: c.Type}
	}
	for _, row := range res.Rows {
		m := make(map[string]any, len(row))
		for i, v := range row {
			if i < len(res.Columns) {
				m[res.Columns[i].Name] = v
			}
		}
		out.Results = append(out.Results, m)
	}
	writeJSON(w, http.StatusOK, out)
}
