package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/detect/ti"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/receiver/esbulk"
	"github.com/vigilsec/vigil/internal/ingest/receiver/hec"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/store"
)

// Error is an error with its HTTP status and a stable code, for errors the handlers make.
type Error struct {
	Status int
	Code   string
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// errBody is the JSON error shape, as Microsoft Graph returns it.
type errBody struct {
	Error struct {
		Code        string   `json:"code"`
		Message     string   `json:"message"`
		Suggestions []string `json:"suggestions,omitempty"`
		Line        int      `json:"line,omitempty"`
		Column      int      `json:"column,omitempty"`
		Offset      *int     `json:"offset,omitempty"`
	} `json:"error"`
}

// writeError maps err to a status and writes it: the one place errors become HTTP.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	status, b := classifyError(w.Header(), log, err)
	writeJSON(w, status, b)
}

// classifyError maps err to its status and body, setting headers such as Retry-After on h.
// Handlers answering in another protocol's shape (Splunk HEC, Elasticsearch) reshape its
// result, so the mapping stays in this one place.
func classifyError(h http.Header, log *slog.Logger, err error) (int, errBody) {
	var b errBody
	status := http.StatusInternalServerError
	b.Error.Code, b.Error.Message = "internalError", "internal error"
	var (
		apiErr  *Error
		unknown *ingest.UnknownTableError
		syntax  *ingest.SyntaxError
		tooBig  *http.MaxBytesError
		qerr    *store.QueryError
		hecErr  *hec.FormatError
		bulkErr *esbulk.ActionError
		bundle  *ti.BundleError
		thr     *auth.ThrottledError
		input   *auth.InputError
	)
	switch {
	case errors.As(err, &apiErr):
		status, b.Error.Code, b.Error.Message = apiErr.Status, apiErr.Code, apiErr.Msg
	case errors.As(err, &unknown):
		status, b.Error.Code, b.Error.Message = http.StatusNotFound, "tableNotFound", unknown.Error()
		b.Error.Suggestions = unknown.Suggestions
	case errors.As(err, &syntax):
		status, b.Error.Code, b.Error.Message = http.StatusBadRequest, "invalidJson", syntax.Error()
		b.Error.Line, b.Error.Column, b.Error.Offset = syntax.Line, syntax.Col, &syntax.Offset
	case errors.As(err, &thr):
		status, b.Error.Code, b.Error.Message = http.StatusTooManyRequests, "throttled", thr.Error()
		h.Set("Retry-After", strconv.Itoa(int(thr.RetryAfter.Seconds())+1))
	case errors.As(err, &input):
		status, b.Error.Code, b.Error.Message = http.StatusBadRequest, "badRequest", input.Error()
	case errors.As(err, &bundle):
		status, b.Error.Code, b.Error.Message = http.StatusBadRequest, "invalidBundle", bundle.Error()
		if bundle.Offset > 0 {
			off := int(bundle.Offset)
			b.Error.Offset = &off
		}
	case errors.Is(err, meta.ErrInvalidDecoy):
		status, b.Error.Code, b.Error.Message = http.StatusBadRequest, "invalidDecoy", err.Error()
	case errors.As(err, &hecErr):
		status, b.Error.Code, b.Error.Message = http.StatusBadRequest, "invalidEvent", hecErr.Error()
	case errors.As(err, &bulkErr):
		status, b.Error.Code, b.Error.Message = http.StatusBadRequest, "illegal_argument_exception", bulkErr.Error()
	case errors.As(err, &tooBig):
		status, b.Error.Code, b.Error.Message = http.StatusRequestEntityTooLarge, "requestTooLarge", err.Error()
	case errors.Is(err, bus.ErrFull):
		status, b.Error.Code, b.Error.Message = http.StatusServiceUnavailable, "busy", "ingest is behind; retry later"
		h.Set("Retry-After", "5")
	case errors.Is(err, store.ErrNotReadOnly):
		status, b.Error.Code, b.Error.Message = http.StatusBadRequest, "notReadOnly", err.Error()
	case errors.As(err, &qerr):
		status, b.Error.Code, b.Error.Message = http.StatusBadRequest, "badQuery", qerr.Msg
	case errors.Is(err, context.DeadlineExceeded):
		status, b.Error.Code, b.Error.Message = http.StatusGatewayTimeout, "timeout", "the request took longer than the server allows"
	case errors.Is(err, context.Canceled):
		status, b.Error.Code, b.Error.Message = 499, "canceled", "request canceled"
	default:
		log.Error("request failed", "err", err)
	}
	return status, b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
