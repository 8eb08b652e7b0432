package store

import (
	"reflect"
	"testing"
)

func TestFoldRelations(t *testing.T) {
	const me, a, b, c, stranger = 1, 2, 3, 4, 9
	e := RelationEdges{
		Follows: []*Follow{
			{AccountID: me, TargetAccountID: a, ShowReblogs: true, Notify: true},
			{AccountID: b, TargetAccountID: me},
			{AccountID: stranger, TargetAccountID: a}, // joins no one to me
		},
		Blocks: []*Block{{AccountID: c, TargetAccountID: me}},
		Mutes:  []*Mute{{AccountID: me, TargetAccountID: b, Notifications: true}},
		Requests: []*FollowRequest{
			{AccountID: me, TargetAccountID: a, ShowReblogs: false, Notify: false}, // the follow's options win
			{AccountID: me, TargetAccountID: c, ShowReblogs: true, Notify: true},
			{AccountID: b, TargetAccountID: me},
		},
	}
	got := FoldRelations(me, []int64{a, b, c, a, stranger}, e)
	want := []*Relation{
		{TargetID: a, Following: true, ShowingReblogs: true, Notifying: true, Requested: true},
		{TargetID: b, FollowedBy: true, Muting: true, MutingNotifications: true, RequestedBy: true},
		{TargetID: c, BlockedBy: true, Requested: true, ShowingReblogs: true, Notifying: true},
		{TargetID: a, Following: true, ShowingReblogs: true, Notifying: true, Requested: true},
		{TargetID: stranger},
	}
	if !reflect.DeepEqual(got, want) {
		for i := range want {
			t.Errorf("%d: got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if got[0] == got[3] {
		t.Error("a repeated target shares one Relation; want a copy each")
	}
	if FoldRelations(me, nil, e) != nil {
		t.Error("no targets: want nil")
	}
}
