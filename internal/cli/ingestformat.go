package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
)

// Formats of `vigil ingest --format`.
const (
	formatNDJSON     = "ndjson"
	formatJSON       = "json"
	formatCSV        = "csv"
	formatWinXML     = "winevent-xml"
	formatWinlogbeat = "winlogbeat"
	formatNXLog      = "nxlog"
	formatEvtxJSON   = "evtx-json"
)

// winJSONForms are the Windows JSON formats and the form each parses as.
var winJSONForms = map[string]normalize.WinJSONForm{
	formatWinlogbeat: normalize.WinJSONWinlogbeat, formatNXLog: normalize.WinJSONNXLog, formatEvtxJSON: normalize.WinJSONEvtx,
}

// batcher sends rows to their tables in batches of NDJSON, remembering each row's position in
// the input file so that rejects are reported where they came from.
type batcher struct {
	cmd      *cobra.Command
	c        *client
	size     int
	tables   map[string]*tableBatch
	accepted int
	rejected int
}

type tableBatch struct {
	buf bytes.Buffer
	pos []string
}

func newBatcher(cmd *cobra.Command, c *client, size int) *batcher {
	if size < 1 {
		size = 1
	}
	return &batcher{cmd: cmd, c: c, size: size, tables: map[string]*tableBatch{}}
}

// add queues one JSON object for table.
func (b *batcher) add(table string, obj []byte, pos string) error {
	tb := b.tables[table]
	if tb == nil {
		tb = &tableBatch{}
		b.tables[table] = tb
	}
	tb.buf.Write(obj)
	tb.buf.WriteByte('\n')
	tb.pos = append(tb.pos, pos)
	if len(tb.pos) >= b.size {
		return b.flush(table)
	}
	return nil
}

// reject reports a record rejected before sending.
func (b *batcher) reject(pos string, err error) {
	b.rejected++
	fmt.Fprintf(b.cmd.ErrOrStderr(), "%s: %v\n", pos, err)
}

func (b *batcher) flush(table string) error {
	tb := b.tables[table]
	if tb == nil || len(tb.pos) == 0 {
		return nil
	}
	var res ingestResult
	if _, err := b.c.do("POST", "/api/v1/ingest/"+table, "application/x-ndjson", tb.buf.Bytes(), &res); err != nil {
		return fmt.Errorf("%s: %s to %s: %w", table, tb.pos[0], tb.pos[len(tb.pos)-1], err)
	}
	b.accepted += res.Accepted
	b.rejected += res.Rejected
	for _, e := range res.Errors {
		pos := "?"
		if e.Row >= 0 && e.Row < len(tb.pos) {
			pos = tb.pos[e.Row]
		}
		fmt.Fprintf(b.cmd.ErrOrStderr(), "%s: %s: %s\n", pos, table, e.Reason)
	}
	tb.buf.Reset()
	tb.pos = tb.pos[:0]
	return nil
}

// finish sends what is left and prints the totals; rejects make the exit code 2.
func (b *batcher) finish() error {
	names := make([]string, 0, len(b.tables))
	for n := range b.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := b.flush(n); err != nil {
			return err
		}
	}
	fmt.Fprintf(b.cmd.OutOrStdout(), "%d rows accepted, %d rejected (see the IngestionErrors table)\n", b.accepted, b.rejected)
	if b.rejected > 0 {
		return &exitError{code: 2}
	}
	return nil
}

// lineCounter turns byte offsets of one input, asked in increasing order, into line numbers.
type lineCounter struct {
	data      []byte
	off, line int
}

func (l *lineCounter) at(off int) int {
	if off < l.off {
		l.off, l.line = 0, 0
	}
	l.line += bytes.Count(l.data[l.off:off], []byte("\n"))
	l.off = off
	return l.line + 1
}

// sendCSV sends a CSV file whose header names the columns; empty cells are null.
func sendCSV(b *batcher, in io.Reader, table string) error {
	r := csv.NewReader(in)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	header = append([]string(nil), header...)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if errors.Is(err, csv.ErrFieldCount) {
			b.reject("line "+strconv.Itoa(line), fmt.Errorf("%d fields, the header has %d", len(rec), len(header)))
			continue
		}
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		buf.WriteByte('{')
		for i, v := range rec {
			if v == "" {
				continue
			}
			if buf.Len() > 1 {
				buf.WriteByte(',')
			}
			writeJSONValue(&buf, header[i])
			buf.WriteByte(':')
			writeJSONValue(&buf, v)
		}
		buf.WriteByte('}')
		if err := b.add(table, buf.Bytes(), "line "+strconv.Itoa(line)); err != nil {
			return err
		}
	}
	return b.finish()
}

