package sema

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// extraFns are functions public hunting queries and Sentinel rules use that
// the other families lack: byte and bag formatting, array helpers, the
// Windows command-line tokenizer, and functions Vigil refuses with a reason.
func extraFns() map[string]*fnSig {
	dyn, lng, boo := fixed(schema.TypeDynamic), fixed(schema.TypeLong), fixed(schema.TypeBool)
	return map[string]*fnSig{
		"format_bytes":       {Check: checkFormatBytes},
		"todecimal":          {Args: "a", Min: 1, Ret: fixed(schema.TypeDecimal)},
		"bag_remove_keys":    {Args: "yy", Min: 2, Ret: dyn},
		"bag_has_key":        {Args: "ys", Min: 2, Ret: boo},
		"array_iff":          {Args: "yaa", Min: 3, Ret: dyn},
		"array_iif":          {Args: "yaa", Min: 3, Ret: dyn},
		"array_reverse":      {Args: "y", Min: 1, Ret: dyn},
		"array_sum":          {Args: "y", Min: 1, Ret: fixed(schema.TypeReal)},
		"array_sort_asc":     {Args: "y", Min: 1, Ret: dyn},
		"array_sort_desc":    {Args: "y", Min: 1, Ret: dyn},
		"dcount_hll":         {Args: "y", Min: 1, Ret: lng},
		"strcmp":             {Args: "ss", Min: 2, Ret: fixed(schema.TypeInt)},
		"strrep":             {Args: "sns", Min: 2, Check: checkStrrep},
		"dayofyear":          {Args: "d", Min: 1, Ret: fixed(schema.TypeInt)},
		"week_of_year":       {Args: "d", Min: 1, Ret: fixed(schema.TypeInt)},
		"parse_command_line": {Args: "sc", Min: 2, Check: checkParseCommandLine},
		"parse_xml": refuse("parse_xml() is not supported: DuckDB has no XML parser and Vigil registers no scalar UDFs; " +
			"extract the values with extract() or parse (e.g. extract(@'<Data Name=\"TargetUserName\">([^<]*)<', 1, EventData)), " +
			"or ingest the event already normalized"),
		"geo_info_from_ip_address": refuse("geo_info_from_ip_address() is not supported: Vigil has no GeoIP database; " +
			"enrich the events at ingest time or join with a table of address ranges"),
		"ipv6_is_in_range": refuse("ipv6_is_in_range() is not supported yet: Vigil has no IPv6 address arithmetic; " +
			"compare prefixes with startswith or use ipv4_is_in_range for IPv4 addresses"),
		"row_window_session": refuse("row_window_session() is not supported yet: a session whose start depends on the " +
			"previous row's session cannot be computed with SQL window functions; " +
			"use prev() with row_cumsum() to number sessions split by a gap"),
	}
}

// refuse is a function Vigil knows but does not run: calling it is an error
// with the reason and what to use instead.
func refuse(why string) *fnSig {
	return &fnSig{Check: func(c *checker, e *syntax.CallExpr, _ []plan.Expr) plan.Expr {
		c.errorf(e.Name, "%s", why)
		return bad()
	}}
}

// checkFormatBytes accepts format_bytes(size [, precision [, units]]) with a
// constant precision and a constant unit (Bytes, KB, MB, GB, TB, PB or EB).
func checkFormatBytes(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if !c.checkArgs(e, &fnSig{Args: "nnc", Min: 1}, args) {
		return bad()
	}
	if len(args) > 1 {
		if p, ok := args[1].(*plan.Const); !ok || (p.T != schema.TypeLong && p.T != schema.TypeInt) {
			c.errorf(e.Args[1], "the precision of format_bytes() must be a constant int")
			return bad()
		} else if n, _ := p.V.(int64); n < 0 || n > 15 {
			c.errorf(e.Args[1], "the precision of format_bytes() must be between 0 and 15")
			return bad()
		}
	}
	if len(args) > 2 {
		u, _ := args[2].(*plan.Const).V.(string)
		if u != "" && byteUnit(u) < 0 {
			c.errorf(e.Args[2], "unknown unit '%s' for format_bytes(); expected Bytes, KB, MB, GB, TB, PB or EB", u)
			return bad()
		}
	}
	return &plan.Call{Fn: "format_bytes", Args: args, T: schema.TypeString}
}

// byteUnits are format_bytes' units, each 1024 times the one before.
var byteUnits = []string{"Bytes", "KB", "MB", "GB", "TB", "PB", "EB"}

// byteUnit is the power of 1024 of a format_bytes unit (case-insensitive),
// or -1.
func byteUnit(u string) int {
	for i, n := range byteUnits {
		if strings.EqualFold(n, u) {
			return i
		}
	}
	return -1
}

// checkStrrep accepts strrep(value, multiplier [, delimiter]) with an int
// or long multiplier.
func checkStrrep(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if !c.checkArgs(e, &fnSig{Args: "sns", Min: 2}, args) {
		return bad()
	}
	if t := args[1].Type(); t != schema.TypeInt && t != schema.TypeLong {
		c.errorf(e.Args[1], "argument 2 of strrep() must be an int or long, not %s", t)
		return bad()
	}
	return &plan.Call{Fn: "strrep", Args: args, T: schema.TypeString}
}

// checkParseCommandLine accepts parse_command_line(cmd, "windows"), the only
// parser Kusto has.
func checkParseCommandLine(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if !c.checkArgs(e, &fnSig{Args: "sc", Min: 2}, args) {
		return bad()
	}
	if k, _ := args[1].(*plan.Const).V.(string); !strings.EqualFold(k, "windows") {
		c.errorf(e.Args[1], "parse_command_line() supports the parser \"windows\", not %q", k)
		return bad()
	}
	return &plan.Call{Fn: "parse_command_line", Args: args, T: schema.TypeDynamic}
}

// checkExternalData refuses externaldata: the server never fetches URLs
// named in a query.
func checkExternalData(c *checker, s syntax.Source) plan.Node {
	c.errorf(s, "externaldata is not supported: Vigil never fetches URLs named in a query; "+
		"load the list into a table (or a datatable in a let statement) and query that instead")
	return nil
}
