package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/watchlist"
	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/meta"
)

// Watchlists is the state the watchlist API serves from (*meta.Store): the definitions and
// current items. Every change is also appended to the Watchlist table through the ingest
// path, which is what _GetWatchlist() reads.
type Watchlists interface {
	watchlist.Lister
	Watchlist(ctx context.Context, tenant, alias string) (meta.Watchlist, error)
	WatchlistItems(ctx context.Context, tenant, alias string) ([]meta.WatchlistItem, error)
	CreateWatchlist(ctx context.Context, w meta.Watchlist, items []meta.WatchlistItem) (meta.Watchlist, []meta.WatchlistItem, error)
	PutWatchlistItems(ctx context.Context, tenant, alias string, items []meta.WatchlistItem) (meta.Watchlist, []meta.WatchlistItem, error)
	DeleteWatchlistItem(ctx context.Context, tenant, alias, id string) (meta.Watchlist, meta.WatchlistItem, error)
	DeleteWatchlist(ctx context.Context, tenant, alias string) (meta.Watchlist, []meta.WatchlistItem, error)
}

// watchlistsPath is the watchlist API; Graph has none, so its shapes follow Sentinel's REST
// API loosely (watchlists by alias, watchlistItems with itemsKeyValue).
const watchlistsPath = "/api/v1/security/watchlists"

// watchlistSource names the watchlist API in IngestionErrors.
const watchlistSource = "http:" + watchlistsPath

func (s *Server) watchlistRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET "+watchlistsPath, auth(http.HandlerFunc(s.listWatchlists)))
	mux.Handle("POST "+watchlistsPath, auth(http.HandlerFunc(s.createWatchlist)))
	mux.Handle("GET "+watchlistsPath+"/{alias}", auth(http.HandlerFunc(s.getWatchlist)))
	mux.Handle("DELETE "+watchlistsPath+"/{alias}", auth(http.HandlerFunc(s.deleteWatchlist)))
	mux.Handle("GET "+watchlistsPath+"/{alias}/watchlistItems", auth(http.HandlerFunc(s.listWatchlistItems)))
	mux.Handle("POST "+watchlistsPath+"/{alias}/watchlistItems", auth(http.HandlerFunc(s.addWatchlistItems)))
	mux.Handle("PUT "+watchlistsPath+"/{alias}/watchlistItems/{id}", auth(http.HandlerFunc(s.putWatchlistItem)))
	mux.Handle("DELETE "+watchlistsPath+"/{alias}/watchlistItems/{id}", auth(http.HandlerFunc(s.deleteWatchlistItem)))
}

// watchlistJSON is a watchlist as the API shows it and, for create, takes it: the items come
// as a CSV in rawContent or as itemsKeyValue objects in items.
type watchlistJSON struct {
	Alias          string                 `json:"watchlistAlias"`
	ID             string                 `json:"watchlistId,omitempty"`
	DisplayName    string                 `json:"displayName"`
	Description    string                 `json:"description"`
	Provider       string                 `json:"provider"`
	Source         string                 `json:"source"`
	ItemsSearchKey string                 `json:"itemsSearchKey"`
	Columns        []meta.WatchlistColumn `json:"columns,omitempty"`
	CreatedBy      string                 `json:"createdBy,omitempty"`
	Created        time.Time              `json:"created,omitzero"`
	Updated        time.Time              `json:"updated,omitzero"`
	ItemCount      int                    `json:"itemCount"`
	// RawContent is the CSV of the items at create; ContentType must then be text/csv.
	RawContent  string              `json:"rawContent,omitempty"`
	ContentType string              `json:"contentType,omitempty"`
	Items       []map[string]string `json:"items,omitempty"`
}

func toWatchlistJSON(w meta.Watchlist) watchlistJSON {
	return watchlistJSON{Alias: w.Alias, ID: w.ID, DisplayName: w.Name, Description: w.Description, Provider: w.Provider, Source: w.Source,
		ItemsSearchKey: w.SearchKey, Columns: w.Columns, CreatedBy: w.CreatedBy, Created: w.CreatedAt, Updated: w.UpdatedAt, ItemCount: w.Items}
}

// watchlistItemJSON is an item: its id and values by column.
type watchlistItemJSON struct {
	ID            string            `json:"watchlistItemId,omitempty"`
	ItemsKeyValue map[string]string `json:"itemsKeyValue"`
	Created       time.Time         `json:"created,omitzero"`
	Updated       time.Time         `json:"updated,omitzero"`
}

func toItemsJSON(items []meta.WatchlistItem) []watchlistItemJSON {
	out := make([]watchlistItemJSON, 0, len(items))
	for _, it := range items {
		out = append(out, watchlistItemJSON{ID: it.ID, ItemsKeyValue: it.Values, Created: it.CreatedAt, Updated: it.UpdatedAt})
	}
	return out
}

