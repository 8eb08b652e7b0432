package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/search/subword"
	"github.com/starling-social/starling/go/seed"
)

// Scale targets (issue 10), single-thread p99 in milliseconds and the
// start-up from a snapshot in seconds.
const (
	targetTypeaheadP99 = 10
	targetForYouP99    = 30
	targetSearchP99    = 50
	targetStartup      = 5
)

// scaleResult is one JSON line of `scale`: one operation against the real
// server on a data dir seeded by `starling seed`.
type scaleResult struct {
	Bench    string  `json:"bench"` // "scale"
	Op       string  `json:"op"`    // typeahead, for_you_cold, for_you_warm, search_statuses, startup, index
	Requests int     `json:"requests,omitempty"`
	Errors   int     `json:"errors,omitempty"`
	P50Ms    float64 `json:"p50_ms,omitempty"`
	P99Ms    float64 `json:"p99_ms,omitempty"`
	MaxMs    float64 `json:"max_ms,omitempty"`
	// P99ByLengthMs is the typeahead's p99 by prefix length.
	P99ByLengthMs map[string]float64 `json:"p99_by_prefix_length_ms,omitempty"`
	lat           []float64          // per request, in order (0 for a failed one)
	// ServerCPUMsPerReq is the server's CPU (all threads, background work
	// included) over the run divided by the requests.
	ServerCPUMsPerReq float64 `json:"server_cpu_ms_per_req,omitempty"`
	TargetP99Ms       float64 `json:"target_p99_ms,omitempty"`
	// Start-up: process start to /readyz 200 with the index loaded.
	StartupSeconds float64             `json:"startup_s,omitempty"`
	BuildSeconds   float64             `json:"first_start_build_s,omitempty"` // first start without a snapshot (0: there was one)
	TrainSeconds   float64             `json:"recommender_train_s,omitempty"` // start to "recommender trained"
	TargetSeconds  float64             `json:"target_s,omitempty"`
	ServerRSSBytes int64               `json:"server_rss_bytes,omitempty"`
	Index          *search.Status      `json:"index,omitempty"`
	Check          *search.CheckResult `json:"check,omitempty"`
	MeetsTarget    *bool               `json:"meets_target,omitempty"`
	Accounts       int                 `json:"accounts"`
	Statuses       int                 `json:"statuses"`
	LoadAvg        string              `json:"loadavg"` // /proc/loadavg when the op ended
	provenance
}

