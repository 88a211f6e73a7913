package watchlist

import (
	"context"
	"sort"
	"sync"

	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// Lister reads a tenant's watchlist definitions (*meta.Store).
type Lister interface {
	Watchlists(ctx context.Context, tenant string) ([]meta.Watchlist, error)
}

// Resolver is the kql.Watchlists of a query over some tenants. It reads the definitions on
// first use, so a query that names no watchlist costs nothing. An alias several tenants
// define has the columns of all of them; a column defined with different types is a string.
// Use one Resolver per compile; it is safe for one goroutine at a time.
type Resolver struct {
	ctx     context.Context
	lister  Lister
	tenants []string
	once    sync.Once
	cols    map[string][]schema.Column
	err     error
}

// NewResolver returns a resolver of the watchlists of tenants, read from lister with ctx.
func NewResolver(ctx context.Context, lister Lister, tenants ...string) *Resolver {
	return &Resolver{ctx: ctx, lister: lister, tenants: tenants}
}

func (r *Resolver) load() {
	r.once.Do(func() {
		r.cols = map[string][]schema.Column{}
		for _, t := range r.tenants {
			ws, err := r.lister.Watchlists(r.ctx, t)
			if err != nil {
				r.err = err
				return
			}
			for _, w := range ws {
				r.cols[w.Alias] = mergeColumns(r.cols[w.Alias], Columns(w))
			}
		}
	})
}

// mergeColumns adds the columns of b that a lacks to a; a column in both with different
// types becomes a string.
func mergeColumns(a, b []schema.Column) []schema.Column {
	for _, c := range b {
		found := false
		for i := range a {
			if a[i].Name == c.Name {
				found = true
				if a[i].Type != c.Type {
					a[i].Type = schema.TypeString
				}
			}
		}
		if !found {
			a = append(a, c)
		}
	}
	return a
}

// WatchlistColumns implements kql.Watchlists.
func (r *Resolver) WatchlistColumns(alias string) ([]schema.Column, bool) {
	r.load()
	cols, ok := r.cols[alias]
	return cols, ok
}

// WatchlistAliases implements kql.Watchlists.
func (r *Resolver) WatchlistAliases() []string {
	r.load()
	out := make([]string, 0, len(r.cols))
	for a := range r.cols {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Err is the error of reading the definitions, if any: a query that failed to compile
// because an alias was "unknown" failed because of it.
func (r *Resolver) Err() error {
	return r.err
}
