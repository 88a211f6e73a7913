package api

import (
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/detect/ti"
	"github.com/vigilsec/vigil/internal/ingest"
)

// tiImportSource names the import endpoint in IngestionErrors.
const tiImportSource = "http:/api/v1/threatIntelligence/indicators:import"

// tiImportResult is the answer of an indicator import: how many STIX indicator objects were
// accepted and rejected (with each rejected object's index and reason), how many observables
// the accepted ones hold, and how many objects were not indicators.
type tiImportResult struct {
	Accepted    int              `json:"accepted"`
	Rejected    int              `json:"rejected"`
	Observables int              `json:"observables"`
	Skipped     int              `json:"skipped"`
	Errors      []ti.ObjectError `json:"errors,omitempty"`
}

func (s *Server) tiRoutes(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/threatIntelligence/indicators:import", s.authenticate(http.HandlerFunc(s.importIndicators)))
}

// importIndicators is POST /api/v1/threatIntelligence/indicators:import with a STIX 2.1
// bundle: its indicators become rows of ThreatIntelligenceIndicator and ThreatIntelIndicators
// in the principal's tenant, and the objects it rejects go to IngestionErrors.
func (s *Server) importIndicators(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	tenant, _ := tenantOf(r)
	parsed, err := ti.ParseBundle(body, tenant, time.Now().UTC())
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	trs, err := ti.Rows(s.d.Registry, parsed.Indicators)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	rejects := make([]ingest.RowError, 0, len(parsed.Errors))
	for _, e := range parsed.Errors {
		rejects = append(rejects, ingest.RowError{Row: e.Index, Reason: e.Error()})
	}
	for _, tr := range trs {
		if _, err := s.d.Ingest.IngestRows(r.Context(), tenant, tiImportSource, tr.Table, tr.Rows, rejects); err != nil {
			writeError(w, s.d.Log, err)
			return
		}
		rejects = nil // recorded once, with the first table
	}
	writeJSON(w, http.StatusOK, tiImportResult{Accepted: parsed.Objects, Rejected: len(parsed.Errors),
		Observables: len(parsed.Indicators), Skipped: parsed.Skipped, Errors: parsed.Errors})
}
