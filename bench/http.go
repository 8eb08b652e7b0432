package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// httpResult is one JSON line of `http`: one operation at one connection
// count against the real server. Documented in bench/README.md.
type httpResult struct {
	Engine   string  `json:"engine"`
	Bench    string  `json:"bench"`
	Op       string  `json:"op"`    // healthz, home, post, mix (95% home, 5% post)
	Phase    string  `json:"phase"` // cold (first run after a restart) or warm
	Conns    int     `json:"conns"`
	Seconds  float64 `json:"seconds"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"` // transport errors and non-2xx answers
	RPS      float64 `json:"rps"`
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
	P999Ms   float64 `json:"p999_ms"`
	MaxMs    float64 `json:"max_ms"`
	// ServerCPUUsPerReq is the server's CPU (all threads) over the run
	// divided by the requests completed; ServerCores is that CPU over the
	// wall time (2.0 is both cores of this machine).
	ServerCPUUsPerReq float64 `json:"server_cpu_us_per_req"`
	ServerCores       float64 `json:"server_cores"`
	// ClientCPUUsPerReq and ClientCores are the same for the bench
	// process, the load generator, which shares the machine's cores.
	ClientCPUUsPerReq float64 `json:"client_cpu_us_per_req"`
	ClientCores       float64 `json:"client_cores"`
	// ServerAllocsPerReq is the server's heap allocations (the Go
	// runtime's count, from the admin listener's /metrics) over the run
	// per request; ServerGCs the garbage collections in the run.
	ServerAllocsPerReq float64 `json:"server_allocs_per_req,omitempty"`
	ServerGCs          int64   `json:"server_gcs,omitempty"`
	// ServerP50Ms and ServerP99Ms are the time inside the server's handler
	// chain (its starling_http_request_duration_seconds histogram, all
	// routes, over the run), as the upper bound of the bucket holding the
	// quantile. Far below P99Ms, the tail is time spent before the handler
	// runs or after it returns: waiting for a core, in either process.
	ServerP50Ms float64 `json:"server_p50_le_ms,omitempty"`
	ServerP99Ms float64 `json:"server_p99_le_ms,omitempty"`
	// ShareOfHealthz is RPS over the /healthz RPS at the same connection
	// count in the same run (home and mix only).
	ShareOfHealthz float64 `json:"share_of_healthz,omitempty"`
	Accounts       int     `json:"accounts"`
	Follows        int     `json:"follows"`
	Statuses       int     `json:"statuses"`
	Profile        string  `json:"server_cpu_profile,omitempty"`
	// ServerVersion is what the server binary's "version" printed: its
	// version and the commit it was built from (the provenance's commit is
	// the bench's checkout, which an A/B run's server need not be).
	ServerVersion string `json:"server_version"`
	*graphFields
	provenance
}

// httpSeed is the workload the server holds: accounts, each following
// Follows others and having posted Statuses statuses.
type httpSeed struct {
	Accounts, Follows, Statuses int
}

