package subword

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Post is one line of the seed corpus (../shared/data/short-posts-en).
type Post struct {
	Row    int
	Source string // the corpus it came from: the bench's topic label
	Text   string
}

// HeldOut says whether a corpus row is kept out of the shipped model's
// training, so the embedder bench can query with texts the model never saw.
func HeldOut(row int) bool { return row%10 == 0 }

// ReadPosts reads the seed corpus: a TSV (gzip'd when the name ends in .gz)
// with header "row source text".
func ReadPosts(path string) ([]Post, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var posts []Post
	for line := 0; sc.Scan(); line++ {
		if line == 0 {
			if sc.Text() != "row\tsource\ttext" {
				return nil, fmt.Errorf("%s: header is %q, want \"row\\tsource\\ttext\"", path, sc.Text())
			}
			continue
		}
		f := strings.SplitN(sc.Text(), "\t", 3)
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want 3 tab-separated fields", path, line+1)
		}
		row, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: row: %w", path, line+1, err)
		}
		posts = append(posts, Post{Row: row, Source: f[1], Text: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return posts, nil
}

// TrainingSentences tokenises the posts that are not held out.
func TrainingSentences(posts []Post) [][]string {
	out := make([][]string, 0, len(posts))
	for _, p := range posts {
		if !HeldOut(p.Row) {
			out = append(out, Tokenize(p.Text))
		}
	}
	return out
}
