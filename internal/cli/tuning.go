package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

const tuningAPI = "/api/v1/security/alertTuningRules"

func tuningCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tuning", Short: "Alert tuning: rules that suppress or resolve expected alerts"}
	cmd.AddCommand(tuningListCmd(), tuningFileCmd("add", "Create a tuning rule from a JSON file", tuningAPI),
		tuningFileCmd("preview", "Show the alerts of the past 30 days a tuning rule in a JSON file would have matched", tuningAPI+"/preview"),
		tuningRmCmd())
	return cmd
}

func tuningListCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List tuning rules with their hits",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			var page struct {
				Value []struct {
					ID, Name, Action, Reason, CreatedBy string
					IsEnabled                           bool
					Hits                                int64
				}
			}
			if _, err := c.do(http.MethodGet, tuningAPI, "", nil, &page); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tACTION\tENABLED\tHITS\tOWNER\tREASON")
			for _, r := range page.Value {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%d\t%s\t%s\n", r.ID, r.Name, r.Action, r.IsEnabled, r.Hits, r.CreatedBy, r.Reason)
			}
			return tw.Flush()
		},
	}
	cf.add(cmd)
	return cmd
}

// tuningFileCmd posts a JSON file to path and prints the answer.
func tuningFileCmd(use, short, path string) *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   use + " FILE.json",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var out json.RawMessage
			if _, err := c.do(http.MethodPost, path, "application/json", body, &out); err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), string(out))
			return err
		},
	}
	cf.add(cmd)
	return cmd
}

func tuningRmCmd() *cobra.Command {
	return deleteCmd("rm", "Delete tuning rules", tuningAPI)
}
