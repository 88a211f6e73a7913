package normalize

import (
	"strings"
	"testing"
)

func TestOktaRecords(t *testing.T) {
	n := newTestNormalizer(t)
	want := []string{
		"OktaSSO", "OktaSSO", "OktaSSO",
		"OktaSSO!missing time (published)",
		"OktaSSO!missing eventType",
		`OktaSSO!published: event time "yesterday" is not a timestamp`,
	}
	got := summary(normalizeFile(t, n, oktaFormat))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestOktaCells(t *testing.T) {
	items := normalizeFile(t, newTestNormalizer(t), oktaFormat)
	tests := []struct {
		name string
		item int
		want map[string]any
	}{
		{"session start from a new country", 0, map[string]any{
			"TimeGenerated": at(2024, 3, 10, 9, 15, 2, 417000000), "published_t": at(2024, 3, 10, 9, 15, 2, 417000000),
			"uuid_g": "9b3e1d2a-ded4-11ee-a2b5-0bd1a6e7c0f4", "version_s": "0", "eventType_s": "user.session.start",
			"legacyEventType_s": "core.user_auth.login_success", "displayMessage_s": "User login to Okta", "severity_s": "INFO",
			"actor_id_s": "00u1qw2e3r4T5y6U7i8o", "actor_type_s": "User", "actor_alternateId_s": "alice@example.com",
			"actor_displayName_s": "Alice Example", "client_userAgent_os_s": "Windows 10", "client_userAgent_browser_s": "CHROME",
			"client_zone_s": "null", "client_device_s": "Computer", "client_id_s": nil, "client_ipAddress_s": "198.51.100.23",
			"client_geographicalContext_city_s": "Lisbon", "client_geographicalContext_state_s": "Lisbon",
			"client_geographicalContext_country_s": "Portugal", "client_geographicalContext_postalCode_s": "1000-001",
			"client_geographicalContext_geolocation_lat_d": 38.7223, "client_geographicalContext_geolocation_lon_d": -9.1393,
			"outcome_result_s": "SUCCESS", "outcome_reason_s": nil,
			"target_s":           `[{"id":"pfd1a2b3c4D5e6F7g8h9","type":"AuthenticatorEnrollment","alternateId":"unknown","displayName":"Password","detailEntry":null}]`,
			"transaction_type_s": "WEB", "transaction_id_s": "ZeV1NqUvVbxm1Z4lBL1kXAAAA1I",
			"authenticationContext_externalSessionId_s": "102bZDNFfWaQSyEZQuDgWt-uQ", "authenticationContext_authenticationStep_d": 0.0,
			"authenticationContext_interface_s": nil, "securityContext_asNumber_d": 64496.0, "securityContext_asOrg_s": "example isp",
			"securityContext_domain_s": "example.net", "securityContext_isProxy_b": false,
			"debugContext_debugData_requestUri_s": "/idp/idx/identify", "debugContext_debugData_threatSuspected_s": "false",
			"debugContext_debugData_behaviors_s":           "{New Geo-Location=POSITIVE, New Device=POSITIVE, New IP=POSITIVE, New State=POSITIVE, New Country=POSITIVE}",
			"debugContext_debugData_logOnlySecurityData_s": `{"risk":{"level":"HIGH","reasons":"Anomalous Location"},"behaviors":{"New Geo-Location":"POSITIVE","New Device":"POSITIVE","New Country":"POSITIVE"}}`,
			"request_ipChain_s":                            `[{"ip":"198.51.100.23","geographicalContext":{"city":"Lisbon","country":"Portugal"},"version":"V4","source":null}]`,
			"SourceSystem":                                 "RestAPI",
		}},
		{"failed password", 1, map[string]any{
			"outcome_result_s": "FAILURE", "outcome_reason_s": "INVALID_CREDENTIALS", "client_ipAddress_s": "203.0.113.50",
			"actor_alternateId_s": "bob@example.com", "severity_s": "WARN", "target_s": "[]",
			"client_geographicalContext_postalCode_s": nil, "debugContext_debugData_threatSuspected_s": "true",
		}},
		{"push MFA", 2, map[string]any{
			"eventType_s": "user.authentication.auth_via_mfa", "debugContext_debugData_factor_s": "OKTA_VERIFY_PUSH",
			"authenticationContext_externalSessionId_s": "102bZDNFfWaQSyEZQuDgWt-uQ",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkSome(t, items[tt.item].Records[0], tt.want) })
	}
}

func FuzzOkta(f *testing.F) {
	n := newTestNormalizer(f)
	b := readSample(f, "okta.json")
	f.Add(b)
	f.Add([]byte(`{"published":"2024-01-01T00:00:00Z","eventType":"x","securityContext":{"isProxy":"yes","asNumber":"big"},"client":{"geographicalContext":{"geolocation":{"lat":1e999}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzFormat(t, n, oktaFormat, b) })
}

func BenchmarkNormalizeOkta(b *testing.B) { benchFormat(b, oktaFormat) }
