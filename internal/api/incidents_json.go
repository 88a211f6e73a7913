package api

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/meta"
)

// incidentJSON is Microsoft Graph's security incident resource, with Vigil's additions
// (alertCount, correlationNotes, linkedIncidentId) after Graph's fields.
type incidentJSON struct {
	ETag                 string        `json:"@odata.etag"`
	ID                   string        `json:"id"`
	TenantID             string        `json:"tenantId"`
	DisplayName          string        `json:"displayName"`
	Severity             string        `json:"severity"`
	Status               string        `json:"status"`
	Classification       string        `json:"classification"`
	Determination        string        `json:"determination"`
	AssignedTo           *string       `json:"assignedTo"`
	CreatedDateTime      string        `json:"createdDateTime"`
	LastUpdateDateTime   string        `json:"lastUpdateDateTime"`
	FirstActivityTime    string        `json:"firstActivityDateTime"`
	LastActivityTime     string        `json:"lastActivityDateTime"`
	RedirectIncidentID   *string       `json:"redirectIncidentId"`
	CustomTags           []string      `json:"customTags"`
	SystemTags           []string      `json:"systemTags"`
	Comments             []commentJSON `json:"comments,omitempty"`
	Alerts               []alertJSON   `json:"alerts,omitempty"`
	AlertCount           int           `json:"alertCount"`
	CorrelationNotes     []string      `json:"correlationNotes"`
	LinkedFromIncidentID *string       `json:"linkedIncidentId,omitempty"`
	Description          string        `json:"description,omitempty"`
	Summary              string        `json:"summary,omitempty"`
}

type commentJSON struct {
	Comment              string `json:"comment"`
	CreatedByDisplayName string `json:"createdByDisplayName"`
	CreatedDateTime      string `json:"createdDateTime"`
}

// alertJSON is Graph's security alert (alerts_v2) resource. Evidence is Graph's typed
// evidence built from the alert's entities; entities keeps them in Vigil's shape too.
type alertJSON struct {
	ETag                  string          `json:"@odata.etag"`
	ID                    string          `json:"id"`
	ProviderAlertID       string          `json:"providerAlertId"`
	IncidentID            *string         `json:"incidentId"`
	TenantID              string          `json:"tenantId"`
	Title                 string          `json:"title"`
	Description           string          `json:"description"`
	Severity              string          `json:"severity"`
	Status                string          `json:"status"`
	Classification        string          `json:"classification"`
	Determination         string          `json:"determination"`
	AssignedTo            *string         `json:"assignedTo"`
	ServiceSource         string          `json:"serviceSource"`
	DetectionSource       string          `json:"detectionSource"`
	DetectorID            string          `json:"detectorId"`
	MitreTechniques       []string        `json:"mitreTechniques"`
	Category              string          `json:"category,omitempty"`
	CreatedDateTime       string          `json:"createdDateTime"`
	LastUpdateDateTime    string          `json:"lastUpdateDateTime"`
	FirstActivityDateTime string          `json:"firstActivityDateTime"`
	LastActivityDateTime  string          `json:"lastActivityDateTime"`
	Evidence              []evidenceJSON  `json:"evidence"`
	Entities              json.RawMessage `json:"entities,omitempty"`
}

func idString(id int64) *string {
	if id == 0 {
		return nil
	}
	s := strconv.FormatInt(id, 10)
	return &s
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func (s *Server) incidentJSON(ctx context.Context, in meta.Incident, alerts, comments bool) (incidentJSON, error) {
	j := incidentJSON{
		ETag: `W/"` + strconv.Itoa(in.Version) + `"`, ID: strconv.FormatInt(in.ID, 10), TenantID: in.Tenant,
		DisplayName: in.Title, Severity: in.Severity, Status: in.Status, Classification: in.Classification,
		Determination: in.Determination, CreatedDateTime: graphTime(in.CreatedAt), LastUpdateDateTime: graphTime(in.UpdatedAt),
		FirstActivityTime: graphTime(in.FirstActivity), LastActivityTime: graphTime(in.LastActivity),
		RedirectIncidentID: idString(in.MergedInto), CustomTags: nonNil(in.Tags), SystemTags: []string{},
		AlertCount: in.AlertCount, CorrelationNotes: nonNil(in.Notes), LinkedFromIncidentID: idString(in.LinkedFrom),
	}
	if in.AssignedTo != "" {
		j.AssignedTo = &in.AssignedTo
	}
	if comments {
		cs, err := s.d.Incidents.IncidentComments(ctx, in.Tenant, in.ID)
		if err != nil {
			return incidentJSON{}, err
		}
		j.Comments = commentsJSON(cs)
	}
	if !alerts && !comments {
		return j, nil
	}
	as, err := s.d.Incidents.IncidentAlerts(ctx, in.Tenant, in.ID)
	if err != nil {
		return incidentJSON{}, err
	}
	if comments { // the single-incident view carries the story's summary
		j.Summary = incident.BuildStory(in, as).Summary
		j.Description = j.Summary
	}
	if alerts {
		j.Alerts = make([]alertJSON, 0, len(as))
		for _, a := range as {
			j.Alerts = append(j.Alerts, toAlertJSON(a))
		}
	}
	return j, nil
}

func commentsJSON(cs []meta.IncidentComment) []commentJSON {
	out := make([]commentJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, commentJSON{Comment: c.Comment, CreatedByDisplayName: c.CreatedBy, CreatedDateTime: graphTime(c.CreatedAt)})
	}
	return out
}

// alertData is the part of the stored alert (meta.IncidentAlert.Data) the API shows.
type alertData struct {
	Description string         `json:"description"`
	Provider    string         `json:"provider"`
	Tactics     []string       `json:"tactics"`
	Techniques  []string       `json:"techniques"`
	Entities    []alert.Entity `json:"entities"`
}

func toAlertJSON(a meta.IncidentAlert) alertJSON {
	var d alertData
	_ = json.Unmarshal(a.Data, &d) // Data is written by the correlator; a bad row still lists
	j := alertJSON{
		ETag: `W/"` + strconv.Itoa(a.Version) + `"`, ID: a.AlertID, ProviderAlertID: a.AlertID, IncidentID: idString(a.IncidentID),
		TenantID: a.Tenant, Title: a.Title, Description: d.Description, Severity: a.Severity, Status: a.Status,
		Classification: a.Classification, Determination: a.Determination,
		ServiceSource: serviceSource(d.Provider), DetectionSource: detectionSource(d.Provider), DetectorID: a.RuleID,
		MitreTechniques: nonNil(d.Techniques), CreatedDateTime: graphTime(a.CreatedAt), LastUpdateDateTime: graphTime(a.UpdatedAt),
		FirstActivityDateTime: graphTime(a.FirstActivity), LastActivityDateTime: graphTime(a.LastActivity),
		Evidence: evidenceOf(d.Entities, a.CreatedAt),
	}
	if len(d.Entities) > 0 {
		j.Entities, _ = json.Marshal(d.Entities)
	}
	if a.AssignedTo != "" {
		j.AssignedTo = &a.AssignedTo
	}
	if len(d.Tactics) > 0 {
		j.Category = d.Tactics[0]
	}
	return j
}

// serviceSource and detectionSource name where an alert came from in Graph's terms:
// Vigil's own detections are custom detections; imported ones are third party.
func serviceSource(provider string) string {
	if provider == "" || provider == alert.Provider {
		return "microsoftSentinel"
	}
	return "unknownFutureValue"
}

func detectionSource(provider string) string {
	if provider == "" || provider == alert.Provider {
		return "customDetection"
	}
	return "manual"
}
