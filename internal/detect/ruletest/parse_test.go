package ruletest

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	src := strings.Join([]string{
		"# comment",
		"rule ../a.yaml",
		"base 2026-02-01T10:00:00Z",
		"load SigninLogs at -10m",
		`  {"UserPrincipalName":"a"}`,
		`  +1m repeat 3 every 30s {"UserPrincipalName":"u{{i}}"}`,
		"",
		"eval at 1h",
		"  expect 2 alerts",
		`  expect alert title="Brute force on a" Account.FullName~a detail.Failures=3`,
	}, "\n")
	s, err := Parse("x.test", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rules) != 1 || s.Rules[0] != (RuleRef{Line: 2, Path: "../a.yaml"}) {
		t.Errorf("rules = %+v", s.Rules)
	}
	if !s.Base.Equal(time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("base = %s", s.Base)
	}
	l := s.Steps[0].(*Load)
	if l.Table != "SigninLogs" || l.At != -10*time.Minute || len(l.Rows) != 2 {
		t.Fatalf("load = %+v", l)
	}
	if r := l.Rows[1]; r.Line != 6 || r.Offset != time.Minute || r.Repeat != 3 || r.Every != 30*time.Second || r.JSON != `{"UserPrincipalName":"u{{i}}"}` {
		t.Errorf("row = %+v", r)
	}
	e := s.Steps[1].(*Eval)
	if e.At != time.Hour || e.Count == nil || *e.Count != (Count{Line: 9, N: 2}) || len(e.Alerts) != 1 {
		t.Fatalf("eval = %+v", e)
	}
	want := []Field{{Key: "title", Value: "Brute force on a"}, {Key: "Account.FullName", Value: "a", Contains: true}, {Key: "detail.Failures", Value: "3"}}
	if got := e.Alerts[0].Fields; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("fields = %+v, want %+v", got, want)
	}
}

// TestParseErrors checks the exact message and line of each error.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"load SigninLogs at -1m", "x.test:1: no rule line: name the rule under test with 'rule FILE'"},
		{"rule a.yaml\nfrobnicate", `x.test:2: unknown command "frobnicate": want rule, base, load or eval`},
		{"rule a.yaml\nload SigninLogs -1m", "x.test:2: want 'load TABLE at OFFSET', got 'load SigninLogs -1m'"},
		{"rule a.yaml\nload SigninLogs at 10x", `x.test:2: load: bad duration "10x": want e.g. -10m, +1h30m, 2d`},
		{"rule a.yaml\nload T at 0\n  {\"a\":1", "x.test:3: row is not a JSON object: unexpected end of JSON input"},
		{"rule a.yaml\nload T at 0\n  nope", "x.test:3: row needs a JSON object"},
		{"rule a.yaml\nload T at 0\n  repeat 0 {}", `x.test:3: repeat "0": want a count from 1 to 10000`},
		{"rule a.yaml\nload T at 0\n  every -1m {}", `x.test:3: every "-1m": want a positive duration such as 30s or 5m`},
		{"rule a.yaml\nload T at 0\n  twice {}", `x.test:3: unexpected "twice" before the row's JSON: want [+OFFSET] [repeat N [every DURATION]]`},
		{"rule a.yaml\n  {}", "x.test:2: indented line outside a load or eval block"},
		{"rule a.yaml\neval at 0\n  expect 2 alert", "x.test:3: want 'expect N alerts', 'expect no alerts' or 'expect alert KEY=VALUE ...'"},
		{"rule a.yaml\neval at 0\n  expect 1 alert\n  expect no alerts", "x.test:4: the eval block at line 2 already expects a count"},
		{"rule a.yaml\neval at 0\n  expect alert title", `x.test:3: expect alert: "title": want KEY=VALUE or KEY~VALUE`},
		{"rule a.yaml\neval at 0\n  expect alert title=\"x", "x.test:3: expect alert: title: unterminated or invalid quoted value"},
		{"rule a.yaml\neval at 0\n  assert 1", `x.test:3: unknown line in eval block "assert": want expect`},
		{"rule a.yaml\neval 0", "x.test:2: want 'eval at OFFSET', got 'eval 0'"},
		{"rule a.yaml\neval at 0\nbase 2026-01-01T00:00:00Z", "x.test:3: base must come before the first load or eval"},
		{"rule a.yaml\nbase yesterday", `x.test:2: base "yesterday" is not an RFC 3339 time such as 2026-01-01T00:00:00Z`},
	} {
		_, err := Parse("x.test", []byte(c.src))
		if err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q) = %v, want %s", c.src, err, c.want)
		}
	}
}

func TestParseOffset(t *testing.T) {
	for s, want := range map[string]time.Duration{"0": 0, "-10m": -10 * time.Minute, "+1h30m": 90 * time.Minute, "2d": 48 * time.Hour, "-1d": -24 * time.Hour} {
		if got, err := parseOffset(s); err != nil || got != want {
			t.Errorf("parseOffset(%q) = %s, %v, want %s", s, got, err, want)
		}
	}
	for _, s := range []string{"", "--1m", "+-1m", "1x", "d", "99999d"} {
		if _, err := parseOffset(s); err == nil {
			t.Errorf("parseOffset(%q) succeeded", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("rule a.yaml\nload SigninLogs at -10m\n  +1m repeat 3 every 30s {\"a\":\"{{i}}\"}\neval at 0\n  expect 1 alert\n  expect alert title=\"x y\" Host.FullName~w detail.K=1\n"))
	f.Add([]byte("rule a\nbase 2026-01-01T00:00:00Z\neval at 2d\n  expect no alerts\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.test", data)
		if err == nil && len(s.Rules) == 0 {
			t.Error("parsed a script without rules")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.test:") {
			t.Errorf("error without position: %v", err)
		}
	})
}
