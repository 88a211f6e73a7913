package sqlgen

import (
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

func (chSpelling) binop(op string) (string, bool) {
	f, ok := chBinops[op]
	return f, ok
}

func (chSpelling) other(p *printer, e Expr) bool {
	r, ok := e.(chRaw)
	if ok {
		p.w(string(r))
	}
	return ok
}

// field reads a tuple element by position.
func (chSpelling) field(p *printer, e *Field) {
	if e.Index < 1 {
		panic(unsupported("ClickHouse", "struct field "+e.Name+" without its position"))
	}
	p.w("tupleElement(")
	p.expr(e.X)
	p.w(", ", strconv.Itoa(e.Index), ")")
}

func (chSpelling) lambda(p *printer, e *Lambda) {
	p.w("(")
	p.idents(e.Params)
	p.w(") -> ")
	p.expr(e.Body)
}

// cast converts to the Nullable type, so a null stays null as in DuckDB; a try-cast yields
// null where the value does not convert.
func (chSpelling) cast(p *printer, e *Cast) {
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
func (chSpelling) structPack(p *printer, e *StructPack) {
	p.w("tuple(")
	p.list(e.Vals)
	p.w(")")
}

// chFuncNames renames the few functions the shared lowering emits by their DuckDB names.
var chFuncNames = map[string]string{"arg_max": "argMax", "arg_min": "argMin"}

func (chSpelling) call(p *printer, f *Func) {
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

func (chSpelling) null(t schema.Type) string { return "CAST(NULL AS " + chNullable(t) + ")" }

func (chSpelling) str(v string, t schema.Type) string {
	if t == schema.TypeGUID {
		return "toUUID(" + chQuoteString(v) + ")"
	}
	return chQuoteString(v)
}

func (chSpelling) integer(v int64, t schema.Type) string {
	if t == schema.TypeInt {
		return "toInt32(" + strconv.FormatInt(v, 10) + ")"
	}
	return "toInt64(" + strconv.FormatInt(v, 10) + ")"
}

func (chSpelling) float(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return "toFloat64(" + strconv.FormatFloat(v, 'g', -1, 64) + ")"
}

func (chSpelling) boolean(v bool) string { return strconv.FormatBool(v) }

func (chSpelling) datetime(v time.Time) string {
	return "toDateTime64('" + v.UTC().Format("2006-01-02 15:04:05.000000") + "', 6, 'UTC')"
}

func (chSpelling) timespan(v time.Duration) string {
	return "toInt64(" + strconv.FormatInt(v.Microseconds(), 10) + ")"
}
