package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/starling-social/starling/go/seed"
)

// graphFields are what `http --data-dir` adds to each result line: the
// seeded workload (e.g. `starling seed --graph` on github-social-graph)
// and the viewers whose homes are read.
type graphFields struct {
	Graph        string `json:"graph"`         // seed.json's graph ("" for a drawn one)
	GraphFollows int    `json:"graph_follows"` // follow rows in the data dir
	Strategy     string `json:"strategy"`      // the server's --feed-strategy
	// Viewers is how many accounts' homes the reads rotate over;
	// ViewersFollowing* their followee counts.
	Viewers                int `json:"viewers"`
	ViewersFollowingMedian int `json:"viewers_following_median"`
	ViewersFollowingMax    int `json:"viewers_following_max"`
	// Celebrities are the most followed accounts at or above
	// CelebrityThreshold followers, which post once after each server
	// start, so that hybrid merges them at read time;
	// ViewersFollowingCelebrity is how many viewers follow one of them.
	CelebrityThreshold        int    `json:"celebrity_threshold,omitempty"`
	Celebrities               int    `json:"celebrities"`
	ViewersFollowingCelebrity int    `json:"viewers_following_celebrity"`
	LoadAvg                   string `json:"loadavg"`
}

// graphWorkload drives `http` on a seeded data dir instead of seeding
// through the API: viewers sign in with the seed's password.
type graphWorkload struct {
	dir, password string
	viewers       int
	threshold     int
	sf            *seed.Manifest
	celebTokens   []string
	fields        graphFields
}

// maxHTTPViewers bounds --viewers (each is one bcrypt sign-in).
const maxHTTPViewers = 5000

func newGraphWorkload(dir, password string, viewers, threshold int, serverArgs []string) (*graphWorkload, error) {
	if password == "" {
		return nil, usagef("--data-dir needs --password (starling seed --password)")
	}
	if viewers < 1 || viewers > maxHTTPViewers || threshold < 0 {
		return nil, usagef("want 1 <= --viewers <= %d and --celebrity-threshold >= 0", maxHTTPViewers)
	}
	w := &graphWorkload{dir: dir, password: password, viewers: viewers, threshold: threshold}
	sf, err := seed.ReadManifest(dir)
	if err != nil {
		return nil, usageError{err}
	}
	w.sf = sf
	w.fields = graphFields{Graph: w.sf.Graph, GraphFollows: w.sf.Follows, Strategy: "hybrid", CelebrityThreshold: threshold}
	for _, a := range serverArgs {
		if s, ok := strings.CutPrefix(a, "--feed-strategy="); ok {
			w.fields.Strategy = s
		}
	}
	return w, nil
}

// serverOptions runs the server on the data dir and waits, at each start,
// for the recommender's first training (background work that would
// otherwise be measured with the reads).
func (w *graphWorkload) serverOptions(o serverOptions) serverOptions {
	o.dir, o.notify, o.startTimeout = w.dir, []string{"recommender trained"}, 30*time.Minute
	if w.threshold > 0 {
		o.args = append(o.args, "--celebrity-threshold", strconv.Itoa(w.threshold))
	}
	return o
}

