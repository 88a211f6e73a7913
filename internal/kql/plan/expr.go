package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Expr is a typed scalar expression.
type Expr interface {
	// Type returns the Kusto type of the expression's value.
	Type() schema.Type
	String() string
}

// Col is a reference to a column of the input row.
type Col struct {
	Name string
	T    schema.Type
}

// Const is a constant. V is nil (null), string, int64, float64, bool,
// time.Time (UTC), time.Duration, or, for dynamic, the compact JSON text.
type Const struct {
	V any
	T schema.Type
}

// Call applies an operator or function, named as Kusto spells it ("==",
// "and", "has", "neg", "tolower", "count", ...), to Args.
type Call struct {
	Fn   string
	Args []Expr
	T    schema.Type
}

// InQuery tests X against the values of the single column of Q's rows; Fn
// is "in", "!in", "in~" or "!in~" as for a list.
type InQuery struct {
	Fn string
	X  Expr
	Q  Node
}

// Type returns bool.
func (*InQuery) Type() schema.Type { return schema.TypeBool }

func (q *InQuery) String() string { return q.Fn + "(" + q.X.String() + ", <subquery>)" }

// ScalarQuery is toscalar(Q): the first column of Q's first row, or null
// when Q has no rows. T is the type of that column. Q is uncorrelated: it
// reads no column of the rows around it.
type ScalarQuery struct {
	Q Node
	T schema.Type
}

// Type returns the type of Q's first column.
func (q *ScalarQuery) Type() schema.Type { return q.T }

func (q *ScalarQuery) String() string { return "toscalar(<subquery>)" }

// Type returns the column's type.
func (c *Col) Type() schema.Type { return c.T }

// Type returns the constant's type.
func (c *Const) Type() schema.Type { return c.T }

// Type returns the call's result type.
func (c *Call) Type() schema.Type { return c.T }

func (c *Col) String() string { return c.Name }

func (c *Const) String() string {
	switch v := c.V.(type) {
	case nil:
		return c.T.String() + "(null)"
	case string:
		if c.T == schema.TypeDynamic {
			return "dynamic(" + v + ")"
		}
		return strconv.Quote(v)
	case time.Time:
		return "datetime(" + v.Format(time.RFC3339Nano) + ")"
	case time.Duration:
		return "timespan(" + v.String() + ")"
	}
	return fmt.Sprint(c.V)
}

func (c *Call) String() string {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = a.String()
	}
	return c.Fn + "(" + strings.Join(parts, ", ") + ")"
}

// Str returns a string constant.
func Str(s string) *Const { return &Const{V: s, T: schema.TypeString} }

// Bool returns a bool constant.
func Bool(b bool) *Const { return &Const{V: b, T: schema.TypeBool} }

// Long returns a long constant.
func Long(n int64) *Const { return &Const{V: n, T: schema.TypeLong} }
