package cli

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

func queryCmd() *cobra.Command {
	var cf clientFlags
	var output, file string
	cmd := &cobra.Command{
		Use:   "query [KQL]",
		Short: "Run a KQL hunting query on a server",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "table" && output != "json" && output != "csv" {
				return fmt.Errorf("%w: --output is table, json or csv", errUsage)
			}
			src, err := querySource(args, file)
			if err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			body, _ := json.Marshal(map[string]string{"Query": src})
			var resp struct {
				Schema []struct {
					Name string `json:"Name"`
					Type string `json:"Type"`
				} `json:"schema"`
				Results   []map[string]any `json:"results"`
				Truncated bool             `json:"truncated"`
			}
			if _, err := c.do("POST", "/api/v1/security/runHuntingQuery", "application/json", body, &resp); err != nil {
				return err
			}
			var res result
			res.Truncated = resp.Truncated
			res.Rows = [][]any{}
			for _, s := range resp.Schema {
				res.Columns = append(res.Columns, struct {
					Name string `json:"name"`
					Type string `json:"type"`
				}{s.Name, s.Type})
			}
			for _, r := range resp.Results {
				row := make([]any, len(resp.Schema))
				for i, s := range resp.Schema {
					row[i] = r[s.Name]
				}
				res.Rows = append(res.Rows, row)
			}
			return printResult(cmd.OutOrStdout(), &res, output)
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or csv")
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the query from a file")
	return cmd
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
