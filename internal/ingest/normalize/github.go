package normalize

// GitHub audit log ("github-audit").
//
// Input: audit log events of a GitHub enterprise or organization, as the REST API
// (GET /enterprises/{enterprise}/audit-log, GET /orgs/{org}/audit-log) returns them or audit
// log streaming writes them: a JSON array or one event per line, each with "@timestamp" and
// created_at (milliseconds since the epoch; streams may write created_at as RFC 3339),
// action, actor, actor_id, actor_ip, actor_location{country_code}, user_agent, org, repo
// (or repository), user, business, operation_type, _document_id, and per-action members
// (visibility, previous_visibility, permission, old_permission, team, blocked_user, ...).
//
// Each event becomes a GitHubAuditData row. Sentinel's GitHub analytics rules query the
// GitHubAuditData function, which projects the connector tables (GitHubAuditLogPolling_CL,
// GitHubAuditLogsV2_CL) onto TimeGenerated, Organization, Action, Repository, Actor, Country,
// ImpactedUser, InvitedUserPermission, Visibility, PreviousVisibility, CurrentPermission,
// PreviousPermission, TeamName and BlockedUser; Vigil stores those columns in a table of that
// name, plus ActorId, ActorIp, Business, OperationType, DocumentId, UserAgent, CreatedAt and
// the whole event in AdditionalFields.

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

const gitHubAuditFormat = "github-audit"

// gitHubAuditPaths maps GitHubAuditData columns to the event members they copy.
var gitHubAuditPaths = map[string]string{
	"Organization": "org", "Action": "action", "Actor": "actor", "Country": "actor_location.country_code",
	"ImpactedUser": "user", "InvitedUserPermission": "permission", "CurrentPermission": "permission",
	"Visibility": "visibility", "PreviousVisibility": "previous_visibility", "PreviousPermission": "old_permission",
	"TeamName": "team", "BlockedUser": "blocked_user", "ActorId": "actor_id", "ActorIp": "actor_ip",
	"Business": "business", "OperationType": "operation_type", "DocumentId": "_document_id", "UserAgent": "user_agent",
}

// gitHubAuditRecords maps one audit log event to a GitHubAuditData row.
func (n *Normalizer) gitHubAuditRecords(o jobj) []Record {
	const table = "GitHubAuditData"
	if o.text("action") == "" {
		return []Record{n.fail(gitHubAuditFormat, table, "missing action")}
	}
	created, err := gitHubTime(o, "created_at")
	if err != nil {
		return []Record{n.fail(gitHubAuditFormat, table, err.Error())}
	}
	t := created
	if t == nil {
		if t, err = gitHubTime(o, "@timestamp"); err != nil {
			return []Record{n.fail(gitHubAuditFormat, table, err.Error())}
		}
	}
	if t == nil {
		return []Record{n.fail(gitHubAuditFormat, table, "missing time (created_at or @timestamp)")}
	}
	r := n.row(table)
	r.setValue("TimeGenerated", t)
	if created != nil {
		r.setValue("CreatedAt", created)
	}
	for col, p := range gitHubAuditPaths {
		if !r.putPath(col, o, p) {
			return []Record{n.fail(gitHubAuditFormat, table, p+": "+clip(o.text(p))+" does not fit "+col)}
		}
	}
	repo := o.text("repo")
	if repo == "" {
		repo = o.text("repository")
	}
	r.set("Repository", repo)
	r.setValue("AdditionalFields", jsonDynamic(o))
	return []Record{r.done(gitHubAuditFormat)}
}

// gitHubTime reads a GitHub time member: milliseconds since the epoch, or RFC 3339 text. It
// returns nil when the member is missing.
func gitHubTime(o jobj, member string) (any, error) {
	switch v := o.get(member).(type) {
	case nil:
		return nil, nil
	case json.Number:
		ms, err := v.Int64()
		if err != nil {
			f, ferr := v.Float64()
			if ferr != nil {
				return nil, errors.New(member + ": " + clip(v.String()) + " is not milliseconds since the epoch")
			}
			ms = int64(f)
		}
		t := time.UnixMilli(ms).UTC()
		if !validYear(t) || ms < 0 {
			return nil, errors.New(member + ": " + v.String() + " is out of range")
		}
		return t, nil
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		t, err := parseWinTime(v)
		if err != nil {
			return nil, errors.New(member + ": " + err.Error())
		}
		return t, nil
	default:
		return nil, errors.New(member + ": " + clip(jsonText(v)) + " is not a time")
	}
}
