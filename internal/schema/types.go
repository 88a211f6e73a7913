package schema

import (
	"fmt"
	"strings"
	"time"
)

// Type is a Kusto scalar type.
type Type uint8

// The Kusto scalar types. The zero value is invalid so that a forgotten type is caught.
const (
	TypeInvalid Type = iota
	TypeString
	TypeDatetime
	TypeLong
	TypeInt
	TypeReal
	TypeBool
	TypeDynamic
	TypeGUID
	TypeTimespan
	TypeDecimal
)

var typeNames = [...]string{
	TypeInvalid:  "invalid",
	TypeString:   "string",
	TypeDatetime: "datetime",
	TypeLong:     "long",
	TypeInt:      "int",
	TypeReal:     "real",
	TypeBool:     "bool",
	TypeDynamic:  "dynamic",
	TypeGUID:     "guid",
	TypeTimespan: "timespan",
	TypeDecimal:  "decimal",
}

// typeAliases are the other spellings Kusto and Log Analytics accept for a type.
var typeAliases = map[string]Type{
	"boolean": TypeBool, "date": TypeDatetime, "double": TypeReal, "int32": TypeInt,
	"int64": TypeLong, "time": TypeTimespan, "uniqueid": TypeGUID, "uuid": TypeGUID,
}

// String returns the Kusto name of t.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", t)
}

// ParseType returns the type named s (a Kusto type name or alias, any letter case).
func ParseType(s string) (Type, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	for t, n := range typeNames {
		if t != int(TypeInvalid) && n == l {
			return Type(t), nil
		}
	}
	if t, ok := typeAliases[l]; ok {
		return t, nil
	}
	return TypeInvalid, fmt.Errorf("unknown type %q (want one of string, datetime, long, int, real, bool, dynamic, guid, timespan, decimal)", s)
}

// Value is one cell as it travels from a receiver to a store. Its dynamic type depends on the
// column type: nil for null in every type; string (TypeString); time.Time in UTC (TypeDatetime);
// int64 (TypeLong); int32 (TypeInt); float64 (TypeReal); bool (TypeBool); Dynamic (TypeDynamic);
// GUID (TypeGUID); time.Duration (TypeTimespan); Decimal (TypeDecimal).
type Value = any

// Dynamic is a Kusto dynamic value held as its compact JSON text.
type Dynamic string

// GUID is a 16-byte UUID in RFC 4122 byte order.
type GUID [16]byte

// String formats g in the canonical 8-4-4-4-12 lower-case form.
func (g GUID) String() string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", g[0:4], g[4:6], g[6:8], g[8:10], g[10:16])
}

// ParseGUID parses the 8-4-4-4-12 hexadecimal form, optionally in braces.
func ParseGUID(s string) (GUID, error) {
	var g GUID
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 {
		return g, fmt.Errorf("invalid guid %q: want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return g, fmt.Errorf("invalid guid %q: want '-' at %d", s, i)
			}
			i++
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return g, fmt.Errorf("invalid guid %q: bad hex digit at %d", s, i)
		}
		g[j] = hi<<4 | lo
		j++
		i += 2
	}
	return g, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Decimal is a Kusto decimal held as its canonical decimal text (for example "-12.50").
type Decimal string

// ValidateValue reports whether v is the Go representation of a value of type t.
func ValidateValue(t Type, v Value) bool {
	if v == nil {
		return true
	}
	switch t {
	case TypeString:
		_, ok := v.(string)
		return ok
	case TypeDatetime:
		_, ok := v.(time.Time)
		return ok
	case TypeLong:
		_, ok := v.(int64)
		return ok
	case TypeInt:
		_, ok := v.(int32)
		return ok
	case TypeReal:
		_, ok := v.(float64)
		return ok
	case TypeBool:
		_, ok := v.(bool)
		return ok
	case TypeDynamic:
		_, ok := v.(Dynamic)
		return ok
	case TypeGUID:
		_, ok := v.(GUID)
		return ok
	case TypeTimespan:
		_, ok := v.(time.Duration)
		return ok
	case TypeDecimal:
		_, ok := v.(Decimal)
		return ok
	case TypeInvalid:
		return false
	}
	return false
}
