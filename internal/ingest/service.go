package ingest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Publisher stores messages durably, returning only once all are stored (the bus).
type Publisher interface {
	Publish(ctx context.Context, subject string, msgs [][]byte) ([]uint64, error)
}

// Request is one body of rows for one table.
type Request struct {
	Tenant string
	Table  string
	Source string // the receiver, for IngestionErrors (e.g. "http:/api/v1/ingest")
	Body   []byte
}

// Result says what became of a request's rows.
type Result struct {
	Accepted        int        `json:"accepted"`
	Rejected        int        `json:"rejected"`
	Errors          []RowError `json:"errors,omitempty"`
	ErrorsTruncated bool       `json:"errorsTruncated,omitempty"`
}

// UnknownTableError is a request for a table that does not exist.
type UnknownTableError struct {
	Name        string
	Suggestions []string
}

func (e *UnknownTableError) Error() string {
	msg := fmt.Sprintf("unknown table %q", e.Name)
	if len(e.Suggestions) > 0 {
		msg += "; did you mean " + strings.Join(e.Suggestions, ", ") + "?"
	}
	return msg
}

// Options tunes the service.
type Options struct {
	MaxMessageBytes int // largest bus message (rows are split across messages)
	MaxErrors       int // most row errors listed in a Result
	MaxRawBytes     int // most bytes of a rejected payload kept in IngestionErrors
}

// Service decodes, checks and publishes rows. It is safe for concurrent use.
type Service struct {
	reg     *schema.Registry
	pub     Publisher
	opts    Options
	metrics *Metrics
	now     func() time.Time
}

// NewService returns a service publishing to pub.
func NewService(reg *schema.Registry, pub Publisher, opts Options, m *Metrics) *Service {
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = 4 << 20
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 100
	}
	if opts.MaxRawBytes <= 0 {
		opts.MaxRawBytes = 256 << 10
	}
	return &Service{reg: reg, pub: pub, opts: opts, metrics: m, now: time.Now}
}

var tenantRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Subject returns the bus subject for a tenant's table.
func Subject(tenant, table string) string {
	return "vigil.ingest." + tenant + "." + table
}

// Ingest decodes req.Body into rows of req.Table and publishes them, with the rows it rejects
// going to IngestionErrors. It returns once everything is stored on the bus. A body that is not
// JSON (*SyntaxError) or names an unknown table (*UnknownTableError) is rejected whole, and
// still recorded in IngestionErrors.
func (s *Service) Ingest(ctx context.Context, req Request) (*Result, error) {
	if !tenantRE.MatchString(req.Tenant) {
		return nil, fmt.Errorf("invalid tenant id %q", req.Tenant)
	}
	now := s.now().UTC()
	s.metrics.bytes(req.Table, len(req.Body))
	t, ok := s.reg.Table(req.Table)
	if !ok || t.Kind == schema.KindVigil {
		uerr := &UnknownTableError{Name: req.Table, Suggestions: s.reg.Nearest(req.Table, 3)}
		return nil, s.rejectWhole(ctx, req, now, uerr.Error(), RowError{Line: 1})
	}
	dec, err := Decode(t, req.Body)
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			return nil, err
		}
		return nil, s.rejectWhole(ctx, req, now, err.Error(), RowError{Line: se.Line, Offset: se.Offset}, err)
	}
	if len(dec.Rows) > 0 {
		msgs := encodeRows(req.Tenant, t, now, dec.Rows, s.opts.MaxMessageBytes)
		if _, err := s.pub.Publish(ctx, Subject(req.Tenant, t.Name), msgs); err != nil {
			return nil, err
		}
	}
	if err := s.deadLetter(ctx, req, t.Name, now, dec.Errors); err != nil {
		return nil, err
	}
	s.metrics.rows(t.Name, len(dec.Rows), len(dec.Errors))
	res := &Result{Accepted: len(dec.Rows), Rejected: len(dec.Errors)}
	res.Errors = dec.Errors
	if len(res.Errors) > s.opts.MaxErrors {
		res.Errors, res.ErrorsTruncated = res.Errors[:s.opts.MaxErrors], true
	}
	return res, nil
}

// IngestRows publishes rows already decoded by a receiver (each as wide as t.Columns, hidden
// columns unset) and records rejects in IngestionErrors. Time columns and Type are completed
// as for JSON rows; a row still lacking a time is rejected. It returns once everything is
// stored on the bus.
func (s *Service) IngestRows(ctx context.Context, tenant, source string, t *schema.Table, rows [][]schema.Value, rejects []RowError) (*Result, error) {
	if !tenantRE.MatchString(tenant) {
		return nil, fmt.Errorf("invalid tenant id %q", tenant)
	}
	now := s.now().UTC()
	ok := rows[:0:0]
	for i, r := range rows {
		if len(r) != len(t.Columns) {
			return nil, fmt.Errorf("row %d has %d values for %d columns of %s", i, len(r), len(t.Columns), t.Name)
		}
		if rerr := finishRow(t, r); rerr != nil {
			rerr.Row = i
			rejects = append(rejects, *rerr)
			continue
		}
		ok = append(ok, r)
	}
	if len(ok) > 0 {
		msgs := encodeRows(tenant, t, now, ok, s.opts.MaxMessageBytes)
		if _, err := s.pub.Publish(ctx, Subject(tenant, t.Name), msgs); err != nil {
			return nil, err
		}
	}
	req := Request{Tenant: tenant, Table: t.Name, Source: source}
	if err := s.deadLetter(ctx, req, t.Name, now, rejects); err != nil {
		return nil, err
	}
	s.metrics.rows(t.Name, len(ok), len(rejects))
	res := &Result{Accepted: len(ok), Rejected: len(rejects), Errors: rejects}
	if len(res.Errors) > s.opts.MaxErrors {
		res.Errors, res.ErrorsTruncated = res.Errors[:s.opts.MaxErrors], true
	}
	return res, nil
}

// Registry returns the table registry the service checks rows against.
func (s *Service) Registry() *schema.Registry { return s.reg }

// rejectWhole records a body rejected as a whole and returns the error to give the caller
// (the first of errs, or a new one with reason).
func (s *Service) rejectWhole(ctx context.Context, req Request, now time.Time, reason string, at RowError, errs ...error) error {
	at.Reason, at.Raw = reason, req.Body
	if err := s.deadLetter(ctx, req, req.Table, now, []RowError{at}); err != nil {
		return err
	}
	s.metrics.rows(req.Table, 0, 1)
	if len(errs) > 0 {
		return errs[0]
	}
	return &UnknownTableError{Name: req.Table, Suggestions: s.reg.Nearest(req.Table, 3)}
}

// deadLetter publishes rejected rows to IngestionErrors.
func (s *Service) deadLetter(ctx context.Context, req Request, table string, now time.Time, errs []RowError) error {
	if len(errs) == 0 {
		return nil
	}
	dl, _ := s.reg.Table(DeadLetterTable)
	rows := make([][]schema.Value, 0, len(errs))
	for _, e := range errs {
		rows = append(rows, deadLetterRow(dl, table, req.Source, now, e, s.opts.MaxRawBytes))
	}
	msgs := encodeRows(req.Tenant, dl, now, rows, s.opts.MaxMessageBytes)
	_, err := s.pub.Publish(ctx, Subject(req.Tenant, DeadLetterTable), msgs)
	return err
}
