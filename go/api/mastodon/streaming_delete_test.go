package mastodon

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// streamLog is what one connection saw: status IDs of updates and of
// deletes.
type streamLog struct {
	updates, deletes map[string]bool
}

// readUntil collects events until the update of status marker arrives.
func (c *wsClient) readUntil(marker int64) streamLog {
	c.t.Helper()
	log := streamLog{updates: map[string]bool{}, deletes: map[string]bool{}}
	want := strconv.FormatInt(marker, 10)
	for {
		m := c.next()
		switch m["event"] {
		case "update":
			id := payloadID(c.t, m)
			if id == want {
				return log
			}
			log.updates[id] = true
		case "delete":
			log.deletes[m["payload"].(string)] = true
		}
	}
}

func (l streamLog) merge(o streamLog) streamLog {
	if l.updates == nil {
		return o
	}
	maps.Copy(l.updates, o.updates)
	maps.Copy(l.deletes, o.deletes)
	return l
}

func idSet(ids ...int64) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		out[strconv.FormatInt(id, 10)] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestStreamingDeleteReachesTheUpdateAudience: a delete goes where the
// update went (and to the accounts the status mentioned, which saw it in
// a notification), never further: an anonymous public listener must not
// learn the IDs of deleted private, direct or unlisted statuses, nor of a
// reblog deleted with its original.
func TestStreamingDeleteReachesTheUpdateAudience(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st)
		ctx := context.Background()
		author, _ := e.user("ada", "read write follow")
		follower, followerTok := e.user("fern", "read write follow")
		mentioned, mentionedTok := e.user("milo", "read write follow") // does not follow ada
		booster, _ := e.user("bea", "read write follow")
		boosterFan, boosterFanTok := e.user("gus", "read write follow") // follows bea only
		e.follow(follower, author)
		e.follow(boosterFan, booster)

		anon := e.dial("?stream=public", "")
		anon.send(map[string]string{"type": "subscribe", "stream": "hashtag", "tag": "gone"})
		anon.barrier()
		fern := e.dial("?stream=user", followerTok)
		milo := e.dial("?stream=user", mentionedTok)
		gus := e.dial("?stream=user", boosterFanTok)

		pub := e.post(author, "public #gone", store.VisibilityPublic)
		priv := e.post(author, "followers only #gone", store.VisibilityPrivate)
		dm := e.post(author, "@fern @milo just us #gone", store.VisibilityDirect)
		unl := e.post(author, "unlisted #gone", store.VisibilityUnlisted)
		rb, err := e.svc.Reblog(ctx, booster, pub.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		// Each connection reads until it sees its marker (unlisted, so the
		// public streams see only ada's; an update is
		// rendered when delivered, so the statuses must still exist then),
		// then again after the deletes.
		logs := make([]streamLog, 4)
		conns := []*wsClient{anon, fern, milo, gus}
		readAll := func() {
			t.Helper()
			markers := []int64{
				e.post(author, "marker", store.VisibilityPublic).ID, 0,
				e.post(mentioned, "milo's marker", store.VisibilityUnlisted).ID,
				e.post(booster, "bea's marker", store.VisibilityUnlisted).ID,
			}
			markers[1] = markers[0]
			for i, c := range conns {
				logs[i] = logs[i].merge(c.readUntil(markers[i]))
			}
		}
		readAll()
		for _, s := range []*store.Status{priv, dm, unl, pub} { // pub takes rb with it
			if _, err := e.svc.DeleteStatus(ctx, author, s.ID); err != nil {
				t.Fatal(err)
			}
		}
		readAll()
		gotAnon, gotFern, gotMilo, gotGus := logs[0], logs[1], logs[2], logs[3]

		for _, tt := range []struct {
			who           string
			got           streamLog
			updates, dels map[string]bool
		}{
			{"anonymous public", gotAnon, idSet(pub.ID), idSet(pub.ID)},
			{"follower", gotFern, idSet(pub.ID, priv.ID, dm.ID, unl.ID), idSet(pub.ID, priv.ID, dm.ID, unl.ID)},
			{"mentioned non-follower", gotMilo, idSet(), idSet(dm.ID)},
			{"booster's follower", gotGus, idSet(rb.ID), idSet(rb.ID)},
		} {
			if !slices.Equal(sortedKeys(tt.got.updates), sortedKeys(tt.updates)) {
				t.Errorf("%s: updates %v, want %v", tt.who, sortedKeys(tt.got.updates), sortedKeys(tt.updates))
			}
			if !slices.Equal(sortedKeys(tt.got.deletes), sortedKeys(tt.dels)) {
				t.Errorf("%s: deletes %v, want %v", tt.who, sortedKeys(tt.got.deletes), sortedKeys(tt.dels))
			}
		}
	})
}
