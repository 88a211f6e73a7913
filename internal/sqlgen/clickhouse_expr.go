package sqlgen

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// chBinops are the ClickHouse spellings of the SQL operators the lowering emits that differ.
var chBinops = map[string]string{"//": "intDiv", "IS NOT DISTINCT FROM": "isNotDistinctFrom"}

// chRaw is SQL text printed as it is: the untyped numeric constants some ClickHouse
// functions require (a week mode, a precision).
type chRaw string

func (chRaw) sqlExpr() {}

func (p *chPrint) expr(e Expr) {
	switch e := e.(type) {
	case chRaw:
		p.w(string(e))
	case *Ident:
		if e.Table != "" {
			p.w(chQuoteIdent(e.Table), ".")
		}
		p.w(chQuoteIdent(e.Name))
	case *Lit:
		p.lit(e)
	case *Func:
		p.fn(e)
	case *Binary:
		if f, ok := chBinops[e.Op]; ok {
			p.fn(Call(f, e.L, e.R))
			return
		}
		p.w("(")
		p.expr(e.L)
		p.w(" ", e.Op, " ")
		p.expr(e.R)
		p.w(")")
	case *Unary:
		p.w("(", e.Op)
		if e.Op == "NOT" {
			p.w(" ")
		}
		p.expr(e.X)
		p.w(")")
	case *IsNull:
		p.w("(")
		p.expr(e.X)
		if e.Not {
			p.w(" IS NOT NULL)")
		} else {
			p.w(" IS NULL)")
		}
	case *In:
		p.in(e)
	case *Case:
		p.caseExpr(e)
	case *Cast:
		p.cast(e)
	case *Field:
		if e.Index < 1 {
			panic(unsupported("ClickHouse", "struct field "+e.Name+" without its position"))
		}
		p.w("tupleElement(")
		p.expr(e.X)
		p.w(", ", strconv.Itoa(e.Index), ")")
	case *StructPack:
		p.structPack(e)
	case *Window:
		p.window(e)
	case *Lambda:
		p.w("(")
		for i, n := range e.Params {
			if i > 0 {
				p.w(", ")
			}
			p.w(chQuoteIdent(n))
		}
		p.w(") -> ")
		p.expr(e.Body)
	case *Star:
		if e.Table != "" {
			p.w(chQuoteIdent(e.Table), ".")
		}
		p.w("*")
	default:
		panic(fmt.Sprintf("sqlgen: cannot print %T", e))
	}
}

func (p *chPrint) in(e *In) {
	p.w("(")
	p.expr(e.X)
	if e.Not {
		p.w(" NOT")
	}
	p.w(" IN (")
	if e.Sub != nil {
		p.nl(p.depth + 2)
		p.query(e.Sub, p.depth+2)
		p.nl(p.depth + 1)
	} else {
		p.list(e.List)
	}
	p.w("))")
}

func (p *chPrint) caseExpr(e *Case) {
	p.w("CASE")
	for _, wh := range e.Whens {
		p.w(" WHEN ")
		p.expr(wh.Cond)
		p.w(" THEN ")
		p.expr(wh.Then)
	}
	if e.Else != nil {
		p.w(" ELSE ")
		p.expr(e.Else)
	}
	p.w(" END")
}

// cast converts to the Nullable type, so a null stays null as in DuckDB; a try-cast yields
// null where the value does not convert.
func (p *chPrint) cast(e *Cast) {
	if e.Try {
		p.w("accurateCastOrNull(")
		p.expr(e.X)
		p.w(", ", chQuoteString(ClickHouseType(e.T)), ")")
		return
	}
	p.w("CAST(")
	p.expr(e.X)
	p.w(" AS ", chNullable(e.T), ")")
}

// structPack builds a tuple; its fields are read by position (Field.Index).
func (p *chPrint) structPack(e *StructPack) {
	p.w("tuple(")
	p.list(e.Vals)
	p.w(")")
}

func (p *chPrint) window(e *Window) {
	p.fn(e.Fn)
	p.w(" OVER (")
	if len(e.PartitionBy) > 0 {
		p.w("PARTITION BY ")
		p.list(e.PartitionBy)
	}
	if len(e.OrderBy) > 0 {
		if len(e.PartitionBy) > 0 {
			p.w(" ")
		}
		p.w("ORDER BY ")
		p.orders(e.OrderBy)
	}
	if e.Frame != "" {
		p.w(" ", e.Frame)
	}
	p.w(")")
}

// chFuncNames renames the few functions the shared lowering emits by their DuckDB names.
var chFuncNames = map[string]string{"arg_max": "argMax", "arg_min": "argMin"}

func (p *chPrint) fn(f *Func) {
	name := f.Name
	if n, ok := chFuncNames[name]; ok {
		name = n
	}
	if f.Filter != nil {
		name += "If"
	}
	if f.Distinct {
		name += "Distinct"
	}
	if len(f.OrderBy) > 0 {
		panic(unsupported("ClickHouse", "ordered aggregate "+f.Name))
	}
	p.w(name, "(")
	p.list(f.Args)
	if f.Filter != nil {
		if len(f.Args) > 0 {
			p.w(", ")
		}
		p.expr(f.Filter)
	}
	p.w(")")
}

func (p *chPrint) lit(l *Lit) {
	if l.V == nil {
		p.w("CAST(NULL AS ", chNullable(l.T), ")")
		return
	}
	switch v := l.V.(type) {
	case string:
		switch l.T {
		case schema.TypeGUID:
			p.w("toUUID(", chQuoteString(v), ")")
		default:
			p.w(chQuoteString(v))
		}
	case int64:
		switch l.T {
		case schema.TypeInt:
			p.w("toInt32(", strconv.FormatInt(v, 10), ")")
		default:
			p.w("toInt64(", strconv.FormatInt(v, 10), ")")
		}
	case float64:
		switch {
		case math.IsNaN(v):
			p.w("nan")
		case math.IsInf(v, 1):
			p.w("inf")
		case math.IsInf(v, -1):
			p.w("-inf")
		default:
			p.w("toFloat64(", strconv.FormatFloat(v, 'g', -1, 64), ")")
		}
	case bool:
		if v {
			p.w("true")
		} else {
			p.w("false")
		}
	case time.Time:
		p.w("toDateTime64('", v.UTC().Format("2006-01-02 15:04:05.000000"), "', 6, 'UTC')")
	case time.Duration:
		p.w("toInt64(", strconv.FormatInt(v.Microseconds(), 10), ")")
	default:
		panic(fmt.Sprintf("sqlgen: cannot print literal %T", v))
	}
}
