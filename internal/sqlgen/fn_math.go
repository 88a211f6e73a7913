package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func duckMathFuncs() map[string]FuncSQL {
	m := mathFuncs("ln", "random")
	m["round"] = func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		if len(a) == 1 {
			return Call("round", a[0])
		}
		return Call("round", a[0], &Cast{X: a[1], T: schema.TypeInt})
	}
	return m
}

// mathFuncs are the math functions both dialects write alike but for the names of the
// natural logarithm and of a random number in [0, 1); the dialect adds round.
func mathFuncs(ln, random string) map[string]FuncSQL {
	return map[string]FuncSQL{
		"abs":   fn("abs"),
		"log":   fn(ln),
		"log10": fn("log10"),
		"log2":  fn("log2"),
		"exp":   fn("exp"),
		"pow":   fn("pow"),
		"sqrt":  fn("sqrt"),
		"rand": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			if len(a) == 0 {
				return Call(random)
			}
			return &Cast{X: Call("floor", Bin("*", Call(random), a[0])), T: schema.TypeLong}
		},
		"ceiling": fn("ceil"),
		"max_of":  fn("greatest"),
		"min_of":  fn("least"),
	}
}
