package seed

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

// lenEmbedder is a stand-in embedder: a vector from the text's length, nil
// for an empty text (as the real ones give nothing to embed).
type lenEmbedder struct{}

func (lenEmbedder) Name() string { return "len-v1" }
func (lenEmbedder) Embed(text string) []float32 {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return []float32{float32(len(text)), 1}
}

func testConfig(accounts, statuses int) Config {
	c := Config{Accounts: accounts, Statuses: statuses, Follows: 8, Favourites: 4, Boosts: 2,
		Embedder: lenEmbedder{}, Render: func(s string) string { return "<p>" + s + "</p>" },
		Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Span: 24 * time.Hour, Seed: 42, Batch: 97}
	for i := range 2000 {
		src := []string{"movies", "speeches", "reviews"}[i/700]
		c.Texts = append(c.Texts, fmt.Sprintf("text number %d about %s", i, src))
		c.Sources = append(c.Sources, src)
	}
	c.Texts[5] = " " // nothing to embed
	return c
}

// drain collects every batch's rows.
func drain(t *testing.T, p *Plan) store.BulkBatch {
	t.Helper()
	var all store.BulkBatch
	b := p.Batches()
	for {
		x, err := b.Next()
		if err != nil {
			t.Fatal(err)
		}
		if x == nil {
			return all
		}
		if x.Rows() > 2*p.cfg.Batch {
			t.Fatalf("batch of %d rows, want at most %d (statuses count with their vectors)", x.Rows(), 2*p.cfg.Batch)
		}
		all.Accounts = append(all.Accounts, x.Accounts...)
		all.Follows = append(all.Follows, x.Follows...)
		all.Statuses = append(all.Statuses, x.Statuses...)
		all.Favourites = append(all.Favourites, x.Favourites...)
		all.Vectors = append(all.Vectors, x.Vectors...)
		if len(x.Vectors) > 0 && x.Embedder != "len-v1" {
			t.Fatalf("vectors under %q", x.Embedder)
		}
	}
}

