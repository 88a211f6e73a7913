package sigma

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

// DecodeBatch turns NDJSON objects keyed by column name into one batch of table t, converting
// each value to its column's type. It serves the bench command and tests, not ingestion.
func DecodeBatch(t *schema.Table, tenant string, lines [][]byte) (*stream.Batch, error) {
	objs := make([]map[string]any, 0, len(lines))
	cols := map[string]int{}
	for n, l := range lines {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		for k := range m {
			if _, ok := t.Column(k); !ok {
				return nil, fmt.Errorf("line %d: table %s has no column %s", n+1, t.Name, k)
			}
			cols[k] = 0
		}
		objs = append(objs, m)
	}
	b := &stream.Batch{Tenant: tenant, Table: t.Name}
	names := make([]string, 0, len(cols))
	for k := range cols {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		i, _ := t.Column(k)
		b.Columns = append(b.Columns, t.Columns[i])
	}
	for n, m := range objs {
		row := make([]schema.Value, len(names))
		for j, c := range b.Columns {
			v, err := convertJSON(c.Type, m[c.Name])
			if err != nil {
				return nil, fmt.Errorf("line %d column %s: %w", n+1, c.Name, err)
			}
			row[j] = v
		}
		b.Rows = append(b.Rows, row)
	}
	return b, nil
}

func convertJSON(t schema.Type, v any) (schema.Value, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case schema.TypeString:
		if s, ok := v.(string); ok {
			return s, nil
		}
		b, _ := json.Marshal(v)
		return string(b), nil
	case schema.TypeLong, schema.TypeInt:
		f, ok := v.(float64)
		if !ok {
			n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
			f = float64(n)
			if err != nil {
				return nil, fmt.Errorf("not an integer: %v", v)
			}
		}
		if t == schema.TypeInt {
			if f > math.MaxInt32 || f < math.MinInt32 {
				return nil, fmt.Errorf("out of int range: %v", v)
			}
			return int32(f), nil
		}
		return int64(f), nil
	case schema.TypeDatetime:
		tm, err := time.Parse(time.RFC3339Nano, fmt.Sprint(v))
		return tm.UTC(), err
	case schema.TypeDynamic:
		b, _ := json.Marshal(v)
		return schema.Dynamic(b), nil
	case schema.TypeBool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("not a bool: %v", v)
		}
		return b, nil
	case schema.TypeReal:
		f, ok := v.(float64)
		if !ok {
			return nil, fmt.Errorf("not a number: %v", v)
		}
		return f, nil
	default:
		return fmt.Sprint(v), nil
	}
}
