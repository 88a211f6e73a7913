package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func adminUsersCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "List, add, disable and grant roles to users"}
	cmd.AddCommand(usersListCmd(), usersAddCmd(), usersDisableCmd(), usersGrantCmd())
	return cmd
}

func usersListCmd() *cobra.Command {
	var cf clientFlags
	var output string
	cmd := &cobra.Command{
		Use: "list", Short: "List users with their roles", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return listValues[userJSON](cmd.OutOrStdout(), &cf, output, "/api/v1/users", "USERNAME\tID\tTENANT\tSTATE\tROLES", func(u userJSON) []any {
				state := "active"
				if u.Disabled {
					state = "disabled"
				} else if u.Locked {
					state = "locked"
				}
				return []any{u.Username, u.ID, u.DefaultTenant, state, grantsString(u.Roles)}
			})
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func usersAddCmd() *cobra.Command {
	var cf clientFlags
	var roles []string
	var deviceGroups string
	var tenant, display string
	cmd := &cobra.Command{
		Use: "add USERNAME", Short: "Add a user and print its generated one-time password", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			gs, err := parseGrants(roles, tenant)
			if err != nil {
				return err
			}
			if gs, err = scopeGrants(gs, deviceGroups); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			u, err := createUser(c, map[string]any{"username": args[0], "displayName": display, "defaultTenant": tenant, "roles": gs})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created user %s (%s)\none-time password: %s\n", u.Username, u.ID, u.Password)
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringArrayVar(&roles, "role", nil, "role to grant, ROLE@TENANT (TENANT * is every tenant); repeatable")
	cmd.Flags().StringVar(&deviceGroups, "device-groups", "", "restrict every --role to these device groups of its tenant (comma-separated ids)")
	cmd.Flags().StringVar(&tenant, "tenant", "default", "the user's default tenant")
	cmd.Flags().StringVar(&display, "display-name", "", "the user's display name")
	return cmd
}

func usersDisableCmd() *cobra.Command {
	var cf clientFlags
	var enable bool
	cmd := &cobra.Command{
		Use: "disable USERNAME", Short: "Disable a user (ending its sessions), or enable it with --enable", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			u, err := userByName(c, args[0])
			if err != nil {
				return err
			}
			if err := patchUser(c, u.ID, map[string]any{"disabled": !enable}); err != nil {
				return err
			}
			state := "disabled"
			if enable {
				state = "enabled"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", state, u.Username)
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().BoolVar(&enable, "enable", false, "enable the user instead")
	return cmd
}

func usersGrantCmd() *cobra.Command {
	var cf clientFlags
	var revoke bool
	cmd := &cobra.Command{
		Use: "grant USERNAME ROLE@TENANT...", Short: "Grant roles to a user (--revoke removes them)", Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			add, err := parseGrants(args[1:], "default")
			if err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			u, err := userByName(c, args[0])
			if err != nil {
				return err
			}
			gs := mergeGrants(u.Roles, add, revoke)
			if err := patchUser(c, u.ID, map[string]any{"roles": gs}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", u.Username, grantsString(gs))
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().BoolVar(&revoke, "revoke", false, "remove the grants instead")
	return cmd
}

// mergeGrants adds (or, with remove, takes away) change from have. A grant
// is its role in its tenant: adding one held already replaces its device
// groups.
func mergeGrants(have, change []grantJSON, remove bool) []grantJSON {
	out := []grantJSON{}
	in := func(gs []grantJSON, g grantJSON) bool {
		for _, x := range gs {
			if x.Role == g.Role && x.Tenant == g.Tenant {
				return true
			}
		}
		return false
	}
	for _, g := range have {
		if !in(change, g) {
			out = append(out, g)
		}
	}
	if !remove {
		out = append(out, change...)
	}
	return out
}
