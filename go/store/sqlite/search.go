package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/starling-social/starling/go/store"
)

// textCandidates bounds how many matching rows (newest first) are scored: a
// common word must not make one query read the whole index.
const textCandidates = 1000

// SearchStatusIDsByText matches statuses_fts (FTS4, doclists newest
// first: migration 0036) and ranks the newest textCandidates matches by
// BM25, computed here because FTS4, unlike FTS5, has no built-in rank: the
// per-row figures from matchinfo 'pcnaly' (which reads no more of a
// doclist than the LIMIT needs), each word's document frequency counted
// (or extrapolated) once and cached (docFreqs). Ties go to the newer status.
//
// FTS4 answers several words by walking every word's doclist in step, so
// "the" next to a rare word reads all of the doclist of "the" when the two
// meet fewer than textCandidates times (600k entries at 1M statuses, tens
// of milliseconds). A word far more common than what the other words find
// together is therefore not walked but checked in the text of the
// statuses they match (splitWords, matchChecking): the same matches,
// scored alike.
func (s *Store) SearchStatusIDsByText(ctx context.Context, query string, limit int) ([]int64, error) {
	words := store.SearchWords(query)
	if len(words) == 0 || limit <= 0 {
		return nil, nil
	}
	df, err := s.docFreqs(ctx, words)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search statuses by text: %w", err)
	}
	n, err := s.ftsRows(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search statuses by text: %w", err)
	}
	var hits []textHit
	if walk, check := splitWords(words, df, n); len(check) > 0 {
		hits, err = s.matchChecking(ctx, words, walk)
	} else {
		hits, err = s.matchAllWords(ctx, words)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: search statuses by text: %w", err)
	}
	type scored struct {
		id    int64
		score float64
	}
	ranked := make([]scored, len(hits))
	for i := range hits {
		ranked[i] = scored{hits[i].id, hits[i].bm25(df)}
	}
	// Stable: the hits come newest first.
	slices.SortStableFunc(ranked, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	ids := make([]int64, 0, min(limit, len(ranked)))
	for _, h := range ranked[:min(limit, len(ranked))] {
		ids = append(ids, h.id)
	}
	return ids, nil
}

// textHit is one matching status with BM25's figures for it: the rows n
// and average column lengths avg of the whole table, its column lengths,
// and tf[i*len(length)+j], the hits of word i in column j.
type textHit struct {
	id          int64
	n           float64
	avg, length []float64
	tf          []float64
}

// checkCost is how many doclist entries FTS4 steps over in the time it
// takes to read one status's text and look for words in it: about 100 at
// 1M statuses (52 ns an entry, 5 µs a status, whose row is seldom in
// SQLite's page cache), 50 at 200k (both ways measured on queries of "the"
// and a rarer word).
const checkCost = 100

// overlapSlack is how many times more often than by chance words are
// assumed to share a status when estimating how many statuses the walked
// words find: words of one query tend to go together.
const overlapSlack = 4

// splitWords sorts words (with their document frequencies df, among n
// statuses) into those FTS4 walks and those checked in the text of the
// statuses the walk finds. Walking a word costs its doclist down to the
// last match; checking it costs a status read for each status the other
// words find. So the most common words are checked, one by one, while the
// remaining words are estimated to find checkCost times fewer statuses
// than the word has: at most as many as the rarest of them has, and
// overlapSlack times what independent words would. A wrong estimate costs
// time, never a match: the statuses read are checked for every word. check
// is empty when every word is walked.
func splitWords(words []string, df []float64, n float64) (walk, check []int) {
	walk = make([]int, len(words))
	for i := range walk {
		walk[i] = i
	}
	order := slices.Clone(walk) // most common first
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(df[b], df[a]) })
	n = max(n, 1)
	for _, w := range order {
		if slices.Contains(check, w) {
			continue // a repeated word, checked with its first copy
		}
		rest := slices.DeleteFunc(slices.Clone(walk), func(i int) bool { return words[i] == words[w] })
		if len(rest) == 0 {
			break
		}
		found, chance := math.Inf(1), n
		seen := map[string]bool{}
		for _, i := range rest {
			found = min(found, df[i])
			if !seen[words[i]] {
				seen[words[i]] = true
				chance *= df[i] / n
			}
		}
		if min(found, chance*overlapSlack)*checkCost >= df[w] {
			break
		}
		for _, i := range walk {
			if words[i] == words[w] {
				check = append(check, i)
			}
		}
		walk = rest
	}
	slices.Sort(check)
	return walk, check
}

