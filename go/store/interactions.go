package store

// Interactions stores what accounts do with statuses and each other beyond
// posting: favourites, reblogs, bookmarks, mentions, tags, lists and
// notifications. Methods arrive with the Social API issue; see
// store/storetest.
type Interactions interface{}
