package playbook

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/content"
)

// TestBuiltinPlaybooksValidate parses every playbook shipped in content/playbooks.
func TestBuiltinPlaybooksValidate(t *testing.T) {
	files, err := fs.Glob(content.Playbooks, "playbooks/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("built-in playbooks: %v %v", files, err)
	}
	for _, f := range files {
		src, err := fs.ReadFile(content.Playbooks, f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(f, src)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if !strings.HasSuffix(f, "/"+p.Name+".yaml") {
			t.Errorf("%s: name %q does not match the file name", f, p.Name)
		}
	}
	ps, err := LoadBuiltin(content.Playbooks)
	if err != nil || len(ps) != len(files) {
		t.Errorf("LoadBuiltin: %d playbooks, %v", len(ps), err)
	}
}

const goodHeader = "name: p\nsteps:\n"

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"yaml syntax", "name: [p\nsteps: x\n", "f.yaml:1:1: invalid YAML: did not find expected ',' or ']'"},
		{"unknown top field", "name: p\nstep: []\n", `f.yaml:2:1: unknown field "step" in playbook`},
		{"missing steps", "name: p\n", "f.yaml:1:1: steps is required"},
		{"bad name", "name: 'a b'\nsteps: [{id: s, action: addComment, with: {comment: x}}]\n", `f.yaml:1:7: name "a b"`},
		{"unknown step field", goodHeader + "  - id: s\n    action: addComment\n    whith: {comment: x}\n",
			`f.yaml:5:5: unknown field "whith" in step`},
		{"unknown action", goodHeader + "  - id: s\n    action: nukeDevice\n", `f.yaml:4:13: unknown action "nukeDevice"`},
		{"missing argument", goodHeader + "  - id: s\n    action: isolateDevice\n", "f.yaml:4:13: action isolateDevice needs with.device"},
		{"unknown argument", goodHeader + "  - id: s\n    action: addComment\n    with: {comment: x, colour: red}\n",
			`f.yaml:5:24: unknown field "colour" in with of action addComment`},
		{"bad expression", goodHeader + "  - id: s\n    if: incident.severity ==\n    action: addComment\n    with: {comment: x}\n",
			`f.yaml:4:28: expression "incident.severity ==": unexpected token EOF`},
		{"unknown name", goodHeader + "  - id: s\n    if: incidnt.severity == 'high'\n    action: addComment\n    with: {comment: x}\n",
			`f.yaml:4:9: expression "incidnt.severity == 'high'": unknown name incidnt`},
		{"undefined step", goodHeader + "  - id: a\n    action: addComment\n    with: {comment: \"${{ steps.b.status }}\"}\n  - id: b\n    action: addComment\n    with: {comment: x}\n",
			"f.yaml:5:21: undefined step reference steps.b (steps before this one: none)"},
		{"item outside foreach", goodHeader + "  - id: a\n    action: isolateDevice\n    with: {device: \"${{ item.value }}\"}\n",
			"f.yaml:5:20: item is defined only in a step with foreach"},
		{"template not closed", goodHeader + "  - id: a\n    action: addComment\n    with: {comment: \"${{ incident.id\"}\n",
			"f.yaml:5:21: template: ${{ at offset 0 is not closed"},
		{"bad severity", goodHeader + "  - id: a\n    action: setSeverity\n    with: {severity: critical}\n",
			`f.yaml:5:22: severity: "critical" is not one of`},
		{"bad retry", goodHeader + "  - id: a\n    action: addComment\n    retry: {count: 99, backoff: soon}\n    with: {comment: x}\n",
			"f.yaml:5:20: retry count must be 0 to 10\nf.yaml:5:33: backoff \"soon\": want a duration"},
		{"duplicate id", goodHeader + "  - {id: a, action: addComment, with: {comment: x}}\n  - {id: a, action: addComment, with: {comment: x}}\n",
			`f.yaml:4:5: step id "a" is used twice`},
		{"unknown trigger", "name: p\ntrigger: [manual, hourly]\nsteps: [{id: a, action: addComment, with: {comment: x}}]\n",
			`f.yaml:2:10: unknown trigger "hourly"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestParseTemplates(t *testing.T) {
	src := goodHeader + `  - id: a
    foreach: devices
    if: item.value startsWith "ws"
    action: isolateDevice
    with:
      device: ${{ item.value }}
      parameters: {note: "on ${{ upper(item.value) }} of ${{ incident.id }}", n: 3}
`
	p, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]any{"incident": map[string]any{"id": 7}, "item": map[string]any{"value": "ws1"}}
	for k, want := range map[string]any{"device": "ws1"} {
		got, err := p.Steps[0].With[k].eval(env)
		if err != nil || got != want {
			t.Errorf("%s: %v %v", k, got, err)
		}
	}
	got, err := p.Steps[0].With["parameters"].eval(env)
	m, _ := got.(map[string]any)
	if err != nil || m["note"] != "on WS1 of 7" || m["n"] != 3 {
		t.Errorf("parameters: %#v %v", got, err)
	}
	ok, err := p.Steps[0].If.eval(env)
	if err != nil || ok != true {
		t.Errorf("if: %v %v", ok, err)
	}
}
