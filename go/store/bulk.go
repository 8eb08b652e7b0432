package store

import "context"

// BulkBatch is one transaction of a bulk load (starling seed): rows written
// as given. Unlike the ordinary writes, nothing is derived: the counts on
// accounts and statuses, conversation IDs and times are the caller's, who
// must keep them consistent with the rows (the seed generator counts what
// it generates). Rows referring to others (a follow, a favourite, a boost,
// a vector) must come in the same batch as their targets or after them.
type BulkBatch struct {
	Accounts   []*Account
	Follows    []*Follow
	Statuses   []*Status // originals and boosts (ReblogOfID set)
	Favourites []*Favourite
	// Vectors are stored under Embedder (status_vectors).
	Embedder string
	Vectors  []StatusEmbedding
}

// Rows is how many rows b holds.
func (b *BulkBatch) Rows() int {
	return len(b.Accounts) + len(b.Follows) + len(b.Statuses) + len(b.Favourites) + len(b.Vectors)
}

// BulkLoader is the bulk path for seeding a new instance with millions of
// rows: large transactions, multi-row inserts (or COPY), and settings only
// a load into an empty database may use (SQLite: synchronous off for the
// load, restored after). It is not for a running instance: nothing is
// delivered (fan-out, streaming, the search index builds from the stored
// vectors at the next start).
type BulkLoader interface {
	// IsEmpty reports whether the database has no account and no status,
	// the only state BulkLoad may start from.
	IsEmpty(ctx context.Context) (bool, error)
	// BulkLoad writes the batches next returns, each in one transaction,
	// until next returns nil. It refuses a database that is not empty.
	BulkLoad(ctx context.Context, next func() (*BulkBatch, error)) error
}

// BatchesOf is a BulkLoad source of batches held in memory, in order.
func BatchesOf(batches ...*BulkBatch) func() (*BulkBatch, error) {
	return func() (*BulkBatch, error) {
		if len(batches) == 0 {
			return nil, nil
		}
		b := batches[0]
		batches = batches[1:]
		return b, nil
	}
}
