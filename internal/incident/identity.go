package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Identities gives the other names of the people alerts name: an endpoint alert knows an
// account by its on-premises SID or sAMAccountName, a sign-in alert by its UPN and Entra object
// id, a mail alert by its mailbox. Expand returns keys with the aliases of their account and
// mailbox keys added, so that alerts naming one person differently correlate.
type Identities interface {
	Expand(ctx context.Context, tenant string, keys []string) ([]string, error)
}

// Querier runs SQL on the event store (store.Store satisfies it).
type Querier interface {
	Query(ctx context.Context, sql string, maxRows int) (*store.Result, error)
}

// IdentityInfo resolves aliases from the IdentityInfo table (filled by directory
// connectors), through the KQL compiler so that the tenant predicate applies. Answers are
// cached for TTL. It is safe for concurrent use.
type IdentityInfo struct {
	Registry *schema.Registry
	Store    Querier
	TTL      time.Duration // 0 means 5 minutes

	mu    sync.Mutex
	cache map[string]identityEntry // tenant + "\x00" + key
}

type identityEntry struct {
	aliases []string
	at      time.Time
}

// identityColumns are the IdentityInfo columns that name an account; each matched row gives
// an account key for each of its values, and a mailbox key for its UPN and mail address.
var identityColumns = []string{"AccountUpn", "AccountName", "SAMAccountName", "OnPremSid", "AccountSID", "AccountObjectId", "EmailAddress"}

// maxCache bounds the cache; past it, the cache is emptied.
const maxCache = 50_000

// Expand implements Identities.
func (ii *IdentityInfo) Expand(ctx context.Context, tenant string, keys []string) ([]string, error) {
	ttl := ii.TTL
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	now := time.Now()
	out := slices.Clone(keys)
	var ask []string
	ii.mu.Lock()
	for _, k := range keys {
		if !identityKey(k) {
			continue
		}
		if e, ok := ii.cache[tenant+"\x00"+k]; ok && now.Sub(e.at) < ttl {
			out = append(out, e.aliases...)
		} else {
			ask = append(ask, k)
		}
	}
	ii.mu.Unlock()
	if len(ask) > 0 {
		found, err := ii.lookup(ctx, tenant, ask)
		if err != nil {
			return nil, err
		}
		ii.remember(tenant, ask, found, now)
		for _, k := range ask {
			out = append(out, found[k]...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func identityKey(k string) bool {
	return strings.HasPrefix(k, "account:") || strings.HasPrefix(k, "mailbox:")
}

func (ii *IdentityInfo) remember(tenant string, asked []string, found map[string][]string, now time.Time) {
	ii.mu.Lock()
	defer ii.mu.Unlock()
	if ii.cache == nil || len(ii.cache) > maxCache {
		ii.cache = map[string]identityEntry{}
	}
	for _, k := range asked {
		ii.cache[tenant+"\x00"+k] = identityEntry{aliases: found[k], at: now}
	}
}

// lookup finds the IdentityInfo rows naming any of keys and returns, by key, the keys of the
// other names of the same people.
func (ii *IdentityInfo) lookup(ctx context.Context, tenant string, keys []string) (map[string][]string, error) {
	values := make([]string, 0, len(keys))
	for _, k := range keys {
		_, v, _ := strings.Cut(k, ":")
		values = append(values, syntax.QuoteString(v))
	}
	list := "(" + strings.Join(values, ", ") + ")"
	var conds []string
	for _, c := range identityColumns {
		conds = append(conds, c+" in~ "+list)
	}
	q := "IdentityInfo | where " + strings.Join(conds, " or ") + " | distinct " + strings.Join(identityColumns, ", ")
	cq, diags := kql.Compile(q, ii.Registry, kql.Options{Tenant: tenant})
	if cq == nil {
		return nil, fmt.Errorf("identity query: %v", diags)
	}
	res, err := ii.Store.Query(ctx, cq.SQL, 1000)
	if err != nil {
		return nil, fmt.Errorf("identity query: %w", err)
	}
	out := map[string][]string{}
	for _, row := range res.Rows {
		names := rowKeys(row)
		for _, k := range keys {
			if slices.Contains(names, k) {
				out[k] = append(out[k], names...)
			}
		}
	}
	return out, nil
}

// rowKeys are the account keys of a row's values, and mailbox keys of its UPN and address.
func rowKeys(row []any) []string {
	var out []string
	for i, v := range row {
		s, _ := v.(string)
		if s = strings.ToLower(strings.TrimSpace(s)); s == "" {
			continue
		}
		out = append(out, "account:"+s)
		if c := identityColumns[i]; c == "AccountUpn" || c == "EmailAddress" {
			out = append(out, "mailbox:"+s)
		}
	}
	return out
}