// ftsRows is the number of statuses in the full-text index, from its
// %_stat row (a varint first; 0 if there is none).
func (s *Store) ftsRows(ctx context.Context) (float64, error) {
	var stat []byte
	err := s.r.QueryRowContext(ctx, `SELECT value FROM statuses_fts_stat WHERE id = 0`).Scan(&stat)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, translate(err)
	}
	n, k := binary.Uvarint(stat)
	if k <= 0 {
		return 0, fmt.Errorf("statuses_fts_stat: a %d-byte value without a row count", len(stat))
	}
	return float64(n), nil
}

// matchAllWords lets FTS4 find the newest textCandidates statuses holding
// every word.
func (s *Store) matchAllWords(ctx context.Context, words []string) ([]textHit, error) {
	// Each word quoted: a phrase of one token, never an operator. The words
	// hold only letters and digits, so there is no quote to escape.
	match := `"` + strings.Join(words, `" "`) + `"`
	rows, err := s.r.QueryContext(ctx, `
		SELECT docid, matchinfo(statuses_fts, 'pcnaly') FROM statuses_fts
		WHERE statuses_fts MATCH ? ORDER BY docid DESC LIMIT ?`, match, textCandidates)
	if err != nil {
		return nil, translate(err)
	}
	return collect(rows, func(row scanner) (textHit, error) {
		var (
			h    textHit
			info []byte
		)
		if err := row.Scan(&h.id, &info); err != nil {
			return h, err
		}
		return h, h.setMatchinfo(info, len(words))
	})
}

// matchChecking finds the newest textCandidates statuses holding every
// word by letting FTS4 walk the words numbered walk, newest first, and
// looking for the others in each status's spoiler text and text, split
// into words as unicode61 splits them for the index (store.EachWord). The
// column lengths are counted the same way; the table's row count and
// average lengths come from matchinfo.
func (s *Store) matchChecking(ctx context.Context, words []string, walk []int) ([]textHit, error) {
	var phrases []string
	for _, i := range walk {
		phrases = append(phrases, words[i])
	}
	match := `"` + strings.Join(phrases, `" "`) + `"`
	var (
		info  []byte
		table textHit
	)
	err := s.r.QueryRowContext(ctx, `SELECT matchinfo(statuses_fts, 'cna') FROM statuses_fts
		WHERE statuses_fts MATCH ? LIMIT 1`, match).Scan(&info)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	if err := table.setTotals(info); err != nil {
		return nil, err
	}
	const c = 2 // spoiler_text, text: the table's columns
	if len(table.avg) != c {
		return nil, fmt.Errorf("matchinfo has %d columns, want %d", len(table.avg), c)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT f.docid, s.spoiler_text, s.text
		FROM statuses_fts f JOIN statuses s ON s.id = f.docid
		WHERE statuses_fts MATCH ? ORDER BY f.docid DESC`, match)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	first := make([]int, len(words)) // the position of each word's first occurrence
	for i, w := range words {
		first[i] = slices.Index(words, w)
	}
	var (
		hits    []textHit
		columns [c]sql.RawBytes
		buf     []byte
		tf      = make([]float64, len(words)*c)
		length  [c]float64
	)
	for len(hits) < textCandidates && rows.Next() {
		var id int64
		if err := rows.Scan(&id, &columns[0], &columns[1]); err != nil {
			return nil, err
		}
		clear(tf)
		for j, col := range columns {
			length[j] = 0
			buf = store.EachWord(col, buf, func(w []byte) {
				length[j]++
				for i, q := range words { // a few words: faster than a map
					if len(q) == len(w) && first[i] == i && q == string(w) {
						tf[i*c+j]++
						break
					}
				}
			})
		}
		all := true
		for i, f := range first {
			if f != i { // a repeated word: as FTS4, one phrase each
				copy(tf[i*c:(i+1)*c], tf[f*c:(f+1)*c])
			}
			all = all && tf[i*c]+tf[i*c+1] > 0
		}
		if all {
			hits = append(hits, textHit{id: id, n: table.n, avg: table.avg,
				length: []float64{length[0], length[1]}, tf: slices.Clone(tf)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	return hits, nil
}

// Document frequencies change slowly and a common word's costs a read of
// its whole doclist, so they are cached per word for dfTTL, at most
// dfCacheWords words (the cache is emptied when full). Beyond dfExact
// matches a word's frequency is extrapolated instead of counted: an exact
// count of "the" at 1M statuses (600k matches) cost 50 ms of CPU, enough
// to set the search's p99 on every cache miss, while BM25's idf, a
// logarithm, barely moves with a few percent of error.
const (
	dfTTL        = 10 * time.Minute
	dfCacheWords = 10000
	dfExact      = 20000
)

type dfCache struct {
	mu sync.Mutex
	m  map[string]dfEntry
}

type dfEntry struct {
	docs float64
	at   time.Time
}

// docFreqs returns, for each word, the statuses whose text or spoiler
// text contains it (FTS4's tokens: the words are already lower-cased
// letters and digits, as unicode61 makes them).
func (s *Store) docFreqs(ctx context.Context, words []string) ([]float64, error) {
	return s.docFreqsUpTo(ctx, words, dfExact)
}

// docFreqsUpTo is docFreqs counting at most exact matches of a word. A
// word with more is assumed as frequent over the whole ID range as among
// its newest exact matches (IDs are snowflakes, so the range is time):
// its frequency is exact times the ID span of all statuses over the span
// those matches cover.
func (s *Store) docFreqsUpTo(ctx context.Context, words []string, exact int) ([]float64, error) {
	now := time.Now()
	out := make([]float64, len(words))
	s.df.mu.Lock()
	var miss []int
	for i, w := range words {
		if e, ok := s.df.m[w]; ok && now.Sub(e.at) < dfTTL {
			out[i] = e.docs
		} else {
			miss = append(miss, i)
		}
	}
	s.df.mu.Unlock()
	for _, i := range miss {
		var (
			docs   int64
			oldest sql.NullInt64
		)
		err := s.r.QueryRowContext(ctx, `SELECT count(*), min(docid) FROM (SELECT docid FROM statuses_fts
			WHERE statuses_fts MATCH ? ORDER BY docid DESC LIMIT ?)`, `"`+words[i]+`"`, exact).Scan(&docs, &oldest)
		if err != nil {
			return nil, fmt.Errorf("document frequency of %q: %w", words[i], translate(err))
		}
		out[i] = float64(docs)
		if docs >= int64(exact) && oldest.Valid {
			var lo, hi int64
			// Two subqueries: SQLite reads min() or max() of the key from
			// the B-tree's edge only when it is alone in its SELECT.
			if err := s.r.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM statuses), (SELECT max(id) FROM statuses)`).Scan(&lo, &hi); err != nil {
				return nil, fmt.Errorf("document frequency of %q: %w", words[i], translate(err))
			}
			if hi > oldest.Int64 {
				out[i] = float64(docs) * float64(hi-lo+1) / float64(hi-oldest.Int64+1)
			}
		}
		s.df.mu.Lock()
		if s.df.m == nil || len(s.df.m) >= dfCacheWords {
			s.df.m = map[string]dfEntry{}
		}
		s.df.m[words[i]] = dfEntry{docs: out[i], at: now}
		s.df.mu.Unlock()
	}
	return out, nil
}

