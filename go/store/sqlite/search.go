package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
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
func (s *Store) SearchStatusIDsByText(ctx context.Context, query string, limit int) ([]int64, error) {
	words := store.SearchWords(query)
	if len(words) == 0 || limit <= 0 {
		return nil, nil
	}
	// Each word quoted: a phrase of one token, never an operator. The words
	// hold only letters and digits, so there is no quote to escape.
	match := `"` + strings.Join(words, `" "`) + `"`
	rows, err := s.r.QueryContext(ctx, `
		SELECT docid, matchinfo(statuses_fts, 'pcnaly') FROM statuses_fts
		WHERE statuses_fts MATCH ? ORDER BY docid DESC LIMIT ?`, match, textCandidates)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search statuses by text: %w", translate(err))
	}
	type hit struct {
		id    int64
		info  []byte
		score float64
	}
	hits, err := collect(rows, func(row scanner) (hit, error) {
		var h hit
		err := row.Scan(&h.id, &h.info)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: search statuses by text: %w", err)
	}
	if len(hits) == 0 {
		return nil, nil
	}
	df, err := s.docFreqs(ctx, words)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search statuses by text: %w", err)
	}
	for i := range hits {
		if hits[i].score, err = bm25(hits[i].info, df); err != nil {
			return nil, fmt.Errorf("sqlite: search statuses by text: %w", err)
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	ids := make([]int64, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		ids = append(ids, h.id)
	}
	return ids, nil
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

// bm25 scores one row from FTS4's matchinfo 'pcnaly' blob (native-endian
// uint32s): p phrases, c columns, n rows, c average lengths, c row lengths,
// then for each phrase and column the hits in this row; df[i] is phrase
// i's document frequency. k1 and b are the usual 1.2 and 0.75.
func bm25(info []byte, df []float64) (float64, error) {
	const k1, b = 1.2, 0.75
	if len(info)%4 != 0 || len(info) < 12 {
		return 0, fmt.Errorf("matchinfo is %d bytes", len(info))
	}
	v := make([]float64, len(info)/4)
	for i := range v {
		v[i] = float64(binary.NativeEndian.Uint32(info[4*i:]))
	}
	p, c, n := int(v[0]), int(v[1]), v[2]
	if len(v) != 3+2*c+p*c || p != len(df) {
		return 0, fmt.Errorf("matchinfo has %d values for %d phrases (%d frequencies) and %d columns", len(v), p, len(df), c)
	}
	avg, length, y := v[3:3+c], v[3+c:3+2*c], v[3+2*c:]
	score := 0.0
	for i := range p {
		// The +1 keeps idf positive for words in most rows.
		idf := math.Log(1 + (n-df[i]+0.5)/(df[i]+0.5))
		for j := range c {
			tf := y[i*c+j]
			if tf == 0 {
				continue
			}
			norm := 1 - b + b*length[j]/max(avg[j], 1)
			score += idf * tf * (k1 + 1) / (tf + k1*norm)
		}
	}
	return score, nil
}
