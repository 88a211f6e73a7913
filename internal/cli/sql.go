package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

type result struct {
	Columns   []resultColumn `json:"columns"`
	Rows      [][]any        `json:"rows"`
	Truncated bool           `json:"truncated"`
}

// resultColumn is a result column with its Kusto type name.
type resultColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func sqlCmd() *cobra.Command {
	var cf clientFlags
	var output string
	cmd := &cobra.Command{
		Use:   "sql QUERY",
		Short: "Run one read-only SQL statement on the event store (administrators; until KQL lands)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "table" && output != "json" && output != "csv" {
				return fmt.Errorf("%w: --output is table, json or csv", errUsage)
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			body, _ := json.Marshal(map[string]string{"query": args[0]})
			var res result
			if _, err := c.do("POST", "/api/v1/admin/sql", "application/json", body, &res); err != nil {
				return err
			}
			return printResult(cmd.OutOrStdout(), &res, output)
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or csv")
	return cmd
}

func printResult(w io.Writer, res *result, output string) error {
	switch output {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "csv":
		cw := csv.NewWriter(w)
		head := make([]string, len(res.Columns))
		for i, c := range res.Columns {
			head[i] = c.Name
		}
		_ = cw.Write(head)
		for _, r := range res.Rows {
			_ = cw.Write(cells(r))
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		head[i] = c.Name
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range res.Rows {
		fmt.Fprintln(tw, strings.Join(cells(r), "\t"))
	}
	if res.Truncated {
		fmt.Fprintln(tw, "(more rows not shown)")
	}
	return tw.Flush()
}

func cells(r []any) []string {
	out := make([]string, len(r))
	for i, v := range r {
		switch x := v.(type) {
		case nil:
			out[i] = ""
		case string:
			out[i] = x
		default:
			b, _ := json.Marshal(x)
			out[i] = string(b)
		}
	}
	return out
}
