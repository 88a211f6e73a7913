package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// decoyAnswer is a decoy as the server shows it.
type decoyAnswer struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Value       string `json:"value"`
	Description string `json:"description"`
	Enabled     bool   `json:"enabled"`
	CreatedBy   string `json:"createdBy"`
	CreatedAt   string `json:"createdDateTime"`
}

const decoysPath = "/api/v1/deception/decoys"

func decoysCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "decoys", Short: "Manage deception decoys: accounts, hosts, files, credentials, IPs and mailboxes no one should touch"}
	cmd.AddCommand(decoysListCmd(), decoysAddCmd(), decoysRmCmd())
	return cmd
}

func decoysListCmd() *cobra.Command {
	var cf clientFlags
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the tenant's decoys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("%w: --output is table or json", errUsage)
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var ans struct {
				Value []decoyAnswer `json:"value"`
			}
			if _, err := c.do("GET", decoysPath, "", nil, &ans); err != nil {
				return err
			}
			return printDecoys(cmd.OutOrStdout(), ans.Value, output)
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func printDecoys(w io.Writer, ds []decoyAnswer, output string) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(ds)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tVALUE\tENABLED\tCREATED BY\tDESCRIPTION")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%s\n", d.ID, d.Kind, d.Value, d.Enabled, d.CreatedBy, d.Description)
	}
	return tw.Flush()
}

func decoysAddCmd() *cobra.Command {
	var cf clientFlags
	var description string
	var disabled bool
	cmd := &cobra.Command{
		Use:   "add KIND VALUE",
		Short: "Add a decoy: KIND is account, host, file, credential, ip or mailbox",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			body, _ := json.Marshal(map[string]any{"kind": strings.ToLower(args[0]), "value": args[1], "description": description, "enabled": !disabled})
			var d decoyAnswer
			if _, err := c.do("POST", decoysPath, "application/json", body, &d); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added %s decoy %q (id %s)\n", d.Kind, d.Value, d.ID)
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&description, "description", "d", "", "what the decoy is for")
	cmd.Flags().BoolVar(&disabled, "disabled", false, "add it disabled")
	return cmd
}

func decoysRmCmd() *cobra.Command {
	return deleteCmd("rm", "Remove decoys by id", decoysPath)
}
