package sema

import (
	"encoding/json"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// webFns are the URL, path and user-agent functions of issue 4.
func webFns() map[string]*fnSig {
	str := fixed(schema.TypeString)
	return map[string]*fnSig{
		"url_decode":           {Args: "s", Min: 1, Ret: str},
		"url_encode":           {Args: "s", Min: 1, Ret: str},
		"url_encode_component": {Args: "s", Min: 1, Ret: str},
		"parse_path":           {Args: "s", Min: 1, Ret: fixed(schema.TypeDynamic)},
		"parse_user_agent":     {Check: checkParseUserAgent},
	}
}

// userAgentTargets are parse_user_agent's look-for values, in the order the
// bag lists them.
var userAgentTargets = []string{"browser", "os", "device"}

// checkParseUserAgent accepts parse_user_agent(ua, look_for) where look_for is
// a constant "browser", "os" or "device", or a constant dynamic array of them.
// The call keeps ua and the targets as one constant string ("browser,device")
// in the bag's order.
func checkParseUserAgent(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) != 2 {
		c.errorf(e, "parse_user_agent() takes 2 arguments, not %d", len(args))
		return bad()
	}
	ua := toStringArg(args[0])
	k, ok := args[1].(*plan.Const)
	if !ok || k.V == nil || (k.T != schema.TypeString && k.T != schema.TypeDynamic) {
		c.errorf(e.Args[1], "the look-for argument of parse_user_agent() must be a constant string or a constant dynamic array, not %s", args[1].Type())
		return bad()
	}
	var asked []string
	if k.T == schema.TypeString {
		asked = []string{k.V.(string)}
	} else if err := json.Unmarshal([]byte(k.V.(string)), &asked); err != nil || len(asked) == 0 {
		c.errorf(e.Args[1], "the look-for array of parse_user_agent() must hold strings such as \"browser\", \"os\" and \"device\"")
		return bad()
	}
	want := map[string]bool{}
	for _, a := range asked {
		t := strings.ToLower(strings.TrimSpace(a))
		if t != "browser" && t != "os" && t != "device" {
			c.errorf(e.Args[1], "parse_user_agent() looks for \"browser\", \"os\" or \"device\", not %q", a)
			return bad()
		}
		want[t] = true
	}
	var targets []string
	for _, t := range userAgentTargets {
		if want[t] {
			targets = append(targets, t)
		}
	}
	return &plan.Call{Fn: "parse_user_agent", Args: []plan.Expr{ua, plan.Str(strings.Join(targets, ","))}, T: schema.TypeDynamic}
}
