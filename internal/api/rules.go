package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/ruleset"
	"github.com/vigilsec/vigil/internal/meta"
)

// Rules is the detection rule set the rules API serves (*ruleset.Set).
type Rules interface {
	List(ctx context.Context, tenant string) ([]ruleset.Entry, error)
	Get(ctx context.Context, tenant, id string) (ruleset.Entry, error)
	Create(ctx context.Context, tenant, actor, name string, doc []byte) (ruleset.Entry, error)
	Put(ctx context.Context, tenant, actor, name string, doc []byte, ifVersion int) (ruleset.Entry, error)
	Delete(ctx context.Context, tenant, id string) error
	SetEnabled(ctx context.Context, tenant, id string, enabled bool, actor string) (ruleset.Entry, error)
	Test(ctx context.Context, tenant, id string, from, to time.Time) (ruleset.TestResult, error)
}

const rulesPath = "/api/v1/security/rules/detectionRules"

func (s *Server) ruleRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET "+rulesPath, auth(http.HandlerFunc(s.listRules)))
	mux.Handle("POST "+rulesPath, auth(http.HandlerFunc(s.createRule)))
	mux.Handle("GET "+rulesPath+"/{id}", auth(http.HandlerFunc(s.getRule)))
	mux.Handle("PUT "+rulesPath+"/{id}", auth(http.HandlerFunc(s.replaceRule)))
	mux.Handle("PATCH "+rulesPath+"/{id}", auth(http.HandlerFunc(s.patchRule)))
	mux.Handle("DELETE "+rulesPath+"/{id}", auth(http.HandlerFunc(s.deleteRule)))
	mux.Handle("POST "+rulesPath+"/{id}/test", auth(http.HandlerFunc(s.testRule)))
	mux.Handle("GET "+rulesPath+"/{id}/source", auth(http.HandlerFunc(s.getRuleSource)))
}

// ruleJSON is a rule in the shape of Graph's security detectionRule, with Vigil's additions
// (origin, kind, tactics, the Sentinel schedule, lint findings, why it does not run).
type ruleJSON struct {
	ID                   string          `json:"id"`
	DisplayName          string          `json:"displayName"`
	IsEnabled            bool            `json:"isEnabled"`
	CreatedBy            string          `json:"createdBy,omitempty"`
	CreatedDateTime      *time.Time      `json:"createdDateTime,omitempty"`
	LastModifiedBy       string          `json:"lastModifiedBy,omitempty"`
	LastModifiedDateTime *time.Time      `json:"lastModifiedDateTime,omitempty"`
	QueryCondition       queryCondition  `json:"queryCondition"`
	Schedule             ruleSchedule    `json:"schedule"`
	LastRunDetails       *lastRunDetails `json:"lastRunDetails"`
	DetectionAction      detectionAction `json:"detectionAction"`
	Origin               string          `json:"origin"`
	Kind                 rule.Kind       `json:"kind"`
	Format               rule.Format     `json:"format"`
	Version              int             `json:"version"`
	Tactics              []string        `json:"tactics"`
	QueryFrequency       string          `json:"queryFrequency,omitempty"`
	QueryPeriod          string          `json:"queryPeriod,omitempty"`
	NotRunReason         string          `json:"notRunReason,omitempty"`
	Findings             []rule.Finding  `json:"findings,omitempty"`
	// EntityMappings are which result columns name the alert's entities (Sentinel's
	// entityMappings), so that an editor can show them.
	EntityMappings []rule.EntityMapping `json:"entityMappings,omitempty"`
}

type queryCondition struct {
	QueryText string `json:"queryText"`
}

type ruleSchedule struct {
	Period string `json:"period"` // Graph's form: "0" for near real time, "1H", "24H"
}

type lastRunDetails struct {
	LastRunDateTime time.Time `json:"lastRunDateTime"`
	Status          string    `json:"status"`
	FailureReason   string    `json:"failureReason,omitempty"`
	ResultRows      int       `json:"resultRows"`
	Alerts          int       `json:"alertsGenerated"`
	DurationMs      int64     `json:"durationMs"`
	Failures        int       `json:"consecutiveFailures"`
}

type detectionAction struct {
	AlertTemplate alertTemplate `json:"alertTemplate"`
}

type alertTemplate struct {
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	Severity        string   `json:"severity"`
	Category        string   `json:"category,omitempty"`
	MitreTechniques []string `json:"mitreTechniques"`
}

