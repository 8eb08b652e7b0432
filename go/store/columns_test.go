package store

import (
	"slices"
	"strconv"
	"testing"
)

func TestSetClause(t *testing.T) {
	f := &Follow{ShowReblogs: true, Notify: false}
	set, args, err := SetClause(FollowUpdates(f), []string{"notify", "show_reblogs"}, []any{int64(1), int64(2)},
		func(n int) string { return "$" + strconv.Itoa(n) })
	if err != nil || set != "notify = $3, show_reblogs = $4" || !slices.Equal(args, []any{int64(1), int64(2), false, true}) {
		t.Errorf("postgres: %q %v %v", set, args, err)
	}
	a := &Account{DisplayName: "A", Bot: true}
	set, args, err = SetClause(AccountUpdates(a), []string{"display_name", "bot"}, nil, func(int) string { return "?" })
	if err != nil || set != "display_name = ?, bot = ?" || !slices.Equal(args, []any{"A", true}) {
		t.Errorf("sqlite: %q %v %v", set, args, err)
	}
	if _, _, err := SetClause(AccountUpdates(a), []string{"followers_count"}, nil, func(int) string { return "?" }); err == nil {
		t.Error("a count column was accepted")
	}
}

func TestQualify(t *testing.T) {
	if got := Qualify("s", "id, account_id,\n\ttext"); got != "s.id, s.account_id, s.text" {
		t.Errorf("Qualify = %q", got)
	}
}
