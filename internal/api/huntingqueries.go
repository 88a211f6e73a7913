package api

import (
	"context"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/vigilsec/vigil/content"
	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

// HuntingQueries is the state the saved hunting queries API serves from (*meta.Store).
type HuntingQueries interface {
	SavedQueries(ctx context.Context, tenant, owner string) ([]meta.SavedQuery, error)
	SavedQuery(ctx context.Context, tenant, id string) (meta.SavedQuery, error)
	CreateSavedQuery(ctx context.Context, q meta.SavedQuery) (meta.SavedQuery, error)
	UpdateSavedQuery(ctx context.Context, q meta.SavedQuery) (meta.SavedQuery, error)
	DeleteSavedQuery(ctx context.Context, tenant, id string) error
}

const huntingQueriesPath = "/api/v1/security/huntingQueries"

func (s *Server) huntingQueryRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET "+huntingQueriesPath, auth(http.HandlerFunc(s.listHuntingQueries)))
	mux.Handle("POST "+huntingQueriesPath, auth(http.HandlerFunc(s.createHuntingQuery)))
	mux.Handle("GET "+huntingQueriesPath+"/templates", auth(http.HandlerFunc(s.huntingTemplates)))
	mux.Handle("GET "+huntingQueriesPath+"/{id}", auth(http.HandlerFunc(s.getHuntingQuery)))
	mux.Handle("PUT "+huntingQueriesPath+"/{id}", auth(http.HandlerFunc(s.putHuntingQuery)))
	mux.Handle("DELETE "+huntingQueriesPath+"/{id}", auth(http.HandlerFunc(s.deleteHuntingQuery)))
}