func toRuleJSON(e ruleset.Entry) ruleJSON {
	r := e.Rule
	j := ruleJSON{
		ID: r.ID, DisplayName: r.Name, IsEnabled: e.Enabled, CreatedBy: e.CreatedBy, LastModifiedBy: e.UpdatedBy,
		QueryCondition: queryCondition{QueryText: r.Query}, Schedule: ruleSchedule{Period: graphPeriod(r)},
		DetectionAction: detectionAction{AlertTemplate: alertTemplate{Title: r.Name, Description: r.Description,
			Severity: strings.ToLower(string(r.Severity)), Category: r.Category, MitreTechniques: nonNil(r.Techniques)}},
		Origin: e.Origin, Kind: r.Kind, Format: r.Format, Version: e.Version, Tactics: nonNil(r.Tactics),
		NotRunReason: e.NotRun, Findings: e.Findings, EntityMappings: r.EntityMappings,
	}
	if r.Frequency > 0 {
		j.QueryFrequency, j.QueryPeriod = r.Frequency.Std().String(), r.Period.Std().String()
	}
	if !e.CreatedAt.IsZero() {
		j.CreatedDateTime, j.LastModifiedDateTime = &e.CreatedAt, &e.UpdatedAt
	}
	if lr := e.LastRun; lr != nil {
		j.LastRunDetails = &lastRunDetails{LastRunDateTime: lr.Slot, Status: lr.Status, FailureReason: lr.Error,
			ResultRows: lr.Rows, Alerts: lr.Alerts, DurationMs: lr.Duration.Milliseconds(), Failures: lr.Failures}
	}
	return j
}

// graphPeriod writes a rule's frequency as Graph's custom detections do: "0" for near real
// time, else whole hours ("1H", "24H") or minutes ("5M").
func graphPeriod(r *rule.Rule) string {
	f := r.Frequency.Std()
	switch {
	case r.Kind == rule.KindNRT || f <= 0:
		return "0"
	case f%time.Hour == 0:
		return strconv.Itoa(int(f/time.Hour)) + "H"
	default:
		return strconv.Itoa(int(f/time.Minute)) + "M"
	}
}

// ruleError maps the rule set's errors to API errors.
func ruleError(err error, ifVersion int) error {
	var inv *ruleset.InvalidError
	switch {
	case errors.As(err, &inv):
		return &Error{Status: http.StatusBadRequest, Code: "invalidRule", Msg: inv.Error()}
	case errors.Is(err, ruleset.ErrReadOnly):
		return &Error{Status: http.StatusConflict, Code: "readOnly", Msg: err.Error() + "; switch it on or off with PATCH isEnabled, or copy it under a new id"}
	case ifVersion != 0 && errors.Is(err, meta.ErrConflict):
		return &Error{Status: http.StatusPreconditionFailed, Code: "preconditionFailed", Msg: err.Error()}
	}
	return stateError(err)
}

func (s *Server) listRules(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	entries, err := s.d.Rules.List(r.Context(), tenant)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	out := make([]ruleJSON, len(entries))
	for i, e := range entries {
		out[i] = toRuleJSON(e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": rulesPath, "value": out})
}

func (s *Server) getRule(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	e, err := s.d.Rules.Get(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		writeError(w, s.d.Log, ruleError(err, 0))
		return
	}
	writeRule(w, http.StatusOK, e)
}

// getRuleSource is GET .../{id}/source: the document the rule was created, replaced or
// loaded from, as written (comments and field order kept), with the content type of its
// format (application/yaml for Sentinel YAML, application/json for ARM and Defender JSON)
// and the rule's ETag, so that it can be edited and PUT back with If-Match. A rule read
// from a file of several rules has no source of its own: 404 noSource.
func (s *Server) getRuleSource(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	e, err := s.d.Rules.Get(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		writeError(w, s.d.Log, ruleError(err, 0))
		return
	}
	if e.Source == "" {
		writeError(w, s.d.Log, &Error{Status: http.StatusNotFound, Code: "noSource",
			Msg: fmt.Sprintf("rule %s has no source document of its own: it was read from %s, a file of several rules", e.Rule.ID, e.Rule.Source.File)})
		return
	}
	ct := "application/json"
	if e.Rule.Format == rule.FormatSentinelYAML {
		ct = "application/yaml"
	}
	w.Header().Set("Content-Type", ct+"; charset=utf-8")
	w.Header().Set("ETag", fmt.Sprintf(`W/"%d"`, e.Version))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, e.Source)
}

func writeRule(w http.ResponseWriter, status int, e ruleset.Entry) {
	w.Header().Set("ETag", fmt.Sprintf(`W/"%d"`, e.Version))
	writeJSON(w, status, toRuleJSON(e))
}

// ruleDocument reads a rule document from the body: YAML (Sentinel) when the content type
// says so, JSON otherwise (a Defender custom detection or Graph detectionRule, or an ARM
// export).
func (s *Server) ruleDocument(w http.ResponseWriter, r *http.Request) (name string, doc []byte, err error) {
	doc, err = io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		return "", nil, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case strings.Contains(ct, "yaml"):
		return "rule.yaml", doc, nil
	case ct == "" || strings.HasSuffix(ct, "json"):
		return "rule.json", doc, nil
	}
	return "", nil, &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupportedMediaType",
		Msg: fmt.Sprintf("content type %q: send application/yaml (Sentinel) or application/json (Defender, ARM)", ct)}
}

