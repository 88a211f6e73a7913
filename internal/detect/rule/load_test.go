package rule

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFilesOfASolutionFolder(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{
		"Solutions/Contoso/Analytic Rules/b.yaml", "Solutions/Contoso/Analytic Rules/a.yml",
		"Solutions/Contoso/Workbooks/w.json", "Solutions/Contoso/Hunting Queries/h.yaml", "Solutions/Contoso/Data/Solution.json",
		"plain/r1.yaml", "plain/sub/r2.json", "plain/readme.md",
	} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Files([]string{filepath.Join(dir, "Solutions/Contoso"), filepath.Join(dir, "plain")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i], _ = filepath.Rel(dir, got[i])
	}
	want := []string{"Solutions/Contoso/Analytic Rules/a.yml", "Solutions/Contoso/Analytic Rules/b.yaml", "plain/r1.yaml", "plain/sub/r2.json"}
	if !slices.Equal(got, want) {
		t.Errorf("Files = %q, want %q", got, want)
	}
}
