package sqlite

import (
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// Status queries over many authors may walk statuses newest first
// (recentWalk); every page must equal the usual plan's, including when the
// walk's bound is reached before the page is full and the usual plan
// answers after all.
func TestRecentScanAnswersAsTheUsualPlan(t *testing.T) {
	s := bulkStore(t)
	p := bulkPlan(t)
	if err := s.BulkLoad(t.Context(), p.Batches().Next); err != nil {
		t.Fatal(err)
	}
	var all []int64
	rows, err := s.r.QueryContext(t.Context(), `SELECT id FROM accounts ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		all = append(all, id)
	}
	if err := rows.Err(); err != nil || len(all) != 150 {
		t.Fatalf("%d accounts, %v", len(all), err)
	}
	visible := []store.Visibility{store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate}
	s.recentRows = -1
	ids, err := s.ListStatusIDs(t.Context(), store.StatusQuery{AccountIDs: all, Visibilities: visible, Page: store.Page{Limit: 5000}})
	if err != nil || len(ids) < 1000 {
		t.Fatalf("%d statuses, %v", len(ids), err)
	}
	queries := map[string]store.StatusQuery{
		"every author":           {AccountIDs: all, Visibilities: visible, Page: store.Page{Limit: 20}},
		"a rebuild":              {AccountIDs: all, Visibilities: visible, Page: store.Page{Limit: 801}},
		"below max_id":           {AccountIDs: all, Visibilities: visible, Page: store.Page{Limit: 40, MaxID: ids[len(ids)/2]}},
		"above since_id":         {AccountIDs: all, Visibilities: visible, Page: store.Page{Limit: 40, SinceID: ids[30]}},
		"min_id (usual plan)":    {AccountIDs: all, Visibilities: visible, Page: store.Page{Limit: 40, MinID: ids[len(ids)/2]}},
		"public only":            {AccountIDs: all, Visibilities: visible[:1], Page: store.Page{Limit: 60}},
		"reblogs hidden":         {AccountIDs: all, Visibilities: visible, HideReblogsOf: all[:80], Page: store.Page{Limit: 60}},
		"direct mentions":        {AccountIDs: all, Visibilities: visible, DirectMentioning: all[3], Page: store.Page{Limit: 60}},
		"half the authors":       {AccountIDs: all[:len(all)/2], Visibilities: visible, Page: store.Page{Limit: 50}},
		"few authors (no walk)":  {AccountIDs: all[:10], Visibilities: visible, Page: store.Page{Limit: 50}},
		"more than there are":    {AccountIDs: all, Visibilities: visible, Page: store.Page{Limit: 4000}},
		"the oldest, below a id": {AccountIDs: all, Visibilities: visible, Page: store.Page{Limit: 30, MaxID: ids[len(ids)-10]}},
	}
	for name, q := range queries {
		// rows 5 bounds the walk to the newest 10 statuses below the
		// page: a page larger than that falls back to the usual plan.
		for _, rows := range []int{0, 5} {
			s.recentRows = -1
			want, err := s.ListStatusIDs(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			wantRows, err := s.ListStatuses(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			s.recentRows = rows
			got, err := s.ListStatusIDs(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			gotRows, err := s.ListStatuses(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) || len(gotRows) != len(wantRows) {
				t.Errorf("%s (rows %d): %d IDs, %d statuses; the usual plan %d, %d", name, rows, len(got), len(gotRows), len(want), len(wantRows))
				continue
			}
			for i := range gotRows {
				if gotRows[i].ID != wantRows[i].ID || gotRows[i].Text != wantRows[i].Text {
					t.Errorf("%s (rows %d): status %d is %d, want %d", name, rows, i, gotRows[i].ID, wantRows[i].ID)
					break
				}
			}
		}
	}
	// Authors who post least, pages of 2 within a bound of the newest 10
	// statuses below each: somewhere the walk comes back short and the
	// usual plan answers (the fallback is what the equality covers here).
	quiet := store.StatusQuery{AccountIDs: leastPosting(t, s, 64), Visibilities: visible, Page: store.Page{Limit: 2}}
	fellBack := 0
	for _, maxID := range ids[:200] {
		q := quiet
		q.Page.MaxID = maxID
		where, args := mustStatusWhere(t, q)
		s.recentRows = 5
		rows, walk := s.recentWalk(t.Context(), q)
		if !walk {
			t.Fatal("the walk was not chosen for the quiet authors")
		}
		query, walkArgs := walkQuery("id", where, args, q.Page, rows)
		short, err := listPage(t.Context(), s, query, walkArgs, "id", q.Page, scanID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ListStatusIDs(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		s.recentRows = -1
		want, err := s.ListStatusIDs(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("quiet authors below %d: %v, the usual plan %v", maxID, got, want)
		}
		if len(short) < 2 && len(want) == 2 {
			fellBack++
		}
	}
	if fellBack == 0 {
		t.Fatal("no page made the bounded walk fall back; the test data no longer covers it")
	}

	// The walk is chosen only when it is expected to pay.
	s.recentRows = 0
	for _, tc := range []struct {
		q    store.StatusQuery
		walk bool
	}{
		{queries["every author"], true},
		{queries["few authors (no walk)"], false},
		{queries["min_id (usual plan)"], false},
		{store.StatusQuery{AccountIDs: all, Visibilities: visible, Page: store.Page{Limit: 30000}}, false},
	} {
		if _, walk := s.recentWalk(t.Context(), tc.q); walk != tc.walk {
			t.Errorf("authors %d, page %+v: walk %v, want %v", len(tc.q.AccountIDs), tc.q.Page, walk, tc.walk)
		}
	}
}

func mustStatusWhere(t *testing.T, q store.StatusQuery) (string, []any) {
	t.Helper()
	where, args, err := statusWhere(q)
	if err != nil || where == "" {
		t.Fatalf("statusWhere: %q, %v", where, err)
	}
	return where, args
}

// leastPosting returns the n accounts with the fewest statuses.
func leastPosting(t *testing.T, s *Store, n int) []int64 {
	t.Helper()
	rows, err := s.r.QueryContext(t.Context(), `SELECT id FROM accounts ORDER BY statuses_count, id LIMIT ?`, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}
