package admin

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/search"
)

// VectorIndexes are the server's vector indexes (search.Indexes).
type VectorIndexes interface {
	Statuses() ([]search.Status, error)
	Rebuild(name string) (bool, error)
	Check(ctx context.Context, name string, queries int) (search.CheckResult, error)
}

// RebuildStarted answers POST /admin/indexes/{name}/rebuild.
type RebuildStarted struct {
	Index   string `json:"index"`
	Started bool   `json:"started"` // false: a build was already running
}

func listIndexes(x VectorIndexes) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if x == nil {
			writeJSON(w, http.StatusOK, []search.Status{})
			return
		}
		list, err := x.Statuses()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "index status failed"})
			return
		}
		writeJSON(w, http.StatusOK, list)
	}
}

func rebuildIndex(x VectorIndexes) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := chi.URLParam(r, "name")
		if x == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such index"})
			return
		}
		started, err := x.Rebuild(name)
		if err != nil {
			writeIndexError(w, err)
			return
		}
		writeJSON(w, http.StatusAccepted, RebuildStarted{Index: name, Started: started})
	}
}

func checkIndex(x VectorIndexes) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		queries := 200
		if q := r.URL.Query().Get("queries"); q != "" {
			n, err := strconv.Atoi(q)
			if err != nil || n < 1 || n > 1000 {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "queries must be 1..1000"})
				return
			}
			queries = n
		}
		if x == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such index"})
			return
		}
		res, err := x.Check(r.Context(), chi.URLParam(r, "name"), queries)
		if err != nil {
			writeIndexError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	}
}

func writeIndexError(w http.ResponseWriter, err error) {
	if errors.Is(err, search.ErrNoIndex) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such index"})
		return
	}
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "index operation failed"})
}
