package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"
)

func adminKeysCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Create, list and revoke API keys and ingest tokens"}
	cmd.AddCommand(keysCreateCmd(), keysListCmd(), keysRevokeCmd())
	return cmd
}

func keysCreateCmd() *cobra.Command {
	var cf clientFlags
	var roles []string
	var deviceGroups string
	var tenant string
	var ingest bool
	var expires time.Duration
	cmd := &cobra.Command{
		Use: "create NAME", Short: "Create an API key and print it (shown once)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if ingest {
				roles = append(roles, "ingest@"+tenant)
			}
			if len(roles) == 0 {
				return fmt.Errorf("%w: give --role ROLE@TENANT or --ingest", errUsage)
			}
			gs, err := parseGrants(roles, tenant)
			if err != nil {
				return err
			}
			if gs, err = scopeGrants(gs, deviceGroups); err != nil {
				return err
			}
			body := map[string]any{"name": args[0], "defaultTenant": tenant, "roles": gs}
			if expires > 0 {
				body["expiresAt"] = time.Now().Add(expires).UTC()
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			b, _ := json.Marshal(body)
			var k keyJSON
			if _, err := c.do("POST", "/api/v1/apiKeys", "application/json", b, &k); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created key %s (%s) with %s\n%s\nstore it now: it is not shown again\n", k.Name, k.ID, grantsString(k.Roles), k.Key)
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringArrayVar(&roles, "role", nil, "role to grant, ROLE@TENANT (TENANT * is every tenant); repeatable")
	cmd.Flags().StringVar(&deviceGroups, "device-groups", "", "restrict every --role to these device groups of its tenant (comma-separated ids)")
	cmd.Flags().StringVar(&tenant, "tenant", "default", "the key's tenant (where its data goes)")
	cmd.Flags().BoolVar(&ingest, "ingest", false, "an ingest token: may only send data to --tenant")
	cmd.Flags().DurationVar(&expires, "expires", 0, "lifetime, e.g. 2160h; 0: never expires")
	return cmd
}

func keysListCmd() *cobra.Command {
	var cf clientFlags
	var output string
	cmd := &cobra.Command{
		Use: "list", Short: "List API keys (never the keys themselves)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return listValues[keyJSON](cmd.OutOrStdout(), &cf, output, "/api/v1/apiKeys", "ID\tNAME\tPREFIX\tSTATE\tLAST USED\tROLES", func(k keyJSON) []any {
				return []any{k.ID, k.Name, k.Prefix + "…", keyState(k), timeOrDash(k.LastUsedAt), grantsString(k.Roles)}
			})
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func keyState(k keyJSON) string {
	switch {
	case k.RevokedAt != nil:
		return "revoked"
	case k.ExpiresAt != nil && time.Now().After(*k.ExpiresAt):
		return "expired"
	case k.ExpiresAt != nil:
		return "expires " + k.ExpiresAt.Format(time.DateOnly)
	}
	return "active"
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func keysRevokeCmd() *cobra.Command {
	return sendCmd(&cobra.Command{Use: "revoke ID", Short: "Revoke an API key at once", Args: cobra.ExactArgs(1)},
		http.MethodDelete, "revoked", func(args []string) string { return "/api/v1/apiKeys/" + url.PathEscape(args[0]) })
}