// setMatchinfo reads FTS4's matchinfo 'pcnaly' blob (native-endian
// uint32s): p phrases, c columns, n rows, c average lengths, c row lengths,
// then for each phrase and column the hits in this row.
func (h *textHit) setMatchinfo(info []byte, phrases int) error {
	v := uint32s(info)
	if len(v) < 3 {
		return fmt.Errorf("matchinfo is %d bytes", len(info))
	}
	p, c := int(v[0]), int(v[1])
	if len(v) != 3+2*c+p*c || p != phrases {
		return fmt.Errorf("matchinfo has %d values for %d phrases (want %d) and %d columns", len(v), p, phrases, c)
	}
	h.n, h.avg, h.length, h.tf = v[2], v[3:3+c], v[3+c:3+2*c], v[3+2*c:]
	return nil
}

// setTotals reads matchinfo 'cna': c columns, n rows, c average lengths.
func (h *textHit) setTotals(info []byte) error {
	v := uint32s(info)
	if len(v) < 1 || len(v) != 2+int(v[0]) {
		return fmt.Errorf("matchinfo 'cna' is %d bytes", len(info))
	}
	h.n, h.avg = v[1], v[2:]
	return nil
}

// uint32s reads a matchinfo blob: native-endian uint32s.
func uint32s(info []byte) []float64 {
	if len(info)%4 != 0 {
		return nil
	}
	v := make([]float64, len(info)/4)
	for i := range v {
		v[i] = float64(binary.NativeEndian.Uint32(info[4*i:]))
	}
	return v
}

// bm25 scores the hit; df[i] is word i's document frequency. k1 and b are
// the usual 1.2 and 0.75.
func (h *textHit) bm25(df []float64) float64 {
	const k1, b = 1.2, 0.75
	c := len(h.length)
	score := 0.0
	for i := range df {
		// The +1 keeps idf positive for words in most rows.
		idf := math.Log(1 + (h.n-df[i]+0.5)/(df[i]+0.5))
		for j := range c {
			tf := h.tf[i*c+j]
			if tf == 0 {
				continue
			}
			norm := 1 - b + b*h.length[j]/max(h.avg[j], 1)
			score += idf * tf * (k1 + 1) / (tf + k1*norm)
		}
	}
	return score
}
