package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func convFns() map[string]*fnSig {
	return map[string]*fnSig{
		"tostring":   {Args: "a", Min: 1, Ret: fixed(schema.TypeString)},
		"toint":      {Args: "a", Min: 1, Ret: fixed(schema.TypeInt)},
		"tolong":     {Args: "a", Min: 1, Ret: fixed(schema.TypeLong)},
		"toreal":     {Args: "a", Min: 1, Ret: fixed(schema.TypeReal)},
		"todouble":   {Args: "a", Min: 1, Ret: fixed(schema.TypeReal)},
		"tobool":     {Args: "a", Min: 1, Ret: fixed(schema.TypeBool)},
		"todatetime": {Args: "a", Min: 1, Ret: fixed(schema.TypeDatetime)},
		"toguid":     {Args: "a", Min: 1, Ret: fixed(schema.TypeGUID)},
		"todynamic":  {Args: "a", Min: 1, Ret: fixed(schema.TypeDynamic)},
		"parse_json": {Args: "a", Min: 1, Ret: fixed(schema.TypeDynamic)},
	}
}

func dynamicFns() map[string]*fnSig {
	dyn := fixed(schema.TypeDynamic)
	return map[string]*fnSig{
		"array_length": {Args: "y", Min: 1, Ret: fixed(schema.TypeLong)},
		"bag_keys":     {Args: "y", Min: 1, Ret: dyn},
		"pack_array":   {Args: "a*", Min: 1, Ret: dyn},
		"bag_pack":     {Args: "sa*", Min: 2, Ret: dyn},
		"pack":         {Args: "sa*", Min: 2, Ret: dyn},
		"extract_json": {Args: "ss", Min: 2, Ret: fixed(schema.TypeString)},
	}
}

func mathFns() map[string]*fnSig {
	re := fixed(schema.TypeReal)
	return map[string]*fnSig{
		"round": {Args: "nn", Min: 1, Ret: argType(0)},
		"abs":   {Args: "n", Min: 1, Ret: argType(0)},
		"log":   {Args: "n", Min: 1, Ret: re},
		"log10": {Args: "n", Min: 1, Ret: re},
		"log2":  {Args: "n", Min: 1, Ret: re},
		"exp":   {Args: "n", Min: 1, Ret: re},
		"pow":   {Args: "nn", Min: 2, Ret: re},
		"sqrt":  {Args: "n", Min: 1, Ret: re},
		"rand": {Args: "n", Min: 0, Ret: func(a []plan.Expr) schema.Type {
			if len(a) == 0 {
				return schema.TypeReal
			}
			return schema.TypeLong
		}},
		"ceiling": {Args: "n", Min: 1, Ret: argType(0)},
		"max_of":  {Args: "x*", Min: 2, Ret: argType(0)},
		"min_of":  {Args: "x*", Min: 2, Ret: argType(0)},
	}
}
