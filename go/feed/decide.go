package feed

import (
	"sync"
	"time"
)

// PushLimit is the most followers a status is pushed to, in push as in
// hybrid: social lists at most this many (its maxFanout). An author with
// more is merged at read time, as a hybrid celebrity is, even in push,
// so that no follower beyond the limit ever misses its statuses.
const PushLimit = 10000

// The hybrid decision model's constants (see the package doc).
const (
	// rateWindow is the window over which an author's post rate is counted.
	rateWindow = time.Hour
	// mergeRate: an author whose pushing costs more than this many
	// timeline writes per live follower per hour is merged at read. A
	// merge costs each live follower's read about one write's worth, and
	// a live reader reads its home about this often an hour.
	mergeRate = 6.0
	// skipCost is what a write to an inactive (absent) timeline costs
	// against a live one: the store checks and skips it.
	skipCost = 0.25
	// minActive bounds the measured live share from below (an author
	// whose followers all left still has its own timeline).
	minActive = 0.05
	// rateFloor: authors with fewer than threshold/rateFloor followers are
	// always pushed, however often they post; each celebrity a reader
	// follows adds to that reader's every read.
	rateFloor = 10
	// maxTracked bounds the authors whose rate is kept; past it the
	// counts start over (authors are pushed until counted again).
	maxTracked = 100000
)

// fanoutModel decides, per status, whether its author is pushed or
// merged at read time (a celebrity). Safe for concurrent use.
type fanoutModel struct {
	threshold int // 0: push (only PushLimit applies)
	mu        sync.Mutex
	authors   map[int64]*authorLoad
}

// authorLoad is what the model has seen of one author.
type authorLoad struct {
	window     time.Time // start of the current rate window
	posts      int       // statuses in the current window
	prev       int       // statuses in the previous window
	active     float64   // live share of its audience at its last fan-out
	haveActive bool
}

func newFanoutModel(threshold int) *fanoutModel {
	return &fanoutModel{threshold: threshold, authors: map[int64]*authorLoad{}}
}

// celebrity counts a status by author reaching followers followers at
// now, and says whether it is merged at read rather than pushed.
func (m *fanoutModel) celebrity(author int64, followers int, now time.Time) bool {
	if followers >= PushLimit {
		return true
	}
	if m.threshold == 0 {
		return false
	}
	if followers >= m.threshold {
		return true
	}
	if followers < m.threshold/rateFloor {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.load(author, now)
	a.posts++
	rate := a.rate(now)
	active := 1.0
	if a.haveActive {
		active = max(a.active, minActive)
	}
	// Writes per live follower per hour if pushed: every post writes each
	// live timeline (1) and checks each inactive one (skipCost).
	return rate*(active+skipCost*(1-active))/active >= mergeRate
}

// observe records that a fan-out of author's status found written of
// total timelines live.
func (m *fanoutModel) observe(author int64, written, total int, now time.Time) {
	if m.threshold == 0 || total == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.authors[author]
	if !ok {
		return // not tracked: below the rate floor
	}
	a.active, a.haveActive = float64(written)/float64(total), true
}

// load returns author's entry, its window moved to now.
func (m *fanoutModel) load(author int64, now time.Time) *authorLoad {
	a := m.authors[author]
	if a == nil {
		if len(m.authors) >= maxTracked {
			clear(m.authors)
		}
		a = &authorLoad{window: now}
		m.authors[author] = a
	}
	switch elapsed := now.Sub(a.window); {
	case elapsed >= 2*rateWindow:
		a.window, a.posts, a.prev = now, 0, 0
	case elapsed >= rateWindow:
		a.window, a.posts, a.prev = a.window.Add(rateWindow), 0, a.posts
	}
	return a
}

// rate is the posts per hour over the last window: the current window's
// count plus the previous one's, weighted by how much of it is still
// inside the last hour.
func (a *authorLoad) rate(now time.Time) float64 {
	into := float64(now.Sub(a.window)) / float64(rateWindow)
	return (float64(a.posts) + float64(a.prev)*(1-min(1, into))) * float64(time.Hour) / float64(rateWindow)
}