// TestPlanCountsMatchRows: every count written with a row is the number of
// rows it counts, and the rows keep the store's rules (no self-follow, one
// favourite and one boost per account and status, none of one's own, none
// of a private status, unique IDs).
func TestPlanCountsMatchRows(t *testing.T) {
	p, err := NewPlan(testConfig(300, 3000))
	if err != nil {
		t.Fatal(err)
	}
	all := drain(t, p)
	if len(all.Accounts) != 300 || len(all.Follows) != p.Follows || len(all.Favourites) != p.Favourites ||
		len(all.Statuses) != 3000+p.Boosts {
		t.Fatalf("rows: %d accounts, %d follows, %d statuses, %d favourites; plan %d follows, %d boosts, %d favourites",
			len(all.Accounts), len(all.Follows), len(all.Statuses), len(all.Favourites), p.Follows, p.Boosts, p.Favourites)
	}
	if p.Follows == 0 || p.Favourites == 0 || p.Boosts == 0 {
		t.Fatalf("empty plan: %d follows, %d favourites, %d boosts", p.Follows, p.Favourites, p.Boosts)
	}
	followers, following, statuses := map[int64]int64{}, map[int64]int64{}, map[int64]int64{}
	pairs := map[[2]int64]bool{}
	for _, f := range all.Follows {
		if f.AccountID == f.TargetAccountID || pairs[[2]int64{f.AccountID, f.TargetAccountID}] {
			t.Fatalf("follow %d→%d is a self-follow or a duplicate", f.AccountID, f.TargetAccountID)
		}
		pairs[[2]int64{f.AccountID, f.TargetAccountID}] = true
		followers[f.TargetAccountID]++
		following[f.AccountID]++
	}
	byID := map[int64]*store.Status{}
	favs, boosts := map[int64]int64{}, map[int64]int64{}
	var lastOriginal int64
	for _, st := range all.Statuses {
		if byID[st.ID] != nil {
			t.Fatalf("status ID %d twice", st.ID)
		}
		byID[st.ID] = st
		statuses[st.AccountID]++
		if st.ReblogOfID == 0 {
			if st.ID <= lastOriginal {
				t.Fatalf("original statuses not in ascending ID order at %d", st.ID)
			}
			lastOriginal = st.ID
		}
	}
	boosted := map[[2]int64]bool{}
	for _, st := range all.Statuses {
		if st.ReblogOfID == 0 {
			continue
		}
		orig := byID[st.ReblogOfID]
		key := [2]int64{st.AccountID, st.ReblogOfID}
		if orig == nil || orig.AccountID == st.AccountID || orig.Visibility == store.VisibilityPrivate || boosted[key] ||
			!st.CreatedAt.After(orig.CreatedAt) && !st.CreatedAt.Equal(orig.CreatedAt) {
			t.Fatalf("boost %d of %d breaks a rule", st.ID, st.ReblogOfID)
		}
		boosted[key] = true
		boosts[st.ReblogOfID]++
	}
	faved := map[[2]int64]bool{}
	favIDs := map[int64]bool{}
	for _, f := range all.Favourites {
		orig := byID[f.StatusID]
		key := [2]int64{f.AccountID, f.StatusID}
		if orig == nil || orig.ReblogOfID != 0 || orig.AccountID == f.AccountID || orig.Visibility == store.VisibilityPrivate ||
			faved[key] || favIDs[f.ID] {
			t.Fatalf("favourite %d of %d by %d breaks a rule", f.ID, f.StatusID, f.AccountID)
		}
		faved[key], favIDs[f.ID] = true, true
		favs[f.StatusID]++
	}
	for _, a := range all.Accounts {
		if a.FollowersCount != followers[a.ID] || a.FollowingCount != following[a.ID] || a.StatusesCount != statuses[a.ID] {
			t.Fatalf("account %s: counts %d/%d/%d, rows %d/%d/%d", a.Username, a.FollowersCount, a.FollowingCount,
				a.StatusesCount, followers[a.ID], following[a.ID], statuses[a.ID])
		}
		if (a.LastStatusAt != nil) != (statuses[a.ID] > 0) {
			t.Fatalf("account %s: last status at %v with %d statuses", a.Username, a.LastStatusAt, statuses[a.ID])
		}
	}
	for _, st := range all.Statuses {
		if st.FavouritesCount != favs[st.ID] || st.ReblogsCount != boosts[st.ID] {
			t.Fatalf("status %d: %d favourites, %d boosts counted; rows %d, %d", st.ID, st.FavouritesCount, st.ReblogsCount,
				favs[st.ID], boosts[st.ID])
		}
	}
	// Every original with something to embed has its vector; none else.
	vec := map[int64]bool{}
	for _, v := range all.Vectors {
		vec[v.StatusID] = true
	}
	for _, st := range all.Statuses {
		if want := st.ReblogOfID == 0 && strings.TrimSpace(st.Text) != ""; vec[st.ID] != want {
			t.Fatalf("status %d %q: vector %v, want %v", st.ID, st.Text, vec[st.ID], want)
		}
	}
	// Followers are power-law: the most followed account has many times
	// the mean.
	var most int64
	for _, n := range followers {
		most = max(most, n)
	}
	if mean := float64(p.Follows) / 300; float64(most) < 5*mean {
		t.Errorf("most followed has %d followers, mean %.1f: not heavy-tailed", most, mean)
	}
}

// TestPlanDeterministic: the same Config gives the same rows; another
// seed does not.
func TestPlanDeterministic(t *testing.T) {
	c := testConfig(100, 500)
	p1, err := NewPlan(c)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := NewPlan(c)
	if a, b := drain(t, p1), drain(t, p2); !reflect.DeepEqual(a, b) {
		t.Fatal("two plans of one config differ")
	}
	c.Seed++
	p3, _ := NewPlan(c)
	if a, b := drain(t, p1), drain(t, p3); reflect.DeepEqual(a.Follows, b.Follows) {
		t.Fatal("another seed gave the same follows")
	}
}

func TestConfigBounds(t *testing.T) {
	for name, mut := range map[string]func(*Config){
		"one account":       func(c *Config) { c.Accounts = 1 },
		"too many accounts": func(c *Config) { c.Accounts = MaxAccounts + 1 },
		"negative statuses": func(c *Config) { c.Statuses = -1 },
		"too many statuses": func(c *Config) { c.Statuses = MaxStatuses + 1 },
		"NaN follows":       func(c *Config) { c.Follows = nanf() },
		"huge favourites":   func(c *Config) { c.Favourites = 1e9 },
		"no texts":          func(c *Config) { c.Texts, c.Sources = nil, nil },
		"sources mismatch":  func(c *Config) { c.Sources = c.Sources[1:] },
		"no renderer":       func(c *Config) { c.Render = nil },
		"no span":           func(c *Config) { c.Span = 0 },
		"no batch":          func(c *Config) { c.Batch = 0 },
	} {
		c := testConfig(10, 10)
		mut(&c)
		if _, err := NewPlan(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func nanf() float64 {
	zero := 0.0
	return zero / zero
}
