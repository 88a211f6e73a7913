package cli

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeAPI answers each "METHOD path" with a canned status and body and records the requests.
func fakeAPI(t *testing.T, answers map[string]string) (*httptest.Server, *[]string) {
	t.Helper()
	var got []string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.Path+" "+string(b))
		ans, ok := answers[r.Method+" "+r.URL.Path]
		if !ok || r.Header.Get("Authorization") != "Bearer k" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"code":"notFound","message":"decoy 9: not found"}}`)
			return
		}
		status, body, _ := strings.Cut(ans, " ")
		w.Header().Set("Content-Type", "application/json")
		switch status {
		case "200":
			w.WriteHeader(http.StatusOK)
		case "201":
			w.WriteHeader(http.StatusCreated)
		case "204":
			w.WriteHeader(http.StatusNoContent)
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(hs.Close)
	return hs, &got
}

func runDetCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root := NewRoot(&out, &out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestDecoysCommands(t *testing.T) {
	t.Setenv("VIGIL_API_KEY", "k")
	hs, got := fakeAPI(t, map[string]string{
		"POST /api/v1/deception/decoys":     `201 {"id":"1","kind":"account","value":"svc-backup-admin","enabled":true}`,
		"GET /api/v1/deception/decoys":      `200 {"value":[{"id":"1","kind":"account","value":"svc-backup-admin","description":"fake","enabled":true,"createdBy":"admin"}]}`,
		"DELETE /api/v1/deception/decoys/1": `204 `,
	})
	steps := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"decoys", "add", "Account", "svc-backup-admin", "-d", "fake"}, "added account decoy \"svc-backup-admin\" (id 1)\n", ""},
		{[]string{"decoys", "list"}, "ID  KIND     VALUE             ENABLED  CREATED BY  DESCRIPTION\n1   account  svc-backup-admin  true     admin       fake\n", ""},
		{[]string{"decoys", "rm", "1", "9"}, "deleted 1\n", "9: decoy 9: not found (HTTP 404 notFound)"},
	}
	for _, st := range steps {
		out, err := runDetCLI(t, append(st.args, "--server", hs.URL)...)
		if out != st.want || (err == nil) != (st.wantErr == "") || err != nil && err.Error() != st.wantErr {
			t.Errorf("%v: %q, %v; want %q, %s", st.args, out, err, st.want, st.wantErr)
		}
	}
	if (*got)[0] != `POST /api/v1/deception/decoys {"description":"fake","enabled":true,"kind":"account","value":"svc-backup-admin"}` {
		t.Errorf("add sent %s", (*got)[0])
	}
}

func TestTIImportCommand(t *testing.T) {
	t.Setenv("VIGIL_API_KEY", "k")
	hs, got := fakeAPI(t, map[string]string{
		"POST /api/v1/threatIntelligence/indicators:import": `200 {"accepted":1,"rejected":1,"observables":2,"skipped":3,"errors":[{"index":4,"id":"indicator--x","reason":"pattern is required"}]}`,
	})
	file := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(file, []byte(`{"type":"bundle"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runDetCLI(t, "ti", "import", file, "--server", hs.URL)
	want := "accepted 1 indicators (2 observables), rejected 1, skipped 3 other objects\nobject 4 (indicator--x): pattern is required\n"
	var ee *exitError
	if out != want || !errors.As(err, &ee) || ee.code != 1 {
		t.Errorf("%q, %v; want %q and exit 1", out, err, want)
	}
	if (*got)[0] != `POST /api/v1/threatIntelligence/indicators:import {"type":"bundle"}` {
		t.Errorf("sent %s", (*got)[0])
	}
}
