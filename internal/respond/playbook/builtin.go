package playbook

import (
	"errors"
	"io/fs"
	"path"
)

// LoadBuiltin parses the playbooks/*.yaml files of fsys (content.Playbooks); any that does
// not validate is an error naming it.
func LoadBuiltin(fsys fs.FS) ([]*Playbook, error) {
	files, err := fs.Glob(fsys, "playbooks/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*Playbook
	var errs []error
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		p, err := Parse(path.Base(f), src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}
