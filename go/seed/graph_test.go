package seed

import (
	"strings"
	"testing"
)

func TestReadGraph(t *testing.T) {
	g, err := ReadGraph(strings.NewReader("id_1,id_2\n0,3\n3,0\n1, 2\n\n2,3\n0,3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Nodes != 4 || len(g.Edges) != 3 {
		t.Fatalf("got %d nodes, edges %v; want 4 nodes, 3 edges (repeats kept once)", g.Nodes, g.Edges)
	}
	if g, err := ReadGraph(strings.NewReader("5,7\n")); err != nil || g.Nodes != 8 || len(g.Edges) != 1 {
		t.Fatalf("headerless graph: %+v, %v", g, err)
	}
	for name, in := range map[string]string{
		"empty":           "",
		"header only":     "id_1,id_2\n",
		"one ID":          "id_1,id_2\n4\n",
		"three IDs":       "1,2,3\n",
		"not a number":    "1,2\n3,x\n",
		"negative":        "1,-2\n",
		"huge":            "1,99999999999999999999\n",
		"at MaxAccounts":  "1,10000000\n",
		"self-loop":       "1,2\n3,3\n",
		"NUL byte":        "1,2\n3\x00,4\n",
		"invalid UTF-8":   "1,2\n\xff\xfe,4\n",
		"long line":       "1,2\n" + strings.Repeat("1", 300) + ",4\n",
		"header mid-file": "1,2\nid_1,id_2\n",
	} {
		if g, err := ReadGraph(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted: %+v", name, g)
		}
	}
}

// TestGraphPlan: on a given graph the follows are exactly its edges both
// ways round, the accounts are ranked by followers, the counts match the
// rows, and every account posts its share of the statuses.
func TestGraphPlan(t *testing.T) {
	// Node 4 is the hub; node 5 follows nobody.
	g, err := ReadGraph(strings.NewReader("id_1,id_2\n4,0\n4,1\n4,2\n4,3\n0,1\n1,4\n"))
	if err != nil {
		t.Fatal(err)
	}
	g.Nodes = 6
	c := testConfig(6, 20)
	c.Graph = g
	p, err := NewPlan(c)
	if err != nil {
		t.Fatal(err)
	}
	all := drain(t, p)
	if p.Follows != 10 || len(all.Follows) != 10 {
		t.Fatalf("%d follows planned, %d rows; want 10", p.Follows, len(all.Follows))
	}
	// Rank 0 is the hub (4 followers), then nodes 0 and 1 (2 each, by ID),
	// then 2 and 3, then 5.
	wantFollowers := []int{4, 2, 2, 1, 1, 0}
	for i, w := range wantFollowers {
		if p.Followers(i) != w {
			t.Errorf("rank %d has %d followers, want %d", i, p.Followers(i), w)
		}
	}
	id := map[int64]int{}
	for i, a := range all.Accounts {
		id[a.ID] = i
		if a.FollowersCount != int64(wantFollowers[i]) || a.FollowingCount != int64(wantFollowers[i]) {
			t.Errorf("rank %d stored with %d followers, %d following; want %d both (mutual)", i, a.FollowersCount,
				a.FollowingCount, wantFollowers[i])
		}
	}
	pairs := map[[2]int]bool{}
	for _, f := range all.Follows {
		pairs[[2]int{id[f.AccountID], id[f.TargetAccountID]}] = true
	}
	// Graph nodes by rank: 4→0, 0→1, 1→2, 2→3, 3→4, 5→5.
	for _, e := range [][2]int{{0, 1}, {0, 2}, {0, 3}, {0, 4}, {1, 2}} {
		if !pairs[e] || !pairs[[2]int{e[1], e[0]}] {
			t.Errorf("ranks %d and %d do not follow each other: %v", e[0], e[1], pairs)
		}
	}
	posts := map[int64]int{}
	for _, st := range all.Statuses {
		if st.ReblogOfID == 0 {
			posts[st.AccountID]++
		}
	}
	for _, a := range all.Accounts {
		if n := posts[a.ID]; n < 3 || n > 4 {
			t.Errorf("account %s posted %d of 20 statuses, want 3 or 4", a.Username, n)
		}
	}
	for name, mut := range map[string]func(*Config){
		"node count differs": func(c *Config) { c.Accounts = 7 },
		"edge out of range":  func(c *Config) { c.Graph = &Graph{Nodes: 6, Edges: [][2]int32{{1, 6}}} },
		"negative node":      func(c *Config) { c.Graph = &Graph{Nodes: 6, Edges: [][2]int32{{-1, 2}}} },
		"self-loop":          func(c *Config) { c.Graph = &Graph{Nodes: 6, Edges: [][2]int32{{2, 2}}} },
		"no edges":           func(c *Config) { c.Graph = &Graph{Nodes: 6} },
	} {
		c := testConfig(6, 20)
		c.Graph = g
		mut(&c)
		if _, err := NewPlan(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
