package normalize

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// TestSentinelSaaSRulesCompile compiles the queries of Sentinel's Okta and GitHub analytics
// rules (condensed to their table and column use) against the registry, so a renamed or
// retyped OktaSSO or GitHubAuditData column fails here.
func TestSentinelSaaSRulesCompile(t *testing.T) {
	reg := schema.NewRegistry()
	rules := map[string]string{
		"Okta MFA fatigue": `let PushThreshold = 10;
OktaSSO
| where ((eventType_s == "user.authentication.auth_via_mfa" and debugContext_debugData_factor_s == "OKTA_VERIFY_PUSH") or eventType_s == "system.push.send_factor_verify_push" or eventType_s == "user.mfa.okta_verify.deny_push")
| summarize IPAddress = make_set(client_ipAddress_s, 100), City = make_set(client_geographicalContext_city_s, 100),
    successes = countif(eventType_s == "user.authentication.auth_via_mfa"), pushes = countif(eventType_s == "system.push.send_factor_verify_push")
    by TimeGenerated, authenticationContext_externalSessionId_s, actor_alternateId_s, actor_displayName_s, outcome_result_s
| where pushes > PushThreshold`,
		"Okta high-risk admin activity": `OktaSSO
| where eventType_s in ("policy.evaluate_sign_on", "user.session.start")
| extend debugContext_debugData_logOnlySecurityData_s = column_ifexists('debugContext_debugData_logOnlySecurityData_s', '{}')
| where parse_json(tostring(parse_json(debugContext_debugData_logOnlySecurityData_s).risk)).level =~ "HIGH"
| where outcome_result_s =~ 'SUCCESS'
| summarize StartTime = min(TimeGenerated), EndTime = max(TimeGenerated) by actor_alternateId_s, actor_displayName_s, client_userAgent_os_s,
    client_userAgent_browser_s, client_device_s, client_userAgent_rawUserAgent_s, client_ipAddress_s, client_geographicalContext_country_s,
    client_geographicalContext_city_s, displayMessage_s, outcome_reason_s, debugContext_debugData_threatSuspected_s,
    client_geographicalContext_geolocation_lat_d, client_geographicalContext_geolocation_lon_d, authenticationContext_externalSessionId_s`,
		"Okta password spray (table renamed from Okta_CL)": `OktaSSO
| where eventType_s =~ "user.session.start" and outcome_reason_s in ("VERIFICATION_ERROR", "INVALID_CREDENTIALS")
| summarize Users = make_set(actor_alternateId_s), dcount(actor_alternateId_s) by client_ipAddress_s,
    City = column_ifexists('client_geographicalContext_city_s', ""), bin(TimeGenerated, 5m)
| where column_ifexists('published_t', now()) > ago(1d)`,
		"Okta FastPass phishing": `OktaSSO
| where isnotempty(client_ipAddress_s) and eventType_s == 'user.authentication.auth_via_mfa' and outcome_result_s == 'FAILURE'
| summarize StartTime = min(TimeGenerated) by actor_alternateId_s, client_geographicalContext_state_s, severity_s, client_userAgent_browser_s
| extend AccountName = tostring(split(actor_alternateId_s, "@")[0])`,
		"GitHub 2FA requirement disabled": `GitHubAuditData
| where Action == "org.disable_two_factor_requirement"
| project TimeGenerated, Action, Actor, Country, Repository
| extend Name = iif(Actor contains "@", split(Actor, "@")[0], Actor)`,
		"GitHub user visibility changed": `GitHubAuditData
| where Action == "repo.access" and PreviousVisibility == "private" and Visibility == "public"
| project TimeGenerated, Organization, Actor, Repository, ImpactedUser, TeamName, BlockedUser, CurrentPermission, PreviousPermission, InvitedUserPermission`,
	}
	for name, src := range rules {
		t.Run(name, func(t *testing.T) {
			q, diags := kql.Compile(src, reg, kql.Options{Tenant: "t1"})
			if q == nil || syntax.HasErrors(diags) {
				t.Errorf("does not compile: %v", diags)
			}
		})
	}
}
