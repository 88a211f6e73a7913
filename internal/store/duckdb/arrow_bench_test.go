//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// BenchmarkWriteArrow measures BenchmarkWrite's workload appended through duckdb-go's Arrow
// interface: a record batch per store batch, registered as a view and inserted with
// INSERT ... SELECT in the transaction of the offset.
func BenchmarkWriteArrow(b *testing.B) {
	for _, per := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("batches_per_txn=%d", per), func(b *testing.B) {
			benchWriteWith(b, per, nil, arrowWrite)
		})
	}
}

// arrowWrite is Store.Write for batches of one table that carry the same columns, appending
// through Arrow.
func arrowWrite(s *Store, ctx context.Context, consumer string, lastSeq uint64, batches []store.Batch) (err error) {
	if err := s.exec(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = s.exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	t := batches[0].Table
	names := []string{schema.ColTenantID, schema.ColIngestID, schema.ColIngestTime}
	bs := make([]*store.Batch, len(batches))
	for i := range batches {
		bs[i] = &batches[i]
	}
	for _, ci := range batches[0].Columns {
		if n := t.Columns[ci].Name; n != schema.ColTenantID && n != schema.ColIngestID && n != schema.ColIngestTime {
			names = append(names, n)
		}
	}
	if err := arrowAppend(s, t, names, bs); err != nil {
		return err
	}
	err = s.exec(ctx, `INSERT OR REPLACE INTO `+offsetsTable+` VALUES (?, ?)`,
		driver.NamedValue{Ordinal: 1, Value: consumer}, driver.NamedValue{Ordinal: 2, Value: lastSeq})
	if err != nil {
		return err
	}
	return s.exec(ctx, "COMMIT")
}

func arrowAppend(s *Store, t *schema.Table, names []string, batches []*store.Batch) error {
	ar, err := duck.NewArrowFromConn(s.wconn)
	if err != nil {
		return err
	}
	first := batches[0]
	fields := []arrow.Field{{Name: "c0", Type: arrow.BinaryTypes.String}, {Name: "c1", Type: arrow.PrimitiveTypes.Int64}, {Name: "c2", Type: &arrow.TimestampType{Unit: arrow.Microsecond}}}
	carried := len(names) - 3
	types := make([]schema.Type, carried)
	j := 0
	for _, ci := range first.Columns {
		c := t.Columns[ci]
		if c.Name == schema.ColTenantID || c.Name == schema.ColIngestID || c.Name == schema.ColIngestTime {
			continue
		}
		types[j] = c.Type
		var at arrow.DataType
		switch c.Type {
		case schema.TypeLong:
			at = arrow.PrimitiveTypes.Int64
		case schema.TypeInt:
			at = arrow.PrimitiveTypes.Int32
		case schema.TypeReal:
			at = arrow.PrimitiveTypes.Float64
		case schema.TypeBool:
			at = arrow.FixedWidthTypes.Boolean
		case schema.TypeDatetime:
			at = &arrow.TimestampType{Unit: arrow.Microsecond}
		default:
			at = arrow.BinaryTypes.String
		}
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("c%d", 3+j), Type: at, Nullable: true})
		j++
	}
	sch := arrow.NewSchema(fields, nil)
	var recs []arrow.RecordBatch
	for _, bt := range batches {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, sch)
		n := len(bt.Rows)
		tb := rb.Field(0).(*array.StringBuilder)
		ib := rb.Field(1).(*array.Int64Builder)
		itb := rb.Field(2).(*array.TimestampBuilder)
		it := arrow.Timestamp(bt.IngestTime.UnixMicro())
		for r := 0; r < n; r++ {
			tb.Append(bt.Tenant)
			ib.Append(int64(bt.Seq<<schema.IngestIDRowBits | uint64(r)))
			itb.Append(it)
		}
		k := 0
		for pos, ci := range bt.Columns {
			c := t.Columns[ci]
			if c.Name == schema.ColTenantID || c.Name == schema.ColIngestID || c.Name == schema.ColIngestTime {
				continue
			}
			fb := rb.Field(3 + k)
			k++
			for _, row := range bt.Rows {
				v := row[pos]
				if v == nil {
					fb.AppendNull()
					continue
				}
				switch x := v.(type) {
				case string:
					fb.(*array.StringBuilder).Append(x)
				case int64:
					fb.(*array.Int64Builder).Append(x)
				case int32:
					fb.(*array.Int32Builder).Append(x)
				case float64:
					fb.(*array.Float64Builder).Append(x)
				case bool:
					fb.(*array.BooleanBuilder).Append(x)
				case time.Time:
					fb.(*array.TimestampBuilder).Append(arrow.Timestamp(x.UnixMicro()))
				case schema.Dynamic:
					fb.(*array.StringBuilder).Append(string(x))
				default:
					dv, _ := driverValue(v)
					fb.(*array.StringBuilder).Append(fmt.Sprint(dv))
				}
			}
		}
		recs = append(recs, rb.NewRecordBatch())
		rb.Release()
	}
	rdr, err := array.NewRecordReader(sch, recs)
	if err != nil {
		return err
	}
	defer rdr.Release()
	for _, r := range recs {
		r.Release()
	}
	release, err := ar.RegisterView(rdr, "vigil_arrow_append")
	if err != nil {
		return err
	}
	defer release()
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	_, err = s.wconn.(driver.ExecerContext).ExecContext(context.Background(),
		"INSERT INTO "+quote(t.Name)+" ("+strings.Join(q, ", ")+") SELECT * FROM vigil_arrow_append", nil)
	return err
}
