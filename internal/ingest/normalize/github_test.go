package normalize

import (
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func TestGitHubAuditRecords(t *testing.T) {
	n := newTestNormalizer(t)
	want := []string{
		"GitHubAuditData", "GitHubAuditData", "GitHubAuditData", "GitHubAuditData", "GitHubAuditData", "GitHubAuditData", "GitHubAuditData",
		"GitHubAuditData!missing action",
		"GitHubAuditData!missing time (created_at or @timestamp)",
		`GitHubAuditData!created_at: event time "last tuesday" is not a timestamp`,
	}
	got := summary(normalizeFile(t, n, gitHubAuditFormat))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestGitHubAuditCells(t *testing.T) {
	items := normalizeFile(t, newTestNormalizer(t), gitHubAuditFormat)
	t0 := at(2024, 3, 10, 9, 0, 0, 123000000)
	tests := []struct {
		name string
		item int
		want map[string]any
	}{
		{"repo.create", 0, map[string]any{
			"TimeGenerated": t0, "CreatedAt": t0, "Organization": "octo-org", "Action": "repo.create",
			"Repository": "octo-org/payments-api", "Actor": "octocat", "Country": "US", "ActorId": int64(583231),
			"ActorIp": "192.0.2.44", "Business": "octo-ent", "OperationType": "create", "DocumentId": "5sDy3ZBuwJ0Z6AHq8z0a6Q",
			"Visibility": "private", "ImpactedUser": nil,
			"UserAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
		}},
		{"2FA requirement disabled", 1, map[string]any{"Action": "org.disable_two_factor_requirement", "Actor": "mallory@example.com", "Country": "RO", "Repository": nil}},
		{"made public", 2, map[string]any{"Visibility": "public", "PreviousVisibility": "private"}},
		{"member added", 3, map[string]any{"ImpactedUser": "newhire", "InvitedUserPermission": "admin", "CurrentPermission": "admin"}},
		{"user blocked", 4, map[string]any{"BlockedUser": "spammer42"}},
		{"team permission", 5, map[string]any{"TeamName": "octo-org/platform", "CurrentPermission": "admin", "PreviousPermission": "write"}},
		{"streamed with RFC 3339 created_at", 6, map[string]any{
			"TimeGenerated": at(2024, 3, 10, 10, 5, 0, 0), "Repository": "octo-org/payments-api", "ActorIp": "2001:db8::7", "Action": "git.clone",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkSome(t, items[tt.item].Records[0], tt.want) })
	}
	// AdditionalFields keeps the whole event, so members without a column stay searchable.
	rec := items[4].Records[0]
	if got, _ := cells(rec.Table, rec.Row)["AdditionalFields"].(schema.Dynamic); !strings.HasPrefix(string(got), `{"@timestamp":1710062200000,`) ||
		!strings.Contains(string(got), `"blocked_user":"spammer42"`) {
		t.Errorf("AdditionalFields = %s", got)
	}
}

func FuzzGitHubAudit(f *testing.F) {
	n := newTestNormalizer(f)
	b := readSample(f, "github-audit.json")
	f.Add(b)
	f.Add([]byte(`{"action":"a","@timestamp":-1}` + "\n" + `{"action":"a","created_at":1e30,"actor_id":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzFormat(t, n, gitHubAuditFormat, b) })
}

func BenchmarkNormalizeGitHubAudit(b *testing.B) { benchFormat(b, gitHubAuditFormat) }
