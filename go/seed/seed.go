// Package seed generates a synthetic instance for scale measurements
// (`starling seed`, `starling-bench scale`): accounts, a power-law follow
// graph, statuses whose texts come from a corpus, favourites and boosts
// with planted interests (so the For-you recommender has something to
// learn), and each status's vector under the serving embedder. It plans
// everything in memory first, so every count written with a row (followers,
// statuses, favourites, boosts) is exact, then hands the rows out in
// batches for a store.BulkLoader.
//
// The plan is deterministic for a Config (one seeded PCG): the same flags
// give the same instance, and tests can compare the counts to the rows.
package seed

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// Limits on a Config: the plan lives in memory (about 60 bytes per status
// and per interaction).
const (
	MaxAccounts = 10_000_000
	MaxStatuses = 100_000_000
)

// topicRows is how many consecutive corpus rows of one source make a
// topic: neighbouring rows come from the same review, speech or product
// line, so a topic is about one thing.
const topicRows = 500

// Embedder turns a status text into its vector (the serving embedder).
type Embedder interface {
	Name() string
	Embed(text string) []float32
}

// Config is what to generate.
type Config struct {
	Accounts int
	Statuses int // originals; boosts come on top
	// Follows, Favourites and Boosts are means per account; each account's
	// own number is drawn from a heavy-tailed law around the mean.
	// Follows is ignored when Graph is set.
	Follows    float64
	Favourites float64
	Boosts     float64
	// Graph, if not nil, is the follow graph instead of a drawn one: its
	// nodes are the accounts (Accounts must be Graph.Nodes), ranked by
	// follower count. Statuses are then spread evenly over the authors
	// (Statuses/Accounts each, the remainder one more), not drawn by
	// activity: a real graph comes without activity, and with every
	// account posting alike a home's content depends on the graph alone
	// (how many the viewer follows), which is what a bench on it measures.
	Graph *Graph
	// Texts are the corpus (one string per post) and Sources their
	// source labels (same length): topics are runs of one source.
	Texts   []string
	Sources []string
	// Embedder, if not nil, gives every original status a vector.
	Embedder Embedder
	// PasswordHash is stored for every account (one hash: bcrypt per
	// account would take hours); "" stores one no password matches.
	PasswordHash string
	// Render turns a text into the status's HTML content.
	Render func(string) string
	Now    time.Time     // the newest status is a little before Now
	Span   time.Duration // statuses are spread over [Now-Span, Now)
	Seed   uint64
	Batch  int // rows per batch (one transaction)
}

// Validate checks c's bounds.
func (c *Config) Validate() error {
	switch {
	case c.Accounts < 2 || c.Accounts > MaxAccounts:
		return fmt.Errorf("seed: accounts must be 2 to %d, got %d", MaxAccounts, c.Accounts)
	case c.Statuses < 0 || c.Statuses > MaxStatuses:
		return fmt.Errorf("seed: statuses must be 0 to %d, got %d", MaxStatuses, c.Statuses)
	case !(c.Follows >= 0 && c.Follows <= 1000) || !(c.Favourites >= 0 && c.Favourites <= 1000) ||
		!(c.Boosts >= 0 && c.Boosts <= 1000):
		return fmt.Errorf("seed: follows, favourites and boosts per account must be 0 to 1000")
	case len(c.Texts) == 0 || len(c.Texts) != len(c.Sources):
		return errors.New("seed: texts and sources are required, one source per text")
	case c.Render == nil:
		return errors.New("seed: a content renderer is required")
	case c.Span <= 0 || c.Now.IsZero():
		return errors.New("seed: now and a positive span are required")
	case c.Batch < 1:
		return errors.New("seed: batch must be positive")
	}
	if c.Graph != nil {
		return c.Graph.validate(c.Accounts)
	}
	return nil
}