// sendJSON sends a JSON array of objects, or a sequence of objects (NDJSON or concatenated).
func sendJSON(b *batcher, data []byte, table string) error {
	err := eachJSON(data, func(obj []byte, pos string) error { return b.add(table, obj, pos) }, b.reject)
	if err != nil {
		return err
	}
	return b.finish()
}

// eachJSON calls fn for each value of a JSON array, or of a sequence of values (NDJSON,
// concatenated or pretty-printed), in data, with its line. In a sequence a value that is not
// JSON is passed to bad and reading resumes on the next line; in an array it ends the array.
func eachJSON(data []byte, fn func(obj []byte, pos string) error, bad func(pos string, err error)) error {
	lc := &lineCounter{data: data}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	array := len(trimmed) > 0 && trimmed[0] == '['
	for start := 0; start < len(data); {
		d := json.NewDecoder(bytes.NewReader(data[start:]))
		if array {
			if _, err := d.Token(); err != nil {
				bad("line 1", err)
				return nil
			}
		}
		next := len(data)
		for d.More() {
			off := start + int(d.InputOffset())
			for off < len(data) && bytes.IndexByte([]byte(" \t\r\n,"), data[off]) >= 0 {
				off++
			}
			pos := "line " + strconv.Itoa(lc.at(off))
			var raw json.RawMessage
			if err := d.Decode(&raw); err != nil {
				if array {
					bad(pos, fmt.Errorf("%w (the rest of the array was not read)", err))
					return nil
				}
				bad(pos, err)
				if nl := bytes.IndexByte(data[off:], '\n'); nl >= 0 {
					next = off + nl + 1
				}
				break
			}
			var cb bytes.Buffer
			if err := json.Compact(&cb, raw); err != nil {
				bad(pos, err)
				continue
			}
			if err := fn(cb.Bytes(), pos); err != nil {
				return err
			}
		}
		if array {
			return nil
		}
		start = next
	}
	return nil
}

// sendWindows normalizes Windows events client-side and sends each table's rows.
func sendWindows(b *batcher, data []byte, format string) error {
	m, err := normalize.NewWinMapper(schema.NewRegistry())
	if err != nil {
		return err
	}
	emit := func(ev normalize.WinEvent, perr error, pos string) error {
		if perr != nil {
			b.reject(pos, perr)
			return nil
		}
		for _, rec := range m.Map(&ev) {
			if rec.Err != nil {
				b.reject(pos, rec.Err)
				continue
			}
			if err := b.add(rec.Table.Name, rowJSON(rec.Table, rec.Row), pos); err != nil {
				return err
			}
		}
		return nil
	}
	if format == formatWinXML {
		lc := &lineCounter{data: data}
		chunks := normalize.SplitWinEventXML(data)
		if len(chunks) == 0 && len(bytes.TrimSpace(data)) > 0 {
			b.reject("line 1", errors.New("no <Event> element"))
		}
		for _, ch := range chunks {
			ev, perr := normalize.ParseWinEventXML(ch.Data)
			if err := emit(ev, perr, "line "+strconv.Itoa(lc.at(ch.Offset))); err != nil {
				return err
			}
		}
		return b.finish()
	}
	form := winJSONForms[format]
	err = eachJSON(data, func(obj []byte, pos string) error {
		ev, perr := normalize.ParseWinEventJSON(obj, form)
		return emit(ev, perr, pos)
	}, b.reject)
	if err != nil {
		return err
	}
	return b.finish()
}

