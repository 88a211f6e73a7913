package schema

import (
	"fmt"
	"regexp"
	"strings"
)

// The standard column names every table has.
const (
	ColTenantID      = "TenantId"
	ColTimeGenerated = "TimeGenerated"
	ColTimestamp     = "Timestamp"
	ColType          = "Type"
	ColAdditional    = "AdditionalFields"
	// ColIngestID is the hidden per-row ingest id: the bus sequence of the row's batch shifted
	// left by IngestIDRowBits, plus the row's index in that batch. It is unique per row and the
	// same after a replay, which makes ingestion idempotent and ordered.
	ColIngestID = "_IngestId"
	// ColIngestTime is the hidden time the receiver accepted the row (ingestion_time() in KQL).
	ColIngestTime = "_IngestTime"
)

// IngestIDRowBits is how many low bits of an ingest id hold the row index within a batch.
const IngestIDRowBits = 20

// MaxRowsPerBatch is the most rows one bus message may carry.
const MaxRowsPerBatch = 1 << IngestIDRowBits

// Kind says where a table comes from.
type Kind uint8

// Table kinds.
const (
	KindBuiltin Kind = iota + 1 // Defender XDR / Sentinel tables from tables.tsv
	KindVigil                   // Vigil's own tables (IngestionErrors, ...)
	KindCustom                  // _CL tables created through the API
)

// Column is one column of a table.
type Column struct {
	Name   string
	Type   Type
	Hidden bool // not shown by getschema or the table list; still queryable by name
}

// Table is one table's immutable definition. Build it with NewTable.
type Table struct {
	Name        string
	Kind        Kind
	Description string
	Columns     []Column       // in order; includes the standard and hidden columns
	index       map[string]int // by lower-case name
	exact       map[string]int // by name as spelled
}

// ColumnDef is a column as a source lists it: a name and a Kusto type name.
type ColumnDef struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

var columnNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// NewTable builds a table from its listed columns, adding TenantId and TimeGenerated when they
// are missing and the hidden ingest columns. It fails on an invalid or duplicate column name
// (duplicates are compared ignoring letter case, as SQL engines fold case) or an unknown type.
func NewTable(name string, kind Kind, cols []ColumnDef) (*Table, error) {
	t := &Table{Name: name, Kind: kind, index: make(map[string]int, len(cols)+4), exact: make(map[string]int, len(cols)+4)}
	for _, c := range cols {
		typ, err := ParseType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("table %s column %s: %w", name, c.Name, err)
		}
		if err := t.add(Column{Name: c.Name, Type: typ}); err != nil {
			return nil, err
		}
	}
	for _, c := range []Column{
		{Name: ColTenantID, Type: TypeString},
		{Name: ColTimeGenerated, Type: TypeDatetime},
		{Name: ColIngestID, Type: TypeLong, Hidden: true},
		{Name: ColIngestTime, Type: TypeDatetime, Hidden: true},
	} {
		if i, ok := t.index[strings.ToLower(c.Name)]; ok {
			if t.Columns[i].Type != c.Type {
				return nil, fmt.Errorf("table %s: column %s must be %s, not %s", name, c.Name, c.Type, t.Columns[i].Type)
			}
			continue
		}
		if err := t.add(c); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *Table) add(c Column) error {
	if !columnNameRE.MatchString(c.Name) {
		return fmt.Errorf("table %s: invalid column name %q (letters, digits and _, not starting with a digit, at most 128)", t.Name, c.Name)
	}
	k := strings.ToLower(c.Name)
	if _, dup := t.index[k]; dup {
		return fmt.Errorf("table %s: duplicate column %q", t.Name, c.Name)
	}
	t.index[k] = len(t.Columns)
	t.exact[c.Name] = len(t.Columns)
	t.Columns = append(t.Columns, c)
	return nil
}

// Column returns the index of the column named name, compared ignoring letter case.
func (t *Table) Column(name string) (int, bool) {
	i, ok := t.index[strings.ToLower(name)]
	return i, ok
}

// ColumnBytes is Column for a name held in bytes; the common exact-case match does not allocate.
func (t *Table) ColumnBytes(name []byte) (int, bool) {
	if i, ok := t.exact[string(name)]; ok {
		return i, true
	}
	i, ok := t.index[strings.ToLower(string(name))]
	return i, ok
}

// Visible returns the columns that are not hidden.
func (t *Table) Visible() []Column {
	out := make([]Column, 0, len(t.Columns))
	for _, c := range t.Columns {
		if !c.Hidden {
			out = append(out, c)
		}
	}
	return out
}

// EventTimeColumn returns the index of the column that holds the event's own time: Timestamp in
// Defender tables, otherwise TimeGenerated.
func (t *Table) EventTimeColumn() int {
	if i, ok := t.Column(ColTimestamp); ok && t.Columns[i].Type == TypeDatetime {
		return i
	}
	i, _ := t.Column(ColTimeGenerated)
	return i
}

// AcceptsExtraFields reports whether fields that name no column are kept in AdditionalFields
// rather than rejected; it is so when the table has an AdditionalFields column of type string
// or dynamic.
func (t *Table) AcceptsExtraFields() (int, bool) {
	i, ok := t.Column(ColAdditional)
	if !ok {
		return 0, false
	}
	typ := t.Columns[i].Type
	return i, typ == TypeString || typ == TypeDynamic
}
