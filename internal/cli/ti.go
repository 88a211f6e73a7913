package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func tiCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "ti", Short: "Import and list threat-intelligence indicators (STIX 2.1)"}
	cmd.AddCommand(tiImportCmd(), tiListCmd())
	return cmd
}

// tiImportAnswer is the server's answer to an import.
type tiImportAnswer struct {
	Accepted    int `json:"accepted"`
	Rejected    int `json:"rejected"`
	Observables int `json:"observables"`
	Skipped     int `json:"skipped"`
	Errors      []struct {
		Index  int    `json:"index"`
		ID     string `json:"id"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func tiImportCmd() *cobra.Command {
	var cf clientFlags
	var output string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a STIX 2.1 bundle (FILE, or - for standard input); exit 1 if any object was rejected",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("%w: --output is text or json", errUsage)
			}
			body, err := readFileOrStdin(cmd, args[0])
			if err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var ans tiImportAnswer
			if _, err := c.do("POST", "/api/v1/threatIntelligence/indicators:import", "application/json", body, &ans); err != nil {
				return err
			}
			printImport(cmd.OutOrStdout(), &ans, output)
			if ans.Rejected > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func readFileOrStdin(cmd *cobra.Command, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(cmd.InOrStdin())
	}
	return os.ReadFile(name)
}

func printImport(w io.Writer, ans *tiImportAnswer, output string) {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(ans)
		return
	}
	fmt.Fprintf(w, "accepted %d indicators (%d observables), rejected %d, skipped %d other objects\n",
		ans.Accepted, ans.Observables, ans.Rejected, ans.Skipped)
	for _, e := range ans.Errors {
		id := ""
		if e.ID != "" {
			id = " (" + e.ID + ")"
		}
		fmt.Fprintf(w, "object %d%s: %s\n", e.Index, id, e.Reason)
	}
}

// tiListQuery lists the current version of each indicator observable; %s is the filter of
// active, unexpired ones (or nothing) and %d the row limit.
const tiListQuery = `ThreatIntelligenceIndicator
| extend Value = coalesce(NetworkIP, NetworkCidrBlock, DomainName, Url, FileHashValue, EmailSenderAddress)
| summarize arg_max(TimeGenerated, *) by IndicatorId, Value
| extend Kind = case(isnotempty(NetworkIP) or isnotempty(NetworkCidrBlock), "ip", isnotempty(DomainName), "domain",
    isnotempty(Url), "url", isnotempty(FileHashValue), FileHashType, "email")
%s| project TimeGenerated, IndicatorId, Kind, Value, ConfidenceScore, ThreatType, Active, ExpirationDateTime, Description
| sort by TimeGenerated desc, IndicatorId asc, Value asc
| take %d`

const tiActiveFilter = "| where Active == true and (isnull(ExpirationDateTime) or ExpirationDateTime > now())\n"

func tiListCmd() *cobra.Command {
	var cf clientFlags
	var output string
	var all bool
	var top int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the tenant's active, unexpired indicators, newest first (a hunting query)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" && output != "csv" {
				return fmt.Errorf("%w: --output is table, json or csv", errUsage)
			}
			if top < 1 {
				return fmt.Errorf("%w: --top must be at least 1", errUsage)
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			res, err := c.hunt(tiListKQL(all, top))
			if err != nil {
				return err
			}
			return printResult(cmd.OutOrStdout(), res, output)
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or csv")
	cmd.Flags().BoolVar(&all, "all", false, "include inactive, revoked and expired indicators")
	cmd.Flags().IntVar(&top, "top", 1000, "most indicators to list")
	return cmd
}

func tiListKQL(all bool, top int) string {
	filter := tiActiveFilter
	if all {
		filter = ""
	}
	return fmt.Sprintf(tiListQuery, filter, top)
}

// hunt runs a KQL query through the hunting API and returns it as a result table.
func (c *client) hunt(kql string) (*result, error) {
	res, _, err := c.huntingQuery(kql, "")
	return res, err
}
