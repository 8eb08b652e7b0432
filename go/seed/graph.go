package seed

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// MaxGraphEdges bounds a graph read by ReadGraph: each edge becomes two
// follows, planned in memory (16 bytes each) and written as rows.
const MaxGraphEdges = 20_000_000

// maxGraphLine bounds one line of an edge list ("id_1,id_2" needs ~20 bytes).
const maxGraphLine = 256

// Graph is a mutual follow graph over accounts 0..Nodes-1: each edge is
// two accounts that follow each other (the github-social-graph data set's
// meaning), so it becomes a follow in both directions.
type Graph struct {
	Nodes int
	Edges [][2]int32
}

// ReadGraph reads an edge list: an optional header line, then one
// "a,b" line per edge, a and b decimal IDs from 0 (github-social-graph's
// edges.csv). Nodes is the largest ID plus one; an ID with no edge is an
// account that follows nobody. It refuses a self-loop, an ID at or above
// MaxAccounts, more than MaxGraphEdges edges, or a graph with none;
// a repeated edge (either way round) is kept once.
func ReadGraph(r io.Reader) (*Graph, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, maxGraphLine), maxGraphLine)
	g := &Graph{}
	seen := map[[2]int32]bool{}
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		a, b, ok := strings.Cut(text, ",")
		x, errX := parseNode(a)
		y, errY := parseNode(b)
		switch {
		case line == 1 && ok && errX != nil && errY != nil:
			continue // a header such as id_1,id_2
		case !ok || errX != nil || errY != nil:
			return nil, fmt.Errorf("seed: graph line %d: want two IDs 0 to %d as \"a,b\"", line, MaxAccounts-1)
		case x == y:
			return nil, fmt.Errorf("seed: graph line %d: account %d follows itself", line, x)
		}
		key := [2]int32{min(x, y), max(x, y)}
		if seen[key] {
			continue
		}
		if len(g.Edges) == MaxGraphEdges {
			return nil, fmt.Errorf("seed: graph has more than %d edges", MaxGraphEdges)
		}
		seen[key] = true
		g.Edges = append(g.Edges, key)
		g.Nodes = max(g.Nodes, int(key[1])+1)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("seed: graph has a line longer than %d bytes", maxGraphLine)
		}
		return nil, fmt.Errorf("seed: reading graph: %w", err)
	}
	if len(g.Edges) == 0 {
		return nil, errors.New("seed: graph has no edges")
	}
	return g, nil
}

// parseNode parses one ID of an edge line.
func parseNode(s string) (int32, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil || n < 0 || n >= MaxAccounts {
		return 0, errors.New("bad node ID")
	}
	return int32(n), nil
}

// validate checks g against the plan's account count: the same nodes, IDs
// in range, no self-loop (ReadGraph's rules, for a Graph built otherwise).
func (g *Graph) validate(accounts int) error {
	if g.Nodes != accounts {
		return fmt.Errorf("seed: the graph has %d accounts, the config %d", g.Nodes, accounts)
	}
	if len(g.Edges) == 0 || len(g.Edges) > MaxGraphEdges {
		return fmt.Errorf("seed: the graph must have 1 to %d edges", MaxGraphEdges)
	}
	for _, e := range g.Edges {
		if e[0] < 0 || e[1] < 0 || int(e[0]) >= accounts || int(e[1]) >= accounts || e[0] == e[1] {
			return fmt.Errorf("seed: graph edge %d,%d: IDs must differ and be below %d", e[0], e[1], accounts)
		}
	}
	return nil
}

// planGraphFollows makes the graph's follows, both ways round, with the
// accounts ranked by popularity as planFollows ranks them (index 0 is the
// most followed; ties by node ID). Each pair is followed once each way
// however often the graph lists it.
func (p *Plan) planGraphFollows() {
	g, n := p.cfg.Graph, p.cfg.Accounts
	degree := make([]int32, n)
	for _, e := range g.Edges {
		degree[e[0]]++
		degree[e[1]]++
	}
	order := make([]int32, n) // rank -> node
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(degree[b], degree[a]) })
	rank := make([]int32, n) // node -> rank
	for r, node := range order {
		rank[node] = int32(r)
	}
	adj := make([][]int32, n) // by rank: whom each follows
	for _, e := range g.Edges {
		a, b := rank[e[0]], rank[e[1]]
		adj[a] = append(adj[a], b)
		adj[b] = append(adj[b], a)
	}
	p.follows = make([][2]int32, 0, 2*len(g.Edges))
	for a, targets := range adj {
		slices.Sort(targets)
		for _, t := range slices.Compact(targets) {
			p.follows = append(p.follows, [2]int32{int32(a), t})
			p.following[a]++
			p.followers[t]++
		}
	}
	p.Follows = len(p.follows)
}
