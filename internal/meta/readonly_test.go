package meta

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestOpenReadOnly reads a state store a closed server left, and proves the read changes
// neither the file nor the directory's list of files, and that writes fail.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "meta.db")
	s, err := Open(ctx, Config{Driver: "sqlite", DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutCustomTable(ctx, CustomTable{Name: "App_CL", Columns: []Column{{Name: "Msg", Type: "string"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		es, _ := os.ReadDir(dir)
		var out []string
		for _, e := range es {
			out = append(out, e.Name())
		}
		return out
	}
	files := names()

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := ro.CustomTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Name != "App_CL" || len(ts[0].Columns) != 1 {
		t.Errorf("custom tables = %+v", ts)
	}
	tenants, err := ro.Tenants(ctx)
	if err != nil || len(tenants) != 1 || tenants[0].ID != DefaultTenantID {
		t.Errorf("tenants = %+v, %v", tenants, err)
	}
	if err := ro.EnsureTenant(ctx, "other", "Other"); err == nil {
		t.Error("EnsureTenant succeeded on a read-only store")
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(before, after) {
		t.Error("the database file changed")
	}
	if got := names(); !slices.Equal(got, files) {
		t.Errorf("directory holds %v, want %v", got, files)
	}
}

func TestOpenReadOnlyMissing(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenReadOnly(context.Background(), filepath.Join(dir, "meta.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("directory holds %d files, want none", len(es))
	}
}
