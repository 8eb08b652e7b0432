package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/user"
	"strconv"
	"strings"

	"github.com/starling-social/starling/go/api/admin"
)

const adminSynopsis = `starling admin delete-status ID [--reason R]
starling admin actions [--limit N] [--max-id ID]
starling admin accounts [--active] [--suspended] [--silenced] [--username U] [--display-name D] [--limit N] [--max-id ID]
starling admin account ID
starling admin suspend|silence ID [--report ID] [--text T]
starling admin unsuspend|unsilence ID
every command: [--admin-addr A] [--admin-token T] [--actor NAME]`

// adminTakesID lists the commands whose first argument is an ID.
var adminTakesID = map[string]bool{"delete-status": true, "account": true, "suspend": true, "silence": true,
	"unsuspend": true, "unsilence": true}

// adminFlags are the flags of every admin command (each uses its own).
type adminFlags struct {
	reason, text, report, maxID, username, displayName string
	limit                                              int
	active, suspended, silenced                        bool
}

// runAdmin runs a moderator's action, or lists accounts or the audit log,
// through the running server's admin listener.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: %s", adminSynopsis)
	}
	cmd, rest := args[0], args[1:]
	if adminQueueCommands[cmd] { // reports and flagged statuses: adminqueue.go
		return runAdminQueue(ctx, cmd, rest, stdout, stderr)
	}
	target := ""
	switch {
	case adminTakesID[cmd]:
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return fmt.Errorf("usage: %s", adminSynopsis)
		}
		target, rest = rest[0], rest[1:]
		if n, err := strconv.ParseInt(target, 10, 64); err != nil || n <= 0 {
			what := "an account"
			if cmd == "delete-status" {
				what = "a status"
			}
			return fmt.Errorf("%s: %q is not %s ID", cmd, target, what)
		}
	case cmd == "actions" || cmd == "accounts":
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprintln(stdout, adminSynopsis)
		return nil
	default:
		return fmt.Errorf("unknown admin command %q\n%s", cmd, adminSynopsis)
	}
	fs := flag.NewFlagSet("admin "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := registerAdminFlags(fs)
	var f adminFlags
	fs.StringVar(&f.reason, "reason", "", "delete-status: why, kept in the audit log")
	fs.StringVar(&f.text, "text", "", "suspend, silence: the moderator's note, kept in the audit log")
	fs.StringVar(&f.report, "report", "", "suspend, silence: the report acted on (resolved with the action)")
	fs.IntVar(&f.limit, "limit", 40, "actions, accounts: entries to list (1 to 200)")
	fs.StringVar(&f.maxID, "max-id", "", "actions, accounts: list the entries older than this one")
	fs.BoolVar(&f.active, "active", false, "accounts: only accounts not suspended")
	fs.BoolVar(&f.suspended, "suspended", false, "accounts: only suspended accounts")
	fs.BoolVar(&f.silenced, "silenced", false, "accounts: only silenced accounts")
	fs.StringVar(&f.username, "username", "", "accounts: usernames starting with this")
	fs.StringVar(&f.displayName, "display-name", "", "accounts: display names starting with this")
	fs.Usage = usage(fs, adminSynopsis)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	c, err := client()
	if err != nil {
		return err
	}
	return adminCommand(ctx, c, cmd, target, f, stdout)
}

// defaultActor names the operator running the CLI: "cli:<user>".
func defaultActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

// adminCommand sends cmd's one request and prints the answer.
func adminCommand(ctx context.Context, c *adminClient, cmd, target string, f adminFlags, stdout io.Writer) error {
	accounts := "/api/v1/admin/accounts/"
	switch cmd {
	case "delete-status":
		var st admin.DeletedStatus
		if err := c.doJSON(ctx, http.MethodDelete, "/admin/statuses/"+target, map[string]string{"reason": f.reason}, &st); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted status %s of account %s\n", st.ID, st.AccountID)
	case "actions":
		return listActionsCLI(ctx, c, f, stdout)
	case "accounts":
		return listAccountsCLI(ctx, c, f, stdout)
	case "account":
		var a admin.AdminAccount
		if err := c.do(ctx, http.MethodGet, accounts+target, &a); err != nil {
			return err
		}
		printAccount(stdout, a)
	case "suspend", "silence":
		body := map[string]string{"type": cmd, "text": f.text}
		if f.report != "" {
			body["report_id"] = f.report
		}
		if err := c.doJSON(ctx, http.MethodPost, accounts+target+"/action", body, &struct{}{}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s account %s\n", map[string]string{"suspend": "suspended", "silence": "silenced"}[cmd], target)
	case "unsuspend", "unsilence":
		var a admin.AdminAccount
		if err := c.do(ctx, http.MethodPost, accounts+target+"/"+cmd, &a); err != nil {
			return err
		}
		printAccount(stdout, a)
	}
	return nil
}

func listActionsCLI(ctx context.Context, c *adminClient, f adminFlags, stdout io.Writer) error {
	q := url.Values{"limit": {strconv.Itoa(f.limit)}}
	if f.maxID != "" {
		q.Set("max_id", f.maxID)
	}
	var log []admin.AdminAction
	if err := c.do(ctx, http.MethodGet, "/admin/actions?"+q.Encode(), &log); err != nil {
		return err
	}
	for _, a := range log {
		fmt.Fprintf(stdout, "%s  %s  %-17s by %q", a.ID, a.CreatedAt.Format("2006-01-02T15:04:05Z"), a.Action, a.Actor)
		for _, f := range [][2]string{{"account", a.TargetAccountID}, {"status", a.TargetStatusID}, {"report", a.ReportID},
			{"announcement", a.AnnouncementID}, {"target", a.TargetName}} {
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

func listAccountsCLI(ctx context.Context, c *adminClient, f adminFlags, stdout io.Writer) error {
	q := url.Values{"limit": {strconv.Itoa(f.limit)}}
	for name, on := range map[string]bool{"active": f.active, "suspended": f.suspended, "silenced": f.silenced} {
		if on {
			q.Set(name, "true")
		}
	}
	for name, v := range map[string]string{"max_id": f.maxID, "username": f.username, "display_name": f.displayName} {
		if v != "" {
			q.Set(name, v)
		}
	}
	var as []admin.AdminAccount
	if err := c.do(ctx, http.MethodGet, "/api/v1/admin/accounts?"+q.Encode(), &as); err != nil {
		return err
	}
	for _, a := range as {
		printAccount(stdout, a)
	}
	return nil
}

// printAccount prints one account on a line: ID, @username, created,
// and its moderation state.
func printAccount(w io.Writer, a admin.AdminAccount) {
	state := "active"
	switch {
	case a.Suspended && a.Silenced:
		state = "suspended silenced"
	case a.Suspended:
		state = "suspended"
	case a.Silenced:
		state = "silenced"
	}
	fmt.Fprintf(w, "%s  @%s  %s  %s\n", a.ID, a.Username, a.CreatedAt, state)
}
