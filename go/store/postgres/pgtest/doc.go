// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema on a shared server, dropped when the test ends. It is a package of
// its own, and not part of store/postgres, so that importing testing stays
// out of the server binary; only tests import it.
package pgtest
