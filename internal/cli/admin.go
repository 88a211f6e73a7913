package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// grantJSON is a role granted in a tenant, as the API writes it.
type grantJSON struct {
	Role         string   `json:"role"`
	Tenant       string   `json:"tenant"`
	DeviceGroups []string `json:"deviceGroups,omitempty"`
}

type userJSON struct {
	ID            string      `json:"id"`
	Username      string      `json:"username"`
	DisplayName   string      `json:"displayName"`
	DefaultTenant string      `json:"defaultTenant"`
	Disabled      bool        `json:"disabled"`
	Locked        bool        `json:"locked"`
	Roles         []grantJSON `json:"roles"`
	Password      string      `json:"password,omitempty"`
}

type keyJSON struct {
	ID            string      `json:"id"`
	Name          string      `json:"name"`
	Prefix        string      `json:"prefix"`
	DefaultTenant string      `json:"defaultTenant"`
	CreatedBy     string      `json:"createdBy"`
	CreatedAt     time.Time   `json:"createdAt"`
	ExpiresAt     *time.Time  `json:"expiresAt,omitempty"`
	RevokedAt     *time.Time  `json:"revokedAt,omitempty"`
	LastUsedAt    *time.Time  `json:"lastUsedAt,omitempty"`
	Roles         []grantJSON `json:"roles"`
	Key           string      `json:"key,omitempty"`
}

// parseGrants reads ROLE@TENANT values (TENANT "*" is every tenant; a bare
// ROLE is granted in defTenant).
func parseGrants(specs []string, defTenant string) ([]grantJSON, error) {
	out := make([]grantJSON, 0, len(specs))
	for _, s := range specs {
		role, tenant, ok := strings.Cut(s, "@")
		if !ok {
			tenant = defTenant
		}
		tenant, groups, scoped := strings.Cut(tenant, "/")
		if role == "" || tenant == "" || scoped && groups == "" {
			return nil, fmt.Errorf("%w: --role is ROLE@TENANT or ROLE@TENANT/GROUP1,GROUP2, got %q", errUsage, s)
		}
		g := grantJSON{Role: role, Tenant: tenant}
		if scoped {
			g.DeviceGroups = strings.Split(groups, ",")
		}
		out = append(out, g)
	}
	return out, nil
}

// scopeGrants restricts every grant of gs to the device groups of the
// --device-groups flag (comma-separated ids), when given.
func scopeGrants(gs []grantJSON, groups string) ([]grantJSON, error) {
	if groups == "" {
		return gs, nil
	}
	for i := range gs {
		if len(gs[i].DeviceGroups) > 0 {
			return nil, fmt.Errorf("%w: %s@%s names device groups already; give them once", errUsage, gs[i].Role, gs[i].Tenant)
		}
		gs[i].DeviceGroups = strings.Split(groups, ",")
	}
	return gs, nil
}

func grantsString(gs []grantJSON) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.Role + "@" + g.Tenant
		if len(g.DeviceGroups) > 0 {
			parts[i] += "/" + strings.Join(g.DeviceGroups, ",")
		}
	}
	return strings.Join(parts, " ")
}

func adminCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Manage users and API keys of a running server (global administrators)"}
	cmd.AddCommand(adminInitCmd(), adminUsersCmd(), adminKeysCmd(), adminAgentTokenCmd(), adminDeviceGroupsCmd())
	return cmd
}

func adminInitCmd() *cobra.Command {
	var cf clientFlags
	var username string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create the first global administrator and print its one-time password; refuses if one exists",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			users, err := listUsers(c)
			if err != nil {
				return err
			}
			for _, u := range users {
				for _, g := range u.Roles {
					if g.Role == "global-admin" && g.Tenant == "*" {
						return fmt.Errorf("a global administrator exists already (%s): sign in as them, or use vigil admin users", u.Username)
					}
				}
			}
			u, err := createUser(c, map[string]any{"username": username, "displayName": "Global administrator",
				"roles": []grantJSON{{Role: "global-admin", Tenant: "*"}}})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created global administrator %s\none-time password: %s\nsign in and change it: it is not shown again\n", u.Username, u.Password)
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&username, "username", "admin", "the administrator's user name")
	return cmd
}

func listUsers(c *client) ([]userJSON, error) { return getValues[userJSON](c, "/api/v1/users") }

func createUser(c *client, body map[string]any) (userJSON, error) {
	b, _ := json.Marshal(body)
	var u userJSON
	_, err := c.do("POST", "/api/v1/users", "application/json", b, &u)
	return u, err
}

// userByName finds a user by name (ignoring case).
func userByName(c *client, name string) (userJSON, error) {
	users, err := listUsers(c)
	if err != nil {
		return userJSON{}, err
	}
	for _, u := range users {
		if strings.EqualFold(u.Username, name) {
			return u, nil
		}
	}
	return userJSON{}, fmt.Errorf("no user named %q", name)
}

func patchUser(c *client, id string, body map[string]any) error {
	b, _ := json.Marshal(body)
	_, err := c.do("PATCH", "/api/v1/users/"+url.PathEscape(id), "application/json", b, nil)
	return err
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func checkOutput(output string) error {
	if output != "table" && output != "json" {
		return fmt.Errorf("%w: --output is table or json", errUsage)
	}
	return nil
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }
