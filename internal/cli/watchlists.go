package cli

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func watchlistsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "watchlists", Short: "Manage watchlists: lists of items from a CSV that queries read with _GetWatchlist('alias')"}
	cmd.AddCommand(watchlistsListCmd(), watchlistsCreateCmd(), watchlistsShowCmd(),
		sendCmd(&cobra.Command{Use: "delete ALIAS", Short: "Delete a watchlist and its items", Args: cobra.ExactArgs(1)},
			"DELETE", "deleted", func(args []string) string { return watchlistPath(args[0]) }))
	return cmd
}

func watchlistPath(alias string) string {
	return "/api/v1/security/watchlists/" + url.PathEscape(alias)
}

// watchlistAnswer is a watchlist as the server shows it.
type watchlistAnswer struct {
	Alias          string `json:"watchlistAlias"`
	ID             string `json:"watchlistId"`
	DisplayName    string `json:"displayName"`
	Description    string `json:"description"`
	Provider       string `json:"provider"`
	Source         string `json:"source"`
	ItemsSearchKey string `json:"itemsSearchKey"`
	Columns        []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"columns"`
	CreatedBy string    `json:"createdBy"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	ItemCount int       `json:"itemCount"`
}

// watchlistItemAnswer is an item as the server shows it.
type watchlistItemAnswer struct {
	ID            string            `json:"watchlistItemId"`
	ItemsKeyValue map[string]string `json:"itemsKeyValue"`
}

func watchlistsListCmd() *cobra.Command {
	var cf clientFlags
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the tenant's watchlists",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var ans struct {
				Value []watchlistAnswer `json:"value"`
			}
			if _, err := c.do("GET", "/api/v1/security/watchlists", "", nil, &ans); err != nil {
				return err
			}
			if output == "json" {
				return printJSON(cmd.OutOrStdout(), ans.Value)
			}
			return printTable(cmd.OutOrStdout(), "ALIAS\tNAME\tSEARCH KEY\tITEMS\tUPDATED\tDESCRIPTION", ans.Value, func(w watchlistAnswer) []any {
				return []any{w.Alias, w.DisplayName, w.ItemsSearchKey, w.ItemCount, w.Updated.Format(time.RFC3339), w.Description}
			})
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func watchlistsCreateCmd() *cobra.Command {
	var cf clientFlags
	var alias, searchKey, name, description, provider, output string
	var types []string
	cmd := &cobra.Command{
		Use:   "create --alias ALIAS --search-key COLUMN FILE.csv",
		Short: "Create a watchlist from a CSV (FILE, or - for standard input) whose header names the columns",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if alias == "" || searchKey == "" {
				return fmt.Errorf("%w: --alias and --search-key are required", errUsage)
			}
			body, err := readFileOrStdin(cmd, args[0])
			if err != nil {
				return err
			}
			q := url.Values{"alias": {alias}, "searchKey": {searchKey}, "displayName": {name}, "description": {description},
				"provider": {provider}, "types": {strings.Join(types, ",")}}
			if args[0] != "-" {
				q.Set("source", filepath.Base(args[0]))
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var ans watchlistAnswer
			if _, err := c.do("POST", "/api/v1/security/watchlists?"+q.Encode(), "text/csv", body, &ans); err != nil {
				return err
			}
			if output == "json" {
				return printJSON(cmd.OutOrStdout(), ans)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created watchlist %s with %d items; query it with _GetWatchlist('%s')\n", ans.Alias, ans.ItemCount, ans.Alias)
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&alias, "alias", "", "the name queries use: _GetWatchlist('ALIAS')")
	cmd.Flags().StringVar(&searchKey, "search-key", "", "the column to join on; its value is each item's SearchKey")
	cmd.Flags().StringVar(&name, "name", "", "display name (default: the alias)")
	cmd.Flags().StringVar(&description, "description", "", "description")
	cmd.Flags().StringVar(&provider, "provider", "", "who provides the list (default: Vigil)")
	cmd.Flags().StringArrayVar(&types, "type", nil, "COLUMN:TYPE, a column's Kusto type instead of the one inferred from the values (repeatable)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func watchlistsShowCmd() *cobra.Command {
	var cf clientFlags
	var output string
	cmd := &cobra.Command{
		Use:   "show ALIAS",
		Short: "Show a watchlist's definition and items",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			var w watchlistAnswer
			if _, err := c.do("GET", watchlistPath(args[0]), "", nil, &w); err != nil {
				return err
			}
			var items struct {
				Value []watchlistItemAnswer `json:"value"`
			}
			if _, err := c.do("GET", watchlistPath(args[0])+"/watchlistItems", "", nil, &items); err != nil {
				return err
			}
			if output == "json" {
				return printJSON(cmd.OutOrStdout(), map[string]any{"watchlist": w, "items": items.Value})
			}
			return printWatchlist(cmd.OutOrStdout(), w, items.Value)
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

// printWatchlist prints the definition, then the items as a table of the watchlist's columns.
func printWatchlist(out io.Writer, w watchlistAnswer, items []watchlistItemAnswer) error {
	var cols, names []string
	for _, c := range w.Columns {
		cols = append(cols, c.Name+":"+c.Type)
		names = append(names, c.Name)
	}
	fmt.Fprintf(out, "alias:       %s\nname:        %s\nsearch key:  %s\ncolumns:     %s\nitems:       %d\nprovider:    %s\nsource:      %s\ncreated:     %s by %s\nupdated:     %s\n",
		w.Alias, w.DisplayName, w.ItemsSearchKey, strings.Join(cols, ", "), len(items), w.Provider, w.Source,
		w.Created.Format(time.RFC3339), w.CreatedBy, w.Updated.Format(time.RFC3339))
	if w.Description != "" {
		fmt.Fprintf(out, "description: %s\n", w.Description)
	}
	fmt.Fprintln(out)
	sort.SliceStable(items, func(i, j int) bool {
		return items[i].ItemsKeyValue[w.ItemsSearchKey] < items[j].ItemsKeyValue[w.ItemsSearchKey]
	})
	return printTable(out, "ITEM ID\t"+strings.Join(names, "\t"), items, func(it watchlistItemAnswer) []any {
		cells := []any{it.ID}
		for _, n := range names {
			cells = append(cells, it.ItemsKeyValue[n])
		}
		return cells
	})
}