func runScale(e *env, args []string) error {
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	server := fs.String("server", siblingBinary("starling"), "the starling binary to run")
	dataDir := fs.String("data-dir", "", "a data dir seeded by `starling seed` (required; the index snapshot is written into it)")
	password := fs.String("password", "", "the seeded accounts' password (starling seed --password)")
	viewers := fs.Int("viewers", 200, "accounts signed in, spread over the popularity ranks (For-you: one cold and one warm read each)")
	queries := fs.Int("queries", 1000, "typeahead and status-search requests each")
	posts := fs.String("posts", "../shared/data/short-posts-en/posts.tsv.gz", "texts the status-search queries are drawn from")
	checkQueries := fs.Int("check-queries", 200, "queries of the served recall@10 check (starling index check)")
	profOp := fs.String("server-cpuprofile-op", "", "after the measurements, repeat this op (typeahead, search_statuses or for_you_cold, with viewers not measured before) while pulling a CPU profile of the server")
	profSeconds := fs.Int("server-cpuprofile-seconds", 20, "length of that profile")
	profOut := fs.String("server-cpuprofile", "scale-server-cpu.pprof", "where the profile is written")
	profViewers := fs.Int("server-cpuprofile-viewers", 400, "for_you_cold: viewers signed in for the profile, one first read each (if they run out first, the rest of the profile is idle)")
	opsFlag := fs.String("ops", "all", "which measurements to run: all, or some of index, typeahead, search_statuses, for_you, comma-separated (start-up always runs)")
	slowest := fs.Int("slowest", 0, "print this many slowest status-search queries to stderr, with their latency")
	var serverArgs stringsFlag
	fs.Var(&serverArgs, "server-arg", "an extra flag for starling serve (repeatable)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench scale --data-dir DIR --password P [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if *dataDir == "" || *password == "" {
		return usagef("--data-dir and --password are required")
	}
	if *viewers < 1 || *queries < 1 || *checkQueries < 1 || *checkQueries > 1000 {
		return usagef("--viewers and --queries must be positive, --check-queries 1 to 1000")
	}
	switch *profOp {
	case "", "typeahead", "search_statuses", "for_you_cold":
	default:
		return usagef("--server-cpuprofile-op must be typeahead, search_statuses or for_you_cold")
	}
	ops := map[string]bool{}
	if *opsFlag == "all" {
		*opsFlag = strings.Join(scaleOps, ",")
	}
	for _, op := range strings.Split(*opsFlag, ",") {
		if !slices.Contains(scaleOps, op) {
			return usagef("--ops: unknown op %q (want all, or some of %s)", op, strings.Join(scaleOps, ","))
		}
		ops[op] = true
	}
	if *profOp != "" && !ops[strings.TrimSuffix(*profOp, "_cold")] {
		return usagef("--server-cpuprofile-op %s: its op is not in --ops", *profOp)
	}
	if *slowest < 0 || *slowest > *queries {
		return usagef("--slowest must be 0 to --queries")
	}
	sf, err := seed.ReadManifest(*dataDir)
	if err != nil {
		return usageError{err}
	}
	corpus, err := subword.ReadPosts(*posts)
	if err != nil {
		return usageError{err}
	}
	prov := newProvenance(e.command)
	base := func(op string) scaleResult {
		return scaleResult{Bench: "scale", Op: op, Accounts: sf.Accounts, Statuses: sf.Statuses, provenance: prov}
	}
	opts := serverOptions{dir: *dataDir, notify: []string{"recommender trained"}, startTimeout: 30 * time.Minute,
		args: append([]string{"--rate-limit", "0", "--rate-limit-auth", "0", "--rate-limit-apps", "0",
			"--admin-addr", "127.0.0.1:0"}, serverArgs...)}

	// Start-up: a first start builds the index from SQL and writes the
	// snapshot at shutdown; the measured start loads it.
	startup := base("startup")
	if _, err := os.Stat(filepath.Join(*dataDir, "index", "statuses.json")); err != nil {
		fmt.Fprintf(e.stderr, "scale: no index snapshot yet; first start builds it from the database\n")
		t0 := time.Now()
		s, err := startServer(e, *server, opts)
		if err != nil {
			return err
		}
		startup.BuildSeconds = time.Since(t0).Seconds()
		s.stop()
	}
	t0 := time.Now()
	s, err := startServer(e, *server, opts)
	if err != nil {
		return err
	}
	defer s.stop()
	if err := s.waitReady(); err != nil {
		return err
	}
	startup.StartupSeconds = time.Since(t0).Seconds()
	startup.TargetSeconds = targetStartup
	startup.MeetsTarget = ptr(startup.StartupSeconds <= targetStartup)
	fmt.Fprintf(e.stderr, "scale: ready from the snapshot in %.2fs; waiting for the recommender's first training\n", startup.StartupSeconds)
	select {
	case <-s.notices:
		startup.TrainSeconds = time.Since(t0).Seconds()
	case <-time.After(10 * time.Minute):
		return errors.New("the recommender did not train within 10 minutes")
	}
	startup.LoadAvg = loadAvg()
	startup.ServerRSSBytes = s.rss()
	if err := emit(e.stdout, startup); err != nil {
		return err
	}

	if ops["index"] {
		if err := s.measureIndex(base("index"), *checkQueries); err != nil {
			return err
		}
	}
	// The queries below are drawn whether or not their op runs, so that
	// each op gets the same queries in every run.

	rng := rand.New(rand.NewPCG(7, 10))
	tokens, err := s.signIn(sf.Usernames, *viewers, *password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "scale: %d viewers signed in\n", len(tokens))

	// Typeahead: prefixes of 1 to 4 characters of usernames and display
	// names, as a client sends while "@…" is typed.
	typeahead := make([]string, *queries)
	for i := range typeahead {
		name := sf.Usernames[rng.IntN(len(sf.Usernames))]
		typeahead[i] = name[:min(len(name), 1+rng.IntN(4))]
	}
	typeaheadPath := func(q string) string { return "/api/v2/search?type=accounts&limit=5&q=" + url.QueryEscape(q) }
	if ops["typeahead"] {
		res, err := s.sequential(base("typeahead"), tokens, typeahead, typeaheadPath)
		if err != nil {
			return err
		}
		res.P99ByLengthMs = map[string]float64{}
		for n := 1; n <= 4; n++ {
			var lat []float64
			for i, q := range typeahead {
				if len(q) == n {
					lat = append(lat, res.lat[i])
				}
			}
			if len(lat) > 0 {
				slices.Sort(lat)
				res.P99ByLengthMs[strconv.Itoa(n)] = lat[min(len(lat)-1, len(lat)*99/100)]
			}
		}
		res.TargetP99Ms, res.MeetsTarget = targetTypeaheadP99, ptr(res.P99Ms <= targetTypeaheadP99)
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}

	// Status search: one to three words of a corpus text.
	searches := make([]string, *queries)
	for i := range searches {
		searches[i] = searchQuery(rng, corpus[rng.IntN(len(corpus))].Text)
	}
	if ops["search_statuses"] {
		res, err := s.sequential(base("search_statuses"), tokens, searches, func(q string) string {
			return "/api/v2/search?type=statuses&q=" + url.QueryEscape(q)
		})
		if err != nil {
			return err
		}
		res.TargetP99Ms, res.MeetsTarget = targetSearchP99, ptr(res.P99Ms <= targetSearchP99)
		if err := emit(e.stdout, res); err != nil {
			return err
		}
		printSlowest(e, searches, res.lat, *slowest)
	}

	// For-you: each viewer's first read computes its ranking (cold); the
	// second is paged from the ranking cached for two minutes (warm).
	forYouPath := func(string) string { return "/api/v1/timelines/for_you?limit=20" }
	for _, op := range []string{"for_you_cold", "for_you_warm"} {
		if !ops["for_you"] {
			break
		}
		each := make([]string, len(tokens))
		res, err := s.sequential(base(op), tokens, each, forYouPath)
		if err != nil {
			return err
		}
		res.TargetP99Ms, res.MeetsTarget = targetForYouP99, ptr(res.P99Ms <= targetForYouP99)
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	if *profOp == "" {
		return nil
	}
	// The profile: the op again, on viewers not measured above (so For-you
	// rankings are cold), until the profile is in.
	measured := map[int]bool{}
	for i, n := 0, min(*viewers, len(sf.Usernames)); i < n; i++ {
		measured[i*len(sf.Usernames)/n] = true // as signIn picks them
	}
	var others []string
	for i, u := range sf.Usernames {
		if !measured[i] {
			others = append(others, u)
		}
	}
	if len(others) == 0 {
		return errors.New("no viewer left to profile with: lower --viewers")
	}
	// A For-you ranking is cached for two minutes: each profiled viewer
	// reads once, so every request is a first read.
	cold := *profOp == "for_you_cold"
	n := 100
	if cold {
		n = *profViewers
	}
	more, err := s.signIn(others, min(len(others), n), *password)
	if err != nil {
		return err
	}
	tok, err := os.ReadFile(filepath.Join(*dataDir, "admin_token"))
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- s.pullProfile(strings.TrimSpace(string(tok)), *profSeconds, *profOut) }()
	for i := 0; ; i++ {
		select {
		case err := <-done:
			fmt.Fprintf(e.stderr, "scale: server CPU profile of %s in %s (%d requests)\n", *profOp, *profOut, i)
			return err
		default:
		}
		var path string
		switch *profOp {
		case "typeahead":
			path = typeaheadPath(typeahead[i%len(typeahead)])
		case "search_statuses":
			path = "/api/v2/search?type=statuses&q=" + url.QueryEscape(searchQuery(rng, corpus[rng.IntN(len(corpus))].Text))
		default:
			path = forYouPath("")
		}
		if cold && i >= len(more) {
			err := <-done // every viewer read once: wait for the profile
			fmt.Fprintf(e.stderr, "scale: server CPU profile of %s in %s (%d requests, all first reads)\n", *profOp, *profOut, i)
			return err
		}
		_ = s.do(http.MethodGet, path, more[i%len(more)], nil, nil)
	}
}

