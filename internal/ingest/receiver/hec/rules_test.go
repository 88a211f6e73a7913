package hec

import (
	"strings"
	"testing"
)

func TestRules(t *testing.T) {
	r, err := NewRules([]Rule{
		{Sourcetype: "XmlWinEventLog", Format: "winevent-xml"},
		{Sourcetype: "app", Table: "App_CL"},
		{Sourcetype: "app", Index: "Security", Table: "SecurityApp_CL"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ sourcetype, index, want string }{
		{"xmlwineventlog", "", "winevent-xml"},
		{"XmlWinEventLog", "any", "winevent-xml"},
		{"app", "main", "App_CL"},
		{"app", "", "App_CL"},
		{"APP", "security", "SecurityApp_CL"},
		{"other", "security", ""},
		{"", "", ""},
	} {
		ru, ok := r.Match(tt.sourcetype, tt.index)
		if got := ru.Table + ru.Format; got != tt.want || ok != (tt.want != "") {
			t.Errorf("Match(%q, %q) = %q %v, want %q", tt.sourcetype, tt.index, got, ok, tt.want)
		}
	}
	var none *Rules
	if _, ok := none.Match("app", ""); ok || none.Len() != 0 {
		t.Error("nil rules matched")
	}
	_, err = NewRules([]Rule{{Format: "x"}, {Sourcetype: "a"}, {Sourcetype: "b", Table: "T", Format: "f"}, {Sourcetype: "c", Table: "T"}, {Sourcetype: "C", Table: "U"}})
	want := []string{"hec route 0: no sourcetype", "hec route 1 (sourcetype a): set one of table and format",
		"hec route 2 (sourcetype b): set one of table and format", `hec route 4: sourcetype "C" and index "" are routed twice`}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("NewRules: %v, want\n%s", err, strings.Join(want, "\n"))
	}
}
