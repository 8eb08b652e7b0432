package main

import (
	"slices"
	"testing"

	"github.com/starling-social/starling/go/search/subword"
)

// top10 ranks by cosine with ties to the lower index, and its disjoint
// list leaves out every base post sharing a word with the query.
func TestTop10(t *testing.T) {
	q := embedded{vec: []float32{1, 0}, words: map[string]bool{"cat": true}}
	var base []embedded
	for i := range 14 {
		words := map[string]bool{"dog": true}
		if i%2 == 0 {
			words = map[string]bool{"cat": true}
		}
		// Scores fall with i, but 12 and 13 tie with 0 and 1.
		s := 1 - float32(i)/20
		if i >= 12 {
			s = 1 - float32(i-12)/20
		}
		base = append(base, embedded{vec: []float32{s, 0}, words: words})
	}
	all, disjoint := top10(q, base)
	if want := []int{0, 12, 1, 13, 2, 3, 4, 5, 6, 7}; !slices.Equal(all, want) {
		t.Errorf("top10 = %v, want %v", all, want)
	}
	if want := []int{1, 13, 3, 5, 7, 9, 11}; !slices.Equal(disjoint, want) {
		t.Errorf("disjoint = %v, want %v", disjoint, want)
	}
}

// Queries are held out of training and spread evenly over the topics.
func TestSplitEmbedderSet(t *testing.T) {
	var posts []subword.Post
	sources := []string{"pros_cons", "movie_reviews", "state_union", "not_a_corpus"}
	for row := range 400 {
		posts = append(posts, subword.Post{Row: row, Source: sources[(row/10+row)%4], Text: "x"})
	}
	qs, bs := splitEmbedderSet(posts, 6, 50)
	count := map[string]int{}
	for _, q := range qs {
		if !subword.HeldOut(q.Row) {
			t.Errorf("query row %d was a training row", q.Row)
		}
		count[topicOf[q.Source]]++
	}
	if count["products"] != 2 || count["movies"] != 2 || count["politics"] != 2 || len(qs) != 6 {
		t.Errorf("queries per topic %v, want 2 each", count)
	}
	if len(bs) != 50 {
		t.Fatalf("base of %d, want 50", len(bs))
	}
	for _, b := range bs {
		if subword.HeldOut(b.Row) || topicOf[b.Source] == "" {
			t.Errorf("base row %d (%s): held out or unlabelled", b.Row, b.Source)
		}
	}
}