// rowJSON renders a row as a JSON object of its non-null columns.
func rowJSON(t *schema.Table, row []schema.Value) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, v := range row {
		if v == nil {
			continue
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		writeJSONValue(&buf, t.Columns[i].Name)
		buf.WriteByte(':')
		switch x := v.(type) {
		case time.Time:
			writeJSONValue(&buf, x.UTC().Format(time.RFC3339Nano))
		case schema.Dynamic:
			buf.WriteString(string(x))
		default:
			writeJSONValue(&buf, x)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

func writeJSONValue(buf *bytes.Buffer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		buf.WriteString("null")
		return
	}
	buf.Write(b)
}

// checkFormat validates --format and --table together.
func checkFormat(format, table string) error {
	switch format {
	case formatNDJSON, formatJSON, formatCSV:
		if table == "" {
			return fmt.Errorf("--format %s needs --table", format)
		}
	case formatWinXML, formatWinlogbeat, formatNXLog, formatEvtxJSON:
		if table != "" {
			return fmt.Errorf("--format %s routes each event to its tables; drop --table", format)
		}
	default:
		n, err := normalize.NewNormalizer(schema.NewRegistry())
		if err != nil {
			return err
		}
		if _, ok := n.Format(format); !ok {
			return fmt.Errorf("unknown --format %q: want ndjson, json, csv, winevent-xml, winlogbeat, nxlog, evtx-json or %s",
				format, strings.Join(n.Formats(), ", "))
		}
		if table != "" {
			return fmt.Errorf("--format %s routes each record to its tables; drop --table", format)
		}
	}
	return nil
}

// sendFormat sends in according to format.
func sendFormat(cmd *cobra.Command, c *client, in io.Reader, format, table string, batch int) error {
	switch format {
	case formatNDJSON:
		return sendNDJSON(cmd, c, in, table, batch)
	case formatCSV:
		return sendCSV(newBatcher(cmd, c, batch), in, table)
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	switch format {
	case formatJSON:
		return sendJSON(newBatcher(cmd, c, batch), data, table)
	case formatWinXML, formatWinlogbeat, formatNXLog, formatEvtxJSON:
		return sendWindows(newBatcher(cmd, c, batch), data, format)
	}
	return sendSource(&sourceSender{cmd: cmd, c: c, format: format}, data, batch)
}

// sourceSender sends the records of a source format (entra-signin, cloudtrail, ...) to
// POST /api/v1/ingest/format/{format}, where the server normalizes them and records the ones it
// cannot map in IngestionErrors.
type sourceSender struct {
	cmd                *cobra.Command
	c                  *client
	format             string
	buf                bytes.Buffer
	pos                []string
	accepted, rejected int
}

// sendSource splits data into the format's records and sends them in batches of up to batch
// records (and about 4 MiB); in a JSON format a record that is not JSON goes alone, so that it
// cannot swallow the records after it. Records of a text format (auditd: an event's lines)
// are sent as lines.
func sendSource(s *sourceSender, data []byte, batch int) error {
	n, err := normalize.NewNormalizer(schema.NewRegistry())
	if err != nil {
		return err
	}
	items, err := n.Normalize(s.format, data)
	if err != nil {
		return err
	}
	f, _ := n.Format(s.format)
	lc := &lineCounter{data: data}
	for _, it := range items {
		pos := "line " + strconv.Itoa(lc.at(it.Offset))
		alone := !f.Text() && !json.Valid(it.Raw)
		if alone {
			if err := s.flush(); err != nil {
				return err
			}
		}
		s.buf.Write(bytes.TrimSpace(it.Raw))
		s.buf.WriteByte('\n')
		s.pos = append(s.pos, pos)
		if alone || len(s.pos) >= batch || s.buf.Len() >= 4<<20 {
			if err := s.flush(); err != nil {
				return err
			}
		}
	}
	if err := s.flush(); err != nil {
		return err
	}
	fmt.Fprintf(s.cmd.OutOrStdout(), "%d rows accepted, %d rejected (see the IngestionErrors table)\n", s.accepted, s.rejected)
	if s.rejected > 0 {
		return &exitError{code: 2}
	}
	return nil
}

func (s *sourceSender) flush() error {
	if len(s.pos) == 0 {
		return nil
	}
	var res ingestResult
	if _, err := s.c.do("POST", "/api/v1/ingest/format/"+s.format, "application/x-ndjson", s.buf.Bytes(), &res); err != nil {
		return fmt.Errorf("%s to %s: %w", s.pos[0], s.pos[len(s.pos)-1], err)
	}
	s.accepted += res.Accepted
	s.rejected += res.Rejected
	for _, e := range res.Errors {
		pos := "?"
		if e.Row >= 0 && e.Row < len(s.pos) {
			pos = s.pos[e.Row]
		}
		fmt.Fprintf(s.cmd.ErrOrStderr(), "%s: %s\n", pos, e.Reason)
	}
	s.buf.Reset()
	s.pos = s.pos[:0]
	return nil
}
