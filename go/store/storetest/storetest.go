package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/store"
)

// Run runs the conformance suite against the stores newStore returns. Each
// call of newStore must return a fresh, migrated, empty store (and arrange
// its Close with t.Cleanup); subtests call it in parallel.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	areas := []struct {
		name string
		run  func(*testing.T, func(*testing.T) store.Store)
	}{
		{"Accounts", exerciseAccounts},
		{"Apps", exerciseApps},
		{"Tokens", exerciseTokens},
		{"Follows", exerciseFollows},
		{"Relationships", exerciseRelationships},
		{"FollowRequestBlocks", exerciseFollowRequestBlocks},
		{"Statuses", exerciseStatuses},
		{"HiddenCounts", exerciseHiddenCounts},
		{"Pagination", exercisePagination},
		{"Embeddings", exerciseEmbeddings},
		{"StatusVectors", exerciseStatusVectors},
		{"Migrate", exerciseMigrate},
		{"Interactions", exerciseInteractions},
		{"Notifications", exerciseNotifications},
		{"StatusEdits", exerciseStatusEdits},
		{"Directory", exerciseDirectory},
		{"Lists", exerciseLists},
		{"OAuth", exerciseOAuth},
		{"TextSearch", exerciseTextSearch},
		{"Trends", exerciseTrends},
		{"Pins", exercisePins},
		{"Markers", exerciseMarkers},
		{"TagFollows", exerciseTagFollows},
		{"ConversationMutes", exerciseConversationMutes},
		{"Profiles", exerciseProfiles},
		{"Reports", exerciseReports},
		{"Announcements", exerciseAnnouncements},
		{"Activity", exerciseActivity},
		{"Moderation", exerciseModeration},
		{"Media", exerciseMedia},
		{"ProfileImages", exerciseProfileImages},
		{"ProfileFields", exerciseProfileFields},
		{"Polls", exercisePolls},
		{"ScheduledStatuses", exerciseScheduledStatuses},
		{"Filters", exerciseFilters},
		{"Conversations", exerciseConversations},
		{"Text", exerciseText},
		{"Outbox", exerciseOutbox},
		{"AdminActions", exerciseAdminActions},
		{"AccountModeration", exerciseAccountModeration},
		{"BulkLoad", exerciseBulkLoad},
	}
	for _, a := range areas {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			a.run(t, newStore)
		})
	}
}

// ids hands out test row IDs. One generator for the whole suite keeps IDs
// distinct across subtests, which makes failures easier to read.
var ids = snowflaketest.New()

func nextID() int64 {
	id, err := ids.Next(context.Background())
	if err != nil {
		// A generator on a fixed node fails only if the clock stalls.
		panic(err)
	}
	return id
}

// testTime returns a time with nanoseconds and a non-UTC zone, so round
// trips prove that stores truncate to microseconds and return UTC. Each call
// is offset by n seconds.
func testTime(n int) time.Time {
	zone := time.FixedZone("UTC+05:30", 5*3600+30*60)
	return time.Date(2025, 3, 14, 15, 9, 26, 535_897_932, zone).Add(time.Duration(n) * time.Second)
}

// stored is t as every backend must return it: truncated to microseconds, in
// UTC.
func stored(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

func checkTime(t *testing.T, field string, got, put time.Time) {
	t.Helper()
	want := stored(put)
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s = %v, want %v (microseconds, UTC)", field, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
}

func checkTimePtr(t *testing.T, field string, got, put *time.Time) {
	t.Helper()
	switch {
	case got == nil && put == nil:
	case got == nil || put == nil:
		t.Errorf("%s = %v, want %v", field, got, put)
	default:
		checkTime(t, field, *got, *put)
	}
}

// mustBeErrNotFound fails unless err wraps store.ErrNotFound.
func mustBeErrNotFound(t *testing.T, err error, op string) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("%s: error %v, want one wrapping store.ErrNotFound", op, err)
	}
}

// mustBeErrConflict fails unless err wraps store.ErrConflict.
func mustBeErrConflict(t *testing.T, err error, op string) {
	t.Helper()
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("%s: error %v, want one wrapping store.ErrConflict", op, err)
	}
}

// mustNot fails on any error.
func mustNot(t *testing.T, err error, op string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
}

