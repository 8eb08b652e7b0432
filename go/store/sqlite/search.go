package sqlite

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/starling-social/starling/go/store"
)

// textCandidates bounds how many matching rows (newest first) are scored: a
// common word must not make one query read the whole index.
const textCandidates = 1000

// SearchStatusIDsByText matches statuses_fts (FTS4) and ranks the newest
// textCandidates matches by BM25, computed here from matchinfo because FTS4,
// unlike FTS5, has no built-in rank. Ties go to the newer status.
func (s *Store) SearchStatusIDsByText(ctx context.Context, query string, limit int) ([]int64, error) {
	words := store.SearchWords(query)
	if len(words) == 0 || limit <= 0 {
		return nil, nil
	}
	// Each word quoted: a phrase of one token, never an operator. The words
	// hold only letters and digits, so there is no quote to escape.
	match := `"` + strings.Join(words, `" "`) + `"`
	rows, err := s.r.QueryContext(ctx, `
		SELECT docid, matchinfo(statuses_fts, 'pcnalx') FROM statuses_fts
		WHERE statuses_fts MATCH ? ORDER BY docid DESC LIMIT ?`, match, textCandidates)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search statuses by text: %w", translate(err))
	}
	type hit struct {
		id    int64
		score float64
	}
	hits, err := collect(rows, func(row scanner) (hit, error) {
		var h hit
		var info []byte
		if err := row.Scan(&h.id, &info); err != nil {
			return h, err
		}
		h.score, err = bm25(info)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: search statuses by text: %w", err)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	ids := make([]int64, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		ids = append(ids, h.id)
	}
	return ids, nil
}

// bm25 scores one row from FTS4's matchinfo 'pcnalx' blob (native-endian
// uint32s): p phrases, c columns, n rows, c average lengths, c row lengths,
// then for each phrase and column: hits in this row, hits in all rows, rows
// with a hit. k1 and b are the usual 1.2 and 0.75.
func bm25(info []byte) (float64, error) {
	const k1, b = 1.2, 0.75
	if len(info)%4 != 0 || len(info) < 12 {
		return 0, fmt.Errorf("matchinfo is %d bytes", len(info))
	}
	v := make([]float64, len(info)/4)
	for i := range v {
		v[i] = float64(binary.NativeEndian.Uint32(info[4*i:]))
	}
	p, c, n := int(v[0]), int(v[1]), v[2]
	if len(v) != 3+2*c+3*p*c {
		return 0, fmt.Errorf("matchinfo has %d values for %d phrases and %d columns", len(v), p, c)
	}
	avg, length, x := v[3:3+c], v[3+c:3+2*c], v[3+2*c:]
	score := 0.0
	for i := range p {
		for j := range c {
			tf, df := x[3*(i*c+j)], x[3*(i*c+j)+2]
			if tf == 0 {
				continue
			}
			// The +1 keeps idf positive for words in most rows.
			idf := math.Log(1 + (n-df+0.5)/(df+0.5))
			norm := 1 - b + b*length[j]/max(avg[j], 1)
			score += idf * tf * (k1 + 1) / (tf + k1*norm)
		}
	}
	return score, nil
}
