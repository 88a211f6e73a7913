package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
)

// tiIndicatorsPath lists threat intelligence indicators for the portal: the latest rows of
// ThreatIntelligenceIndicator in the caller's tenant.
const tiIndicatorsPath = "/api/v1/security/tiIndicators"

func (s *Server) tiIndicatorRoutes(mux *http.ServeMux) {
	mux.Handle("GET "+tiIndicatorsPath, s.authenticate(http.HandlerFunc(s.listTIIndicators)))
}

// tiIndicatorJSON is one indicator: its kind of observable and value, how much it is
// trusted, where it came from and until when it holds.
type tiIndicatorJSON struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"` // ip, domain, url, file, email, other
	Value       string  `json:"value"`
	ThreatType  string  `json:"threatType"`
	Description string  `json:"description"`
	Confidence  float64 `json:"confidence"`
	Source      string  `json:"source"`
	ValidUntil  any     `json:"validUntil"`
	Active      bool    `json:"active"`
	Action      string  `json:"action"` // alert, or block for the fleet block list
	Tags        string  `json:"tags"`
	TLP         string  `json:"tlp"`
	Received    any     `json:"timeGenerated"`
}

// tiTypeFields are the columns each indicator type keeps its value in, in order.
var tiTypeFields = []struct{ kind, column string }{
	{"ip", "NetworkIP"}, {"ip", "NetworkDestinationIP"}, {"ip", "NetworkSourceIP"}, {"domain", "DomainName"},
	{"url", "Url"}, {"file", "FileHashValue"}, {"file", "FileName"}, {"email", "EmailSenderAddress"},
}

// kqlString is a KQL string literal of v.
func kqlString(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(v) + `"`
}

// tiIndicatorQuery is the KQL of a listing: search matches any value or the description,
// kind keeps one indicator type, active keeps unexpired active ones.
func tiIndicatorQuery(search, kind string, active bool, top int) (string, error) {
	var b strings.Builder
	b.WriteString("ThreatIntelligenceIndicator")
	if search = strings.TrimSpace(search); search != "" {
		if len(search) > 256 {
			return "", badRequest("search is %d bytes long; at most 256", len(search))
		}
		conds := []string{"Description contains " + kqlString(search), "IndicatorId contains " + kqlString(search)}
		for _, f := range tiTypeFields {
			conds = append(conds, f.column+" contains "+kqlString(search))
		}
		b.WriteString("\n| where " + strings.Join(conds, " or "))
	}
	if kind != "" {
		var conds []string
		for _, f := range tiTypeFields {
			if f.kind == kind {
				conds = append(conds, "isnotempty("+f.column+")")
			}
		}
		if conds == nil {
			return "", badRequest("type must be one of ip, domain, url, file, email, not %q", kind)
		}
		b.WriteString("\n| where " + strings.Join(conds, " or "))
	}
	if active {
		b.WriteString("\n| where Active == true and (isnull(ExpirationDateTime) or ExpirationDateTime > now())")
	}
	fmt.Fprintf(&b, "\n| order by TimeGenerated desc\n| take %d", top)
	return b.String(), nil
}

// listTIIndicators is GET .../tiIndicators?search=&type=&active=true&$top=: the newest
// indicator rows of the caller's tenant, newest first (at most 1000).
func (s *Server) listTIIndicators(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	q := r.URL.Query()
	top := 200
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 1000 {
			writeError(w, s.d.Log, badRequest("$top must be an integer from 1 to 1000, not %q", v))
			return
		}
		top = n
	}
	text, err := tiIndicatorQuery(q.Get("search"), q.Get("type"), q.Get("active") == "true", top)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	cq, diags := kql.Compile(text, s.d.Registry, kql.Options{Tenant: p.Tenant, Tenants: []string{p.Tenant}})
	if cq == nil {
		msg := "the indicator query does not compile"
		if len(diags) > 0 {
			msg += ": " + diags[0].Message
		}
		writeError(w, s.d.Log, &Error{Status: http.StatusInternalServerError, Code: "internal", Msg: msg})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), max(s.opts.QueryTimeout, 5*time.Second))
	defer cancel()
	res, err := s.d.Store.Query(ctx, cq.SQL, top)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	col := map[string]int{}
	for i, c := range cq.Columns {
		col[c.Name] = i
	}
	get := func(row []any, name string) any {
		if i, ok := col[name]; ok && i < len(row) {
			return row[i]
		}
		return nil
	}
	str := func(row []any, name string) string {
		if v, ok := get(row, name).(string); ok {
			return v
		}
		return ""
	}
	out := make([]tiIndicatorJSON, 0, len(res.Rows))
	for _, row := range res.Rows {
		j := tiIndicatorJSON{ID: str(row, "IndicatorId"), Type: "other", ThreatType: str(row, "ThreatType"), Description: str(row, "Description"),
			Source: str(row, "SourceSystem"), ValidUntil: get(row, "ExpirationDateTime"), Tags: str(row, "Tags"),
			TLP: str(row, "TrafficLightProtocolLevel"), Received: get(row, "TimeGenerated"), Action: str(row, "Action")}
		if prov := str(row, "IndicatorProvider"); prov != "" && j.Source == "" {
			j.Source = prov
		}
		j.Active, _ = get(row, "Active").(bool)
		switch c := get(row, "ConfidenceScore").(type) {
		case float64:
			j.Confidence = c
		case float32:
			j.Confidence = float64(c)
		}
		for _, f := range tiTypeFields {
			if v := str(row, f.column); v != "" {
				j.Type, j.Value = f.kind, v
				break
			}
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out, "truncated": res.Truncated})
}
