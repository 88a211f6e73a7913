package chdb

import (
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/sqlgen"
)

// CreateTableSQL is the ClickHouse DDL of a schema table: a MergeTree ordered by
// (TenantId, TimeGenerated) and partitioned by day. TenantId is LowCardinality(String);
// the sort key columns are not Nullable (MergeTree keys cannot be without a setting); other
// string columns are plain String, since Kusto strings are never null (a missing string is
// ”); every other column is Nullable, because a missing long or datetime is null in Kusto,
// not 0. Nullable costs a null mask per column, which is the price of Kusto's semantics.
// The TTL to the archive tier belongs to the ClickHouse store, not to this DDL.
func CreateTableSQL(t *schema.Table) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS " + quote(t.Name) + " (")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(c.Name) + " " + ColumnType(c))
	}
	b.WriteString(") ENGINE = MergeTree PARTITION BY toDate(" + quote(schema.ColTimeGenerated) + ") ORDER BY (" +
		quote(schema.ColTenantID) + ", " + quote(schema.ColTimeGenerated) + ")")
	return b.String()
}

// ColumnType is the ClickHouse type of a stored column.
func ColumnType(c schema.Column) string {
	switch {
	case c.Name == schema.ColTenantID:
		return "LowCardinality(String)"
	case c.Name == schema.ColTimeGenerated:
		return sqlgen.ClickHouseType(c.Type)
	case c.Type == schema.TypeString:
		return "String"
	}
	return "Nullable(" + sqlgen.ClickHouseType(c.Type) + ")"
}

var identEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`")

func quote(name string) string { return "`" + identEscaper.Replace(name) + "`" }
