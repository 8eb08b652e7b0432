package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// texts is what the API lets through to the store: any valid UTF-8 without
// NUL bytes (the request decoder refuses those), up to the longest text a
// field takes. Each must come back byte for byte from both backends.
var texts = []struct{ name, s string }{
	{"ASCII", "plain text"},
	{"four-byte runes and ZWJ sequences", "🐦‍🔥 👩🏽‍💻 𝕏"},
	{"combining marks and scripts", "e\u0301 한국어 مرحبا עברית 中文"},
	{"bidi overrides and invisibles", "\u202Eevil\u202C \u200B\u200D\uFEFF"},
	{"control characters other than NUL", "\x01\x07\t\r\n\x1b[31m\x7f\u0085"},
	{"U+FFFD, a noncharacter, the last code point", "\uFFFD \uFFFF \U0010FFFF"},
	{"SQL and LIKE metacharacters", `' " \ % _ ; -- /* */ $1 ?`},
	{"surrounding spaces", "  spaced  "},
	{"2000 four-byte runes", strings.Repeat("🐦", 2000)},
}

func exerciseText(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		for i, tx := range texts {
			a := newAccount(fmt.Sprintf("text%d", i))
			a.DisplayName, a.Note = tx.s, tx.s
			mustNot(t, s.PutAccount(ctx, a), "PutAccount "+tx.name)
			got, err := s.GetAccountByID(ctx, a.ID)
			mustNot(t, err, "GetAccountByID "+tx.name)
			checkAccount(t, got, a)

			st := newStatus(a, i)
			st.Text, st.SpoilerText, st.Content = tx.s, tx.s, tx.s
			mustNot(t, s.PutStatus(ctx, st), "PutStatus "+tx.name)
			gotSt, err := s.GetStatusByID(ctx, st.ID)
			mustNot(t, err, "GetStatusByID "+tx.name)
			checkStatus(t, gotSt, st)

			app := newApp(fmt.Sprintf("text-client-%d", i))
			app.Name, app.Website, app.RedirectURIs = tx.s, tx.s, tx.s
			mustNot(t, s.PutApp(ctx, app), "PutApp "+tx.name)
			gotApp, err := s.GetAppByClientID(ctx, app.ClientID)
			mustNot(t, err, "GetAppByClientID "+tx.name)
			checkApp(t, gotApp, app)

			l := &store.List{ID: nextID(), AccountID: a.ID, Title: tx.s, RepliesPolicy: "list", CreatedAt: testTime(i)}
			mustNot(t, s.PutList(ctx, l, 1), "PutList "+tx.name)
			gotList, err := s.GetListByID(ctx, l.ID)
			mustNot(t, err, "GetListByID "+tx.name)
			if gotList.Title != tx.s {
				t.Errorf("%s: list title %q, want %q", tx.name, gotList.Title, tx.s)
			}
		}
	})

	// Searches take the same text as queries, up to the 500 characters the
	// API allows, without an error from either backend.
	t.Run("SearchQueries", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		a := putAccount(t, s, "searcher")
		mustNot(t, s.PutStatus(ctx, newStatus(a, 1)), "PutStatus")
		queries := []string{strings.Repeat("🐦", 500), strings.Repeat("%_\\", 166)}
		for _, tx := range texts {
			queries = append(queries, tx.s)
		}
		for _, q := range queries {
			if _, err := s.SearchAccounts(ctx, store.AccountSearch{Query: q, Limit: 40}); err != nil {
				t.Errorf("SearchAccounts(%.40q): %v", q, err)
			}
			if _, err := s.SearchStatusIDsByText(ctx, q, 40); err != nil {
				t.Errorf("SearchStatusIDsByText(%.40q): %v", q, err)
			}
			if _, err := s.SearchTags(ctx, q, 40, 0); err != nil {
				t.Errorf("SearchTags(%.40q): %v", q, err)
			}
			if _, err := s.GetAccountByUsername(ctx, q); err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetAccountByUsername(%.40q): %v", q, err)
			}
		}
	})
}
