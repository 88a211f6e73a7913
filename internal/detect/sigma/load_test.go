package sigma

import (
	"testing"
	"time"
)

func TestLoadRule(t *testing.T) {
	src := `title: T
id: 0e1b1c5a-0000-4000-8000-000000000001
name: t_rule
status: experimental
level: critical
description: d
author: a
date: 2024-01-01
tags: [attack.execution, attack.t1059, attack.t1059.001, cve.2021-1234]
references: [https://example.com]
falsepositives: Admins
logsource:
  product: Windows
  category: process_creation
detection:
  sel:
    Image|endswith|cased: '\x.exe'
    ProcessId: 4
    OriginalFileName: null
  keywords:
    - foo
  condition: sel or keywords
`
	rs, err := Load([]byte(src), "r.yml")
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.Title != "T" || r.Name != "t_rule" || r.Level != "critical" || r.LogSource.Product != "windows" || len(r.Tags) != 4 || r.FalsePositives[0] != "Admins" {
		t.Fatalf("rule %+v", r)
	}
	it := r.Detection.Searches["sel"].Maps[0].Items
	if it[0].Field != "Image" || len(it[0].Modifiers) != 2 || it[0].Line != 17 || !it[1].Values[0].Numeric || !it[2].Values[0].Null {
		t.Fatalf("items %+v %+v %+v", it[0], it[1], it[2])
	}
	if r.Detection.Searches["keywords"].Keywords == nil || r.Detection.Conditions[0].Line != 22 {
		t.Fatalf("detection %+v", r.Detection)
	}
	tac, tech := attackTags(r.Tags)
	if len(tac) != 1 || tac[0] != "Execution" || len(tech) != 2 || tech[1] != "T1059.001" {
		t.Fatalf("tags %v %v", tac, tech)
	}
}

func TestLoadCorrelation(t *testing.T) {
	src := `title: C
correlation:
  type: value_count
  rules: [a, b]
  group-by: [Computer]
  timespan: 15m
  condition:
    field: User
    gte: 5
`
	rs, err := Load([]byte(src), "c.yml")
	if err != nil {
		t.Fatal(err)
	}
	c := rs[0].Correlation
	if c.Type != CorrValueCount || len(c.Rules) != 2 || c.Timespan != 15*time.Minute || c.Op != "gte" || c.Count != 5 || c.Field != "User" {
		t.Fatalf("correlation %+v", c)
	}
}

// TestLoadErrors asserts the exact message and line of each load error.
func TestLoadErrors(t *testing.T) {
	const head = "title: T\nlogsource: {product: windows, category: process_creation}\n"
	cases := []struct{ name, src, want string }{
		{"not yaml", "title: [", "r.yml:1: invalid yaml: did not find expected node content"},
		{"no title", "logsource: {product: windows}\ndetection: {s: {a: 1}, condition: s}\n", "r.yml:1: missing title"},
		{"no detection", head, "r.yml:1: missing detection"},
		{"no logsource", "title: T\ndetection: {s: {a: 1}, condition: s}\n", "r.yml:1: missing logsource"},
		{"no condition", head + "detection:\n  s:\n    a: 1\n", "r.yml:3: detection has no condition"},
		{"bad level", "title: T\nlevel: urgent\n", "r.yml:2: unknown level \"urgent\" (want informational, low, medium, high or critical)"},
		{"empty modifier", head + "detection:\n  s:\n    a||contains: 1\n  condition: s\n", "r.yml:5: empty modifier in \"a||contains\""},
		{"map value", head + "detection:\n  s:\n    a: {b: 1}\n  condition: s\n", "r.yml:5: value of field \"a\" must be a string, number, boolean or null"},
		{"empty list", head + "detection:\n  s:\n    a: []\n  condition: s\n", "r.yml:5: field \"a\" has an empty value list"},
		{"duplicate search", head + "detection:\n  s:\n    a: 1\n  s:\n    a: 2\n  condition: s\n", "r.yml:6: search \"s\" defined twice"},
		{"action global", "action: global\ntitle: T\n", "r.yml:1: rule collections (action: global) are not supported; write each rule in full"},
		{"both", "title: T\nlogsource: {product: windows}\ndetection: {s: {a: 1}, condition: s}\ncorrelation: {type: temporal}\n", "r.yml:4: a rule has either detection or correlation, not both"},
		{"corr type", "title: C\ncorrelation:\n  type: sum\n", "r.yml:3: unknown correlation type \"sum\" (want event_count, value_count, temporal or temporal_ordered)"},
		{"corr timespan", "title: C\ncorrelation:\n  type: temporal\n  rules: [a]\n  timespan: 5x\n", "r.yml:5: invalid timespan \"5x\" (want a positive number with s, m, h or d)"},
		{"corr no condition", "title: C\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 5m\n", "r.yml:3: event_count correlation needs a condition"},
		{"corr bad count", "title: C\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: many}\n", "r.yml:6: correlation condition gte must be an integer"},
		{"empty file", "", "r.yml: no rule in file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load([]byte(c.src), "r.yml")
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v\nwant      %s", err, c.want)
			}
		})
	}
}

