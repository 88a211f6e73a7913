package duckdb

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// writeOneRow creates path with table tab holding one row of tenant t1.
func writeOneRow(t *testing.T, path string, tab *schema.Table) {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, path, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureTables(ctx, []*schema.Table{tab}); err != nil {
		t.Fatal(err)
	}
	s, _ := tab.Column("S")
	tg, _ := tab.Column("TimeGenerated")
	when := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	b := store.Batch{Seq: 1, Tenant: "t1", Table: tab, IngestTime: when, Columns: []int{s, tg}, Rows: [][]schema.Value{{"one", when}}}
	if err := st.Write(ctx, "c", 1, []store.Batch{b}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// dirFiles lists the names in dir, to prove a read-only open leaves it as it was.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "events.duckdb")
	writeOneRow(t, path, roTable(t))
	before, _ := os.Stat(path)
	files := dirFiles(t, dir)

	st, err := OpenReadOnly(ctx, path, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Query(ctx, `SELECT S, TenantId FROM RO_CL`, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0][0] != "one" || res.Rows[0][1] != "t1" {
		t.Errorf("rows = %v", res.Rows)
	}
	if err := st.Write(ctx, "c", 2, nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Write = %v, want ErrReadOnly", err)
	}
	if err := st.EnsureTables(ctx, []*schema.Table{schema.NewRegistry().Tables()[0]}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("EnsureTables = %v, want a read-only error", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		t.Errorf("the file changed: %v %d -> %v %d", before.ModTime(), before.Size(), after.ModTime(), after.Size())
	}
	if got := dirFiles(t, dir); !slices.Equal(got, files) {
		t.Errorf("directory holds %v, want %v", got, files)
	}
}

func TestOpenReadOnlyMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenReadOnly(context.Background(), filepath.Join(dir, "events.duckdb"), Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
	if got := dirFiles(t, dir); len(got) != 0 {
		t.Errorf("directory holds %v, want nothing", got)
	}
}

// TestHelperHoldWriter is not a test: run by TestOpenReadOnlyLocked in a child process, it
// opens the file named by $VIGIL_TEST_HOLD for writing and keeps it open until stdin closes.
// DuckDB's file lock is per process, so only another process can show the conflict.
func TestHelperHoldWriter(t *testing.T) {
	path := os.Getenv("VIGIL_TEST_HOLD")
	if path == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	st, err := Open(ctx, path, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if os.Getenv("VIGIL_TEST_WRITE") != "" {
		// A row committed to the write-ahead log only, as a server killed before its
		// checkpoint leaves it.
		tab := roTable(t)
		if err := st.EnsureTables(ctx, []*schema.Table{tab}); err != nil {
			t.Fatal(err)
		}
		s, _ := tab.Column("S")
		tg, _ := tab.Column("TimeGenerated")
		when := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
		b := store.Batch{Seq: 1, Tenant: "t1", Table: tab, IngestTime: when, Columns: []int{s, tg}, Rows: [][]schema.Value{{"in the log", when}}}
		if err := st.Write(ctx, "c", 1, []store.Batch{b}); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = os.Stdout.WriteString("open\n")
	_, _ = os.Stdin.Read(make([]byte, 1))
}

// holdWriter runs TestHelperHoldWriter on path in a child process and returns once it has
// the file open, with a function that ends it (kill: with SIGKILL, else by closing stdin).
func holdWriter(t *testing.T, path string, env ...string) (stop func(kill bool)) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldWriter$")
	cmd.Env = append(append(os.Environ(), "VIGIL_TEST_HOLD="+path), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func(kill bool) {
		if stopped {
			return
		}
		stopped = true
		if kill {
			_ = cmd.Process.Kill()
		}
		_ = stdin.Close()
		_ = cmd.Wait()
	}
	t.Cleanup(func() { stop(true) })
	buf := make([]byte, 5)
	if _, err := io.ReadFull(stdout, buf); err != nil || string(buf) != "open\n" {
		t.Fatalf("helper said %q, %v", buf, err)
	}
	return stop
}

func roTable(t *testing.T) *schema.Table {
	t.Helper()
	tab, err := schema.NewTable("RO_CL", schema.KindCustom, []schema.ColumnDef{{Name: "S", Type: "string"}})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestOpenReadOnlyLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.duckdb")
	writeOneRow(t, path, roTable(t))
	holdWriter(t, path)
	_, err := OpenReadOnly(context.Background(), path, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
}

// TestOpenReadOnlyAfterCrash reads a database whose writer was killed with rows in the
// write-ahead log only: they are read, and the log is left for the next writer to replay.
func TestOpenReadOnlyAfterCrash(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.duckdb")
	stop := holdWriter(t, path, "VIGIL_TEST_WRITE=1")
	stop(true)
	wal, err := os.ReadFile(path + ".wal")
	if err != nil {
		t.Fatalf("no write-ahead log after the crash: %v", err)
	}
	ctx := context.Background()
	st, err := OpenReadOnly(ctx, path, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Query(ctx, `SELECT S FROM RO_CL`, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0][0] != "in the log" {
		t.Errorf("rows = %v", res.Rows)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(path + ".wal"); err != nil || !slices.Equal(after, wal) {
		t.Errorf("the write-ahead log changed or went (%v)", err)
	}
}

func TestOpenMemory(t *testing.T) {
	ctx := context.Background()
	reg := schema.NewRegistry()
	st, err := OpenMemory(ctx, reg.Tables(), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := st.Query(ctx, `SELECT count(*) FROM SecurityEvent`, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0][0] != int64(0) {
		t.Errorf("rows = %v", res.Rows)
	}
}