func (s *Server) createRule(w http.ResponseWriter, r *http.Request) {
	s.putRule(w, r, "", 0, http.StatusCreated)
}

// replaceRule is PUT .../{id}: the body's rule must carry the same id; If-Match: W/"N"
// guards against overwriting a change made meanwhile.
func (s *Server) replaceRule(w http.ResponseWriter, r *http.Request) {
	ifVersion, err := ifMatchVersion(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	s.putRule(w, r, r.PathValue("id"), ifVersion, http.StatusOK)
}

func ifMatchVersion(r *http.Request) (int, error) {
	v := r.Header.Get("If-Match")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(v, "W/"), `"`))
	if err != nil || n <= 0 {
		return 0, badRequest("If-Match must be an ETag this API returned, such as W/\"3\", not %q", v)
	}
	return n, nil
}

func (s *Server) putRule(w http.ResponseWriter, r *http.Request, id string, ifVersion, status int) {
	tenant, actor := tenantOf(r)
	name, doc, err := s.ruleDocument(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if id != "" {
		rules, findings := rule.Parse(name, doc)
		if len(rules) == 1 && rules[0].ID != id {
			writeError(w, s.d.Log, badRequest("the document's rule id %q differs from the URL's %q", rules[0].ID, id))
			return
		}
		if len(rules) != 1 {
			writeError(w, s.d.Log, ruleError(&ruleset.InvalidError{Findings: findings}, 0))
			return
		}
	}
	var e ruleset.Entry
	if id == "" {
		e, err = s.d.Rules.Create(r.Context(), tenant, actor, name, doc)
	} else {
		e, err = s.d.Rules.Put(r.Context(), tenant, actor, name, doc, ifVersion)
	}
	if err != nil {
		writeError(w, s.d.Log, ruleError(err, ifVersion))
		return
	}
	writeRule(w, status, e)
}

// patchRule is PATCH .../{id}: {"isEnabled": bool} switches the rule for the caller's tenant,
// content rules included.
func (s *Server) patchRule(w http.ResponseWriter, r *http.Request) {
	tenant, actor := tenantOf(r)
	var body struct {
		IsEnabled *bool `json:"isEnabled"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.IsEnabled == nil {
		writeError(w, s.d.Log, badRequest("the body must be {\"isEnabled\": true|false} (to change anything else, PUT the rule): %v", err))
		return
	}
	e, err := s.d.Rules.SetEnabled(r.Context(), tenant, r.PathValue("id"), *body.IsEnabled, actor)
	if err != nil {
		writeError(w, s.d.Log, ruleError(err, 0))
		return
	}
	writeRule(w, http.StatusOK, e)
}

func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	if err := s.d.Rules.Delete(r.Context(), tenant, r.PathValue("id")); err != nil {
		writeError(w, s.d.Log, ruleError(err, 0))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// testRule is POST .../{id}/test {"from": t, "to": t}: a dry run over stored data that
// returns the alerts the rule would raise, storing none. The window defaults to the rule's
// query period ending now.
func (s *Server) testRule(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	var body struct {
		From *time.Time `json:"from"`
		To   *time.Time `json:"to"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, s.d.Log, badRequest("the body must be {\"from\": RFC 3339 time, \"to\": RFC 3339 time}: %v", err))
		return
	}
	e, err := s.d.Rules.Get(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		writeError(w, s.d.Log, ruleError(err, 0))
		return
	}
	to := time.Now().UTC()
	if body.To != nil {
		to = *body.To
	}
	from := to.Add(-max(e.Rule.Period.Std(), time.Hour))
	if body.From != nil {
		from = *body.From
	}
	if !from.Before(to) {
		writeError(w, s.d.Log, badRequest("from (%s) must be before to (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339)))
		return
	}
	res, err := s.d.Rules.Test(r.Context(), tenant, e.Rule.ID, from, to)
	if err != nil {
		writeError(w, s.d.Log, ruleError(err, 0))
		return
	}
	alerts := res.Alerts
	if alerts == nil {
		alerts = []alert.Alert{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "resultRows": res.Rows, "alerts": alerts})
}
