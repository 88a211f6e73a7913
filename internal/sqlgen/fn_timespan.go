package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// formatTimespan lowers format_timespan(ts, format): each run of one format
// letter becomes that component of the absolute value, zero-padded to the
// run's length; f and F runs are leading fraction digits (F without
// trailing zeros); anything else is copied.
func formatTimespan(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	f, _ := constString(in[1])
	us := Call("abs", Call("epoch_us", a[0]))
	var parts []Expr
	for i := 0; i < len(f); {
		j := i
		for j < len(f) && f[j] == f[i] {
			j++
		}
		parts = append(parts, timespanPart(us, f[i], j-i))
		i = j
	}
	if len(parts) == 0 {
		return Str("")
	}
	return &Case{Whens: []When{{Cond: &IsNull{X: a[0]}, Then: Str("")}}, Else: Call("concat", parts...)}
}

func timespanPart(us Expr, letter byte, n int) Expr {
	unit := func(div, mod int64) Expr {
		v := Bin("//", us, Int(div))
		if mod > 0 {
			v = Bin("%", v, Int(mod))
		}
		s := &Cast{X: v, T: schema.TypeString}
		if n == 1 {
			return s
		}
		return Call("lpad", s, &Cast{X: Call("greatest", Int(int64(n)), Call("length", s)), T: schema.TypeInt}, Str("0"))
	}
	switch letter {
	case 'd':
		return unit(86_400_000_000, 0)
	case 'h', 'H':
		return unit(3_600_000_000, 24)
	case 'm':
		return unit(60_000_000, 60)
	case 's':
		return unit(1_000_000, 60)
	case 'f', 'F':
		ticks := Call("lpad", &Cast{X: Bin("*", Bin("%", us, Int(1_000_000)), Int(10)), T: schema.TypeString}, &Lit{V: int64(7), T: schema.TypeInt}, Str("0"))
		digits := Call("left", ticks, Int(int64(min(n, 7))))
		if letter == 'F' {
			return Call("rtrim", digits, Str("0"))
		}
		return digits
	default:
		return Str(strings.Repeat(string(letter), n))
	}
}