// signIn signs in the viewers (evenly over seed.json's sample of the
// popularity ranks, plus the ten most followed, who on a mutual graph
// also follow the most) and the celebrities, and fills in the viewers'
// fields. It returns the viewers' tokens.
func (w *graphWorkload) signIn(s *benchServer) ([]string, error) {
	var names []string
	n := min(w.viewers, len(w.sf.Usernames))
	for i := range n {
		names = append(names, w.sf.Usernames[i*len(w.sf.Usernames)/n])
	}
	for _, u := range w.sf.Top[:min(10, len(w.sf.Top))] {
		if !slices.Contains(names, u) {
			names = append(names, u)
		}
	}
	tokens, err := s.signInAll(names, w.password)
	if err != nil {
		return nil, err
	}
	var celebs []string
	for i, f := range w.sf.TopFollowers {
		if w.threshold > 0 && f >= w.threshold {
			celebs = append(celebs, w.sf.Top[i])
		}
	}
	if w.celebTokens, err = s.signInAll(celebs, w.password); err != nil {
		return nil, err
	}
	following := make([]int, len(tokens))
	err = parallel(len(tokens), 8, func(i int) error {
		var a struct {
			FollowingCount int `json:"following_count"`
		}
		err := s.do(http.MethodGet, "/api/v1/accounts/verify_credentials", tokens[i], nil, &a)
		following[i] = a.FollowingCount
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(following)
	w.fields.Viewers, w.fields.Celebrities = len(tokens), len(celebs)
	w.fields.ViewersFollowingMedian, w.fields.ViewersFollowingMax = following[len(following)/2], following[len(following)-1]
	if w.fields.ViewersFollowingCelebrity, err = w.followingCelebrity(s, tokens); err != nil {
		return nil, err
	}
	return tokens, nil
}

// followingCelebrity counts the viewers following at least one celebrity
// (the relationships API, at most maxRelationships IDs a request).
func (w *graphWorkload) followingCelebrity(s *benchServer, tokens []string) (int, error) {
	const maxRelationships = 80
	ids := make([]string, len(w.celebTokens))
	err := parallel(len(ids), 8, func(i int) error {
		var a struct{ ID string }
		err := s.do(http.MethodGet, "/api/v1/accounts/verify_credentials", w.celebTokens[i], nil, &a)
		ids[i] = a.ID
		return err
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	follows := make([]bool, len(tokens))
	err = parallel(len(tokens), 8, func(i int) error {
		for chunk := range slices.Chunk(ids, maxRelationships) {
			var rels []struct{ Following bool }
			if err := s.do(http.MethodGet, "/api/v1/accounts/relationships?id[]="+strings.Join(chunk, "&id[]="), tokens[i], nil, &rels); err != nil {
				return err
			}
			if slices.ContainsFunc(rels, func(r struct{ Following bool }) bool { return r.Following }) {
				follows[i] = true
				return nil
			}
		}
		return nil
	})
	n := 0
	for _, f := range follows {
		if f {
			n++
		}
	}
	return n, err
}

// started waits for the recommender's training, then has each celebrity
// post once, so that this process merges them at read time (hybrid marks
// an author when it posts; a restart forgets the marks).
func (w *graphWorkload) started(s *benchServer) error {
	select {
	case <-s.notices:
	case <-time.After(10 * time.Minute):
		return fmt.Errorf("the recommender did not train within 10 minutes")
	}
	return parallel(len(w.celebTokens), 4, func(i int) error {
		return s.call("/api/v1/statuses", w.celebTokens[i], url.Values{
			"status": {"a celebrity's post at " + time.Now().UTC().Format(time.RFC3339Nano)}}, &struct{}{})
	})
}

// result fills the graph fields into a result line.
func (w *graphWorkload) result(r httpResult) httpResult {
	f := w.fields
	f.LoadAvg = loadAvg()
	r.graphFields = &f
	return r
}

// signInAll registers an app and signs usernames in with the password
// grant (bcrypt per sign-in, so eight at a time), returning their tokens
// in order.
func (s *benchServer) signInAll(usernames []string, password string) ([]string, error) {
	if len(usernames) == 0 {
		return nil, nil
	}
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := s.call("/api/v1/apps", "", url.Values{"client_name": {"bench"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"},
		"scopes": {"read write"}}, &app); err != nil {
		return nil, err
	}
	tokens := make([]string, len(usernames))
	return tokens, parallel(len(usernames), 8, func(i int) error {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := s.call("/oauth/token", "", url.Values{"grant_type": {"password"}, "client_id": {app.ClientID},
			"client_secret": {app.ClientSecret}, "username": {usernames[i]}, "password": {password},
			"scope": {"read write"}}, &tok); err != nil {
			return fmt.Errorf("sign in as %s: %w", usernames[i], err)
		}
		tokens[i] = tok.AccessToken
		return nil
	})
}
