package simulate

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestParseScenarioDemo(t *testing.T) {
	sc, err := LoadScenarioFile(scenarioPath)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "phish-to-exfil" || len(sc.Actors) != 7 || len(sc.Decoys) != 1 || len(sc.Indicators) != 1 {
		t.Fatalf("scenario: %s, %d actors, %d decoys, %d indicators", sc.Name, len(sc.Actors), len(sc.Decoys), len(sc.Indicators))
	}
	for i := 1; i < len(sc.Steps); i++ {
		if sc.Steps[i].At < sc.Steps[i-1].At {
			t.Fatalf("step %d at %s comes after %s", i, sc.Steps[i].At, sc.Steps[i-1].At)
		}
	}
	g := New(1, Options{})
	if err := g.Scenario(sc); err != nil {
		t.Fatal(err)
	}
	if d := g.Duration(); d < 45*time.Minute || d > 2*time.Hour {
		t.Fatalf("duration %s", d)
	}
}

func TestParseScenarioSortsAndResolves(t *testing.T) {
	src := `name: t
actors:
  v: {user: department=IT}
  x: {ip: 203.0.113.9}
steps:
  - at: 1m
    kind: ssh-login
    with: {host: lnx-web01, user: "${v.sam}", ip: "${x.ip}"}
  - at: 10s
    kind: entra-signin
    repeat: 3
    every: 5s
    with: {user: "${v.upn}", ip: "${x.ip}", result: mfa-denied, app: "try ${i}"}
`
	sc, err := ParseScenario("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Steps[0].Kind != "entra-signin" || sc.Steps[1].Kind != "ssh-login" {
		t.Fatalf("steps not in time order: %+v", sc.Steps)
	}
	g := New(3, Options{})
	if err := g.Scenario(sc); err != nil {
		t.Fatal(err)
	}
	recs, err := g.Attack(demoStart)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || !recs[2].Time.Equal(demoStart.Add(20*time.Second)) || recs[3].Format != FormatSyslog {
		t.Fatalf("records: %d, third at %s", len(recs), recs[2].Time)
	}
	v, _ := selectUser(g.Org(), "department=IT")
	rows, _ := newNormalizers(t).normalizeAll(t, recs)
	if !hasCell(rows, "SigninLogs", "UserPrincipalName", v.UPN) || !hasCell(rows, "SigninLogs", "IPAddress", "203.0.113.9") {
		t.Fatal("placeholders not resolved")
	}
}

func TestParseScenarioErrors(t *testing.T) {
	head := "name: t\nactors:\n  v: {user: admin}\nsteps:\n"
	tests := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"unknown top key", "name: t\nwho: x\n", 2, 1, `unknown key "who" (want name, description, actors, decoys, indicators, steps)`},
		{"unknown step key", head + "  - at: 1s\n    kind: cron\n    when: 2\n", 7, 5, `unknown key "when" in a step (want at, kind, repeat, every, with)`},
		{"unknown kind", head + "  - at: 1s\n    kind: teleport\n", 5, 5, `unknown step kind "teleport"`},
		{"unknown parameter", head + "  - at: 1s\n    kind: cron\n    with:\n      host: lnx-web01\n      command: x\n      colour: red\n", 10, 7, `step cron has no parameter "colour" (want host, user, command)`},
		{"missing parameter", head + "  - at: 1s\n    kind: cron\n    with: {host: lnx-web01}\n", 5, 5, `step cron needs parameter "command"`},
		{"bad duration", head + "  - at: soon\n    kind: cron\n", 5, 9, `"soon" is not a duration such as 2m30s (from 0 to 168h)`},
		{"unknown actor", head + "  - at: 1s\n    kind: cron\n    with:\n      host: lnx-web01\n      command: ${w.sam}\n", 9, 1, `placeholder ${w.sam} names no actor field`},
		{"unknown actor key", "name: t\nactors:\n  v: {person: admin}\n", 3, 7, `unknown key "person" in actor v`},
		{"no steps", "name: t\n", 1, 1, "no steps"},
		{"not yaml", "name: [t\n", 1, 1, "yaml: line 1: did not find expected"},
		{"bad indicator", "name: t\nindicators:\n  - {type: ipv6, value: x}\n", 3, 5, `indicator type "ipv6" is not one of`},
		{"bad repeat", head + "  - at: 1s\n    kind: cron\n    repeat: 0\n", 7, 13, `repeat "0" must be a number from 1 to 10000`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScenario("t.yaml", []byte(tc.src))
			var se *ScenarioError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *ScenarioError", err)
			}
			if se.Line != tc.line || se.Col != tc.col || !contains(se.Msg, tc.msg) {
				t.Fatalf("got %d:%d: %s\nwant %d:%d: %s...", se.Line, se.Col, se.Msg, tc.line, tc.col, tc.msg)
			}
		})
	}
}

func TestScenarioResolveErrors(t *testing.T) {
	tests := []struct{ name, src, msg string }{
		{"no such device", "name: t\nsteps:\n  - at: 1s\n    kind: cron\n    with: {host: nowhere, command: x}\n", "t.yaml:3:1: cron: parameter host: no device \"nowhere\""},
		{"no such user", "name: t\nactors:\n  v: {user: nobody}\nsteps:\n  - at: 1s\n    kind: cron\n    with: {host: lnx-web01, command: x}\n", "t.yaml:3:1: actor v: no user \"nobody\""},
		{"bad number", "name: t\nsteps:\n  - at: 1s\n    kind: o365-file\n    with: {user: x, count: many}\n", "parameter count: \"many\" is not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := ParseScenario("t.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			sc.Name = "t.yaml"
			err = New(1, Options{}).Scenario(sc)
			if err == nil || !contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %s", err, tc.msg)
			}
		})
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func FuzzParseScenario(f *testing.F) {
	demo, err := os.ReadFile(scenarioPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte("name: t\nsteps:\n  - {at: 1s, kind: cron, with: {host: lnx-web01, command: x}}\n"))
	f.Add([]byte("name: t\nactors: {v: {user: admin}}\nsteps:\n  - {at: 1s, kind: sudo, repeat: 2, every: 1s, with: {host: lnx-web01, user: '${v.sam}', command: '${i}'}}\n"))
	g := New(1, Options{Users: 10})
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := ParseScenario("fuzz.yaml", data)
		if err != nil {
			var se *ScenarioError
			if !errors.As(err, &se) || se.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		repeats := 0
		for _, st := range sc.Steps {
			repeats += st.Repeat
		}
		if repeats <= 100 {
			_ = g.Scenario(sc)
		}
	})
}
