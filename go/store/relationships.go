package store

// Relationships stores blocks, mutes and follow requests, and answers the
// relationship questions every read path asks (who blocks whom, who is
// muted). Methods arrive with the Social API issue; see store/storetest.
type Relationships interface{}