// TestCompileErrors asserts the exact messages of rules that load but do not compile.
func TestCompileErrors(t *testing.T) {
	const head = "title: T\nlogsource: {product: windows, category: process_creation}\ndetection:\n"
	cases := []struct{ name, src, want string }{
		{"unmapped logsource", "title: T\nlogsource: {product: windows, category: ps_classic_foo}\ndetection:\n  s:\n    a: 1\n  condition: s\n",
			"test.yml:1: logsource windows/ps_classic_foo is not mapped to a table"},
		{"unknown modifier", head + "  s:\n    CommandLine|contain: x\n  condition: s\n", "test.yml:5: field CommandLine: unknown modifier \"contain\""},
		{"two match modifiers", head + "  s:\n    CommandLine|contains|startswith: x\n  condition: s\n", "test.yml:5: field CommandLine: modifiers contains and startswith cannot be combined"},
		{"bad regex", head + "  s:\n    CommandLine|re: '(['\n  condition: s\n", "test.yml:5: field CommandLine: invalid regular expression: error parsing regexp: missing closing ]: `[`"},
		{"bad cidr", head + "  s:\n    CommandLine|cidr: 'x'\n  condition: s\n", "test.yml:5: field CommandLine: invalid cidr \"x\""},
		{"lt text", head + "  s:\n    ProcessId|lt: 'x'\n  condition: s\n", "test.yml:5: field ProcessId: modifier lt needs a number, not \"x\""},
		{"wide alone", head + "  s:\n    CommandLine|wide|contains: 'x'\n  condition: s\n", "test.yml:5: field CommandLine: modifier wide must be followed by base64 or base64offset"},
		{"unknown placeholder", head + "  s:\n    Image|expand: '%nope%\\x'\n  condition: s\n", "test.yml:5: field Image: unknown placeholder %nope% (define it in the placeholders configuration)"},
		{"unknown search", head + "  s:\n    CommandLine: x\n  condition: s and t\n", "test.yml:6: condition: col 7: unknown search \"t\""},
		{"condition syntax", head + "  s:\n    CommandLine: x\n  condition: s and (s or\n", "test.yml:6: condition col 12: condition ends early: want a search name"},
		{"aggregation", head + "  s:\n    CommandLine: x\n  condition: s | count() > 5\n", "test.yml:6: condition col 3: aggregation expressions (| count() ...) are deprecated; write a correlation rule"},
		{"no of match", head + "  s:\n    CommandLine: x\n  condition: 1 of f*\n", "test.yml:6: condition: col 1: no search matches \"f*\""},
		{"keywords without field", "title: T\nlogsource: {product: windows, category: image_load}\ndetection:\n  k:\n    - x\n  condition: k\n",
			"test.yml:4: keyword search \"k\": logsource windows/image_load has no keyword fields"},
		{"unmapped field", "title: T\nlogsource: {product: windows, category: image_load}\ndetection:\n  s:\n    Signed: 'false'\n  condition: s\n",
			"test.yml:5: field Signed is not mapped for logsource windows/image_load (table DeviceImageLoadEvents has no such column and no fallback)"},
		{"unknown correlated rule", "title: C\ncorrelation:\n  type: event_count\n  rules: [nope]\n  timespan: 5m\n  condition: {gte: 2}\n",
			"test.yml:1: correlation references unknown rule \"nope\" (give its id or name, and load it in the same set)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := compileErr(c.src, nil)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v\nwant      %s", err, c.want)
			}
		})
	}
}
