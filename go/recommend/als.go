package recommend

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
)

// Interaction is one user doing something with one item (a favourite, a
// boost). Repeats count once.
type Interaction struct {
	User, Item int64
}

// Options bound training. Zero fields take the defaults below, chosen on
// the relevance bench's generated log (bench/RESULTS.md): more factors or
// a larger Alpha scored no better there and cost more.
type Options struct {
	Factors    int     // latent dimensions; default 16, at most 128
	Iterations int     // alternating sweeps; default 20, at most 50
	Alpha      float64 // confidence of an observed pair is 1+Alpha; default 5
	Lambda     float64 // L2 regularisation; default 0.1
	Neighbours int     // item-kNN neighbours kept per item; default 50, at most 200
	Seed       uint64  // initialisation; the same log and seed give the same model
}

const (
	maxFactors    = 128
	maxIterations = 50
)

func (o *Options) defaults() error {
	if o.Factors == 0 {
		o.Factors = 16
	}
	if o.Iterations == 0 {
		o.Iterations = 20
	}
	if o.Alpha == 0 {
		o.Alpha = 5
	}
	if o.Lambda == 0 {
		o.Lambda = 0.1
	}
	if o.Neighbours == 0 {
		o.Neighbours = defaultNeighbours
	}
	if o.Factors < 1 || o.Factors > maxFactors || o.Iterations < 1 || o.Iterations > maxIterations ||
		o.Neighbours < 1 || o.Neighbours > maxNeighbours ||
		o.Alpha < 0 || o.Lambda <= 0 || math.IsNaN(o.Alpha) || math.IsNaN(o.Lambda) {
		return errors.New("recommend: options out of range")
	}
	return nil
}

// Model holds learned item vectors and item popularity. It is immutable
// after Train and safe for concurrent use.
type Model struct {
	opt    Options
	items  []int64       // item IDs, by row
	row    map[int64]int // item ID -> row
	y      []float64     // len(items)*Factors item factors
	y32    []float32     // y in float32: Recommend's scan of every item reads half the memory
	yty    []float64     // Factors*Factors: YᵀY, shared by every fold-in
	pop    []float64     // per row: distinct users who interacted
	maxPop float64
	nbr    [][]neighbour // per row: its most similar items (knn.go)
	// popular is the popularKept most popular items, best first
	// (popularScan's order), so that Popular need not score every item.
	popular []Scored
}

// Len is the number of items the model knows.
func (m *Model) Len() int {
	if m == nil {
		return 0
	}
	return len(m.items)
}