// Plan is a generated instance before it is written.
type Plan struct {
	cfg Config

	topics [][]int32 // topic -> corpus rows

	// Accounts, by index.
	accTopic   []int32
	accID      []int64
	followers  []int32
	following  []int32
	accStatus  []int32 // statuses_count (originals and boosts)
	accLastAt  []int64 // unix micro of the newest, 0 for none
	usernames  []string
	follows    [][2]int32 // (follower, target), grouped by follower
	statAuthor []int32
	statText   [][2]int32 // corpus rows; [1] is -1 for one sentence
	statVis    []store.Visibility
	statAt     []int64
	statID     []int64
	statFavs   []int32
	statBoosts []int32
	favs       [][2]int32 // (account, status index)
	favAt      []int64
	favID      []int64
	boosts     [][2]int32
	boostID    []int64
	boostAt    []int64

	// Stats of the plan.
	Follows, Favourites, Boosts int
}

// NewPlan draws an instance from c.
func NewPlan(c Config) (*Plan, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	p := &Plan{cfg: c}
	rng := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	p.planTopics()
	p.planAccounts(rng)
	if c.Graph != nil {
		p.planGraphFollows()
	} else {
		p.planFollows(rng)
	}
	p.planStatuses(rng)
	p.planInteractions(rng)
	return p, nil
}

// planTopics cuts the corpus into runs of topicRows rows of one source.
func (p *Plan) planTopics() {
	var cur []int32
	for i := range p.cfg.Texts {
		if len(cur) == topicRows || len(cur) > 0 && p.cfg.Sources[i] != p.cfg.Sources[cur[0]] {
			p.topics = append(p.topics, cur)
			cur = nil
		}
		cur = append(cur, int32(i))
	}
	p.topics = append(p.topics, cur)
}

// zipf draws ranks 0..n-1 with weight 1/(rank+1)^s by inverting the
// continuous approximation (fast, no table): rank 0 is the most likely.
func zipf(rng *rand.Rand, n int, s float64) int {
	u := rng.Float64()
	var x float64
	if s == 1 {
		x = math.Exp(u*math.Log(float64(n)+1)) - 1
	} else {
		a := 1 - s
		x = math.Pow(u*(math.Pow(float64(n)+1, a)-1)+1, 1/a) - 1
	}
	return min(n-1, max(0, int(x)))
}

// heavy draws a count with the given mean from a heavy-tailed law (a
// log-normal, sigma 1), capped at limit.
func heavy(rng *rand.Rand, mean float64, limit int) int {
	if mean <= 0 {
		return 0
	}
	const sigma = 1.0
	mu := math.Log(mean) - sigma*sigma/2
	return min(limit, int(math.Round(math.Exp(mu+sigma*rng.NormFloat64()))))
}

// Accounts are ranked by popularity: index 0 is the most followed. Each
// has a topic (its interest) and a username made of a corpus word.
func (p *Plan) planAccounts(rng *rand.Rand) {
	n := p.cfg.Accounts
	p.accTopic = make([]int32, n)
	p.accID = make([]int64, n)
	p.followers = make([]int32, n)
	p.following = make([]int32, n)
	p.accStatus = make([]int32, n)
	p.accLastAt = make([]int64, n)
	p.usernames = make([]string, n)
	words := corpusWords(p.cfg.Texts)
	created := p.cfg.Now.Add(-2 * p.cfg.Span)
	for i := range n {
		p.accTopic[i] = int32(rng.IntN(len(p.topics)))
		p.accID[i] = snowflake.FromTime(created) + int64(i)
		w := words[rng.IntN(len(words))]
		// Unique by the index suffix; 30 characters at most (Mastodon).
		suffix := strconv.FormatInt(int64(i), 36)
		p.usernames[i] = w[:min(len(w), 29-len(suffix))] + "_" + suffix
	}
}

