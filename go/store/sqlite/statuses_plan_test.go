package sqlite

import (
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// A timeline rebuild reads the IDs of its authors' statuses (ListStatusIDs
// on the usual plan). Every column its condition reads is in
// statuses_account_id_id_idx (0111), so SQLite reads the index alone, not
// every candidate row: this checks the plan of each kind of condition.
func TestStatusIDsReadTheIndexAlone(t *testing.T) {
	s := bulkStore(t)
	p := bulkPlan(t)
	if err := s.BulkLoad(t.Context(), p.Batches().Next); err != nil {
		t.Fatal(err)
	}
	authors := []int64{1, 2, 3}
	visible := []store.Visibility{store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate}
	for name, q := range map[string]store.StatusQuery{
		"home":           {AccountIDs: authors, Visibilities: visible, DirectMentioning: 4},
		"reblogs hidden": {AccountIDs: authors, Visibilities: visible, DirectMentioning: 4, HideReblogsOf: authors[:1]},
		"list":           {AccountIDs: authors, Visibilities: visible[:2]},
	} {
		q.Page = store.Page{Limit: 801}
		where, args, err := statusWhere(q)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.r.QueryContext(t.Context(), `EXPLAIN QUERY PLAN SELECT id FROM statuses WHERE `+where+` ORDER BY id DESC LIMIT 801`, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if !strings.Contains(strings.Join(plan, "\n"), "SEARCH statuses USING COVERING INDEX statuses_account_id_id_idx") {
			t.Errorf("%s: statuses are not read from the index alone:\n%s", name, strings.Join(plan, "\n"))
		}
	}
}
