package watchlist

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		types     map[string]string
		cols      string // name:type,...
		items     string
		err       string
	}{
		{"inferred types", "\ufeffHostname,Tier,Score,Since,Critical,Notes\nws1,1,0.5,2024-01-02T03:04:05Z,true,\"a, b\"\nsrv1,2,3,2024-01-02,FALSE,\n",
			nil, "Hostname:string,Tier:long,Score:real,Since:datetime,Critical:bool,Notes:string",
			"[map[Critical:true Hostname:ws1 Notes:a, b Score:0.5 Since:2024-01-02T03:04:05Z Tier:1] map[Critical:FALSE Hostname:srv1 Notes: Score:3 Since:2024-01-02 Tier:2]]", ""},
		{"declared type wins", "Id,Port\n007,443\n", map[string]string{"Id": "string"}, "Id:string,Port:long", "[map[Id:007 Port:443]]", ""},
		{"header only", "IPAddress , Location\n", nil, "IPAddress:string,Location:string", "[]", ""},
		{"not numbers", "a,b\n0x10,NaN\n1e3,Inf\n", nil, "a:string,b:string", "[map[a:0x10 b:NaN] map[a:1e3 b:Inf]]", ""},
		{"empty", "", nil, "", "", "the CSV is empty"},
		{"ragged row", "a,b\n1,2\n3\n", nil, "", "", "record on line 3: wrong number of fields"},
		{"bad quote", "a\n\"x\n", nil, "", "", "CSV: parse error on line 2, column 4: extraneous or missing \" in quoted-field"},
		{"type for a missing column", "a\n1\n", map[string]string{"b": "long"}, "", "", `a type is given for column "b", which the CSV header lacks`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols, items, err := ParseCSV([]byte(tc.csv), tc.types)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var cs []string
			for _, c := range cols {
				cs = append(cs, c.Name+":"+c.Type)
			}
			var vals []map[string]string
			for _, it := range items {
				vals = append(vals, it.Values)
			}
			if got := strings.Join(cs, ","); got != tc.cols {
				t.Errorf("columns = %s, want %s", got, tc.cols)
			}
			if got := fmt.Sprint(vals); got != tc.items && (tc.items != "[]" || len(vals) != 0) {
				t.Errorf("items = %s, want %s", got, tc.items)
			}
		})
	}
}
