package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// A bus message carries one batch of rows of one table for one tenant, in a compact binary form:
//
//	"VB1" tenant table ingestTime(varint µs) ncols {name type}... nrows {row}...
//
// where strings are uvarint-length-prefixed and each cell is a presence byte (0 null, 1 value)
// followed by the value in its column type's encoding. Columns are named, so a message stays
// readable after a custom table gains columns.
const codecMagic = "VB1"

// Batch is a decoded bus message.
type Batch struct {
	Tenant     string
	Table      string
	IngestTime time.Time
	Columns    []schema.Column
	Rows       [][]schema.Value // each as wide as Columns
}

// encodeRows encodes rows (each as wide as t.Columns) into messages of at most maxBytes each
// (a single row larger than that gets a message of its own). Only columns set in some row are
// carried.
func encodeRows(tenant string, t *schema.Table, ingestTime time.Time, rows [][]schema.Value, maxBytes int) [][]byte {
	var used []int
	for i, c := range t.Columns {
		if c.Hidden {
			continue
		}
		for _, r := range rows {
			if r[i] != nil {
				used = append(used, i)
				break
			}
		}
	}
	if len(used) == 0 {
		// Rows of nothing still carry one column, so that every row takes a byte: a decoder
		// can then bound a message's row count by its size.
		tg, _ := t.Column(schema.ColTimeGenerated)
		used = append(used, tg)
	}
	var msgs [][]byte
	var head []byte
	head = append(head, codecMagic...)
	head = appendString(head, tenant)
	head = appendString(head, t.Name)
	head = binary.AppendVarint(head, ingestTime.UnixMicro())
	head = binary.AppendUvarint(head, uint64(len(used)))
	for _, i := range used {
		head = appendString(head, t.Columns[i].Name)
		head = append(head, byte(t.Columns[i].Type))
	}
	for start := 0; start < len(rows); {
		var body []byte
		n := 0
		for ; start+n < len(rows) && n < schema.MaxRowsPerBatch-1; n++ {
			before := len(body)
			body = appendRow(body, t, used, rows[start+n])
			if n > 0 && len(head)+varintSize(uint64(n+1))+len(body) > maxBytes {
				body = body[:before]
				break
			}
		}
		msg := make([]byte, 0, len(head)+10+len(body))
		msg = append(msg, head...)
		msg = binary.AppendUvarint(msg, uint64(n))
		msg = append(msg, body...)
		msgs = append(msgs, msg)
		start += n
	}
	return msgs
}

// varintSize is the length of v as a uvarint.
func varintSize(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendRow(b []byte, t *schema.Table, used []int, row []schema.Value) []byte {
	for _, i := range used {
		v := row[i]
		if v == nil {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		b = appendValue(b, v)
	}
	return b
}

func appendValue(b []byte, v schema.Value) []byte {
	switch x := v.(type) {
	case string:
		return appendString(b, x)
	case schema.Dynamic:
		return appendString(b, string(x))
	case schema.Decimal:
		return appendString(b, string(x))
	case time.Time:
		return binary.AppendVarint(b, x.UnixMicro())
	case int64:
		return binary.AppendVarint(b, x)
	case int32:
		return binary.AppendVarint(b, int64(x))
	case float64:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	case bool:
		if x {
			return append(b, 1)
		}
		return append(b, 0)
	case schema.GUID:
		return append(b, x[:]...)
	case time.Duration:
		return binary.AppendVarint(b, int64(x))
	}
	panic(fmt.Sprintf("ingest: cannot encode %T", v))
}

// ErrCorrupt is a bus message that cannot be decoded.
var ErrCorrupt = errors.New("corrupt batch message")

type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = ErrCorrupt
	}
	r.b = nil
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.fail()
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string { return string(r.bytes(r.uvarint())) }

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) value(t schema.Type) schema.Value {
	switch t {
	case schema.TypeString:
		return r.string()
	case schema.TypeDynamic:
		return schema.Dynamic(r.string())
	case schema.TypeDecimal:
		return schema.Decimal(r.string())
	case schema.TypeDatetime:
		return time.UnixMicro(r.varint()).UTC()
	case schema.TypeLong:
		return r.varint()
	case schema.TypeInt:
		return int32(r.varint())
	case schema.TypeReal:
		return math.Float64frombits(binary.LittleEndian.Uint64(r.bytesOrZero(8)))
	case schema.TypeBool:
		return r.byte() == 1
	case schema.TypeGUID:
		var g schema.GUID
		copy(g[:], r.bytesOrZero(16))
		return g
	case schema.TypeTimespan:
		return time.Duration(r.varint())
	case schema.TypeInvalid:
	}
	r.fail()
	return nil
}

func (r *reader) bytesOrZero(n uint64) []byte {
	b := r.bytes(n)
	if b == nil {
		return make([]byte, n)
	}
	return b
}

// DecodeBatch decodes a bus message.
func DecodeBatch(msg []byte) (*Batch, error) {
	if len(msg) < len(codecMagic) || string(msg[:len(codecMagic)]) != codecMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	r := &reader{b: msg[len(codecMagic):]}
	b := &Batch{Tenant: r.string(), Table: r.string(), IngestTime: time.UnixMicro(r.varint()).UTC()}
	ncols := r.uvarint()
	if ncols > uint64(len(r.b)) {
		return nil, fmt.Errorf("%w: column count", ErrCorrupt)
	}
	b.Columns = make([]schema.Column, ncols)
	for i := range b.Columns {
		b.Columns[i].Name = r.string()
		b.Columns[i].Type = schema.Type(r.byte())
	}
	if r.err != nil {
		return nil, r.err
	}
	nrows := r.uvarint()
	// Each row takes a byte per column, and every message carries a column.
	if nrows > schema.MaxRowsPerBatch || nrows > 0 && (ncols == 0 || nrows > uint64(len(r.b))/ncols) {
		return nil, fmt.Errorf("%w: row count", ErrCorrupt)
	}
	b.Rows = make([][]schema.Value, 0, min(nrows, 4096))
	for ; nrows > 0 && r.err == nil; nrows-- {
		row := make([]schema.Value, ncols)
		for i, c := range b.Columns {
			switch r.byte() {
			case 0:
			case 1:
				row[i] = r.value(c.Type)
			default:
				r.fail()
			}
		}
		b.Rows = append(b.Rows, row)
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) > 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r.b))
	}
	return b, nil
}
