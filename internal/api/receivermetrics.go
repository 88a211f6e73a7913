package api

import (
	"context"
	"io"
	"net/http"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// Receiver names in the receiver metrics (vigil_ingest_receiver_*{receiver=...}).
const (
	recvHEC           = "hec"
	recvESBulk        = "esbulk"
	recvDataCollector = "datacollector"
	recvOTLP          = "otlp"
	recvFormat        = "format"
)

// recvStats gathers what one request gave the bus; ingestRows fills it.
type recvStats struct{ rows, rejected int }

type recvStatsKey struct{}

// counted counts a receiver's requests in Options.Receivers: body bytes as sent, rows stored
// and dead-lettered (through ingestRows), bodies refused as malformed (400) as parse errors,
// 503 and 429 answers as backpressure, and requests in flight as open connections.
func (s *Server) counted(receiver string, h http.Handler) http.Handler {
	if s.opts.Receivers == nil {
		return h
	}
	proto := ingest.ProtoHTTP
	if s.opts.TLS != nil {
		proto = ingest.ProtoHTTPS
	}
	rc := s.opts.Receivers.For(receiver, proto)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.Open(1)
		defer rc.Open(-1)
		st := &recvStats{}
		body := &countingBody{ReadCloser: r.Body}
		r.Body = body
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), recvStatsKey{}, st)))
		rc.Bytes(int(body.n))
		rc.Messages(st.rows + st.rejected)
		rc.Rejected(st.rejected)
		switch sw.status {
		case http.StatusBadRequest:
			rc.ParseError()
		case http.StatusServiceUnavailable:
			rc.Backpressure(ingest.BackpressureBusy)
		case http.StatusTooManyRequests:
			rc.Backpressure(ingest.BackpressureThrottled)
		}
	})
}

// ingestRows is s.d.Ingest.IngestRows, counted for the request's receiver.
func (s *Server) ingestRows(ctx context.Context, tenant, source string, t *schema.Table, rows [][]schema.Value, rejects []ingest.RowError) (*ingest.Result, error) {
	res, err := s.d.Ingest.IngestRows(ctx, tenant, source, t, rows, rejects)
	countResult(ctx, res, err)
	return res, err
}

// ingestRequest is s.d.Ingest.Ingest, counted for the request's receiver.
func (s *Server) ingestRequest(ctx context.Context, req ingest.Request) (*ingest.Result, error) {
	res, err := s.d.Ingest.Ingest(ctx, req)
	countResult(ctx, res, err)
	return res, err
}

func countResult(ctx context.Context, res *ingest.Result, err error) {
	st, ok := ctx.Value(recvStatsKey{}).(*recvStats)
	if !ok || err != nil || res == nil {
		return
	}
	st.rows += res.Accepted
	st.rejected += res.Rejected
}

// countingBody counts the bytes read from a request body.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}

// statusWriter keeps the status a handler answers with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
