package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

const (
	actionsAPI         = "/api/v1/security/actions"
	automationLevelAPI = "/api/v1/security/automationLevel"
)

// actionRow is the part of an action the CLI prints as a table.
type actionRow struct {
	ID, Type, Status, RequestorComment, CreationDateTimeUtc string
	Target                                                  map[string]string
	Requestor                                               struct{ Type, Name string }
	Result                                                  struct{ Detail, Error string }
}

func actionsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "actions", Short: "Action Center: response actions, approvals and the automation level"}
	cmd.AddCommand(actionsListCmd(), actionsShowCmd(), actionsRequestCmd(),
		actionVerbCmd("approve", "Approve pending actions"), actionVerbCmd("reject", "Reject pending actions"),
		actionVerbCmd("cancel", "Cancel actions that have not finished"),
		actionVerbCmd("undo", "Undo completed actions (release isolation, enable account, restore file)"),
		automationLevelCmd())
	return cmd
}

func actionsListCmd() *cobra.Command {
	var f outputFlags
	var status, typ, target string
	var incident, top, skip int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List response actions, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			for k, v := range map[string]string{"status": status, "type": typ, "target": target} {
				if v != "" {
					q.Set(k, v)
				}
			}
			for k, v := range map[string]int{"incidentId": incident, "$top": top, "$skip": skip} {
				if v > 0 {
					q.Set(k, strconv.Itoa(v))
				}
			}
			return getList(cmd.OutOrStdout(), &f, actionsAPI+"?"+q.Encode(), true, printActions)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&status, "status", "", "only actions in this status (pendingApproval, approved, sent, running, completed, failed, ...)")
	fl.StringVar(&typ, "type", "", "only actions of this type (isolateDevice, disableAccount, ...)")
	fl.StringVar(&target, "target", "", "only actions on this device, account, file hash, indicator or message id")
	fl.IntVar(&incident, "incident", 0, "only actions linked to this incident")
	fl.IntVar(&top, "top", 0, "at most this many actions (default 100)")
	fl.IntVar(&skip, "skip", 0, "skip this many actions")
	f.add(cmd)
	return cmd
}

func printActions(w io.Writer, actions []actionRow) error {
	return printTable(w, "ID\tCREATED\tTYPE\tTARGET\tSTATUS\tREQUESTER\tDETAIL", actions, func(a actionRow) []any {
		var target []string
		for k, v := range a.Target {
			target = append(target, k+"="+v)
		}
		detail := a.Result.Detail
		if a.Result.Error != "" {
			detail = a.Result.Error
		}
		return []any{a.ID, a.CreationDateTimeUtc, a.Type, strings.Join(target, ","), a.Status, a.Requestor.Type + ":" + a.Requestor.Name, detail}
	})
}

func actionsShowCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a response action with its history and result, as JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return showJSON(cmd.OutOrStdout(), &cf, actionsAPI+"/"+url.PathEscape(args[0]))
		},
	}
	cf.add(cmd)
	return cmd
}

func printIndented(w io.Writer, raw json.RawMessage) error {
	b, err := json.MarshalIndent(raw, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// actionRequest is the body of POST .../actions.
type actionRequest struct {
	Type       string            `json:"type"`
	Target     map[string]string `json:"target"`
	Parameters map[string]string `json:"parameters,omitempty"`
	Comment    string            `json:"comment,omitempty"`
	IncidentID int               `json:"incidentId,omitempty"`
}

func actionsRequestCmd() *cobra.Command {
	var cf clientFlags
	req := actionRequest{Target: map[string]string{}}
	targets := map[string]*string{}
	cmd := &cobra.Command{
		Use:   "request TYPE",
		Short: "Request a response action (isolateDevice, releaseIsolation, stopAndQuarantineFile, restoreFile, disableAccount, enableAccount, resetPassword, collectInvestigationPackage, blockIndicator, unblockIndicator, runScript, softDeleteEmail, restoreEmail, purgeAttachment)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Type = args[0]
			for k, v := range targets {
				if *v != "" {
					req.Target[k] = *v
				}
			}
			return postAction(cmd, &cf, actionsAPI, req)
		},
	}
	fl := cmd.Flags()
	for _, t := range []struct{ flag, field, help string }{
		{"device", "device", "the device (isolate, release, collect, run script)"},
		{"account", "account", "the account (disable, enable, reset password)"},
		{"file-sha256", "fileSha256", "the file's SHA-256 (quarantine, restore)"},
		{"file-path", "filePath", "the file's path"},
		{"indicator", "indicator", "the hash, IP address, domain or URL to block"},
		{"message-id", "messageId", "the mail message id (soft delete)"},
	} {
		targets[t.field] = fl.String(t.flag, "", t.help)
	}
	fl.StringToStringVar(&req.Parameters, "param", nil, "action parameters, KEY=VALUE (script=NAME for runScript)")
	fl.StringVar(&req.Comment, "comment", "", "why the action is needed")
	fl.IntVar(&req.IncidentID, "incident", 0, "the incident the action belongs to")
	cf.add(cmd)
	return cmd
}

// postAction posts body to path and prints the action answered.
func postAction(cmd *cobra.Command, cf *clientFlags, path string, body any) error {
	c, err := cf.client()
	if err != nil {
		return err
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	var a actionRow
	if _, err := c.do(http.MethodPost, path, "application/json", b, &a); err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s %s %s\n", a.ID, a.Type, a.Status)
	return err
}

// actionVerbCmd posts to .../actions/ID/VERB for each ID, with the comment.
func actionVerbCmd(verb, short string) *cobra.Command {
	var cf clientFlags
	var comment string
	cmd := &cobra.Command{
		Use:   verb + " ID...",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, id := range args {
				path := actionsAPI + "/" + url.PathEscape(id) + "/" + verb
				if err := postAction(cmd, &cf, path, map[string]string{"comment": comment}); err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&comment, "comment", "", "why")
	cf.add(cmd)
	return cmd
}

func automationLevelCmd() *cobra.Command {
	var cf clientFlags
	var fourEyes bool
	cmd := &cobra.Command{
		Use:       "automation-level [full|semi|none]",
		Short:     "Show or set the tenant's automation level (full: approve every action at once; semi: every action waits for approval; none: automation cannot act)",
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []string{"full", "semi", "none"},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			var p struct {
				Level    string `json:"level"`
				FourEyes bool   `json:"fourEyes"`
			}
			if _, err := c.do(http.MethodGet, automationLevelAPI, "", nil, &p); err != nil {
				return err
			}
			if len(args) == 1 || cmd.Flags().Changed("four-eyes") {
				if len(args) == 1 {
					p.Level = args[0]
				}
				if cmd.Flags().Changed("four-eyes") {
					p.FourEyes = fourEyes
				}
				b, _ := json.Marshal(p)
				if _, err := c.do(http.MethodPut, automationLevelAPI, "application/json", b, &p); err != nil {
					return err
				}
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "level %s, four eyes %t\n", p.Level, p.FourEyes)
			return err
		},
	}
	cmd.Flags().BoolVar(&fourEyes, "four-eyes", true, "require the approver to be someone other than the requester")
	cf.add(cmd)
	return cmd
}
