package esbulk

import (
	"errors"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name, body, index string
		want              []Item // Source compared as text
		err               string
	}{
		{"pairs", "{\"index\":{\"_index\":\"a\",\"_id\":7}}\n{\"x\":1}\n\n{\"delete\":{\"_index\":\"a\",\"_id\":\"d\"}}\n{\"create\":{}}\n{\"y\":2}", "dflt",
			[]Item{{Action: "index", Index: "a", ID: "7", Source: []byte(`{"x":1}`), Line: 1}, {Action: "delete", Index: "a", ID: "d", Line: 4}, {Action: "create", Index: "dflt", Source: []byte(`{"y":2}`), Line: 5}}, ""},
		{"source kept as is", "{\"index\":{\"_index\":\"a\"}}\nnot json\n", "", []Item{{Action: "index", Index: "a", Source: []byte("not json"), Line: 1}}, ""},
		{"missing source", "{\"index\":{\"_index\":\"a\"}}\n", "", nil, "the index action on line [1] has no source line"},
		{"unknown action", "{\"upsert\":{}}\n{}\n", "a", nil, "Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [upsert]"},
		{"two actions", "{\"index\":{},\"create\":{}}\n{}\n", "a", nil, "Malformed action/metadata line [1], expected an object with one action"},
		{"no index", "{\"index\":{}}\n{}\n", "", nil, "Validation Failed: 1: index is missing for the action on line [1];"},
		{"empty", "\n\n", "", nil, "Validation Failed: 1: no requests added;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.body), tt.index)
			if tt.err != "" {
				var aerr *ActionError
				if !errors.As(err, &aerr) || err.Error() != tt.err {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("got %+v %v", got, err)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Action != w.Action || g.Index != w.Index || g.ID != w.ID || string(g.Source) != string(w.Source) || g.Line != w.Line {
					t.Errorf("item %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestRoute(t *testing.T) {
	reg := schema.NewRegistry()
	items, err := Decode([]byte("{\"index\":{\"_index\":\"SYSLOG\"}}\n{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"SyslogMessage\":\"direct\"}\n"+
		"{\"index\":{\"_index\":\"logs\"}}\n[1]\n{\"update\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"doc\":{}}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	bs, outs, err := Route(reg, items)
	if err != nil || len(bs) != 1 || len(bs[0].Rows) != 1 || len(bs[0].Rejects) != 1 {
		t.Fatalf("%v %+v", err, bs)
	}
	want := []int{201, 400, 400}
	for i, o := range outs {
		if o.Status != want[i] {
			t.Errorf("item %d: %+v", i, o)
		}
	}
	if outs[1].ErrReason != "the document must be a JSON object" {
		t.Errorf("reason %q", outs[1].ErrReason)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"{\"index\":{\"_index\":\"a\"}}\n{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"message\":\"m\",\"host\":{\"name\":\"h\",\"ip\":[\"1\"]},\"process\":{\"pid\":1}}\n",
		"{\"create\":{\"_index\":\"Syslog\"}}\n{\"TimeGenerated\":\"2024-01-01T00:00:00Z\"}\n{\"delete\":{\"_index\":\"a\"}}\n",
		"{\"index\":{}}\n{}", "\n", "{\"x\":1}",
	} {
		f.Add([]byte(s))
	}
	reg := schema.NewRegistry()
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := Decode(b, "idx")
		if err != nil {
			var aerr *ActionError
			if !errors.As(err, &aerr) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		bs, outs, err := Route(reg, items)
		if err != nil || len(outs) != len(items) {
			t.Fatal(err)
		}
		n := 0
		for _, b := range bs {
			n += len(b.Rows) + len(b.Rejects)
		}
		if n > len(items) {
			t.Fatalf("%d rows from %d items", n, len(items))
		}
	})
}
