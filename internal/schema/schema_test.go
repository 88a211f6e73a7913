package schema

import (
	"strings"
	"testing"
)

func TestBuiltinTables(t *testing.T) {
	r := NewRegistry()
	if got := len(r.Tables()); got != 294 {
		t.Fatalf("tables = %d, want 294 (tables.tsv and the Vigil tables)", got)
	}
	for _, name := range []string{"DeviceProcessEvents", "SigninLogs", "SecurityEvent", "Syslog", "CommonSecurityLog", "IngestionErrors", "AlertInfo"} {
		tab, ok := r.Table(name)
		if !ok {
			t.Fatalf("missing table %s", name)
		}
		for _, c := range []string{ColTenantID, ColTimeGenerated, ColIngestID, ColIngestTime} {
			if _, ok := tab.Column(c); !ok {
				t.Errorf("%s lacks %s", name, c)
			}
		}
		if len(tab.Visible()) != len(tab.Columns)-2 {
			t.Errorf("%s: want exactly the two ingest columns hidden", name)
		}
	}
	dpe, _ := r.Table("deviceprocessevents")
	if dpe.Name != "DeviceProcessEvents" || dpe.Columns[dpe.EventTimeColumn()].Name != "Timestamp" {
		t.Errorf("case-insensitive lookup or event time column wrong: %s", dpe.Columns[dpe.EventTimeColumn()].Name)
	}
	if _, ok := dpe.AcceptsExtraFields(); !ok {
		t.Errorf("DeviceProcessEvents has AdditionalFields and should accept extra fields")
	}
	sl, _ := r.Table("SigninLogs")
	if sl.Columns[sl.EventTimeColumn()].Name != "TimeGenerated" {
		t.Errorf("SigninLogs event time should be TimeGenerated")
	}
}

func TestParseType(t *testing.T) {
	tests := []struct {
		in   string
		want Type
		err  string
	}{
		{"string", TypeString, ""},
		{"DateTime", TypeDatetime, ""},
		{"double", TypeReal, ""},
		{"boolean", TypeBool, ""},
		{"guid", TypeGUID, ""},
		{"timespan", TypeTimespan, ""},
		{"decimal", TypeDecimal, ""},
		{"varchar", TypeInvalid, `unknown type "varchar"`},
	}
	for _, tc := range tests {
		got, err := ParseType(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseType(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseType(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestGUID(t *testing.T) {
	const s = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
	g, err := ParseGUID("{" + strings.ToUpper(s) + "}")
	if err != nil || g.String() != s {
		t.Fatalf("ParseGUID = %v, %v", g, err)
	}
	for _, bad := range []string{"", "6f9619ff8b86d011b42d00c04fc964ff", "6f9619ff-8b86-d011-b42d-00c04fc964fg"} {
		if _, err := ParseGUID(bad); err == nil {
			t.Errorf("ParseGUID(%q) accepted", bad)
		}
	}
}

func TestPutCustom(t *testing.T) {
	r := NewRegistry()
	tests := []struct {
		name string
		cols []ColumnDef
		err  string
	}{
		{"Firewall_CL", []ColumnDef{{"SrcIp", "string"}, {"Bytes", "long"}}, ""},
		{"Firewall_CL", []ColumnDef{{"SrcIp", "string"}, {"Bytes", "long"}, {"Action", "string"}}, ""},
		{"Firewall_CL", []ColumnDef{{"SrcIp", "string"}}, "column Bytes cannot be removed"},
		{"Firewall_CL", []ColumnDef{{"SrcIp", "long"}, {"Bytes", "long"}, {"Action", "string"}}, "cannot change type from string to long"},
		{"Firewall", nil, "end in _CL"},
		{"SigninLogs_CL", []ColumnDef{{"x", "str"}}, `unknown type "str"`},
		{"Dup_CL", []ColumnDef{{"A", "string"}, {"a", "long"}}, `duplicate column "a"`},
		{"Bad_CL", []ColumnDef{{"1A", "string"}}, "invalid column name"},
		{"Tg_CL", []ColumnDef{{"TimeGenerated", "string"}}, "column TimeGenerated must be datetime"},
	}
	for _, tc := range tests {
		_, err := r.PutCustom(tc.name, "", tc.cols)
		if tc.err == "" && err != nil {
			t.Errorf("PutCustom(%s) = %v", tc.name, err)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("PutCustom(%s) err = %v, want %q", tc.name, err, tc.err)
		}
	}
	tab, ok := r.Table("firewall_cl")
	if !ok || len(tab.Visible()) != 5 {
		t.Fatalf("Firewall_CL = %+v", tab)
	}
}

func TestNearest(t *testing.T) {
	r := NewRegistry()
	got := r.Nearest("DeviceProcesEvents", 3)
	if len(got) == 0 || got[0] != "DeviceProcessEvents" {
		t.Errorf("Nearest = %v", got)
	}
}