// watchlistError maps the state store's watchlist errors to API errors.
func watchlistError(err error) error {
	if errors.Is(err, meta.ErrInvalidWatchlist) {
		return badRequest("%v", err)
	}
	return stateError(err)
}

func (s *Server) listWatchlists(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	ws, err := s.d.Watchlists.Watchlists(r.Context(), p.Tenant)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	out := make([]watchlistJSON, 0, len(ws))
	for _, wl := range ws {
		out = append(out, toWatchlistJSON(wl))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) getWatchlist(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	wl, err := s.d.Watchlists.Watchlist(r.Context(), p.Tenant, r.PathValue("alias"))
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, toWatchlistJSON(wl))
}

func (s *Server) listWatchlistItems(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	items, err := s.d.Watchlists.WatchlistItems(r.Context(), p.Tenant, r.PathValue("alias"))
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": toItemsJSON(items)})
}

// createWatchlist is POST .../watchlists, with either a CSV body (Content-Type text/csv;
// the definition in the query: alias, searchKey, displayName, description, provider,
// source, and types=col:type,...) or a JSON watchlistJSON.
func (s *Server) createWatchlist(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	def, items, err := watchlistFromRequest(r, body)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	def.Tenant, def.CreatedBy = p.Tenant, p.Name
	if err := def.Validate(); err != nil {
		writeError(w, s.d.Log, badRequest("%v", err))
		return
	}
	wl, stored, err := s.d.Watchlists.CreateWatchlist(r.Context(), def, items)
	if err != nil {
		writeError(w, s.d.Log, watchlistError(err))
		return
	}
	if err := s.recordItems(r.Context(), wl, stored, watchlist.StatusCreate, p.Name, wl.CreatedAt); err != nil {
		// The items are not queryable: take the watchlist back so that the caller can retry.
		if _, _, derr := s.d.Watchlists.DeleteWatchlist(context.WithoutCancel(r.Context()), wl.Tenant, wl.Alias); derr != nil {
			s.d.Log.Error("watchlist: undo create after failed ingest", "alias", wl.Alias, "err", derr)
		}
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, toWatchlistJSON(wl))
}

// watchlistFromRequest reads a create request: the definition and its items.
func watchlistFromRequest(r *http.Request, body []byte) (meta.Watchlist, []meta.WatchlistItem, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var in watchlistJSON
	types := map[string]string{}
	if ct == "text/csv" {
		q := r.URL.Query()
		in = watchlistJSON{Alias: q.Get("alias"), DisplayName: q.Get("displayName"), Description: q.Get("description"),
			Provider: q.Get("provider"), Source: q.Get("source"), ItemsSearchKey: q.Get("searchKey"), RawContent: string(body), ContentType: ct}
		for kv := range strings.SplitSeq(q.Get("types"), ",") {
			if kv == "" {
				continue
			}
			name, typ, ok := strings.Cut(kv, ":")
			if !ok {
				return meta.Watchlist{}, nil, badRequest("types: %q is not column:type", kv)
			}
			types[strings.TrimSpace(name)] = strings.TrimSpace(typ)
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return meta.Watchlist{}, nil, badRequest("invalid JSON body: %v (or send the CSV with Content-Type text/csv)", err)
		}
		for _, c := range in.Columns {
			types[c.Name] = c.Type
		}
	}
	def := meta.Watchlist{Alias: strings.TrimSpace(in.Alias), Name: strings.TrimSpace(in.DisplayName), Description: in.Description,
		Provider: in.Provider, Source: in.Source, SearchKey: strings.TrimSpace(in.ItemsSearchKey)}
	if def.Name == "" {
		def.Name = def.Alias
	}
	if def.Provider == "" {
		def.Provider = "Vigil"
	}
	switch {
	case in.RawContent != "" && len(in.Items) > 0:
		return def, nil, badRequest("give the items either as rawContent (CSV) or as items, not both")
	case in.RawContent != "":
		if in.ContentType != "" && in.ContentType != "text/csv" {
			return def, nil, badRequest("contentType %q is not supported; rawContent must be text/csv", in.ContentType)
		}
		cols, items, err := watchlist.ParseCSV([]byte(in.RawContent), types)
		if err != nil {
			return def, nil, badRequest("%v", err)
		}
		def.Columns = cols
		return def, items, nil
	}
	if len(in.Columns) == 0 {
		return def, nil, badRequest("a watchlist needs its items as rawContent (CSV, whose header names the columns) or columns and items")
	}
	def.Columns = in.Columns
	items := make([]meta.WatchlistItem, 0, len(in.Items))
	for _, kv := range in.Items {
		items = append(items, meta.WatchlistItem{Values: kv})
	}
	return def, items, nil
}