// huntingQueryJSON is a saved query as the API shows and takes it.
type huntingQueryJSON struct {
	ID          string    `json:"id,omitempty"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Query       string    `json:"query"`
	Folder      string    `json:"folder"`
	Shared      bool      `json:"shared"`
	Owner       string    `json:"owner,omitempty"`
	CreatedAt   time.Time `json:"createdDateTime,omitzero"`
	UpdatedAt   time.Time `json:"lastModifiedDateTime,omitzero"`
	// Mine and CanEdit tell the caller whether it owns the query and whether it may change
	// or delete it.
	Mine    bool `json:"mine"`
	CanEdit bool `json:"canEdit"`
}

func (s *Server) toHuntingQueryJSON(p Principal, q meta.SavedQuery) huntingQueryJSON {
	return huntingQueryJSON{ID: q.ID, Name: q.Name, Description: q.Description, Query: q.Query, Folder: q.Folder,
		Shared: q.Shared, Owner: q.Owner, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt, Mine: q.Owner == p.Name, CanEdit: mayEditQuery(p, q)}
}

// mayEditQuery: the owner changes its queries; a shared one also whoever may write rules.
func mayEditQuery(p Principal, q meta.SavedQuery) bool {
	return q.Owner == p.Name || q.Shared && p.Can(auth.RulesWrite, q.Tenant)
}

// visibleQuery returns the caller's tenant's query id when the caller may see it (its own or
// shared); a private query of someone else is not found.
func (s *Server) visibleQuery(r *http.Request) (Principal, meta.SavedQuery, error) {
	p, _ := PrincipalFrom(r.Context())
	q, err := s.d.HuntingQueries.SavedQuery(r.Context(), p.Tenant, r.PathValue("id"))
	if err != nil {
		return p, q, stateError(err)
	}
	if !q.Shared && q.Owner != p.Name {
		return p, q, &Error{Status: http.StatusNotFound, Code: "notFound", Msg: "saved query " + r.PathValue("id") + ": not found"}
	}
	return p, q, nil
}

// listHuntingQueries is GET .../huntingQueries: the caller's own and the tenant's shared
// queries, by folder and name.
func (s *Server) listHuntingQueries(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	qs, err := s.d.HuntingQueries.SavedQueries(r.Context(), p.Tenant, p.Name)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	out := make([]huntingQueryJSON, 0, len(qs))
	for _, q := range qs {
		out = append(out, s.toHuntingQueryJSON(p, q))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) getHuntingQuery(w http.ResponseWriter, r *http.Request) {
	p, q, err := s.visibleQuery(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, s.toHuntingQueryJSON(p, q))
}

// createHuntingQuery is POST .../huntingQueries: the caller owns the new query.
func (s *Server) createHuntingQuery(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var in huntingQueryJSON
	if err := decodeJSON(w, r, &in); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	q := meta.SavedQuery{Tenant: p.Tenant, Name: strings.TrimSpace(in.Name), Description: in.Description, Query: in.Query,
		Folder: strings.TrimSpace(in.Folder), Shared: in.Shared, Owner: p.Name}
	if err := q.Validate(); err != nil {
		writeError(w, s.d.Log, badRequest("saved query: %v", err))
		return
	}
	q, err := s.d.HuntingQueries.CreateSavedQuery(r.Context(), q)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusCreated, s.toHuntingQueryJSON(p, q))
}

// putHuntingQuery is PUT .../huntingQueries/{id}: the owner, or for a shared query whoever
// may write rules, replaces its fields. Only the owner makes a query private again.
func (s *Server) putHuntingQuery(w http.ResponseWriter, r *http.Request) {
	p, q, err := s.visibleQuery(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var in huntingQueryJSON
	if err := decodeJSON(w, r, &in); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if !mayEditQuery(p, q) || !in.Shared && q.Shared && q.Owner != p.Name {
		writeError(w, s.d.Log, &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "saved query " + q.ID + " belongs to " + q.Owner + "; only its owner or someone with rules:write changes it"})
		return
	}
	q.Name, q.Description, q.Query, q.Folder, q.Shared = strings.TrimSpace(in.Name), in.Description, in.Query, strings.TrimSpace(in.Folder), in.Shared
	if err := q.Validate(); err != nil {
		writeError(w, s.d.Log, badRequest("saved query: %v", err))
		return
	}
	q, err = s.d.HuntingQueries.UpdateSavedQuery(r.Context(), q)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, s.toHuntingQueryJSON(p, q))
}

func (s *Server) deleteHuntingQuery(w http.ResponseWriter, r *http.Request) {
	p, q, err := s.visibleQuery(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if !mayEditQuery(p, q) {
		writeError(w, s.d.Log, &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "saved query " + q.ID + " belongs to " + q.Owner + "; only its owner or someone with rules:write deletes it"})
		return
	}
	if err := s.d.HuntingQueries.DeleteSavedQuery(r.Context(), p.Tenant, q.ID); err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// huntingTemplateJSON is a built-in hunting query (content/hunting/*.kql).
type huntingTemplateJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Query       string `json:"query"`
}

// huntingTemplates is GET .../huntingQueries/templates: the built-in hunting queries
// (content/hunting/*.kql), the leading // comment lines as the description.
func (s *Server) huntingTemplates(w http.ResponseWriter, _ *http.Request) {
	out, err := readHuntingTemplates(content.FS)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func readHuntingTemplates(fsys fs.FS) ([]huntingTemplateJSON, error) {
	out := []huntingTemplateJSON{}
	names, err := fs.Glob(fsys, "hunting/*.kql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		var desc []string
		for line := range strings.SplitSeq(string(b), "\n") {
			c, ok := strings.CutPrefix(strings.TrimSpace(line), "//")
			if !ok {
				break
			}
			desc = append(desc, strings.TrimSpace(c))
		}
		id := strings.TrimSuffix(path.Base(n), ".kql")
		name := strings.ReplaceAll(id, "_", " ")
		out = append(out, huntingTemplateJSON{ID: id, Name: strings.ToUpper(name[:1]) + name[1:], Description: strings.Join(desc, " "), Query: string(b)})
	}
	return out, nil
}
