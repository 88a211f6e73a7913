package duckdb

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/sqlgen"
)

// sqlType returns the DuckDB column type for a Kusto type: the compiler's mapping, so that
// stored columns and compiled casts agree.
func sqlType(t schema.Type) string {
	if t == schema.TypeInvalid {
		panic("duckdb: no SQL type for an invalid type")
	}
	return sqlgen.DuckDBType(t)
}

// kustoType names the Kusto type of a DuckDB result column type.
func kustoType(dbType string) string {
	t := strings.ToUpper(dbType)
	switch {
	case t == "VARCHAR":
		return "string"
	case t == "BIGINT" || t == "HUGEINT" || t == "UBIGINT":
		return "long"
	case t == "INTEGER" || t == "SMALLINT" || t == "TINYINT" || t == "UINTEGER" || t == "USMALLINT" || t == "UTINYINT":
		return "int"
	case t == "DOUBLE" || t == "FLOAT":
		return "real"
	case t == "BOOLEAN":
		return "bool"
	case strings.HasPrefix(t, "TIMESTAMP") || t == "DATE":
		return "datetime"
	case t == "JSON" || strings.HasSuffix(t, "[]") || strings.HasPrefix(t, "STRUCT") || strings.HasPrefix(t, "MAP") || strings.HasPrefix(t, "LIST"):
		return "dynamic"
	case t == "UUID":
		return "guid"
	case t == "INTERVAL":
		return "timespan"
	case strings.HasPrefix(t, "DECIMAL"):
		return "decimal"
	}
	return strings.ToLower(dbType)
}

// quote quotes an identifier.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

var decimalScale = new(big.Int).Exp(big.NewInt(10), big.NewInt(9), nil)

// driverValue converts a schema value to what the appender takes for its column type.
func driverValue(v schema.Value) (driver.Value, error) {
	switch x := v.(type) {
	case nil, string, int64, int32, float64, bool, time.Time:
		return x, nil
	case schema.Dynamic:
		// The appender JSON-encodes what it is given for a JSON column: a string would be stored
		// as a JSON string holding the text, so the text goes in as raw JSON.
		return json.RawMessage(x), nil
	case schema.GUID:
		return duck.UUID(x), nil
	case time.Duration:
		return duck.Interval{Micros: x.Microseconds()}, nil
	case schema.Decimal:
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return nil, fmt.Errorf("invalid decimal %q", string(x))
		}
		r.Mul(r, new(big.Rat).SetInt(decimalScale))
		n := new(big.Int).Quo(r.Num(), r.Denom())
		return duck.Decimal{Width: 38, Scale: 9, Value: n}, nil
	}
	return nil, fmt.Errorf("duckdb: cannot store %T", v)
}

// resultValue turns a scanned DuckDB value into a JSON-friendly value, rendered as Kusto
// renders it: datetimes in ISO 8601 UTC, timespans as [-][d.]hh:mm:ss[.fffffff], guids and
// decimals as text, dynamic values as JSON.
func resultValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.9999999Z")
	case duck.UUID:
		return schema.GUID(x).String()
	case *duck.UUID:
		return schema.GUID(*x).String()
	case []byte:
		if len(x) == 16 {
			return schema.GUID(x).String()
		}
		return string(x)
	case duck.Interval:
		d := time.Duration(x.Micros)*time.Microsecond + time.Duration(x.Days)*24*time.Hour + time.Duration(x.Months)*30*24*time.Hour
		return FormatTimespan(d)
	case duck.Decimal:
		return x.String()
	case *big.Int:
		return x.String()
	}
	return v
}

// FormatTimespan renders d as Kusto does: [-][d.]hh:mm:ss[.fffffff].
func FormatTimespan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days > 0 {
		fmt.Fprintf(&b, "%d.", days)
	}
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, s)
	if frac := d % time.Second; frac != 0 {
		fmt.Fprintf(&b, ".%07d", frac/100)
	}
	return b.String()
}
