package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/starling-social/starling/go/api/admin"
	"github.com/starling-social/starling/go/search"
)

const indexSynopsis = `starling index status|rebuild|check [NAME] [--admin-addr A] [--admin-token T] [--actor NAME]

  status            the running server's vector indexes: kind, vectors, memory per vector, build state
  rebuild [NAME]    retrain NAME (default statuses) in the background and swap it in; shows progress
  check [NAME]      measure NAME's served recall@10 against exact search (--queries N)`

// runIndex drives the running server's vector indexes through the admin
// listener, as "starling plugins" drives the plugins.
func runIndex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: %s", indexSynopsis)
	}
	cmd, rest := args[0], args[1:]
	name := "statuses"
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		name, rest = rest[0], rest[1:]
	}
	fs := flag.NewFlagSet("index "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := registerAdminFlags(fs)
	queries := fs.Int("queries", 200, "check: sampled queries (1..1000)")
	every := fs.Duration("progress-every", time.Second, "rebuild: how often to print progress")
	fs.Usage = usage(fs, indexSynopsis)
	switch cmd {
	case "status", "rebuild", "check":
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, indexSynopsis)
		return nil
	default:
		return fmt.Errorf("unknown index command %q\n%s", cmd, indexSynopsis)
	}
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	c, err := client()
	if err != nil {
		return err
	}
	switch cmd {
	case "status":
		return indexStatus(ctx, c, stdout)
	case "rebuild":
		return indexRebuild(ctx, c, name, *every, stdout)
	default:
		var res search.CheckResult
		if err := c.do(ctx, http.MethodPost, "/admin/indexes/"+name+"/check?queries="+strconv.Itoa(*queries), &res); err != nil {
			return err
		}
		verdict := "meets"
		if !res.MeetsTarget {
			verdict = "BELOW"
		}
		fmt.Fprintf(stdout, "%s (%s, %d vectors): recall@%d = %.4f over %d queries at nprobe %d, re-rank %d; %s the %.2f target (%s)\n",
			res.Index, res.Kind, res.Vectors, res.K, res.Recall, res.Queries, res.NProbe, res.Refine, verdict, res.Target,
			res.Took.Round(time.Millisecond))
		if !res.MeetsTarget {
			return fmt.Errorf("recall below target")
		}
		return nil
	}
}

func indexStatus(ctx context.Context, c *adminClient, stdout io.Writer) error {
	var list []search.Status
	if err := c.do(ctx, http.MethodGet, "/admin/indexes", &list); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tVECTORS\tTOMBSTONES\tDIM\tNLIST\tNPROBE\tMEMORY\tBYTES/VECTOR\tTRAINED AT\tBUILDING")
	for _, s := range list {
		building := "no"
		if s.Building {
			building = fmt.Sprintf("yes (%d read)", s.BuildProgress)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%.1f MiB\t%.0f\t%d\t%s\n", s.Name, s.Kind, s.Vectors, s.Tombstones, s.Dim,
			s.NList, s.NProbe, float64(s.MemoryBytes)/(1<<20), s.BytesPerVector, s.TrainedAt, building)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range list {
		if s.Note != "" {
			fmt.Fprintf(stdout, "%s: %s\n", s.Name, s.Note)
		}
	}
	return nil
}

func indexRebuild(ctx context.Context, c *adminClient, name string, every time.Duration, stdout io.Writer) error {
	var started admin.RebuildStarted
	if err := c.do(ctx, http.MethodPost, "/admin/indexes/"+name+"/rebuild", &started); err != nil {
		return err
	}
	if !started.Started {
		fmt.Fprintf(stdout, "%s: a build is already running; following it\n", name)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		var list []search.Status
		if err := c.do(ctx, http.MethodGet, "/admin/indexes", &list); err != nil {
			return err
		}
		for _, s := range list {
			if s.Name != name {
				continue
			}
			if !s.Building {
				fmt.Fprintf(stdout, "%s: %s index serving %d vectors (%.0f bytes each)\n", name, s.Kind, s.Vectors, s.BytesPerVector)
				return nil
			}
			fmt.Fprintf(stdout, "%s: building, %d vectors read\n", name, s.BuildProgress)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
