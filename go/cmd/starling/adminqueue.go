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

// The moderation queue from the command line: users' reports (list,
// resolve) and the statuses policy plugins flagged, through the running
// server's admin listener, as `starling admin reports|resolve-report|flagged`.
const adminQueueSynopsis = `starling admin reports [--limit N] [--max-id ID]
starling admin resolve-report ID
starling admin flagged [--limit N] [--max-id ID]
every command: [--admin-addr A] [--admin-token T] [--actor NAME]`

// adminQueueCommands are the admin subcommands runAdminQueue serves.
var adminQueueCommands = map[string]bool{"reports": true, "resolve-report": true, "flagged": true}

func runAdminQueue(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	target := ""
	if cmd == "resolve-report" {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return fmt.Errorf("usage: %s", adminQueueSynopsis)
		}
		target, args = args[0], args[1:]
		if n, err := strconv.ParseInt(target, 10, 64); err != nil || n <= 0 {
			return fmt.Errorf("resolve-report: %q is not a report ID", target)
		}
	}
	fs := flag.NewFlagSet("admin "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := registerAdminFlags(fs)
	limit := fs.Int("limit", 40, "reports, flagged: entries to list (1 to 200)")
	maxID := fs.String("max-id", "", "reports, flagged: list the entries older than this one")
	fs.Usage = usage(fs, adminQueueSynopsis)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := client()
	if err != nil {
		return err
	}
	q := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *maxID != "" {
		q.Set("max_id", *maxID)
	}
	switch cmd {
	case "resolve-report":
		var r admin.Report
		if err := c.do(ctx, http.MethodPost, "/admin/reports/"+target+"/resolve", &r); err != nil {
			return err
		}
		printReport(stdout, r)
	case "reports":
		var rs []admin.Report
		if err := c.do(ctx, http.MethodGet, "/admin/reports?"+q.Encode(), &rs); err != nil {
			return err
		}
		for _, r := range rs {
			printReport(stdout, r)
		}
	case "flagged":
		var fs []admin.FlaggedStatus
		if err := c.do(ctx, http.MethodGet, "/admin/flagged?"+q.Encode(), &fs); err != nil {
			return err
		}
		for _, f := range fs {
			fmt.Fprintf(stdout, "%s  %s  status %s  account %s  by %s %s  reason %q\n", f.ID,
				f.CreatedAt.Format("2006-01-02T15:04:05Z"), f.StatusID, f.AccountID, f.Plugin, f.PluginVersion, f.Reason)
		}
	}
	return nil
}

// printReport writes one report as a line: open or resolved, who reported
// whom, the category, the statuses and the comment.
func printReport(w io.Writer, r admin.Report) {
	state := "open"
	if r.ActionTaken && r.ActionTakenAt != nil {
		state = "resolved " + r.ActionTakenAt.Format("2006-01-02T15:04:05Z")
	}
	fmt.Fprintf(w, "%s  %s  %s  account %s reported %s  %s", r.ID, r.CreatedAt.Format("2006-01-02T15:04:05Z"), state,
		r.AccountID, r.TargetAccountID, r.Category)
	if len(r.StatusIDs) > 0 {
		fmt.Fprintf(w, "  statuses %s", strings.Join(r.StatusIDs, ","))
	}
	if r.Comment != "" {
		fmt.Fprintf(w, "  comment %q", r.Comment)
	}
	fmt.Fprintln(w)
}