// scaleOps are the measurements `scale --ops` chooses from.
var scaleOps = []string{"index", "typeahead", "search_statuses", "for_you"}

// printSlowest writes the n slowest queries to stderr, slowest first:
// the tail that sets the p99 is a handful of queries, worth knowing by
// their words.
func printSlowest(e *env, queries []string, lat []float64, n int) {
	order := make([]int, len(queries))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(lat[b], lat[a]) })
	for _, i := range order[:min(n, len(order))] {
		fmt.Fprintf(e.stderr, "scale: slow search %.2f ms %q\n", lat[i], queries[i])
	}
}

func ptr[T any](v T) *T { return &v }

// searchQuery is one to three content words (3 letters or more) of text.
func searchQuery(rng *rand.Rand, text string) string {
	var words []string
	for _, w := range strings.Fields(text) {
		if len(w) >= 3 && strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return text
	}
	n := min(len(words), 1+rng.IntN(3))
	i := rng.IntN(len(words) - n + 1)
	return strings.Join(words[i:i+n], " ")
}

// loadAvg is /proc/loadavg's first three fields.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// sequential sends len(queries) requests one at a time on one
// connection, the i-th as viewer i mod len(tokens), and fills in latency
// percentiles and server CPU.
func (s *benchServer) sequential(r scaleResult, tokens []string, queries []string, path func(string) string) (scaleResult, error) {
	lat := make([]float64, 0, len(queries))
	r.lat = make([]float64, len(queries))
	cpu0, err := s.cpu()
	if err != nil {
		return r, err
	}
	for i, q := range queries {
		t0 := time.Now()
		if err := s.do(http.MethodGet, path(q), tokens[i%len(tokens)], nil, nil); err != nil {
			r.Errors++
			if r.Errors == 1 {
				fmt.Fprintf(s.e.stderr, "scale: %s: %v\n", r.Op, err)
			}
			continue
		}
		r.lat[i] = float64(time.Since(t0).Microseconds()) / 1e3
		lat = append(lat, r.lat[i])
	}
	cpu1, err := s.cpu()
	if err != nil {
		return r, err
	}
	r.Requests = len(queries)
	if len(lat) > 0 {
		slices.Sort(lat)
		r.P50Ms, r.P99Ms, r.MaxMs = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)], lat[len(lat)-1]
		r.ServerCPUMsPerReq = float64((cpu1 - cpu0).Microseconds()) / 1e3 / float64(len(queries))
	}
	r.LoadAvg = loadAvg()
	if r.Errors > 0 {
		return r, fmt.Errorf("%s: %d of %d requests failed", r.Op, r.Errors, len(queries))
	}
	fmt.Fprintf(s.e.stderr, "scale: %s p50 %.2f ms p99 %.2f ms (%d requests)\n", r.Op, r.P50Ms, r.P99Ms, len(queries))
	return r, nil
}