// newAccount returns an unsaved account with every field at a value other
// than its zero, except the counts and LastStatusAt.
func newAccount(username string) *store.Account {
	return &store.Account{
		ID:           nextID(),
		Username:     username,
		DisplayName:  "Display " + username,
		Note:         "<p>note of " + username + "</p>",
		PasswordHash: "$2a$10$hash-of-" + username,
		Locked:       true,
		Bot:          true,
		Discoverable: true,
		CreatedAt:    testTime(0),
	}
}

// putAccount stores a new account named username.
func putAccount(t *testing.T, s store.Store, username string) *store.Account {
	t.Helper()
	a := newAccount(username)
	mustNot(t, s.PutAccount(t.Context(), a), "PutAccount "+username)
	return a
}

// getAccount reloads an account, for its counts.
func getAccount(t *testing.T, s store.Store, id int64) *store.Account {
	t.Helper()
	a, err := s.GetAccountByID(t.Context(), id)
	mustNot(t, err, fmt.Sprintf("GetAccountByID %d", id))
	return a
}

// checkCounts compares an account's stored counts.
func checkCounts(t *testing.T, s store.Store, a *store.Account, followers, following, statuses int64) {
	t.Helper()
	got := getAccount(t, s, a.ID)
	if got.FollowersCount != followers || got.FollowingCount != following || got.StatusesCount != statuses {
		t.Errorf("%s counts (followers, following, statuses) = (%d, %d, %d), want (%d, %d, %d)",
			a.Username, got.FollowersCount, got.FollowingCount, got.StatusesCount, followers, following, statuses)
	}
}

// newStatus returns an unsaved public status by author.
func newStatus(author *store.Account, n int) *store.Status {
	return &store.Status{
		ID:         nextID(),
		AccountID:  author.ID,
		Text:       fmt.Sprintf("status %d", n),
		Content:    fmt.Sprintf("<p>status %d</p>", n),
		Visibility: store.VisibilityPublic,
		Language:   "en",
		CreatedAt:  testTime(n),
	}
}

func checkAccount(t *testing.T, got, want *store.Account) {
	t.Helper()
	checkTime(t, "Account.CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTimePtr(t, "Account.LastStatusAt", got.LastStatusAt, want.LastStatusAt)
	checkTimePtr(t, "Account.SuspendedAt", got.SuspendedAt, want.SuspendedAt)
	checkTimePtr(t, "Account.SilencedAt", got.SilencedAt, want.SilencedAt)
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	g.LastStatusAt, w.LastStatusAt = nil, nil
	g.SuspendedAt, w.SuspendedAt, g.SilencedAt, w.SilencedAt = nil, nil, nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("account:\n got %+v\nwant %+v", g, w)
	}
}

func checkApp(t *testing.T, got, want *store.App) {
	t.Helper()
	checkTime(t, "App.CreatedAt", got.CreatedAt, want.CreatedAt)
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("app:\n got %+v\nwant %+v", g, w)
	}
}

func checkToken(t *testing.T, got, want *store.Token) {
	t.Helper()
	checkTime(t, "Token.CreatedAt", got.CreatedAt, want.CreatedAt)
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("token:\n got %+v\nwant %+v", g, w)
	}
}

func checkFollow(t *testing.T, got, want *store.Follow) {
	t.Helper()
	checkTime(t, "Follow.CreatedAt", got.CreatedAt, want.CreatedAt)
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("follow:\n got %+v\nwant %+v", g, w)
	}
}

func checkStatus(t *testing.T, got, want *store.Status) {
	t.Helper()
	checkTime(t, "Status.CreatedAt", got.CreatedAt, want.CreatedAt)
	checkEmbedding(t, fmt.Sprintf("status %d embedding", want.ID), got.Embedding, want.Embedding)
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	g.Embedding, w.Embedding = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("status:\n got %+v\nwant %+v", g, w)
	}
}

// checkEmbedding compares bit patterns, so NaN payloads and -0 count. An
// empty embedding put is no embedding: nil comes back.
func checkEmbedding(t *testing.T, what string, got, put []float32) {
	t.Helper()
	if len(put) == 0 {
		if got != nil {
			t.Errorf("%s = %d floats, want nil (no embedding)", what, len(got))
		}
		return
	}
	if len(got) != len(put) {
		t.Errorf("%s has %d floats, want %d", what, len(got), len(put))
		return
	}
	for i := range put {
		if math.Float32bits(got[i]) != math.Float32bits(put[i]) {
			t.Errorf("%s[%d] bits %#08x, want %#08x", what, i, math.Float32bits(got[i]), math.Float32bits(put[i]))
			return
		}
	}
}
