package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/respond/automation"
)

const automationRulesAPI = "/api/v1/security/automationRules"

func automationCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "automation", Short: "Automation rules: assign, tag, close and run playbooks as incidents and alerts arrive"}
	cmd.AddCommand(automationListCmd(), automationCreateCmd(), automationValidateCmd(),
		deleteCmd("delete", "Delete automation rules", automationRulesAPI))
	return cmd
}

// automationRuleRow is the part of a rule the CLI prints as a table.
type automationRuleRow struct {
	ID, Name string
	Order    int
	Enabled  bool
	Expires  string
	Trigger  struct{ On string }
	Actions  []struct{ Type string }
}

func automationListCmd() *cobra.Command {
	var f outputFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List automation rules in the order they run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return getList(cmd.OutOrStdout(), &f, automationRulesAPI, false, printAutomationRules)
		},
	}
	f.add(cmd)
	return cmd
}

func printAutomationRules(w io.Writer, rules []automationRuleRow) error {
	return printTable(w, "ORDER\tID\tNAME\tENABLED\tTRIGGER\tACTIONS\tEXPIRES", rules, func(r automationRuleRow) []any {
		var acts []string
		for _, a := range r.Actions {
			acts = append(acts, a.Type)
		}
		return []any{r.Order, r.ID, r.Name, r.Enabled, r.Trigger.On, strings.Join(acts, ","), r.Expires}
	})
}

func automationCreateCmd() *cobra.Command {
	var cf clientFlags
	var file string
	cmd := &cobra.Command{
		Use:   "create -f RULE.yaml",
		Short: "Create an automation rule from a YAML or JSON file (checked locally first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return fmt.Errorf("%w: -f FILE is required", errUsage)
			}
			src, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			if _, err := automation.Parse(file, src); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if _, err := c.do(http.MethodPost, automationRulesAPI, "application/yaml", src, &raw); err != nil {
				return err
			}
			return printIndented(cmd.OutOrStdout(), raw)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the rule file")
	cf.add(cmd)
	return cmd
}

func automationValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check automation rule files offline; problems are printed as file:line:col: reason",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateFiles(cmd.OutOrStdout(), args, func(f string, src []byte) error {
				_, err := automation.Parse(f, src)
				return err
			})
		},
	}
}

// validateFiles checks each file, printing "ok" or its problems; it fails when any has one.
func validateFiles(w io.Writer, files []string, check func(file string, src []byte) error) error {
	bad := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err == nil {
			err = check(f, src)
		}
		if err != nil {
			bad++
			fmt.Fprintln(w, err)
			continue
		}
		fmt.Fprintf(w, "%s: ok\n", f)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d files do not validate", bad, len(files))
	}
	return nil
}
