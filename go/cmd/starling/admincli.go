package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/starling-social/starling/go/api/admin"
)

const adminSynopsis = `starling admin delete-status ID [--reason R] [--admin-addr A] [--admin-token T]
starling admin actions [--limit N] [--max-id ID] [--admin-addr A] [--admin-token T]`

// runAdmin runs a moderator's action, or lists their audit log, through
// the running server's admin listener.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: %s", adminSynopsis)
	}
	cmd, rest := args[0], args[1:]
	if adminQueueCommands[cmd] { // reports and flagged statuses: adminqueue.go
		return runAdminQueue(ctx, cmd, rest, stdout, stderr)
	}
	target := ""
	switch cmd {
	case "delete-status":
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return fmt.Errorf("usage: %s", adminSynopsis)
		}
		target, rest = rest[0], rest[1:]
		if n, err := strconv.ParseInt(target, 10, 64); err != nil || n <= 0 {
			return fmt.Errorf("delete-status: %q is not a status ID", target)
		}
	case "actions":
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, adminSynopsis)
		return nil
	default:
		return fmt.Errorf("unknown admin command %q\n%s", cmd, adminSynopsis)
	}
	fs := flag.NewFlagSet("admin "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := registerAdminFlags(fs)
	reason := fs.String("reason", "", "delete-status: why, kept in the audit log")
	limit := fs.Int("limit", 40, "actions: entries to list (1 to 200)")
	maxID := fs.String("max-id", "", "actions: list the entries older than this one")
	fs.Usage = usage(fs, adminSynopsis)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	c, err := client()
	if err != nil {
		return err
	}
	if cmd == "delete-status" {
		var st admin.DeletedStatus
		if err := c.doJSON(ctx, http.MethodDelete, "/admin/statuses/"+target, map[string]string{"reason": *reason}, &st); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted status %s of account %s\n", st.ID, st.AccountID)
		return nil
	}
	q := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *maxID != "" {
		q.Set("max_id", *maxID)
	}
	var log []admin.AdminAction
	if err := c.do(ctx, http.MethodGet, "/admin/actions?"+q.Encode(), &log); err != nil {
		return err
	}
	for _, a := range log {
		fmt.Fprintf(stdout, "%s  %s  %-14s", a.ID, a.CreatedAt.Format("2006-01-02T15:04:05Z"), a.Action)
		for _, f := range [][2]string{{"account", a.TargetAccountID}, {"status", a.TargetStatusID}, {"report", a.ReportID}} {
			if f[1] != "" {
				fmt.Fprintf(stdout, "  %s %s", f[0], f[1])
			}
		}
		if a.Reason != "" {
			fmt.Fprintf(stdout, "  reason %q", a.Reason)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}
