package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/respond/playbook"
)

const (
	playbooksAPI    = "/api/v1/security/playbooks"
	playbookRunsAPI = "/api/v1/security/playbookRuns"
)

func playbooksCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "playbooks", Short: "Playbooks: declarative response workflows, their runs and approvals"}
	cmd.AddCommand(playbooksListCmd(), playbooksValidateCmd(), playbooksApplyCmd(), playbooksRunCmd(), playbooksRunsCmd(),
		playbooksDecideCmd("approve"), playbooksDecideCmd("reject"))
	return cmd
}

// playbookRow is the part of a playbook the CLI prints as a table.
type playbookRow struct {
	Name, Description string
	Version           int
	Builtin           bool
	Trigger           []string
	Steps             []struct{ ID string }
}

func playbooksListCmd() *cobra.Command {
	var f outputFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List playbooks (latest versions and built-in ones)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return getList(cmd.OutOrStdout(), &f, playbooksAPI, false, printPlaybooks)
		},
	}
	f.add(cmd)
	return cmd
}

func printPlaybooks(w io.Writer, pbs []playbookRow) error {
	return printTable(w, "NAME\tVERSION\tTRIGGER\tSTEPS\tDESCRIPTION", pbs, func(p playbookRow) []any {
		v := strconv.Itoa(p.Version)
		if p.Builtin {
			v = "built-in"
		}
		return []any{p.Name, v, strings.Join(p.Trigger, ","), len(p.Steps), p.Description}
	})
}

func playbooksValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check playbook files offline; problems are printed as file:line:col: reason",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return validateFiles(cmd.OutOrStdout(), args, func(f string, src []byte) error {
				_, err := playbook.Parse(f, src)
				return err
			})
		},
	}
}

func playbooksApplyCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   "apply FILE",
		Short: "Save a playbook file as a new version (checked locally first)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if _, err := playbook.Parse(args[0], src); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var p struct {
				Name    string
				Version int
			}
			if _, err := c.do(http.MethodPost, playbooksAPI, "application/yaml", src, &p); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "saved %s version %d\n", p.Name, p.Version)
			return err
		},
	}
	cf.add(cmd)
	return cmd
}

func playbooksRunCmd() *cobra.Command {
	var cf clientFlags
	var incident int64
	var alertID string
	var inputs map[string]string
	cmd := &cobra.Command{
		Use:   "run NAME --incident ID",
		Short: "Run a playbook on an incident (or alert) now",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			in := map[string]any{}
			for k, v := range inputs {
				in[k] = v
			}
			b, err := json.Marshal(map[string]any{"incidentId": incident, "alertId": alertID, "inputs": in})
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if _, err := c.do(http.MethodPost, playbooksAPI+"/"+url.PathEscape(args[0])+"/run", "application/json", b, &raw); err != nil {
				return err
			}
			return printIndented(cmd.OutOrStdout(), raw)
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&incident, "incident", 0, "the incident to run on")
	fl.StringVar(&alertID, "alert", "", "the alert to run on")
	fl.StringToStringVar(&inputs, "input", nil, "playbook inputs, NAME=VALUE")
	cf.add(cmd)
	return cmd
}

// runRow is the part of a run the CLI prints as a table.
type runRow struct {
	ID, Playbook, Status, Trigger, StartedBy, Error, CreatedDateTime string
	Version                                                          int
	IncidentID                                                       int64
	Steps                                                            []struct{ ID, Status string }
}

func playbooksRunsCmd() *cobra.Command {
	var f outputFlags
	var name, show string
	var top int
	cmd := &cobra.Command{
		Use:   "runs [--playbook NAME] [--show RUN]",
		Short: "List playbook runs with their step statuses, newest first, or show one run as JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if show != "" {
				if err := checkListOutput(f.output); err != nil {
					return err
				}
				return showJSON(cmd.OutOrStdout(), &f.cf, playbookRunsAPI+"/"+url.PathEscape(show))
			}
			path := playbookRunsAPI
			if name != "" {
				path = playbooksAPI + "/" + url.PathEscape(name) + "/runs"
			}
			if top > 0 {
				path += "?$top=" + strconv.Itoa(top)
			}
			return getList(cmd.OutOrStdout(), &f, path, false, printRuns)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&name, "playbook", "", "only runs of this playbook")
	fl.StringVar(&show, "show", "", "show this run with every step's output, as JSON")
	fl.IntVar(&top, "top", 0, "at most this many runs (default 100)")
	f.add(cmd)
	return cmd
}

func printRuns(w io.Writer, runs []runRow) error {
	return printTable(w, "ID\tCREATED\tPLAYBOOK\tVERSION\tINCIDENT\tSTATUS\tSTEPS\tERROR", runs, func(r runRow) []any {
		var steps []string
		for _, s := range r.Steps {
			steps = append(steps, s.ID+"="+s.Status)
		}
		return []any{r.ID, r.CreatedDateTime, r.Playbook, r.Version, r.IncidentID, r.Status, strings.Join(steps, ","), r.Error}
	})
}

func playbooksDecideCmd(verb string) *cobra.Command {
	var cf clientFlags
	var comment string
	cmd := &cobra.Command{
		Use:   verb + " RUN STEP",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " a playbook step waiting for approval",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			b, err := json.Marshal(map[string]string{"comment": comment})
			if err != nil {
				return err
			}
			var run runRow
			path := playbookRunsAPI + "/" + url.PathEscape(args[0]) + "/steps/" + url.PathEscape(args[1]) + "/" + verb
			if _, err := c.do(http.MethodPost, path, "application/json", b, &run); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s step %s: run %s\n", verb, args[0], args[1], run.Status)
			return err
		},
	}
	cmd.Flags().StringVar(&comment, "comment", "", "why")
	cf.add(cmd)
	return cmd
}
