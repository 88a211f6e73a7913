package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

const queryLong = `Run a KQL hunting query and print its columns and rows as a table, JSON
({"columns": [{"name", "type"}], "rows": [[...]]}, Kusto types and values) or CSV.

Where the query runs:
  --server URL (or $VIGIL_SERVER)  on that server, through its API, with $VIGIL_API_KEY or the
                                   admin key of --data DIR (default ./vigil-data)
  --data DIR alone                 in this process, straight on the data directory, reading
                                   it only: nothing in DIR is created or changed
  neither                          on http://127.0.0.1:8080 with ./vigil-data's admin key

On a data directory the query has the access of whoever can read its files: every table, every
tenant given with --tenant. A directory without an event store answers queries that need no
table (print, range, datatable) and reads every table as empty. A directory a running server
holds cannot be read this way: the server does not record its address, so give --server to
query it through its API.`

// queryFlags are the options of vigil query.
type queryFlags struct {
	cf       clientFlags
	output   string
	file     string
	tenant   string
	timespan string
}

func queryCmd() *cobra.Command {
	var f queryFlags
	cmd := &cobra.Command{
		Use:   "query [KQL]",
		Short: "Run a KQL hunting query on a server or straight on a data directory",
		Long:  queryLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.output != "table" && f.output != "json" && f.output != "csv" {
				return fmt.Errorf("%w: --output is table, json or csv", errUsage)
			}
			src, err := querySource(args, f.file)
			if err != nil {
				return err
			}
			var res *result
			var warnings []syntax.Diagnostic
			if f.cf.data != "" && !cmd.Flags().Changed("server") && os.Getenv("VIGIL_SERVER") == "" {
				res, warnings, err = queryOffline(cmd.Context(), f.cf.data, src, f.tenant, f.timespan)
			} else {
				res, warnings, err = queryServer(&f, src)
			}
			var ce *hunt.CompileError
			if errors.As(err, &ce) {
				fmt.Fprintln(cmd.ErrOrStderr(), renderDiags(src, ce.Diagnostics))
				return &exitError{code: 1}
			}
			if err != nil {
				return err
			}
			if len(warnings) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), renderDiags(src, warnings))
			}
			return printResult(cmd.OutOrStdout(), res, f.output)
		},
	}
	f.cf.add(cmd)
	cmd.Flags().Lookup("data").Usage = "data directory: alone, run the query on it in this process (read-only); with --server, use its admin.key"
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table, json or csv")
	cmd.Flags().StringVarP(&f.file, "file", "f", "", "read the query from a file")
	cmd.Flags().StringVar(&f.tenant, "tenant", "", "tenant to query: an ID, IDs separated by commas, or * for all (default: the key's default tenant, offline the default tenant)")
	cmd.Flags().StringVar(&f.timespan, "timespan", "", "limit every table to a time range: an ISO 8601 duration ending now (P7D, PT12H) or an interval (2024-01-01T00:00:00Z/P1D)")
	return cmd
}

// queryServer runs src through the server's runHuntingQuery API, in the tenants of --tenant.
func queryServer(f *queryFlags, src string) (*result, []syntax.Diagnostic, error) {
	c, err := f.cf.client()
	if err != nil {
		return nil, nil, err
	}
	if f.tenant != "" {
		c.header = http.Header{"X-Vigil-Tenant": []string{f.tenant}}
	}
	res, warnings, err := c.huntingQuery(src, f.timespan)
	var ae *apiError
	if errors.As(err, &ae) && len(ae.Diagnostics) > 0 {
		return nil, nil, &hunt.CompileError{Source: src, Diagnostics: fromAPIDiags(ae.Diagnostics)}
	}
	return res, fromAPIDiags(warnings), err
}

// huntingQuery runs a KQL query through the hunting API and returns its answer as a result
// table with the compiler's warnings. Numbers are decoded as written, so that a long keeps
// all its digits and prints as the offline path prints it.
func (c *client) huntingQuery(src, timespan string) (*result, []apiDiag, error) {
	body, _ := json.Marshal(map[string]string{"Query": src, "Timespan": timespan})
	var raw json.RawMessage
	if _, err := c.do("POST", "/api/v1/security/runHuntingQuery", "application/json", body, &raw); err != nil {
		return nil, nil, err
	}
	var resp struct {
		Schema      []resultColumn   `json:"schema"`
		Results     []map[string]any `json:"results"`
		Truncated   bool             `json:"truncated"`
		Diagnostics []apiDiag        `json:"diagnostics"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&resp); err != nil {
		return nil, nil, fmt.Errorf("decode answer: %w", err)
	}
	res := &result{Columns: resp.Schema, Truncated: resp.Truncated, Rows: [][]any{}}
	for _, r := range resp.Results {
		row := make([]any, len(resp.Schema))
		for i, s := range resp.Schema {
			row[i] = r[s.Name]
		}
		res.Rows = append(res.Rows, row)
	}
	return res, resp.Diagnostics, nil
}

func fromAPIDiags(ds []apiDiag) []syntax.Diagnostic {
	out := make([]syntax.Diagnostic, len(ds))
	for i, d := range ds {
		out[i] = syntax.Diagnostic{Span: syntax.Span{Start: d.Start, End: d.End}, Message: d.Message}
		if d.Severity != syntax.SeverityError.String() {
			out[i].Severity = syntax.SeverityWarning
		}
	}
	return out
}

// renderDiags renders diagnostics with the source line and a caret under the span, warnings
// marked as such.
func renderDiags(src string, diags []syntax.Diagnostic) string {
	out := make([]syntax.Diagnostic, len(diags))
	for i, d := range diags {
		out[i] = d
		if d.Severity != syntax.SeverityError {
			out[i].Message = d.Severity.String() + ": " + d.Message
		}
	}
	return syntax.RenderAll(src, out)
}

func querySource(args []string, file string) (string, error) {
	switch {
	case file != "" && len(args) == 0:
		b, err := os.ReadFile(file)
		return string(b), err
	case file == "" && len(args) == 1:
		return args[0], nil
	}
	return "", fmt.Errorf("%w: give the query as an argument or with -f FILE", errUsage)
}

// offlineTenant is the tenant used when compiling without a server (check, explain).
const offlineTenant = "00000000-0000-0000-0000-000000000000"

func kqlCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "kql", Short: "Check and explain KQL without a server"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Report the diagnostics of KQL files, one line each as file:line:col: message",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg := schema.NewRegistry()
			failed := false
			for _, f := range args {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				src := string(b)
				_, diags := kql.Compile(src, reg, kql.Options{Tenant: offlineTenant})
				for _, d := range diags {
					sev := ""
					if d.Severity != syntax.SeverityError {
						sev = d.Severity.String() + ": "
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s:%s: %s%s\n", f, syntax.PositionOf(src, d.Span.Start), sev, d.Message)
				}
				failed = failed || syntax.HasErrors(diags)
			}
			if failed {
				return &exitError{code: 1}
			}
			return nil
		},
	})
	var file string
	explain := &cobra.Command{
		Use:   "explain [KQL]",
		Short: "Print the plan and the SQL of a KQL query",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := querySource(args, file)
			if err != nil {
				return err
			}
			q, diags := kql.Compile(src, schema.NewRegistry(), kql.Options{Tenant: offlineTenant})
			if len(diags) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), syntax.RenderAll(src, diags))
			}
			if q == nil {
				return &exitError{code: 1}
			}
			fmt.Fprint(cmd.OutOrStdout(), q.Explain())
			return nil
		},
	}
	explain.Flags().StringVarP(&file, "file", "f", "", "read the query from a file")
	cmd.AddCommand(explain)
	return cmd
}