// addWatchlistItems is POST .../watchlistItems with one item ({"itemsKeyValue": {...}}) or
// several ({"value": [{"itemsKeyValue": {...}}, ...]}); an item with the id of one that
// exists replaces it.
func (s *Server) addWatchlistItems(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var in struct {
		watchlistItemJSON
		Value []watchlistItemJSON `json:"value"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, s.d.Log, badRequest("invalid JSON body: %v", err))
		return
	}
	list := in.Value
	if in.ItemsKeyValue != nil {
		list = append(list, in.watchlistItemJSON)
	}
	if len(list) == 0 {
		writeError(w, s.d.Log, badRequest(`no item: want {"itemsKeyValue": {"column": "value", ...}} or {"value": [...]}`))
		return
	}
	items := make([]meta.WatchlistItem, 0, len(list))
	for _, it := range list {
		items = append(items, meta.WatchlistItem{ID: it.ID, Values: it.ItemsKeyValue})
	}
	s.putItems(w, r, items, http.StatusCreated)
}

// putWatchlistItem is PUT .../watchlistItems/{id}: the item's values are replaced (or it is
// added with that id).
func (s *Server) putWatchlistItem(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var in watchlistItemJSON
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || in.ItemsKeyValue == nil {
		writeError(w, s.d.Log, badRequest(`want {"itemsKeyValue": {"column": "value", ...}}`))
		return
	}
	id := r.PathValue("id")
	if in.ID != "" && in.ID != id {
		writeError(w, s.d.Log, badRequest("the body's watchlistItemId %q differs from the path's %q", in.ID, id))
		return
	}
	s.putItems(w, r, []meta.WatchlistItem{{ID: id, Values: in.ItemsKeyValue}}, http.StatusOK)
}

// putItems stores items in the state store, then appends their records (Create for new
// ones, Update for replaced ones) to the Watchlist table, and answers the items as stored.
func (s *Server) putItems(w http.ResponseWriter, r *http.Request, items []meta.WatchlistItem, status int) {
	p, _ := PrincipalFrom(r.Context())
	wl, stored, err := s.d.Watchlists.PutWatchlistItems(r.Context(), p.Tenant, r.PathValue("alias"), items)
	if err != nil {
		writeError(w, s.d.Log, watchlistError(err))
		return
	}
	var created, updated []meta.WatchlistItem
	for _, it := range stored {
		if it.CreatedAt.Equal(it.UpdatedAt) {
			created = append(created, it)
		} else {
			updated = append(updated, it)
		}
	}
	for _, c := range []struct {
		status string
		items  []meta.WatchlistItem
	}{{watchlist.StatusCreate, created}, {watchlist.StatusUpdate, updated}} {
		if err := s.recordItems(r.Context(), wl, c.items, c.status, p.Name, wl.UpdatedAt); err != nil {
			writeError(w, s.d.Log, err)
			return
		}
	}
	out := toItemsJSON(stored)
	if len(out) == 1 {
		writeJSON(w, status, out[0])
		return
	}
	writeJSON(w, status, map[string]any{"value": out})
}

// deleteWatchlistItem is DELETE .../watchlistItems/{id}: the item is removed and a Delete
// record appended.
func (s *Server) deleteWatchlistItem(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	wl, it, err := s.d.Watchlists.DeleteWatchlistItem(r.Context(), p.Tenant, r.PathValue("alias"), r.PathValue("id"))
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	if err := s.recordItems(r.Context(), wl, []meta.WatchlistItem{it}, watchlist.StatusDelete, p.Name, wl.UpdatedAt); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteWatchlist is DELETE .../watchlists/{alias}: the watchlist and its items are removed
// and a Delete record appended for each item, so that a new watchlist of the same alias
// starts empty.
func (s *Server) deleteWatchlist(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	wl, items, err := s.d.Watchlists.DeleteWatchlist(r.Context(), p.Tenant, r.PathValue("alias"))
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	if err := s.recordItems(r.Context(), wl, items, watchlist.StatusDelete, p.Name, wl.UpdatedAt); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// recordItems appends records of items to the Watchlist table through the ingest path.
func (s *Server) recordItems(ctx context.Context, wl meta.Watchlist, items []meta.WatchlistItem, status, by string, at time.Time) error {
	if len(items) == 0 {
		return nil
	}
	tab, rows, err := watchlist.Rows(s.d.Registry, wl, items, status, by, at)
	if err != nil {
		return err
	}
	res, err := s.d.Ingest.IngestRows(ctx, wl.Tenant, watchlistSource, tab, rows, nil)
	if err != nil {
		return fmt.Errorf("record watchlist %s items: %w", wl.Alias, err)
	}
	if res.Rejected > 0 {
		return fmt.Errorf("record watchlist %s items: %d of %d rejected: %s", wl.Alias, res.Rejected, len(rows), res.Errors[0].Reason)
	}
	return nil
}

// watchlists is the compiler's view of the watchlists of tenants, or nil when the server
// keeps none.
func (s *Server) watchlists(ctx context.Context, tenants []string) kql.Watchlists {
	if s.d.Watchlists == nil {
		return nil
	}
	return watchlist.NewResolver(ctx, s.d.Watchlists, tenants...)
}
