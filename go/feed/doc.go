// Package feed builds home timelines. Pull (this package's first strategy)
// reads the followees' recent statuses from SQL at request time: no write
// amplification, nothing to rebuild, cost paid on every read. Push (fan-out
// on write into a timeline cache) and hybrid strategies implement the same
// Home method later.
//
// A reblog is a status row of its booster (store.Status.ReblogOfID), so a
// followee's reblogs reach home through the same query as its posts; the
// original's audience is checked by social when the page is filtered.
//
// Feed selects statuses by the visibility rules of package social (own posts
// of every visibility, followees' public, unlisted and private posts); social
// filters the result again through its single visibility rule.
package feed
