// Package store defines Starling's storage contract: the records the social
// domain persists (accounts, OAuth apps and tokens, follows, statuses), the
// interfaces a SQL backend implements, and the sentinel errors every backend
// translates its driver errors into.
//
// Two backends implement it: store/sqlite (the embedded default) and
// store/postgres (pgx pool, for deployments that outgrow one machine). Both
// pass the one conformance suite in store/storetest; a behaviour that is not
// asserted there is not part of the contract.
//
// Both backends write their SQL by hand, per dialect; the Go around it that
// would otherwise be written twice lives here, once: the page window
// (Page.Window, NewestFirst, with the placeholder style as the only dialect
// hook), the folding of relationship edges into Relations (FoldRelations),
// the embedding codec (EncodeEmbedding, DecodeEmbedding) and the columns an
// update may set (AccountUpdates, FollowUpdates, SetClause). Tests that need
// a PostgreSQL schema of their own use store/postgres/pgtest.
//
// The store holds no domain rules: who may see a status, or whether a follow
// is allowed, is decided in package social. The store only answers exact
// questions (this account's followees, these accounts' statuses with these
// visibilities, in this ID window).
package store
