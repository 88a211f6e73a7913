package api

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// listQuery is a list request's $filter, $orderby, $top, $skip (or $skiptoken) and $count.
type listQuery struct {
	filter      expr
	order       []orderKey
	top, skip   int
	count       bool
	fingerprint string // ties a $skiptoken to the filter and order it was issued for
}

// parseListQuery reads a list request's query options against the resource's fields;
// order applies when $orderby is absent.
func parseListQuery(r *http.Request, fields map[string]field, order []orderKey) (listQuery, error) {
	v := r.URL.Query()
	var q listQuery
	var err error
	if q.top, q.skip, err = pageParams(r); err != nil {
		return q, err
	}
	if f := v.Get("$filter"); strings.TrimSpace(f) != "" {
		if q.filter, err = parseODataFilter(f, fields); err != nil {
			return q, badRequest("%s", err.Error())
		}
	}
	q.order = order
	if o := v.Get("$orderby"); strings.TrimSpace(o) != "" {
		if q.order, err = parseOrderBy(o, fields); err != nil {
			return q, badRequest("%s", err.Error())
		}
	}
	switch strings.ToLower(v.Get("$count")) {
	case "", "false":
	case "true":
		q.count = true
	default:
		return q, badRequest("$count must be true or false, not %q", v.Get("$count"))
	}
	sum := sha256.Sum256([]byte(v.Get("$filter") + "\x00" + v.Get("$orderby")))
	q.fingerprint = hex.EncodeToString(sum[:6])
	if tok := v.Get("$skiptoken"); tok != "" {
		if q.skip, err = decodeSkipToken(tok, q.fingerprint); err != nil {
			return q, err
		}
	}
	return q, nil
}

// The $skiptoken is opaque to clients: base64url of "v1.<fingerprint>.<offset>".
func encodeSkipToken(fingerprint string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1." + fingerprint + "." + strconv.Itoa(offset)))
}

func decodeSkipToken(tok, fingerprint string) (int, error) {
	bad := badRequest("$skiptoken %q was not issued for this $filter and $orderby; start again from the first page", tok)
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, bad
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 3 || parts[0] != "v1" || parts[1] != fingerprint {
		return 0, bad
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil || n < 0 {
		return 0, bad
	}
	return n, nil
}

// apply filters, orders and pages items; it returns the page, the number matching and the
// offset of the next page (0 when this is the last).
func apply[T any](items []T, rec func(T) record, q listQuery) (page []T, total, next int) {
	matched := items[:0:0]
	for _, it := range items {
		if q.filter == nil || isTrue(q.filter.eval(rec(it), nil)) {
			matched = append(matched, it)
		}
	}
	slices.SortStableFunc(matched, func(a, b T) int { return compareRecords(rec(a), rec(b), q.order) })
	total = len(matched)
	start := min(q.skip, total)
	end := min(start+q.top, total)
	if end < total {
		next = end
	}
	return matched[start:end], total, next
}

// severityRank orders severities by weight rather than name.
var severityRank = map[string]int{"unknown": 0, "informational": 1, "low": 2, "medium": 3, "high": 4}

func compareRecords(a, b record, order []orderKey) int {
	for _, k := range order {
		c := compareValues(k.field, a(k.field), b(k.field))
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func compareValues(name string, x, y any) int {
	switch xv := x.(type) {
	case string:
		yv, _ := y.(string)
		if name == "severity" {
			return cmp.Compare(severityRank[xv], severityRank[yv])
		}
		return strings.Compare(strings.ToLower(xv), strings.ToLower(yv))
	case float64:
		yv, _ := y.(float64)
		return cmp.Compare(xv, yv)
	case time.Time:
		yv, _ := y.(time.Time)
		return xv.Compare(yv)
	}
	return 0
}

// listBody is an OData collection body with its nextLink and count when asked for.
func listBody(r *http.Request, value any, q listQuery, total, next int) map[string]any {
	out := map[string]any{}
	if q.count {
		out["@odata.count"] = total
	}
	if next > 0 {
		v := url.Values{}
		for k, vs := range r.URL.Query() {
			if k != "$skip" && k != "$skiptoken" {
				v[k] = vs
			}
		}
		v.Set("$skiptoken", encodeSkipToken(q.fingerprint, next))
		out["@odata.nextLink"] = r.URL.Path + "?" + v.Encode()
	}
	out["value"] = value
	return out
}
