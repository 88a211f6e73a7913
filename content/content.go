// Package content embeds Vigil's built-in content — detection rules, hunting queries and demo
// scenarios — so that a binary run outside the repository (`vigil demo`) has it.
package content

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
)

// FS holds the content directories.
//
//go:embed rules scenarios hunting
var FS embed.FS

// Playbooks holds the built-in playbooks (playbooks/*.yaml).
//
//go:embed playbooks
var Playbooks embed.FS

// Extract writes the embedded content under dir (replacing files of the same name) and
// returns the paths of its rules and scenarios directories.
func Extract(dir string) (rules, scenarios string, err error) {
	err = fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o750)
		}
		b, err := FS.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644) //nolint:gosec // content is public rule text, meant to be read
	})
	return filepath.Join(dir, "rules"), filepath.Join(dir, "scenarios"), err
}
