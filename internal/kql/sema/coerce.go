package sema

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// unifyCompare prepares the operands of a comparison: a dynamic operand
// takes the other's type (unify), and a constant of a different scalar type
// is converted at compile time to the other operand's type when Kusto would
// convert it: EventID == "4624" on an int column compares with 4624, and
// ResultType == 0 on a string column compares with "0". A constant that
// does not convert is left as it is, so the caller reports the mismatch.
// Only equality (eq: ==, !=, in, !in) converts; Kusto rejects FileName > 5
// and Score > "2", and so does Vigil.
func unifyCompare(x, y plan.Expr, eq bool) (plan.Expr, plan.Expr) {
	x, y = unify(x, y)
	if !eq {
		return x, y
	}
	if k, ok := y.(*plan.Const); ok {
		if v, ok := convertConst(k, x.Type()); ok {
			return x, v
		}
	}
	if k, ok := x.(*plan.Const); ok {
		if v, ok := convertConst(k, y.Type()); ok {
			return v, y
		}
	}
	return x, y
}

// convertConst converts a string constant to a number or bool, or a number
// constant to a string or bool (0 and 1), for comparison with a column of
// type t; ok is false when the types already agree or the value does not
// convert.
func convertConst(k *plan.Const, t schema.Type) (*plan.Const, bool) {
	if k.V == nil || k.T == t || comparable(k.T, t) {
		return nil, false
	}
	switch v := k.V.(type) {
	case string:
		return parseConst(strings.TrimSpace(v), t)
	case int64:
		if t == schema.TypeString {
			return plan.Str(strconv.FormatInt(v, 10)), true
		}
		if t == schema.TypeBool && (v == 0 || v == 1) {
			return plan.Bool(v == 1), true
		}
	case float64:
		if t == schema.TypeString {
			return plan.Str(strconv.FormatFloat(v, 'f', -1, 64)), true
		}
	}
	return nil, false
}

// parseConst reads text as a constant of numeric or bool type t.
func parseConst(s string, t schema.Type) (*plan.Const, bool) {
	switch t {
	case schema.TypeInt, schema.TypeLong:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, false
		}
		return &plan.Const{V: n, T: t}, true
	case schema.TypeReal:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, false
		}
		return &plan.Const{V: f, T: t}, true
	case schema.TypeBool:
		b, err := strconv.ParseBool(strings.ToLower(s))
		if err != nil {
			return nil, false
		}
		return plan.Bool(b), true
	default:
		return nil, false
	}
}

// compareHint explains why a text constant was not converted to the other
// operand's number or bool type.
func compareHint(x, y plan.Expr) string {
	for _, p := range [][2]plan.Expr{{x, y}, {y, x}} {
		if k, ok := p[0].(*plan.Const); ok {
			if s, ok := k.V.(string); ok && (isNumeric(p[1].Type()) || p[1].Type() == schema.TypeBool) {
				return fmt.Sprintf(": the constant %q does not convert to %s", s, p[1].Type())
			}
		}
	}
	return ""
}
