package meta

import (
	"context"
	"errors"
	"testing"
)

func TestSettings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		// Each step runs against the state the previous steps left.
		steps := []struct {
			name       string
			put        bool
			key, value string
			wantErr    error
			wantText   string
		}{
			{name: "missing", key: "install_id", wantErr: ErrNotFound, wantText: `setting "install_id": not found`},
			{name: "put", put: true, key: "install_id", value: "4f1c"},
			{name: "get", key: "install_id", value: "4f1c"},
			{name: "replace", put: true, key: "install_id", value: "9a2b"},
			{name: "get replaced", key: "install_id", value: "9a2b"},
			{name: "keys are case-sensitive", key: "INSTALL_ID", wantErr: ErrNotFound, wantText: `setting "INSTALL_ID": not found`},
			{name: "empty value", put: true, key: "motd", value: ""},
			{name: "get empty value", key: "motd", value: ""},
			{name: "unicode", put: true, key: "banner", value: "Ünïcødé ✓\n'quoted' ?"},
			{name: "get unicode", key: "banner", value: "Ünïcødé ✓\n'quoted' ?"},
			{name: "empty key", put: true, key: "", wantText: "put setting: key is empty"},
		}
		for _, st := range steps {
			var got string
			var err error
			if st.put {
				err = s.PutSetting(ctx, st.key, st.value)
			} else {
				got, err = s.Setting(ctx, st.key)
			}
			if st.wantText != "" {
				if err == nil || err.Error() != st.wantText || (st.wantErr != nil && !errors.Is(err, st.wantErr)) {
					t.Errorf("%s: error = %v, want %q wrapping %v", st.name, err, st.wantText, st.wantErr)
				}
				continue
			}
			if err != nil || got != st.value && !st.put {
				t.Errorf("%s: got %q, %v; want %q", st.name, got, err, st.value)
			}
		}
	})
}
