package app

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		err   string
		check func(t *testing.T, c Config)
	}{
		{name: "empty gives defaults", src: "", check: func(t *testing.T, c Config) {
			if c.Server.Listen != "127.0.0.1:8080" || c.Data != "./vigil-data" || c.Meta.Driver != "sqlite" {
				t.Errorf("defaults = %+v", c)
			}
		}},
		{name: "overrides", src: "server:\n  listen: 0.0.0.0:9000\ningest:\n  maxBodyBytes: 64MiB\n  writerMaxWait: 50ms\nbus:\n  sync: always\n", check: func(t *testing.T, c Config) {
			if c.Server.Listen != "0.0.0.0:9000" || c.Ingest.MaxBodyBytes != 64<<20 || c.Ingest.WriterMaxWait != 50*time.Millisecond {
				t.Errorf("got %+v", c)
			}
			if _, always, _ := c.Bus.SyncPolicy(); !always {
				t.Errorf("sync always not parsed")
			}
			if c.Ingest.MaxRowErrors != 100 {
				t.Errorf("unnamed keys must keep defaults")
			}
		}},
		{name: "unknown top-level key", src: "data: /tmp/x\nlisten: 1\n", err: `config: line 2: unknown key "listen" at the top level`},
		{name: "unknown nested key", src: "server:\n  listen: 127.0.0.1:1\n  port: 80\n", err: `config: line 3: unknown key "port" in section server`},
		{name: "bad size", src: "ingest:\n  maxBodyBytes: lots\n", err: `line 2: "lots" is not a size`},
		{name: "bad duration", src: "ingest:\n  writerMaxWait: soon\n", err: "line 2"},
		{name: "bad listen", src: "server:\n  listen: nowhere\n", err: `server.listen: "nowhere" is not host:port`},
		{name: "bad sync", src: "bus:\n  sync: sometimes\n", err: `bus.sync: "sometimes"`},
		{name: "postgres needs dsn", src: "meta:\n  driver: postgres\n", err: "meta.dsn: required"},
		{name: "bad engine", src: "store:\n  engine: sqlite\n", err: `store.engine: "sqlite" is not supported`},
		{name: "not yaml", src: "server: [\n", err: "config: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseConfig([]byte(tc.src))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"", "server:\n  listen: 127.0.0.1:1\n", "ingest:\n  maxBodyBytes: 1GiB\n", "bus: {sync: 5s}\n", "a: [1, {b: c}]\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseConfig([]byte(src))
		if err == nil {
			if verr := c.Validate(); verr != nil {
				t.Fatalf("accepted config fails validation: %v", verr)
			}
		}
	})
}

// TestExampleConfig keeps vigil.example.yaml in step with the code: it parses and equals the
// defaults it claims to show.
func TestExampleConfig(t *testing.T) {
	c, err := LoadConfig("../../vigil.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("vigil.example.yaml differs from Default():\n file %+v\n code %+v", c, Default())
	}
}
