package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

// deviceGroupJSON is a device group as the API writes it.
type deviceGroupJSON struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Description     string           `json:"description"`
	Rank            int              `json:"rank"`
	AutomationLevel string           `json:"automationLevel,omitempty"`
	Rules           []deviceRuleJSON `json:"rules"`
}

type deviceRuleJSON struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value string `json:"value"`
}

func adminDeviceGroupsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "device-groups", Short: "List, create and delete a tenant's device groups"}
	cmd.AddCommand(deviceGroupsListCmd(), deviceGroupsCreateCmd(), deviceGroupsDeleteCmd())
	return cmd
}

func deviceGroupsPath(tenant, id string) string {
	p := "/api/v1/security/deviceGroups"
	if id != "" {
		p += "/" + url.PathEscape(id)
	}
	return p + "?tenant=" + url.QueryEscape(tenant)
}

func deviceGroupsListCmd() *cobra.Command {
	var cf clientFlags
	var output, tenant string
	cmd := &cobra.Command{
		Use: "list", Short: "List device groups in membership order (the ungrouped devices last)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return listValues[deviceGroupJSON](cmd.OutOrStdout(), &cf, output, deviceGroupsPath(tenant, ""), "RANK\tID\tNAME\tAUTOMATION\tRULES", func(g deviceGroupJSON) []any {
				level := g.AutomationLevel
				if level == "" {
					level = "(tenant)"
				}
				return []any{g.Rank, g.ID, g.Name, level, rulesString(g.Rules)}
			})
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringVar(&tenant, "tenant", "default", "the tenant whose groups to list")
	return cmd
}

func rulesString(rs []deviceRuleJSON) string {
	if len(rs) == 0 {
		return "-"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Field + " " + r.Op + " " + r.Value
	}
	return strings.Join(parts, " and ")
}

// parseDeviceRule parses FIELD OP VALUE (the value may hold spaces).
func parseDeviceRule(s string) (deviceRuleJSON, error) {
	f := strings.SplitN(strings.TrimSpace(s), " ", 3)
	if len(f) != 3 || strings.TrimSpace(f[2]) == "" {
		return deviceRuleJSON{}, fmt.Errorf("%w: --rule is \"FIELD OP VALUE\" (e.g. \"deviceName startsWith srv-\"), got %q", errUsage, s)
	}
	return deviceRuleJSON{Field: f[0], Op: f[1], Value: strings.TrimSpace(f[2])}, nil
}

func deviceGroupsCreateCmd() *cobra.Command {
	var cf clientFlags
	var tenant, name, description, level string
	var rank int
	var rules []string
	cmd := &cobra.Command{
		Use: "create ID", Short: "Create a device group; a device joins the first group (by rank) whose rules all match", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g := deviceGroupJSON{ID: args[0], Name: name, Description: description, Rank: rank, AutomationLevel: level}
			if g.Name == "" {
				g.Name = args[0]
			}
			for _, s := range rules {
				r, err := parseDeviceRule(s)
				if err != nil {
					return err
				}
				g.Rules = append(g.Rules, r)
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			b, _ := json.Marshal(g)
			var out deviceGroupJSON
			if _, err := c.do("POST", deviceGroupsPath(tenant, ""), "application/json", b, &out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created device group %s (%s) at rank %d: %s\n", out.ID, out.Name, out.Rank, rulesString(out.Rules))
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&tenant, "tenant", "default", "the group's tenant")
	cmd.Flags().StringVar(&name, "name", "", "display name (default: the id)")
	cmd.Flags().StringVar(&description, "description", "", "what the group holds")
	cmd.Flags().StringVar(&level, "automation", "", "automation level of its devices: full, semi or none (default: the tenant's)")
	cmd.Flags().IntVar(&rank, "rank", 0, "membership order, 1 first (default: after the existing groups)")
	cmd.Flags().StringArrayVar(&rules, "rule", nil, `membership rule "FIELD OP VALUE": FIELD deviceName, domain, osPlatform or tag; OP equals, startsWith, endsWith, contains or regex; repeatable (all must match)`)
	return cmd
}

func deviceGroupsDeleteCmd() *cobra.Command {
	var tenant string
	cmd := sendCmd(&cobra.Command{
		Use: "delete ID", Short: "Delete a device group (its devices fall to the next matching group)", Args: cobra.ExactArgs(1),
	}, http.MethodDelete, "deleted device group", func(args []string) string { return deviceGroupsPath(tenant, args[0]) })
	cmd.Flags().StringVar(&tenant, "tenant", "default", "the group's tenant")
	return cmd
}
