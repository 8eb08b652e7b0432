package main

// The relevance bench's input: an interaction log and its items' texts.
//
// Log (CSV, header "user,item,timestamp"): one interaction per line; user
// and item are any strings without commas, timestamp an integer (seconds,
// or any increasing counter). Items (TSV, header "item\ttext"): the text
// of every item the log names. The generator writes exactly this format,
// so any log in it can be replayed.

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// event is one log line, with the user and item as dense indices.
type event struct {
	user, item int
	ts         int64
}

// relLog is a log in memory.
type relLog struct {
	events []event
	users  []string // by index
	items  []string // by index
	texts  []string // by item index
}

// readRelLog reads a log and its item file.
func readRelLog(logPath, itemsPath string) (*relLog, error) {
	texts := map[string]string{}
	f, err := os.Open(itemsPath)
	if err != nil {
		return nil, usagef("--items: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 0; sc.Scan(); line++ {
		if line == 0 {
			continue // header
		}
		id, text, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return nil, usagef("--items line %d: want item<TAB>text", line+1)
		}
		texts[id] = text
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("--items: %v", err)
	}
	lf, err := os.Open(logPath)
	if err != nil {
		return nil, usagef("--log: %v", err)
	}
	defer lf.Close()
	r := csv.NewReader(bufio.NewReader(lf))
	r.FieldsPerRecord = 3
	l := &relLog{}
	users, items := map[string]int{}, map[string]int{}
	for line := 0; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, usagef("--log: %v", err)
		}
		if line == 0 {
			continue
		}
		ts, err := strconv.ParseInt(rec[2], 10, 64)
		if err != nil {
			return nil, usagef("--log line %d: timestamp: %v", line+1, err)
		}
		u, ok := users[rec[0]]
		if !ok {
			u = len(l.users)
			users[rec[0]] = u
			l.users = append(l.users, rec[0])
		}
		i, ok := items[rec[1]]
		if !ok {
			i = len(l.items)
			items[rec[1]] = i
			l.items = append(l.items, rec[1])
			l.texts = append(l.texts, texts[rec[1]])
		}
		l.events = append(l.events, event{u, i, ts})
	}
	return l, nil
}

// write stores l as log.csv and items.tsv in dir.
func (l *relLog) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("user,item,timestamp\n")
	for _, e := range l.events {
		fmt.Fprintf(&b, "%s,%s,%d\n", l.users[e.user], l.items[e.item], e.ts)
	}
	if err := os.WriteFile(filepath.Join(dir, "log.csv"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("item\ttext\n")
	for i, id := range l.items {
		fmt.Fprintf(&b, "%s\t%s\n", id, strings.ReplaceAll(l.texts[i], "\t", " "))
	}
	return os.WriteFile(filepath.Join(dir, "items.tsv"), []byte(b.String()), 0o644)
}

// genOptions shape a generated log.
type genOptions struct {
	users, perCluster, clusters, events int
	noise                               float64 // share of interactions outside the user's interests
	seed                                uint64
}

// topicWords anchor the planted clusters in the texts: a cluster's items
// all contain its word, so what people like together also reads alike,
// as on a real instance (people who like films favourite posts about
// films). Frequent enough in short-posts-en for hundreds of items each.
var topicWords = []string{"film", "battery", "price", "war", "music", "screen", "comedy", "tax", "family",
	"america", "camera", "story", "freedom", "software", "action", "school", "phone", "world", "love", "budget",
	"sound", "horror", "energy", "children", "keyboard", "director", "peace", "health", "light", "size"}

// generateLog plants opt.clusters interest clusters over the posts: each
// cluster holds opt.perCluster posts containing its topic word; each user
// likes one or two clusters and makes opt.events interactions, a share
// noise of them with globally popular posts, the rest in its clusters.
// Within a cluster and globally, popularity follows a Zipf law, as real
// engagement does. Deterministic for a seed.
func generateLog(posts []string, opt genOptions) (*relLog, error) {
	if opt.clusters > len(topicWords) {
		return nil, usagef("--clusters: at most %d", len(topicWords))
	}
	rng := rand.New(rand.NewPCG(opt.seed, 7))
	l := &relLog{}
	used := map[int]bool{}
	clusters := make([][]int, opt.clusters)
	for c := range opt.clusters {
		word := " " + topicWords[c] + " "
		for _, p := range rng.Perm(len(posts)) {
			if len(clusters[c]) == opt.perCluster {
				break
			}
			if !used[p] && strings.Contains(" "+posts[p]+" ", word) {
				used[p] = true
				clusters[c] = append(clusters[c], len(l.items))
				l.items = append(l.items, "p"+strconv.Itoa(p))
				l.texts = append(l.texts, posts[p])
			}
		}
		if len(clusters[c]) < opt.perCluster/2 {
			return nil, fmt.Errorf("generate: only %d posts contain %q", len(clusters[c]), topicWords[c])
		}
	}
	zipf := func(n int) int { // rank 0 most likely, weight 1/(r+1)
		h := math.Log(float64(n) + 1)
		return min(n-1, int(math.Exp(rng.Float64()*h))-1)
	}
	all := len(l.items)
	globalOrder := rng.Perm(all)
	var ts int64
	for u := range opt.users {
		l.users = append(l.users, "u"+strconv.Itoa(u))
		likes := []int{rng.IntN(opt.clusters)}
		if rng.Float64() < 0.5 {
			likes = append(likes, rng.IntN(opt.clusters))
		}
		seen := map[int]bool{}
		for k := 0; k < opt.events && len(seen) < all; k++ {
			var item int
			if rng.Float64() < opt.noise {
				item = globalOrder[zipf(all)]
			} else {
				c := clusters[likes[rng.IntN(len(likes))]]
				item = c[zipf(len(c))]
			}
			if seen[item] {
				continue
			}
			seen[item] = true
			ts++
			l.events = append(l.events, event{u, item, ts})
		}
	}
	return l, nil
}

// readPosts reads the texts of short-posts-en's posts.tsv.gz.
func readPosts(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--posts: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, usagef("--posts: %v", err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var posts []string
	for line := 0; sc.Scan(); line++ {
		if line == 0 {
			continue
		}
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) == 3 {
			posts = append(posts, parts[2])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("--posts: %v", err)
	}
	return slices.Clip(posts), nil
}