// corpusWords are the distinct ASCII words of 3 to 12 letters, sorted.
func corpusWords(texts []string) []string {
	seen := map[string]bool{}
	for _, t := range texts[:min(len(texts), 20000)] {
		for _, w := range strings.Fields(t) {
			if len(w) >= 3 && len(w) <= 12 && strings.IndexFunc(w, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsLetter(r) }) < 0 {
				seen[w] = true
			}
		}
	}
	if len(seen) == 0 {
		return []string{"user"}
	}
	out := make([]string, 0, len(seen))
	for w := range seen {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

// planFollows: each account follows heavy(Follows) others, two thirds
// drawn by popularity (Zipf over the ranks, so followers are power-law)
// and one third among accounts of its own topic.
func (p *Plan) planFollows(rng *rand.Rand) {
	n := p.cfg.Accounts
	byTopic := make([][]int32, len(p.topics))
	for i, t := range p.accTopic {
		byTopic[t] = append(byTopic[t], int32(i))
	}
	seen := map[int32]bool{}
	for a := range n {
		d := heavy(rng, p.cfg.Follows, min(5000, n-1))
		clear(seen)
		for tries := 0; len(seen) < d && tries < 4*d; tries++ {
			var t int32
			if same := byTopic[p.accTopic[a]]; rng.IntN(3) == 0 && len(same) > 1 {
				t = same[rng.IntN(len(same))]
			} else {
				t = int32(zipf(rng, n, 1.0))
			}
			if t == int32(a) || seen[t] {
				continue
			}
			seen[t] = true
			p.follows = append(p.follows, [2]int32{int32(a), t})
			p.following[a]++
			p.followers[t]++
		}
	}
	p.Follows = len(p.follows)
}

// planStatuses: authors by activity (Zipf, milder than popularity) or,
// on a given graph, every account in turn in a shuffled order (see
// Config.Graph); texts from the author's topic, one or two sentences,
// spread evenly over the span, oldest first (IDs ascending).
func (p *Plan) planStatuses(rng *rand.Rand) {
	m := p.cfg.Statuses
	p.statAuthor = make([]int32, m)
	p.statText = make([][2]int32, m)
	p.statVis = make([]store.Visibility, m)
	p.statAt = make([]int64, m)
	p.statID = make([]int64, m)
	p.statFavs = make([]int32, m)
	p.statBoosts = make([]int32, m)
	start := p.cfg.Now.Add(-p.cfg.Span)
	step := p.cfg.Span / time.Duration(max(1, m+1))
	var turns []int
	if p.cfg.Graph != nil {
		turns = rng.Perm(p.cfg.Accounts)
	}
	var prev int64
	for i := range m {
		var a int
		if turns != nil {
			a = turns[i%len(turns)]
		} else {
			a = zipf(rng, p.cfg.Accounts, 0.8)
		}
		p.statAuthor[i] = int32(a)
		topic := p.topics[p.accTopic[a]]
		p.statText[i] = [2]int32{topic[rng.IntN(len(topic))], -1}
		if rng.IntN(2) == 0 {
			p.statText[i][1] = topic[rng.IntN(len(topic))]
		}
		switch r := rng.IntN(20); {
		case r < 17:
			p.statVis[i] = store.VisibilityPublic
		case r < 19:
			p.statVis[i] = store.VisibilityUnlisted
		default:
			p.statVis[i] = store.VisibilityPrivate
		}
		at := start.Add(time.Duration(i+1) * step)
		p.statAt[i] = at.UnixMicro()
		id := max(snowflake.FromTime(at), prev+1)
		p.statID[i], prev = id, id
		p.accStatus[a]++
		p.accLastAt[a] = p.statAt[i]
	}
}

// planInteractions: each account favourites heavy(Favourites) and boosts
// heavy(Boosts) public or unlisted statuses of its topic (its planted
// interest), by authors it may not follow, newer statuses likelier; never
// its own, each at most once.
func (p *Plan) planInteractions(rng *rand.Rand) {
	m := p.cfg.Statuses
	if m == 0 {
		return
	}
	byTopic := make([][]int32, len(p.topics))
	for i := range m {
		if p.statVis[i] != store.VisibilityPrivate {
			t := p.accTopic[p.statAuthor[i]]
			byTopic[t] = append(byTopic[t], int32(i))
		}
	}
	pick := func(a int) int32 {
		list := byTopic[p.accTopic[a]]
		if len(list) == 0 || rng.IntN(5) == 0 { // some taste beyond the topic
			list = byTopic[rng.IntN(len(byTopic))]
		}
		if len(list) == 0 {
			return -1
		}
		// Newer likelier: the max of two uniform draws.
		return list[max(rng.IntN(len(list)), rng.IntN(len(list)))]
	}
	seen := map[int32]bool{}
	end := p.cfg.Now.UnixMicro()
	for a := range p.cfg.Accounts {
		clear(seen)
		for range heavy(rng, p.cfg.Favourites, 2000) {
			s := pick(a)
			if s < 0 || seen[s] || p.statAuthor[s] == int32(a) {
				continue
			}
			seen[s] = true
			p.favs = append(p.favs, [2]int32{int32(a), s})
			p.favAt = append(p.favAt, p.statAt[s]+rng.Int64N(max(1, end-p.statAt[s])))
			p.statFavs[s]++
		}
		clear(seen)
		for range heavy(rng, p.cfg.Boosts, 500) {
			s := pick(a)
			if s < 0 || seen[s] || p.statAuthor[s] == int32(a) {
				continue
			}
			seen[s] = true
			p.boosts = append(p.boosts, [2]int32{int32(a), s})
			p.statBoosts[s]++
			p.accStatus[a]++
			at := p.statAt[s] + rng.Int64N(max(1, end-p.statAt[s]))
			p.boostAt = append(p.boostAt, at)
			p.accLastAt[a] = max(p.accLastAt[a], at)
		}
	}
	// IDs come from the times (the recommender trains on the newest
	// interactions by ID); a boost's must also differ from every
	// original's, in the same table.
	used := make(map[int64]bool, len(p.statID)+len(p.boosts))
	for _, id := range p.statID {
		used[id] = true
	}
	p.boostID = timeIDs(p.boostAt, used)
	p.favID = timeIDs(p.favAt, map[int64]bool{})
	// Written in ID order, so each table's B-tree is appended to.
	p.boosts, p.boostAt, p.boostID = byID(p.boosts, p.boostAt, p.boostID)
	p.favs, p.favAt, p.favID = byID(p.favs, p.favAt, p.favID)
	p.Favourites, p.Boosts = len(p.favs), len(p.boosts)
}

// byID reorders the three parallel slices by ascending ID.
func byID(rows [][2]int32, ats, ids []int64) ([][2]int32, []int64, []int64) {
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(ids[a], ids[b]) })
	r2, a2, i2 := make([][2]int32, len(rows)), make([]int64, len(ats)), make([]int64, len(ids))
	for j, i := range order {
		r2[j], a2[j], i2[j] = rows[i], ats[i], ids[i]
	}
	return r2, a2, i2
}

// timeIDs gives each time (unix micro) a snowflake of its millisecond,
// bumped past the IDs in used (which it extends).
func timeIDs(ats []int64, used map[int64]bool) []int64 {
	ids := make([]int64, len(ats))
	for i, at := range ats {
		id := snowflake.FromTime(time.UnixMicro(at))
		for used[id] {
			id++
		}
		used[id] = true
		ids[i] = id
	}
	return ids
}

// Username is account i's username (i by popularity rank: 0 is the most
// followed).
func (p *Plan) Username(i int) string { return p.usernames[i] }

// Followers is how many follow account i.
func (p *Plan) Followers(i int) int { return int(p.followers[i]) }

// text is status i's text.
func (p *Plan) text(i int) string {
	t := p.cfg.Texts[p.statText[i][0]]
	if j := p.statText[i][1]; j >= 0 {
		t += " " + p.cfg.Texts[j]
	}
	return t
}
