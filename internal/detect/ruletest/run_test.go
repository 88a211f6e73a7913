package ruletest

import (
	"context"
	"strings"
	"testing"
)

// TestRunFailures checks what a script reports, line by line, when expectations fail.
func TestRunFailures(t *testing.T) {
	env := newTestEnv(t)
	const load = "rule failures.yaml\nload SigninLogs at -10m\n" +
		`  repeat 3 every 1m {"UserPrincipalName":"a@x.com","ResultType":"50126"}` + "\n" +
		`  {"UserPrincipalName":"b@x.com","ResultType":"50126"}` + "\n"
	for _, c := range []struct {
		name, src string
		want      []string
	}{
		{"passes", load + "eval at 0\n  expect 2 alerts\n  expect alert title=\"3 failures for a@x.com\" Account.FullName=A@X.COM detail.Failures=3 severity=low rule=\"Failed sign-ins\"\n  expect alert Account.FullName~b@\n", nil},
		{"count", load + "eval at 0\n  expect 1 alert\n", []string{"testdata/x.test:6: failures.yaml: got 2 alerts, want 1; the alerts are:"}},
		{"matcher", load + "eval at 0\n  expect alert detail.Failures=4\n", []string{"testdata/x.test:6: failures.yaml: no alert matches detail.Failures=4; the alerts are:"}},
		{"one alert per matcher", load + "eval at 0\n  expect alert Account.FullName~x.com\n  expect alert Account.FullName~x.com\n  expect alert Account.FullName~x.com\n", []string{"testdata/x.test:8: failures.yaml: no alert matches Account.FullName~x.com"}},
		{"unknown key", load + "eval at 0\n  expect alert colour=red\n", []string{`testdata/x.test:6: unknown key "colour"`}},
		{"outside the window", load + "eval at 2h\n  expect no alerts\n", nil},
		{"suppression", load + "eval at 0\n  expect 2 alerts\n" + "load SigninLogs at 50m\n" + `  {"UserPrincipalName":"c@x.com","ResultType":"50126"}` + "\neval at 1h\n  expect no alerts\neval at 2h\n  expect no alerts\n", nil},
		{"nrt reads by ingest order", "rule nrt.yaml\nload SigninLogs at -1m\n" + `  {"UserPrincipalName":"a@x.com","ResultType":"50126"}` +
			"\neval at 0\n  expect 1 alert\nload SigninLogs at -3h\n" + `  {"UserPrincipalName":"late@x.com","ResultType":"50126"}` +
			"\neval at 1m\n  expect alert Account.FullName=late@x.com\n  expect 1 alert\neval at 2m\n  expect no alerts\n", nil},
		{"bad row", "rule failures.yaml\nload SigninLogs at -10m\n  {\"UserPrincipalNam\":\"a\"}\n", []string{`testdata/x.test:3: SigninLogs row: column UserPrincipalNam: unknown column "UserPrincipalNam"`}},
		{"unknown table", "rule failures.yaml\nload NoSuchTable at 0\n  {}\n", []string{`testdata/x.test:2: load: unknown table "NoSuchTable"`}},
		{"rule does not lint", "rule badquery.yaml\neval at 0\n  expect no alerts\n", []string{"testdata/x.test:1: rule does not lint: testdata/badquery.yaml:10:11: query: unknown column 'NoSuchColumn'"}},
		{"no rule file", "rule nothing.yaml\n", []string{"testdata/x.test:1: load rule: stat testdata/nothing.yaml: no such file or directory"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("testdata/x.test", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			got := env.Run(context.Background(), s)
			if len(got) != len(c.want) {
				t.Fatalf("got %d failures, want %d: %v", len(got), len(c.want), got)
			}
			for i, f := range got {
				if !strings.HasPrefix(f.String(), c.want[i]) {
					t.Errorf("failure %d = %q, want prefix %q", i, f.String(), c.want[i])
				}
			}
		})
	}
}
