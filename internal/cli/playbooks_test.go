package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateOffline checks playbook and automation rule files without a server: each bad
// file is reported with file:line:col and the reason, and the command fails.
func TestValidateOffline(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodPB := write("good.yaml", "name: p\nsteps: [{id: a, action: addComment, with: {comment: hi}}]\n")
	badPB := write("bad.yaml", "name: p\nsteps:\n  - id: a\n    action: isolateDevice\n    with: {host: ws1}\n")
	goodRule := write("rule.yaml", "name: r\ntrigger: {on: incidentCreated}\nactions: [{type: addTags, tags: [x]}]\n")
	badRule := write("badrule.yaml", "name: r\ntrigger: {on: incidentCreated}\nactions: [{type: addTags, tags: [x]}]\nenabled: maybe\n")
	cases := []struct {
		args  []string
		fails bool
		want  []string
	}{
		{[]string{"playbooks", "validate", goodPB}, false, []string{goodPB + ": ok"}},
		{[]string{"playbooks", "validate", goodPB, badPB}, true, []string{goodPB + ": ok", badPB + `:5:12: unknown field "host" in with of action isolateDevice`,
			badPB + ":4:13: action isolateDevice needs with.device"}},
		{[]string{"automation", "validate", goodRule, badRule}, true, []string{goodRule + ": ok", badRule + ":4:10: enabled: cannot unmarshal !!str `maybe` into bool"}},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		root := NewRoot(&out, &errb)
		root.SetArgs(c.args)
		err := root.Execute()
		if (err != nil) != c.fails {
			t.Errorf("%v: err %v", c.args, err)
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out.String())
			}
		}
	}
}
