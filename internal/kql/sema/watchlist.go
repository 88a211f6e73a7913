package sema

import (
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// Watchlists resolves the aliases that _GetWatchlist('alias') names. A
// watchlist's items are rows of the Watchlist table, appended on every
// change; its columns are the headers of the CSV it was made from. A
// Watchlists that also has an Err() error method reports through it a
// failure to read the definitions, which then becomes the diagnostic instead
// of "unknown watchlist".
type Watchlists interface {
	// WatchlistColumns returns the columns of the watchlist alias, in order,
	// or ok false when there is none.
	WatchlistColumns(alias string) (cols []schema.Column, ok bool)
	// WatchlistAliases lists the aliases that exist, for suggestions.
	WatchlistAliases() []string
}

// WatchlistMap is Watchlists over a fixed set: alias to columns.
type WatchlistMap map[string][]schema.Column

// WatchlistColumns implements Watchlists.
func (m WatchlistMap) WatchlistColumns(alias string) ([]schema.Column, bool) {
	cols, ok := m[alias]
	return cols, ok
}

// WatchlistAliases implements Watchlists.
func (m WatchlistMap) WatchlistAliases() []string {
	out := make([]string, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// NoWatchlistsMessage is the error of _GetWatchlist() compiled without
// Watchlists, such as a rule checked offline: callers may recognize it.
const NoWatchlistsMessage = "_GetWatchlist() needs the watchlists of a tenant; none are available here"

// WatchlistItemType is the _DTItemType of the Watchlist rows that hold items.
const WatchlistItemType = "watchlist-item"

// WatchlistDeleted is the _DTItemStatus of the record that deletes an item.
const WatchlistDeleted = "Delete"

// WatchlistFixedColumns are the columns _GetWatchlist() returns before the
// watchlist's own ones, as Sentinel's function does: the item id, when it
// last changed, the value of its search key column and the item as a bag.
var WatchlistFixedColumns = []string{"_DTItemId", "LastUpdatedTimeUTC", "SearchKey", "WatchlistItem"}

// watchlistScanName binds the unrestricted scan of Watchlist while the
// expansion of one _GetWatchlist() call is checked; no KQL name can start
// with a space, so a user's let cannot shadow it or be shadowed by it.
const watchlistScanName = " watchlist"

// watchlistCall checks _GetWatchlist(alias). It expands to the current items
// of the watchlist: the latest record of each item (by _DTTimestamp) unless
// that record deletes it, with the watchlist's columns extracted from the
// WatchlistItem bag in their declared types. The scan ignores the query's
// time range and ingest window, as Sentinel ignores the time range for
// watchlists: an item added a year ago is still on the list.
func (c *checker) watchlistCall(call *syntax.CallExpr) plan.Node {
	alias, ok := c.watchlistAlias(call)
	if !ok {
		return nil
	}
	cols, ok := c.opts.Watchlists.WatchlistColumns(alias)
	if e, failed := c.opts.Watchlists.(interface{ Err() error }); !ok && failed && e.Err() != nil {
		c.errorf(call, "cannot read the watchlists: %v", e.Err())
		return nil
	}
	if !ok {
		c.errorf(call.Args[0], "unknown watchlist '%s'%s", alias, didYouMean(nearestAlias(alias, c.opts.Watchlists.WatchlistAliases())))
		return nil
	}
	tab, ok := c.reg.Table("Watchlist")
	if !ok {
		c.errorf(call, "the schema registry has no Watchlist table")
		return nil
	}
	if ok, reason := c.tableAllowed(tab.Name); !ok {
		c.errorf(call, "_GetWatchlist() reads table %s, which %s", tab.Name, reason)
		return nil
	}
	script, diags := syntax.Parse(watchlistKQL(alias, cols))
	if syntax.HasErrors(diags) {
		c.errorf(call, "internal error: the expansion of _GetWatchlist('%s') does not parse: %s", alias, diags[0].Message)
		return nil
	}
	saved := c.saveBindings()
	defer c.restoreBindings(saved)
	c.tables[watchlistScanName] = c.unscopedScan(tab)
	first := len(c.diags)
	n := c.pipeline(script.Stmts[0].(*syntax.ExprStmt).X.(*syntax.TabularExpr).Query)
	// Diagnostics of the expansion point into its generated text: show
	// them at the call instead.
	for i := first; i < len(c.diags); i++ {
		c.diags[i].Span = call.Span
	}
	return n
}

// watchlistAlias returns the constant string argument of _GetWatchlist().
func (c *checker) watchlistAlias(call *syntax.CallExpr) (string, bool) {
	if len(call.Args) != 1 {
		c.errorf(call, "_GetWatchlist() takes 1 argument (the watchlist alias), not %d", len(call.Args))
		return "", false
	}
	if c.opts.Watchlists == nil {
		c.errorf(call.Name, "%s", NoWatchlistsMessage)
		return "", false
	}
	x := c.expr(call.Args[0], nil)
	if isBad(x) {
		return "", false
	}
	var alias string
	if k, ok := x.(*plan.Const); ok {
		alias, _ = k.V.(string)
	}
	if alias == "" {
		c.errorf(call.Args[0], "the argument of _GetWatchlist() must be a constant, non-empty string")
		return "", false
	}
	return alias, true
}

// unscopedScan reads tab restricted to the query's tenants only.
func (c *checker) unscopedScan(tab *schema.Table) plan.Node {
	cols := make([]plan.Column, 0, len(tab.Columns))
	for _, col := range tab.Visible() {
		cols = append(cols, plan.Column{Name: col.Name, Type: col.Type})
	}
	return &plan.Scan{Table: tab.Name, Cols: cols, Tenant: c.opts.Tenant, Tenants: c.opts.Tenants}
}

// watchlistKQL is the query _GetWatchlist(alias) stands for, over the scan
// bound to watchlistScanName.
func watchlistKQL(alias string, cols []schema.Column) string {
	var b strings.Builder
	b.WriteString("[" + kqlQuote(watchlistScanName) + "]\n")
	b.WriteString("| where _DTItemType == " + kqlQuote(WatchlistItemType) + " and WatchlistAlias == " + kqlQuote(alias) + "\n")
	b.WriteString("| summarize arg_max(_DTTimestamp, _DTItemStatus, LastUpdatedTimeUTC, SearchKey, WatchlistItem) by _DTItemId\n")
	b.WriteString("| where _DTItemStatus != " + kqlQuote(WatchlistDeleted) + "\n")
	b.WriteString("| project " + strings.Join(WatchlistFixedColumns, ", "))
	for _, col := range cols {
		if isFixedWatchlistColumn(col.Name) {
			continue
		}
		name := kqlQuote(col.Name)
		b.WriteString(", [" + name + "] = " + watchlistConv(col.Type) + "(WatchlistItem[" + name + "])")
	}
	return b.String()
}

// watchlistConv is the conversion function that reads a column of type t
// from the item bag, whose values are the CSV's strings.
func watchlistConv(t schema.Type) string {
	switch t {
	case schema.TypeLong, schema.TypeInt, schema.TypeReal, schema.TypeDatetime, schema.TypeBool, schema.TypeTimespan, schema.TypeDecimal, schema.TypeGUID:
		return "to" + t.String()
	case schema.TypeDynamic:
		return "todynamic"
	default:
		return "tostring"
	}
}

func isFixedWatchlistColumn(name string) bool {
	for _, f := range WatchlistFixedColumns {
		if strings.EqualFold(f, name) {
			return true
		}
	}
	return false
}

// kqlQuote is a KQL string literal of s.
func kqlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// nearestAlias suggests an existing alias close to alias, if one is.
func nearestAlias(alias string, aliases []string) []string {
	best, bestD := "", 1<<30
	for _, a := range aliases {
		d := schema.EditDistance(strings.ToLower(alias), strings.ToLower(a))
		if d < bestD {
			best, bestD = a, d
		}
	}
	if best == "" || bestD > max(3, len(alias)/3) {
		return nil
	}
	return []string{best}
}