// Train fits a model to ints: the ALS factors and the item neighbours.
// Cost is O(Iterations · (nnz·F² + (U+I)·F³) + nnz·maxCoItems), so the
// caller bounds len(ints).
func Train(ints []Interaction, opt Options) (*Model, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	f := opt.Factors
	users := map[int64]int{}
	m := &Model{opt: opt, row: map[int64]int{}}
	type pair struct{ u, i int }
	seen := map[pair]bool{}
	var byUser, byItem [][]int
	for _, it := range ints {
		u, ok := users[it.User]
		if !ok {
			u = len(users)
			users[it.User] = u
			byUser = append(byUser, nil)
		}
		i, ok := m.row[it.Item]
		if !ok {
			i = len(m.items)
			m.row[it.Item] = i
			m.items = append(m.items, it.Item)
			byItem = append(byItem, nil)
		}
		if seen[pair{u, i}] {
			continue
		}
		seen[pair{u, i}] = true
		byUser[u] = append(byUser[u], i)
		byItem[i] = append(byItem[i], u)
	}
	m.pop = make([]float64, len(m.items))
	for i, us := range byItem {
		m.pop[i] = float64(len(us))
		m.maxPop = max(m.maxPop, m.pop[i])
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	x := make([]float64, len(users)*f)
	m.y = make([]float64, len(m.items)*f)
	for k := range m.y {
		m.y[k] = (rng.Float64() - 0.5) * 0.1
	}
	s := newSolver(f)
	for range opt.Iterations {
		sweep(x, m.y, byUser, f, opt, s)
		sweep(m.y, x, byItem, f, opt, s)
	}
	m.yty = gram(m.y, f)
	m.y32 = make([]float32, len(m.y))
	for k, v := range m.y {
		m.y32[k] = float32(v)
	}
	m.nbr = itemNeighbours(byUser, byItem, opt.Neighbours)
	m.popular = m.popularScan(min(popularKept, len(m.items)), nil)
	return m, nil
}

// sweep recomputes every row of dst from the fixed factors src: row r
// solves (SᵀS + Σ_{j∈obs[r]} α s_j s_jᵀ + λI) d_r = Σ_{j∈obs[r]} (1+α) s_j.
func sweep(dst, src []float64, obs [][]int, f int, opt Options, s *solver) {
	sts := gram(src, f)
	for r, js := range obs {
		s.solveRow(sts, src, js, f, opt, dst[r*f:(r+1)*f])
	}
}

// gram returns AᵀA for the row-major n×f matrix a.
func gram(a []float64, f int) []float64 {
	g := make([]float64, f*f)
	for r := 0; r+f <= len(a); r += f {
		v := a[r : r+f]
		for i := range f {
			vi := v[i]
			for j := i; j < f; j++ {
				g[i*f+j] += vi * v[j]
			}
		}
	}
	for i := range f {
		for j := range i {
			g[i*f+j] = g[j*f+i]
		}
	}
	return g
}

// solver holds the scratch of one row solve.
type solver struct {
	a, b []float64
}

func newSolver(f int) *solver { return &solver{a: make([]float64, f*f), b: make([]float64, f)} }

func (s *solver) solveRow(sts, src []float64, js []int, f int, opt Options, out []float64) {
	copy(s.a, sts)
	clear(s.b)
	for i := range f {
		s.a[i*f+i] += opt.Lambda
	}
	for _, j := range js {
		v := src[j*f : (j+1)*f]
		for i := range f {
			s.b[i] += (1 + opt.Alpha) * v[i]
			av := opt.Alpha * v[i]
			for k := range f {
				s.a[i*f+k] += av * v[k]
			}
		}
	}
	cholSolve(s.a, s.b, f)
	copy(out, s.b)
}

// cholSolve solves a·x = b in place (x in b) for symmetric positive
// definite a (λ > 0 makes every system here so), overwriting a.
func cholSolve(a, b []float64, n int) {
	for j := range n {
		d := a[j*n+j]
		for k := range j {
			d -= a[j*n+k] * a[j*n+k]
		}
		d = math.Sqrt(max(d, 1e-12))
		a[j*n+j] = d
		for i := j + 1; i < n; i++ {
			v := a[i*n+j]
			for k := range j {
				v -= a[i*n+k] * a[j*n+k]
			}
			a[i*n+j] = v / d
		}
	}
	for i := range n { // L·z = b
		v := b[i]
		for k := range i {
			v -= a[i*n+k] * b[k]
		}
		b[i] = v / a[i*n+i]
	}
	for i := n - 1; i >= 0; i-- { // Lᵀ·x = z
		v := b[i]
		for k := i + 1; k < n; k++ {
			v -= a[k*n+i] * b[k]
		}
		b[i] = v / a[i*n+i]
	}
}

// Scored is an item with a score, higher is better.
type Scored struct {
	Item  int64
	Score float64
}

// Recommend folds a user in from history (items they interacted with,
// unknown ones ignored) and returns the k best-scored items the model
// knows, best first, skipping history and what skip reports. An empty or
// unknown history returns nil: the caller falls back on popularity.
func (m *Model) Recommend(history []int64, k int, skip func(int64) bool) []Scored {
	if m.Len() == 0 || k <= 0 {
		return nil
	}
	f := m.opt.Factors
	var js []int
	had := map[int64]bool{}
	for _, it := range history {
		if r, ok := m.row[it]; ok && !had[it] {
			js = append(js, r)
		}
		had[it] = true
	}
	if len(js) == 0 {
		return nil
	}
	xu := make([]float64, f)
	newSolver(f).solveRow(m.yty, m.y, js, f, m.opt, xu)
	xu32 := make([]float32, f)
	for i, v := range xu {
		xu32[i] = float32(v)
	}
	top := make([]Scored, 0, k+1)
	// An item enters the top k only if it scores above worst, the k-th
	// best so far; the exclusions are looked up only for such an item:
	// two map lookups per item cost more than its score (a third of
	// For-you's CPU at 1M statuses, bench scale).
	worst := math.Inf(-1)
	for r, id := range m.items {
		sc := float64(dot32(xu32, m.y32[r*f:(r+1)*f]))
		if sc <= worst || had[id] || (skip != nil && skip(id)) {
			continue
		}
		top = insertTop(top, Scored{id, sc}, k)
		if len(top) == k {
			worst = top[k-1].Score
		}
	}
	return top
}

// dot32 is the inner product of a and b[:len(a)] in float32 (scores only
// order items; float32 changes them by about 1e-7 relative), four
// products at a time.
func dot32(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		x, y := a[i:i+4:i+4], b[i:i+4:i+4]
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// insertTop inserts s into top (sorted best first) keeping at most k.
func insertTop(top []Scored, s Scored, k int) []Scored {
	at, _ := slices.BinarySearchFunc(top, s, func(a, b Scored) int { return cmp.Compare(b.Score, a.Score) })
	top = slices.Insert(top, at, s)
	if len(top) > k {
		top = top[:k]
	}
	return top
}

// Popularity is item's popularity prior in [0, 1]: log(1+users who
// interacted) / log(1+the most any item had); 0 for an unknown item.
func (m *Model) Popularity(item int64) float64 {
	if m.Len() == 0 || m.maxPop == 0 {
		return 0
	}
	r, ok := m.row[item]
	if !ok {
		return 0
	}
	return math.Log1p(m.pop[r]) / math.Log1p(m.maxPop)
}

// popularKept is how many of the most popular items Train ranks ahead of
// time: Popular walks them instead of every item while skip leaves it
// enough (For-you asks for 50 and skips at most a history's 120).
const popularKept = 1024

// Popular returns the k most popular items (ties: higher ID first),
// skipping what skip reports: the cold start.
func (m *Model) Popular(k int, skip func(int64) bool) []Scored {
	if m.Len() == 0 || k <= 0 {
		return nil
	}
	top := make([]Scored, 0, k)
	for _, s := range m.popular {
		if skip == nil || !skip(s.Item) {
			if top = append(top, s); len(top) == k {
				return top
			}
		}
	}
	if len(m.popular) == len(m.items) {
		return top // every item was ranked: there are no more
	}
	return m.popularScan(k, skip)
}

// popularScore orders items by popularity; the row (first seen first)
// breaks ties, newer first, without leaving [pop, pop+1).
func (m *Model) popularScore(r int) float64 {
	return m.pop[r] + float64(r)/float64(len(m.items)+1)*1e-6
}

// popularScan is Popular over every item.
func (m *Model) popularScan(k int, skip func(int64) bool) []Scored {
	top := make([]Scored, 0, k+1)
	for r, id := range m.items {
		sc := m.popularScore(r)
		if len(top) == k && sc <= top[k-1].Score || skip != nil && skip(id) {
			continue
		}
		top = insertTop(top, Scored{id, sc}, k)
	}
	return top
}
