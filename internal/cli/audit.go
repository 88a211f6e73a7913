package cli

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Read and verify the hash-chained audit log"}
	cmd.AddCommand(auditVerifyCmd(), auditListCmd(), auditRetentionCmd())
	return cmd
}

func auditVerifyCmd() *cobra.Command {
	var cf clientFlags
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Walk the whole audit chain; exit 1 naming the first broken record if any was edited or removed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			var res struct {
				OK        bool   `json:"ok"`
				Records   int64  `json:"records"`
				BrokenSeq int64  `json:"brokenSeq"`
				Reason    string `json:"reason"`
			}
			if _, err := c.do("GET", "/api/v1/audit/verify", "", nil, &res); err != nil {
				return err
			}
			if !res.OK {
				fmt.Fprintf(cmd.OutOrStdout(), "audit chain broken at seq %d: %s (%d records verified before it)\n", res.BrokenSeq, res.Reason, res.Records)
				return &exitError{code: 1}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "audit chain intact: %d records\n", res.Records)
			return nil
		},
	}
	cf.add(cmd)
	return cmd
}

type auditRecord struct {
	Seq       int64           `json:"seq"`
	Time      time.Time       `json:"time"`
	Actor     string          `json:"actor"`
	ActorType string          `json:"actorType"`
	Tenant    string          `json:"tenant"`
	Action    string          `json:"action"`
	Target    string          `json:"target"`
	Source    string          `json:"source"`
	Result    string          `json:"result"`
	Detail    json.RawMessage `json:"detail"`
	Hash      string          `json:"hash"`
}

func auditListCmd() *cobra.Command {
	var cf clientFlags
	var output, actor, action string
	var top int
	var since time.Duration
	cmd := &cobra.Command{
		Use: "list", Short: "List audit records, oldest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{"top": {strconv.Itoa(top)}}
			if actor != "" {
				q.Set("actor", actor)
			}
			if action != "" {
				q.Set("action", action)
			}
			if since > 0 {
				q.Set("from", time.Now().Add(-since).UTC().Format(time.RFC3339))
			}
			return listValues(cmd.OutOrStdout(), &cf, output, "/api/v1/audit?"+q.Encode(), "SEQ\tTIME\tACTOR\tTENANT\tACTION\tTARGET\tSOURCE\tRESULT\tDETAIL", func(r auditRecord) []any {
				return []any{r.Seq, r.Time.Format(time.RFC3339), r.Actor, r.Tenant, r.Action, r.Target, r.Source, r.Result, string(r.Detail)}
			})
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringVar(&actor, "actor", "", "only this actor")
	cmd.Flags().StringVar(&action, "action", "", "only this action (a trailing * matches a prefix, e.g. auth.*)")
	cmd.Flags().IntVar(&top, "top", 100, "most records (up to 1000)")
	cmd.Flags().DurationVar(&since, "since", 0, "only records newer than this, e.g. 24h")
	return cmd
}

func auditRetentionCmd() *cobra.Command {
	var cf clientFlags
	var tenant string
	cmd := &cobra.Command{
		Use:   "retention [DURATION|default]",
		Short: "Show, or set, how long a tenant's audit records are kept (e.g. 90d or 2160h; default returns to the server's)",
		Long: "Show, or set, how long a tenant's audit records are kept. Records past it are pruned at the next prune;\n" +
			"pruning appends an audit.prune checkpoint, so vigil audit verify still checks every record kept.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			path := "/api/v1/audit/retention"
			if tenant != "" {
				path += "?" + url.Values{"tenant": {tenant}}.Encode()
			}
			var res struct {
				Tenant, Retention, Default string
				Days                       int64
				Inherited                  bool
			}
			if len(args) == 0 {
				_, err = c.do("GET", path, "", nil, &res)
			} else {
				v := args[0]
				if strings.EqualFold(v, "default") {
					v = ""
				}
				body, _ := json.Marshal(map[string]string{"retention": v})
				_, err = c.do("PUT", path, "application/json", body, &res)
			}
			if err != nil {
				return err
			}
			src := "its own setting"
			if res.Inherited {
				src = "the server's default"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "tenant %s: audit records kept %d days (%s; %s)\n", res.Tenant, res.Days, res.Retention, src)
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&tenant, "tenant", "", "the tenant (default: the key's default tenant)")
	return cmd
}
