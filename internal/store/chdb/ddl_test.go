package chdb

import (
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func TestColumnType(t *testing.T) {
	cases := []struct {
		col  schema.Column
		want string
	}{
		{schema.Column{Name: schema.ColTenantID, Type: schema.TypeString}, "LowCardinality(String)"},
		{schema.Column{Name: schema.ColTimeGenerated, Type: schema.TypeDatetime}, "DateTime64(6, 'UTC')"},
		{schema.Column{Name: "DeviceName", Type: schema.TypeString}, "String"},
		{schema.Column{Name: "Timestamp", Type: schema.TypeDatetime}, "Nullable(DateTime64(6, 'UTC'))"},
		{schema.Column{Name: "FileSize", Type: schema.TypeLong}, "Nullable(Int64)"},
		{schema.Column{Name: "RemotePort", Type: schema.TypeInt}, "Nullable(Int32)"},
		{schema.Column{Name: "AdditionalFields", Type: schema.TypeDynamic}, "Nullable(String)"},
		{schema.Column{Name: "Duration", Type: schema.TypeTimespan}, "Nullable(Int64)"},
		{schema.Column{Name: "Id", Type: schema.TypeGUID}, "Nullable(UUID)"},
	}
	for _, c := range cases {
		if got := ColumnType(c.col); got != c.want {
			t.Errorf("ColumnType(%s %s) = %q, want %q", c.col.Name, c.col.Type, got, c.want)
		}
	}
}

func TestCreateTableSQL(t *testing.T) {
	tab, ok := schema.NewRegistry().Table("SigninLogs")
	if !ok {
		t.Fatal("no SigninLogs table")
	}
	got := CreateTableSQL(tab)
	for _, want := range []string{
		"CREATE TABLE IF NOT EXISTS `SigninLogs` (",
		"`TenantId` LowCardinality(String)",
		") ENGINE = MergeTree PARTITION BY toDate(`TimeGenerated`) ORDER BY (`TenantId`, `TimeGenerated`)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("CreateTableSQL lacks %q:\n%s", want, got)
		}
	}
}
