// Package storetest is the conformance suite for store.Store: the one set of
// tests every backend (store/sqlite, store/postgres) must pass. A behaviour
// it does not assert is not part of the storage contract.
//
// A backend's own test calls Run with a constructor that returns a fresh,
// migrated, empty store for each subtest and closes it in t.Cleanup:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return newTestStore(t) })
//	}
//
// Subtests run in parallel, so stores must not share data. Backend-specific
// checks (driver error translation, the migrated schema) belong in the
// backend's own tests, not here.
package storetest