// signIn registers an app and signs n of usernames in (spread evenly)
// with the password grant, returning their tokens.
func (s *benchServer) signIn(usernames []string, n int, password string) ([]string, error) {
	n = min(n, len(usernames))
	names := make([]string, n)
	for i := range n {
		names[i] = usernames[i*len(usernames)/n]
	}
	return s.signInAll(names, password)
}

// waitReady polls /readyz until it answers 200.
func (s *benchServer) waitReady() error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return errors.New("/readyz did not answer 200 within a minute")
}

// adminDo calls the admin API with the data dir's admin token.
func (s *benchServer) adminDo(method, path string, out any) error {
	tok, err := os.ReadFile(filepath.Join(s.dir, "admin_token"))
	if err != nil {
		return fmt.Errorf("admin token: %w", err)
	}
	req, err := http.NewRequest(method, s.admin+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d", method, path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// rss is the server's resident memory (VmRSS), 0 if unknown.
func (s *benchServer) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// measureIndex emits the served index's size, memory per vector, and the
// recall check as `starling index check` runs it (the admin API).
func (s *benchServer) measureIndex(idx scaleResult, checkQueries int) error {
	var list []search.Status
	if err := s.adminDo(http.MethodGet, "/admin/indexes", &list); err != nil {
		return err
	}
	for i := range list {
		if list[i].Name == "statuses" {
			idx.Index = &list[i]
		}
	}
	var check search.CheckResult
	if err := s.adminDo(http.MethodPost, "/admin/indexes/statuses/check?queries="+strconv.Itoa(checkQueries), &check); err != nil {
		return err
	}
	idx.Check, idx.MeetsTarget, idx.LoadAvg = &check, ptr(check.MeetsTarget), loadAvg()
	return emit(s.e.stdout, idx)
}
