package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// runChart is `starling-bench chart`: SVG charts of the feed trade-offs
// (strategy × store: post and read latency, write amplification, fan-out
// rate against raw ZADD, memory per entry; the hybrid crossover) from the
// JSON lines of `feed` and `feed store` runs.
func runChart(e *env, args []string) error {
	fs := flag.NewFlagSet("chart", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var ins stringsFlag
	fs.Var(&ins, "in", "JSON lines of `feed` or `feed store` runs (repeat, or comma-separated); other lines are skipped")
	out := fs.String("out", "bench/charts", "directory the SVG files are written to")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench chart --in results.jsonl [--in more.jsonl] [--out DIR]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	var files []string
	for _, in := range ins {
		files = append(files, strings.Split(in, ",")...)
	}
	if len(files) == 0 {
		return usagef("--in: no results given")
	}
	var rows []chartRow
	for _, f := range files {
		rs, err := readChartRows(f)
		if err != nil {
			return usageError{err}
		}
		rows = append(rows, rs...)
	}
	charts := feedCharts(rows)
	if len(charts) == 0 {
		return usagef("no feed results in %s", strings.Join(files, ", "))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	for _, c := range charts {
		path := filepath.Join(*out, c.name)
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		err = c.chart.writeSVG(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Fprintf(e.stderr, "wrote %s\n", path)
	}
	return nil
}

// chartRow is the part of a feed or feed-store line the charts read.
type chartRow struct {
	Bench         string  `json:"bench"`
	Graph         string  `json:"graph"`
	Strategy      string  `json:"strategy"`
	Store         string  `json:"store"`
	Threshold     int     `json:"threshold"`
	Accounts      int     `json:"accounts"`
	Timelines     int     `json:"timelines"`
	PostP50US     float64 `json:"post_p50_us"`
	PostP99US     float64 `json:"post_p99_us"`
	TopPostP99US  float64 `json:"top_post_p99_us"`
	ReadP50US     float64 `json:"read_p50_us"`
	ReadP99US     float64 `json:"read_p99_us"`
	WriteAmp      float64 `json:"write_amplification"`
	InsertsPerS   float64 `json:"timeline_inserts_per_s"`
	RawZaddPerS   float64 `json:"raw_zadd_per_s"`
	BytesPerEntry float64 `json:"bytes_per_entry"`
	CostPerPostUS float64 `json:"cost_per_post_us"`
}

// readChartRows reads the feed lines of a JSON lines file.
func readChartRows(path string) ([]chartRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []chartRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r chartRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if r.Bench == "feed" || r.Bench == "feed-crossover" || r.Bench == "feed-store" {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}

// namedChart is a chart (barChart or lineChart) and its file name.
type namedChart struct {
	name  string
	chart interface{ writeSVG(w io.Writer) error }
}

// feedCharts builds the charts the rows allow, in a fixed order. A group
// (graph, strategy, store) given twice keeps its last line.
func feedCharts(rows []chartRow) []namedChart {
	var groups []string
	byGroup := map[string]chartRow{}
	// graph → threshold → cost per post, write amplification
	crossover := map[string]map[int][2]float64{}
	var graphs []string
	var memGroups []string
	memory := map[string]float64{}
	var storeGroups []string // feed-store lines, for the fan-out chart
	storeRows := map[string]chartRow{}
	for _, r := range rows {
		switch r.Bench {
		case "feed":
			g := fmt.Sprintf("%s %s", graphName(r), r.Strategy)
			if r.Strategy != "pull" {
				g += "/" + r.Store
			}
			if _, ok := byGroup[g]; !ok {
				groups = append(groups, g)
			}
			byGroup[g] = r
			if r.Strategy != "pull" && r.BytesPerEntry > 0 {
				mg := fmt.Sprintf("%s %s/%s", graphName(r), r.Strategy, r.Store)
				if _, ok := memory[mg]; !ok {
					memGroups = append(memGroups, mg)
				}
				memory[mg] = r.BytesPerEntry
			}
		case "feed-crossover":
			g := graphName(r)
			if _, ok := crossover[g]; !ok {
				graphs = append(graphs, g)
				crossover[g] = map[int][2]float64{}
			}
			crossover[g][r.Threshold] = [2]float64{r.CostPerPostUS, r.WriteAmp}
		case "feed-store":
			mg := fmt.Sprintf("store alone %s, %s", fmtValue(float64(r.Timelines)), r.Store)
			if _, ok := memory[mg]; !ok {
				memGroups = append(memGroups, mg)
				storeGroups = append(storeGroups, mg)
			}
			memory[mg] = r.BytesPerEntry
			storeRows[mg] = r
		}
	}
	var out []namedChart
	pick := func(f func(chartRow) float64) []float64 {
		v := make([]float64, len(groups))
		for i, g := range groups {
			v[i] = f(byGroup[g])
		}
		return v
	}
	if len(groups) > 0 {
		out = append(out,
			namedChart{"feed-post-latency.svg", barChart{title: "Post acknowledgement (fan-out) by strategy and store", unit: "latency", logY: true, micros: true, groups: groups,
				series: []barSeries{{"post p50", pick(func(r chartRow) float64 { return r.PostP50US })},
					{"post p99", pick(func(r chartRow) float64 { return r.PostP99US })},
					{"most followed authors' post p99", pick(func(r chartRow) float64 { return r.TopPostP99US })}}}},
			namedChart{"feed-read-latency.svg", barChart{title: "Home read (limit 20) by strategy and store", unit: "latency", logY: true, micros: true, groups: groups,
				series: []barSeries{{"read p50", pick(func(r chartRow) float64 { return r.ReadP50US })},
					{"read p99", pick(func(r chartRow) float64 { return r.ReadP99US })}}}},
			namedChart{"feed-write-amplification.svg", barChart{title: "Write amplification: timeline inserts per post", unit: "inserts per post", logY: true, groups: groups,
				series: []barSeries{{"write amplification", pick(func(r chartRow) float64 { return r.WriteAmp })}}}},
		)
	}
	if fan := append(slices.Clone(groups), storeGroups...); len(fan) > 0 {
		ins, raw := make([]float64, len(fan)), make([]float64, len(fan))
		for i, g := range fan {
			r, ok := byGroup[g]
			if !ok {
				r = storeRows[g]
			}
			ins[i], raw[i] = r.InsertsPerS, nanIfZero(r.RawZaddPerS)
		}
		out = append(out, namedChart{"feed-fanout-rate.svg", barChart{title: "Fan-out rate beside raw pipelined ZADD (same run)", unit: "timeline inserts/s",
			logY: true, groups: fan, series: []barSeries{{"fan-out inserts/s", ins}, {"redis-benchmark ZADD -P 16 /s", raw}}}})
	}
	if len(memGroups) > 0 {
		v := make([]float64, len(memGroups))
		for i, g := range memGroups {
			v[i] = memory[g]
		}
		out = append(out, namedChart{"feed-memory.svg", barChart{title: "Memory per cached timeline entry (Go heap or Redis used_memory)", unit: "bytes per entry",
			groups: memGroups, series: []barSeries{{"bytes per entry", v}}}})
	}
	if len(graphs) > 0 {
		cost, amp := lineChart{title: "Hybrid crossover: post + reads cost by celebrity threshold", xLabel: "celebrity threshold (followers; 1e9 = push)",
			yLabel: "µs per post incl. its reads"}, lineChart{title: "Hybrid crossover: write amplification by celebrity threshold",
			xLabel: "celebrity threshold (followers; 1e9 = push)", yLabel: "inserts per post"}
		for _, g := range graphs {
			var c, a [][2]float64
			for _, t := range slices.Sorted(maps.Keys(crossover[g])) {
				c = append(c, [2]float64{float64(t), crossover[g][t][0]})
				a = append(a, [2]float64{float64(t), crossover[g][t][1]})
			}
			cost.lines = append(cost.lines, chartLine{g, c})
			amp.lines = append(amp.lines, chartLine{g, a})
		}
		out = append(out, namedChart{"feed-crossover.svg", cost}, namedChart{"feed-crossover-write-amp.svg", amp})
	}
	return out
}

// graphName names a row's graph with its size: "powerlaw 100k".
func graphName(r chartRow) string {
	return r.Graph + " " + fmtValue(float64(r.Accounts))
}

func nanIfZero(v float64) float64 {
	if v == 0 {
		return math.NaN()
	}
	return v
}
