package meta

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrStaleVersion is returned when an update names a version the object no longer has.
var ErrStaleVersion = errors.New("version mismatch")

// ErrInvalidTransition is returned when an update is not allowed from the object's state.
var ErrInvalidTransition = errors.New("invalid transition")

// Graph's classifications.
const (
	ClassUnknown       = "unknown"
	ClassTruePositive  = "truePositive"
	ClassFalsePositive = "falsePositive"
	ClassExpected      = "informationalExpectedActivity"
)

// determinationsOf lists the determinations each classification allows, as Defender pairs
// them; "unknown" and Graph's older values (apt, securityPersonnel) stay allowed.
var determinationsOf = map[string][]string{
	ClassTruePositive: {"multiStagedAttack", "maliciousUserActivity", "compromisedAccount", "malware", "phishing",
		"unwantedSoftware", "apt", "securityPersonnel", "other"},
	ClassExpected:      {"securityTesting", "lineOfBusinessApplication", "confirmedActivity", "other"},
	ClassFalsePositive: {"notMalicious", "notEnoughDataToValidate", "other"},
}

// checkTransition enforces the incident transition table on the incident as patched (to)
// from its stored state (from):
//   - a redirected (merged) incident cannot be edited: its alerts live in the target;
//   - only the correlator redirects: no update may set status redirected;
//   - resolving needs a classification other than unknown;
//   - a determination must fit the classification (Defender's pairs).
//
// Reopening (resolved -> active or inProgress) is allowed and clears the closed time.
func checkTransition(from, to Incident) error {
	switch {
	case from.Status == IncidentRedirected:
		return fmt.Errorf("incident %d was merged into incident %d; update that one: %w", from.ID, from.MergedInto, ErrInvalidTransition)
	case to.Status == IncidentRedirected:
		return fmt.Errorf("incident %d: status redirected is set only by merging: %w", from.ID, ErrInvalidTransition)
	case to.Status == IncidentResolved && to.Classification == ClassUnknown:
		return fmt.Errorf("incident %d: resolving needs a classification (truePositive, falsePositive or informationalExpectedActivity): %w", from.ID, ErrInvalidTransition)
	}
	return checkDetermination(to.Classification, to.Determination)
}

func checkDetermination(class, det string) error {
	if det == "unknown" || class == ClassUnknown {
		return nil
	}
	if allowed := determinationsOf[class]; !slices.Contains(allowed, det) {
		return fmt.Errorf("determination %s does not fit classification %s (allowed: %s): %w",
			det, class, strings.Join(allowed, ", "), ErrInvalidTransition)
	}
	return nil
}

// UpdateIncident applies p to tenant's incident id as actor, records the change in its
// history and returns the updated incident and whether anything changed. It serializes
// with correlation of the tenant, so that no update is lost.
func (s *Store) UpdateIncident(ctx context.Context, tenant string, id int64, p IncidentPatch, actor string) (Incident, error) {
	var out Incident
	err := s.Correlate(ctx, tenant, func(tx *IncidentTx) error {
		in, err := getIncident(ctx, tx.q, tenant, id)
		if err != nil {
			return err
		}
		if p.Version != 0 && p.Version != in.Version {
			return fmt.Errorf("incident %d is at version %d, not %d: %w", id, in.Version, p.Version, ErrStaleVersion)
		}
		from := in
		changes := applyPatch(&in, p)
		if len(changes) == 0 {
			out = in
			return nil
		}
		if err := checkTransition(from, in); err != nil {
			return err
		}
		switch {
		case in.Status == IncidentResolved && from.Status != IncidentResolved:
			in.ClosedAt = tx.now
		case in.Status != IncidentResolved:
			in.ClosedAt = time.Time{}
		}
		if err := tx.SaveIncident(ctx, in); err != nil {
			return err
		}
		in.Version++
		in.UpdatedAt = tx.now
		out = in
		return addHistory(ctx, tx.q, id, actor, "update", strings.Join(changes, "; "), tx.now)
	})
	if err != nil {
		return Incident{}, fmt.Errorf("update incident: %w", err)
	}
	return out, nil
}

// textTime renders t for a TEXT time column ("" for the zero time).
func textTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return dbTime(t).Format(sqliteTimeLayout)
}

// parseTextTime reads a TEXT time column; "" and bad values are the zero time.
func parseTextTime(s string) time.Time {
	t, err := time.Parse(sqliteTimeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// AlertPatch is an analyst's change to an alert; nil fields are left alone.
type AlertPatch struct {
	Status         *string
	Classification *string
	Determination  *string
	AssignedTo     *string
	// Version, when non-zero, must equal the alert's version.
	Version int
}

// UpdateAlert applies p to tenant's alert id as actor, records the change in the history of
// its incident (if any) and returns the updated alert.
func (s *Store) UpdateAlert(ctx context.Context, tenant, id string, p AlertPatch, actor string) (IncidentAlert, error) {
	var out IncidentAlert
	err := s.Correlate(ctx, tenant, func(tx *IncidentTx) error {
		a, err := scanAlert(tx.q.queryRow(ctx, `SELECT `+alertColumns+` FROM incident_alerts WHERE tenant = ? AND alert_id = ?`, tenant, id))
		if err != nil {
			if isNoRows(err) {
				return fmt.Errorf("alert %q: %w", id, ErrNotFound)
			}
			return err
		}
		if p.Version != 0 && p.Version != a.Version {
			return fmt.Errorf("alert %q is at version %d, not %d: %w", id, a.Version, p.Version, ErrStaleVersion)
		}
		changes := applyAlertPatch(&a, p)
		if len(changes) == 0 {
			out = a
			return nil
		}
		if err := checkDetermination(a.Classification, a.Determination); err != nil {
			return err
		}
		a.Version++
		a.UpdatedAt = tx.now
		if _, err := tx.q.exec(ctx, `UPDATE incident_alerts SET status = ?, classification = ?, determination = ?,
			assigned_to = ?, version = ?, updated_at = ? WHERE tenant = ? AND alert_id = ?`, a.Status, a.Classification,
			a.Determination, a.AssignedTo, a.Version, textTime(a.UpdatedAt), tenant, id); err != nil {
			return err
		}
		out = a
		if a.IncidentID == 0 {
			return nil
		}
		return addHistory(ctx, tx.q, a.IncidentID, actor, "updateAlert", "alert "+id+": "+strings.Join(changes, "; "), tx.now)
	})
	if err != nil {
		return IncidentAlert{}, fmt.Errorf("update alert: %w", err)
	}
	return out, nil
}

func applyAlertPatch(a *IncidentAlert, p AlertPatch) []string {
	var changes []string
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{{"status", &a.Status, p.Status}, {"classification", &a.Classification, p.Classification},
		{"determination", &a.Determination, p.Determination}, {"assignedTo", &a.AssignedTo, p.AssignedTo}} {
		if f.v != nil && *f.v != *f.dst {
			changes = append(changes, fmt.Sprintf("%s: %q -> %q", f.name, *f.dst, *f.v))
			*f.dst = *f.v
		}
	}
	return changes
}
