package syntax

import (
	"reflect"
	"strconv"
	"strings"
)

// Dump renders a node as a compact S-expression listing every non-zero
// field except spans, e.g. (BinaryExpr Op:"==" X:(Ident Name:"a") Y:(IntLit Text:"1" Value:1)).
// Two trees are equal ignoring spans exactly when their dumps are equal,
// which is what the print-then-parse tests compare.
func Dump(n Node) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(n))
	return b.String()
}

var spanType = reflect.TypeOf(Span{})

func dumpValue(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dumpValue(b, v.Elem())
	case reflect.Struct:
		dumpStruct(b, v)
	case reflect.Slice:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(' ')
			}
			dumpValue(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	default:
		b.WriteString(toString(v))
	}
}

func toString(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	default:
		return v.Type().String()
	}
}

func dumpStruct(b *strings.Builder, v reflect.Value) {
	t := v.Type()
	b.WriteByte('(')
	b.WriteString(t.Name())
	for i := range t.NumField() {
		f := t.Field(i)
		fv := v.Field(i)
		if f.Type == spanType || fv.IsZero() {
			continue
		}
		b.WriteString(" " + f.Name + ":")
		dumpValue(b, fv)
	}
	b.WriteByte(')')
}
