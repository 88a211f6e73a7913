package agent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Status is what `vigil agent status` shows.
type Status struct {
	Enrolled     bool              `json:"enrolled"`
	Tenant       string            `json:"tenantId,omitempty"`
	DeviceID     string            `json:"deviceId,omitempty"`
	State        State             `json:"state"`
	TablePresent *bool             `json:"nftablesTablePresent,omitempty"`
	TableError   string            `json:"nftablesError,omitempty"`
	Quarantined  []QuarantineEntry `json:"quarantined"`
	StateDir     string            `json:"stateDir"`
}

// ReadStatus reads the agent's identity, state and quarantine from dir, and whether its
// nftables table is in place.
func ReadStatus(dir string) (Status, error) {
	st := Status{StateDir: dir, Quarantined: []QuarantineEntry{}}
	id, err := LoadIdentity(dir)
	switch {
	case err == nil:
		st.Enrolled, st.Tenant, st.DeviceID = true, id.Tenant, id.DeviceID
	case !errors.Is(err, os.ErrNotExist):
		return st, err
	}
	if st.State, err = (&StateFile{Path: filepath.Join(dir, "state.json")}).Load(); err != nil {
		return st, err
	}
	if ok, err := (Firewall{}).Active(); err != nil {
		st.TableError = err.Error()
	} else {
		st.TablePresent = &ok
	}
	q := Quarantine{Dir: filepath.Join(dir, "quarantine")}
	ents, _ := os.ReadDir(q.Dir)
	for _, e := range ents {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			if qe, err := q.Entry(name); err == nil {
				st.Quarantined = append(st.Quarantined, qe)
			}
		}
	}
	return st, nil
}
