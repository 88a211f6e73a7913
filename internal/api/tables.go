package api

import (
	"encoding/json"
	"net/http"
	"sort"

	"github.com/vigilsec/vigil/internal/schema"
)

type columnJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type tableJSON struct {
	Name        string       `json:"name"`
	Kind        string       `json:"kind"`
	Description string       `json:"description,omitempty"`
	Rows        int64        `json:"rows"`
	Columns     []columnJSON `json:"columns"`
}

var kindNames = map[schema.Kind]string{schema.KindBuiltin: "builtin", schema.KindVigil: "vigil", schema.KindCustom: "custom"}

func toJSON(t *schema.Table, rows int64) tableJSON {
	out := tableJSON{Name: t.Name, Kind: kindNames[t.Kind], Description: t.Description, Rows: rows}
	for _, c := range t.Visible() {
		out.Columns = append(out.Columns, columnJSON{Name: c.Name, Type: c.Type.String()})
	}
	return out
}

// listTables is GET /api/v1/tables: every table with its row count and visible columns.
func (s *Server) listTables(w http.ResponseWriter, r *http.Request) {
	counts, err := s.d.Store.RowCounts(r.Context())
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	tables := s.d.Registry.Tables()
	out := make([]tableJSON, 0, len(tables))
	for _, t := range tables {
		out = append(out, toJSON(t, counts[t.Name]))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getTable(w http.ResponseWriter, r *http.Request) {
	t, ok := s.d.Registry.Table(r.PathValue("name"))
	if !ok {
		writeError(w, s.d.Log, s.unknownTable(r.PathValue("name")))
		return
	}
	counts, err := s.d.Store.RowCounts(r.Context())
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(t, counts[t.Name]))
}

// putTableBody accepts Vigil's shape and Log Analytics' table resource shape
// ({"properties": {"schema": {"name": ..., "columns": [...]}}}).
type putTableBody struct {
	Description string             `json:"description"`
	Columns     []schema.ColumnDef `json:"columns"`
	Properties  *struct {
		Schema struct {
			Description string             `json:"description"`
			Columns     []schema.ColumnDef `json:"columns"`
		} `json:"schema"`
	} `json:"properties"`
}

// putTable is PUT /api/v1/tables/{Name_CL}: create a custom table or add columns to one.
func (s *Server) putTable(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var req putTableBody
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, s.d.Log, &Error{Status: http.StatusBadRequest, Code: "invalidJson", Msg: "table definition: " + err.Error()})
		return
	}
	if req.Properties != nil {
		req.Columns, req.Description = req.Properties.Schema.Columns, req.Properties.Schema.Description
	}
	if len(req.Columns) == 0 {
		writeError(w, s.d.Log, &Error{Status: http.StatusBadRequest, Code: "invalidTable", Msg: `a table needs "columns": [{"name": ..., "type": ...}]`})
		return
	}
	t, created, err := s.d.Tables.PutCustomTable(r.Context(), r.PathValue("name"), req.Description, req.Columns)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, toJSON(t, 0))
}

func (s *Server) unknownTable(name string) error {
	return &Error{Status: http.StatusNotFound, Code: "tableNotFound", Msg: "unknown table " + name}
}