func runHTTP(e *env, args []string) error {
	fs := flag.NewFlagSet("http", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	server := fs.String("server", siblingBinary("starling"), "the starling binary to run")
	var seed httpSeed
	fs.IntVar(&seed.Accounts, "accounts", 200, "accounts seeded through the API")
	fs.IntVar(&seed.Follows, "follows", 50, "accounts each account follows")
	fs.IntVar(&seed.Statuses, "statuses", 20, "statuses each account posts")
	connsFlag := fs.String("conns", "16,64", "connection counts, ascending")
	opsFlag := fs.String("ops", "healthz,home,post,mix", "operations measured at each connection count, in order (healthz,home,public,post,mix)")
	duration := fs.Duration("duration", 10*time.Second, "measured time per operation and connection count")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured load before each warm measurement")
	cold := fs.Bool("cold", true, "restart the server after seeding and measure home reads at the largest connection count first (cold caches)")
	seedWorkers := fs.Int("seed-workers", 8, "concurrent requests while seeding")
	pprofSeconds := fs.Int("server-cpuprofile-seconds", 0, "pull a CPU profile of this many seconds from the admin listener during the warm home run at the largest connection count (0: none)")
	pprofOut := fs.String("server-cpuprofile", "http-server-cpu.pprof", "where --server-cpuprofile-seconds writes the server's profile")
	var serverArgs stringsFlag
	fs.Var(&serverArgs, "server-arg", "an extra flag for starling serve (repeatable), e.g. --server-arg=--db=postgres://…")
	dataDir := fs.String("data-dir", "", "serve this data dir seeded by `starling seed` (e.g. --graph github-social-graph) instead of seeding through the API; viewers sign in with --password")
	password := fs.String("password", "", "with --data-dir: the seeded accounts' password")
	viewers := fs.Int("viewers", 1000, "with --data-dir: accounts whose homes are read, spread over seed.json's popularity ranks, plus the ten most followed")
	celebThreshold := fs.Int("celebrity-threshold", 0, "with --data-dir: the server's --celebrity-threshold; the most followed accounts at or above it post once after each start, so hybrid merges them at read (0: the server's default, nobody posts)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench http [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	conns, err := parseLevels(*connsFlag)
	if err != nil {
		return usageError{fmt.Errorf("--conns: %w", err)}
	}
	ops := strings.Split(*opsFlag, ",")
	for _, op := range ops {
		if _, ok := httpOps[op]; !ok {
			return usagef("--ops: unknown operation %q (healthz, home, public, post, mix)", op)
		}
	}
	if seed.Accounts < 2 || seed.Follows < 0 || seed.Follows >= seed.Accounts || seed.Statuses < 0 || *seedWorkers < 1 ||
		*duration <= 0 || *warmup < 0 || *pprofSeconds < 0 {
		return usagef("want --accounts >= 2, 0 <= --follows < --accounts, --statuses >= 0, --seed-workers >= 1, --duration > 0")
	}
	if _, err := os.Stat(*server); err != nil {
		return usagef("--server: %v (run make build)", err)
	}

	var gw *graphWorkload
	if *dataDir != "" {
		explicit := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
		if explicit["accounts"] || explicit["follows"] || explicit["statuses"] {
			return usagef("--data-dir serves a seeded workload: drop --accounts, --follows and --statuses")
		}
		if gw, err = newGraphWorkload(*dataDir, *password, *viewers, *celebThreshold, serverArgs); err != nil {
			return err
		}
	}

	// No plugins and no rate limits: every connection comes from
	// 127.0.0.1, and the bench measures the read path, not the policy.
	token := make([]byte, 16)
	_, _ = rand.Read(token)
	adminToken := hex.EncodeToString(token)
	opts := serverOptions{args: append([]string{"--admin-addr", "127.0.0.1:0",
		"--admin-token", adminToken, "--plugins", "", "--rate-limit", "0", "--rate-limit-auth", "0",
		"--rate-limit-apps", "0"}, serverArgs...)}
	if gw != nil {
		opts = gw.serverOptions(opts)
	}
	serverVersion, err := exec.Command(*server, "version").Output()
	if err != nil {
		return fmt.Errorf("%s version: %w", *server, err)
	}
	srv, err := startServer(e, *server, opts)
	if err != nil {
		return err
	}
	defer srv.stop()
	start := time.Now()
	var tokens []string
	if gw != nil {
		if tokens, err = gw.signIn(srv); err == nil {
			err = gw.started(srv)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "http: %d viewers signed in (following median %d, max %d; %d follow one of %d celebrities) in %s\n",
			len(tokens), gw.fields.ViewersFollowingMedian, gw.fields.ViewersFollowingMax, gw.fields.ViewersFollowingCelebrity,
			gw.fields.Celebrities, time.Since(start).Round(time.Millisecond))
	} else {
		if tokens, err = seedHTTP(srv, seed, *seedWorkers); err != nil {
			return fmt.Errorf("seeding: %w", err)
		}
		fmt.Fprintf(e.stderr, "http: seeded %d accounts x %d follows x %d statuses in %s\n",
			seed.Accounts, seed.Follows, seed.Statuses, time.Since(start).Round(time.Millisecond))
	}

	prov := newProvenance(e.command)
	lg := newLoadGen(srv, tokens)
	lg.adminToken = adminToken
	base := httpResult{Engine: "starling", Bench: "http", Accounts: seed.Accounts, Follows: seed.Follows,
		Statuses: seed.Statuses, ServerVersion: strings.TrimSpace(string(serverVersion)), provenance: prov}
	if gw != nil {
		base.Accounts, base.Follows, base.Statuses = gw.sf.Accounts, 0, gw.sf.Statuses
	}
	if *cold {
		if err := srv.restart(); err != nil {
			return err
		}
		if gw != nil {
			if err := gw.started(srv); err != nil {
				return err
			}
		}
		lg.resetConns()
		fmt.Fprintf(e.stderr, "http: restarted; cold home reads at %d connections\n", conns[len(conns)-1])
		res, err := lg.measure("home", conns[len(conns)-1], *duration, base)
		if err != nil {
			return err
		}
		res.Phase = "cold"
		if gw != nil {
			res = gw.result(res)
		}
		if err := emit(e.stdout, res); err != nil {
			return err
		}
	}
	for _, n := range conns {
		var healthz float64
		for _, op := range ops {
			if *warmup > 0 {
				if _, err := lg.run(op, n, *warmup); err != nil {
					return err
				}
			}
			var profile chan error
			if *pprofSeconds > 0 && op == "home" && n == conns[len(conns)-1] {
				profile = make(chan error, 1)
				go func() { profile <- srv.pullProfile(adminToken, *pprofSeconds, *pprofOut) }()
			}
			fmt.Fprintf(e.stderr, "http: %s at %d connections\n", op, n)
			res, err := lg.measure(op, n, *duration, base)
			if err != nil {
				return err
			}
			res.Phase = "warm"
			if op == "healthz" {
				healthz = res.RPS
			} else if healthz > 0 && op != "post" {
				res.ShareOfHealthz = res.RPS / healthz
			}
			if profile != nil {
				if err := <-profile; err != nil {
					return err
				}
				res.Profile = *pprofOut
			}
			if gw != nil {
				res = gw.result(res)
			}
			if err := emit(e.stdout, res); err != nil {
				return err
			}
		}
	}
	return nil
}

// stringsFlag is a repeatable string flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, " ") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// seedHTTP builds the workload through the public API and returns the
// accounts' tokens. Account i follows Follows others chosen at random
// (fixed seed); statuses are posted round by round so every home timeline
// interleaves its followees. It then checks that a home read of each
// account returns a full page.
func seedHTTP(srv *benchServer, seed httpSeed, workers int) ([]string, error) {
	app, err := srv.appToken()
	if err != nil {
		return nil, err
	}
	tokens := make([]string, seed.Accounts)
	ids := make([]string, seed.Accounts)
	err = parallel(seed.Accounts, workers, func(i int) error {
		t, err := srv.register(app, "bench"+strconv.Itoa(i))
		if err != nil {
			return err
		}
		var acct struct{ ID string }
		if err := srv.do(http.MethodGet, "/api/v1/accounts/verify_credentials", t, nil, &acct); err != nil {
			return err
		}
		tokens[i], ids[i] = t, acct.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	r := mrand.New(mrand.NewPCG(14, 14))
	follows := make([][]int, seed.Accounts)
	for i := range follows {
		for _, j := range r.Perm(seed.Accounts - 1)[:seed.Follows] {
			if j >= i {
				j++ // skip self
			}
			follows[i] = append(follows[i], j)
		}
	}
	err = parallel(seed.Accounts*seed.Follows, workers, func(k int) error {
		i, j := k/seed.Follows, follows[k/seed.Follows][k%seed.Follows]
		return srv.call("/api/v1/accounts/"+ids[j]+"/follow", tokens[i], url.Values{}, &struct{}{})
	})
	if err != nil {
		return nil, err
	}
	err = parallel(seed.Accounts*seed.Statuses, workers, func(k int) error {
		round, i := k/seed.Accounts, k%seed.Accounts
		return srv.call("/api/v1/statuses", tokens[i], url.Values{
			"status": {fmt.Sprintf("status %d of bench%d, a few words long like a real post #bench", round, i)}}, &struct{}{})
	})
	if err != nil {
		return nil, err
	}
	want := min(20, seed.Statuses*(seed.Follows+1))
	return tokens, parallel(seed.Accounts, workers, func(i int) error {
		var page []json.RawMessage
		if err := srv.do(http.MethodGet, "/api/v1/timelines/home?limit=20", tokens[i], nil, &page); err != nil {
			return err
		}
		if len(page) != want {
			return fmt.Errorf("home of bench%d: %d statuses, want %d", i, len(page), want)
		}
		return nil
	})
}

// parallel runs f(0..n-1) on workers goroutines; the first error stops it.
func parallel(n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// loadGen drives the server closed-loop: each of n goroutines keeps one
// keep-alive connection busy, sends its next request as soon as the last
// answer is read, and records latency in its own histogram. Tokens rotate
// across requests, so every read is another account's home.
type loadGen struct {
	srv    *benchServer
	tokens []string
	wire   loadWire
	conns  []*rawConn // kept alive from one run to the next, one per worker
	// adminToken reads the server's /metrics (allocations, collections);
	// "" leaves them out.
	adminToken string
	next       atomic.Uint64
}

// loadWorker is one load goroutine's state: its random source.
type loadWorker struct {
	rand *mrand.Rand
}

// httpOps are the operations: the request each sends.
var httpOps = map[string]func(g *loadGen, w *loadWorker) loadRequest{
	"healthz": func(g *loadGen, _ *loadWorker) loadRequest { return g.wire.healthz },
	"home":    func(g *loadGen, _ *loadWorker) loadRequest { return g.home() },
	// public: the anonymous public timeline, the read every visitor makes.
	"public": func(g *loadGen, _ *loadWorker) loadRequest { return g.wire.public },
	"post":   func(g *loadGen, _ *loadWorker) loadRequest { return g.post() },
	"mix": func(g *loadGen, w *loadWorker) loadRequest {
		if w.rand.IntN(100) < 5 {
			return g.post()
		}
		return g.home()
	},
}

// loadWire holds the requests that do not change, written out once per
// server address (a restart moves the server to a new port), so a read
// costs the load generator no request building.
type loadWire struct {
	base            string
	host            string // base without its scheme: what connections dial
	healthz, public loadRequest
	home            []loadRequest // one per token
}

// newLoadGen returns a load generator for srv rotating tokens.
func newLoadGen(srv *benchServer, tokens []string) *loadGen {
	return &loadGen{srv: srv, tokens: tokens}
}

// rewire writes out the fixed requests for the server's current address.
func (g *loadGen) rewire() {
	if g.wire.base == g.srv.base {
		return
	}
	host := strings.TrimPrefix(g.srv.base, "http://")
	g.wire = loadWire{base: g.srv.base, host: host,
		healthz: getRequest(host, "/healthz", ""),
		public:  getRequest(host, "/api/v1/timelines/public?limit=20", ""),
		home:    make([]loadRequest, len(g.tokens))}
	for i, t := range g.tokens {
		g.wire.home[i] = getRequest(host, "/api/v1/timelines/home?limit=20", t)
	}
}

// home returns the home request of the next token.
func (g *loadGen) home() loadRequest {
	return g.wire.home[int(g.next.Add(1)%uint64(len(g.wire.home)))]
}

func (g *loadGen) post() loadRequest {
	n := g.next.Add(1)
	body := url.Values{"status": {"bench load post " + strconv.FormatUint(n, 10)}}.Encode()
	return postRequest(g.wire.host, "/api/v1/statuses",
		g.tokens[int(n%uint64(len(g.tokens)))], "application/x-www-form-urlencoded", body)
}

// resetConns drops the kept-alive connections (after a restart).
func (g *loadGen) resetConns() {
	for _, c := range g.conns {
		c.close()
	}
	g.conns = nil
}

// workerConns returns one connection per worker, reusing those kept
// alive, and readies the requests for the server's address.
func (g *loadGen) workerConns(n int) []*rawConn {
	g.rewire()
	for len(g.conns) < n {
		g.conns = append(g.conns, &rawConn{addr: g.wire.host})
	}
	return g.conns[:n]
}

// loadStats is what one run measured.
type loadStats struct {
	hist     histogram
	errors   int64
	wall     time.Duration
	firstErr error
}

// run keeps conns requests of op in flight for d.
func (g *loadGen) run(op string, conns int, d time.Duration) (*loadStats, error) {
	rcs, mk := g.workerConns(conns), httpOps[op]
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	hists := make([]histogram, conns)
	var errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lw := &loadWorker{rand: mrand.New(mrand.NewPCG(uint64(w), 1))}
			for ctx.Err() == nil {
				req := mk(g, lw)
				t0 := time.Now()
				code, err := rcs[w].do(req)
				if err == nil && code/100 != 2 {
					err = fmt.Errorf("%s: %d %s", req.name, code, http.StatusText(code))
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				hists[w].record(time.Since(t0))
			}
		}()
	}
	wg.Wait()
	st := &loadStats{errors: errs.Load(), wall: time.Since(start)}
	for i := range hists {
		st.hist.merge(&hists[i])
	}
	if e, ok := firstErr.Load().(error); ok {
		st.firstErr = e
	}
	return st, nil
}

// measure runs op and turns it into a result line, with the server's CPU
// over the run.
func (g *loadGen) measure(op string, conns int, d time.Duration, base httpResult) (httpResult, error) {
	cpu0, err := g.srv.cpu()
	if err != nil {
		return httpResult{}, err
	}
	self0, err := selfCPU()
	if err != nil {
		return httpResult{}, err
	}
	rt0, err := g.srv.runtimeCounts(g.adminToken)
	if err != nil {
		return httpResult{}, err
	}
	st, err := g.run(op, conns, d)
	if err != nil {
		return httpResult{}, err
	}
	self1, err := selfCPU()
	if err != nil {
		return httpResult{}, err
	}
	cpu1, err := g.srv.cpu()
	if err != nil {
		return httpResult{}, err
	}
	rt1, err := g.srv.runtimeCounts(g.adminToken)
	if err != nil {
		return httpResult{}, err
	}
	if st.firstErr != nil {
		fmt.Fprintf(g.srv.e.stderr, "http: %s: %d errors, first: %v\n", op, st.errors, st.firstErr)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	res := base
	res.Op, res.Conns, res.Seconds = op, conns, st.wall.Seconds()
	res.Requests, res.Errors = int64(st.hist.n), st.errors
	res.RPS = float64(st.hist.n) / st.wall.Seconds()
	res.P50Ms, res.P99Ms, res.P999Ms, res.MaxMs = ms(st.hist.quantile(0.5)), ms(st.hist.quantile(0.99)),
		ms(st.hist.quantile(0.999)), ms(st.hist.max)
	if total := st.hist.n + uint64(st.errors); total > 0 {
		res.ServerCPUUsPerReq = float64((cpu1 - cpu0).Microseconds()) / float64(total)
		res.ClientCPUUsPerReq = float64((self1 - self0).Microseconds()) / float64(total)
		res.ServerAllocsPerReq = float64(rt1.mallocs-rt0.mallocs) / float64(total)
	}
	res.ServerGCs = rt1.gcs - rt0.gcs
	res.ServerP50Ms, res.ServerP99Ms = rt1.handled.quantileSince(rt0.handled, 0.5)*1000,
		rt1.handled.quantileSince(rt0.handled, 0.99)*1000
	res.ServerCores = (cpu1 - cpu0).Seconds() / st.wall.Seconds()
	res.ClientCores = (self1 - self0).Seconds() / st.wall.Seconds()
	return res, nil
}

// runtimeCounts are the server's Go runtime counters the bench reports,
// and its request-duration histogram.
type runtimeCounts struct {
	mallocs, gcs int64
	handled      cumulativeBuckets
}

// cumulativeBuckets is a Prometheus histogram summed over its series:
// upper bound in seconds to the count of observations at or below it.
type cumulativeBuckets map[float64]float64

// quantileSince is the upper bound of the bucket that holds quantile q of
// the observations made after since was read; 0 with none.
func (b cumulativeBuckets) quantileSince(since cumulativeBuckets, q float64) float64 {
	les := make([]float64, 0, len(b))
	for le := range b {
		les = append(les, le)
	}
	slices.Sort(les)
	if len(les) == 0 {
		return 0
	}
	total := b[les[len(les)-1]] - since[les[len(les)-1]]
	if total <= 0 {
		return 0
	}
	for _, le := range les {
		if b[le]-since[le] >= q*total {
			return le
		}
	}
	return les[len(les)-1]
}

// runtimeCounts reads the server's heap allocations and garbage
// collections so far from the admin listener's /metrics; zero without a
// token or listener.
func (s *benchServer) runtimeCounts(token string) (runtimeCounts, error) {
	c := runtimeCounts{handled: cumulativeBuckets{}}
	if token == "" || s.admin == "" {
		return c, nil
	}
	req, err := http.NewRequest(http.MethodGet, s.admin+"/metrics", nil)
	if err != nil {
		return c, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return c, fmt.Errorf("server metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return c, fmt.Errorf("server metrics: %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if le, isBucket := durationBucket(name); ok && isBucket {
			f, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return c, fmt.Errorf("server metrics: %s: %w", name, err)
			}
			c.handled[le] += f
			continue
		}
		var dst *int64
		switch name {
		case "go_memstats_mallocs_total":
			dst = &c.mallocs
		case "go_gc_duration_seconds_count":
			dst = &c.gcs
		}
		if ok && dst != nil {
			f, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return c, fmt.Errorf("server metrics: %s: %w", name, err)
			}
			*dst = int64(f)
		}
	}
	return c, sc.Err()
}

// durationBucket parses the upper bound of a
// starling_http_request_duration_seconds bucket series; +Inf is left out
// (the histogram's largest finite bucket stands for the tail beyond it).
func durationBucket(series string) (float64, bool) {
	rest, ok := strings.CutPrefix(series, "starling_http_request_duration_seconds_bucket{")
	if !ok {
		return 0, false
	}
	_, le, ok := strings.Cut(rest, `le="`)
	if !ok {
		return 0, false
	}
	le, _, _ = strings.Cut(le, `"`)
	f, err := strconv.ParseFloat(le, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// selfCPU is the bench process's CPU time so far (user and system, all
// threads).
func selfCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("bench CPU: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// pullProfile saves a CPU profile of the server, seconds long, from the
// admin listener's /debug/pprof/profile into path.
func (s *benchServer) pullProfile(token string, seconds int, path string) error {
	if s.admin == "" {
		return fmt.Errorf("server profile: no admin listener")
	}
	req, err := http.NewRequest(http.MethodGet, s.admin+"/debug/pprof/profile?seconds="+strconv.Itoa(seconds), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("server profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("server profile: %s %s", resp.Status, b)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("server profile: %w", err)
	}
	return f.Close()
}
