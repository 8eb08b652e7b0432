package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteSVG(t *testing.T) {
	results := []*annResult{
		result("starling", "ivfpq", 1, 0, 0.45, 20000, 28),
		result("starling", "ivfpq", 8, 0, 0.80, 5000, 28),
		result("starling", "ivfpq", 8, 4, 0.95, 3000, 428),
		result("faiss", "ivfpq", 1, 0, 0.45, 9000, 30),
		result("faiss", "ivfpq", 8, 0, 0.80, 2000, 30),
		result("faiss", "hnsw", 32, 0, 0.93, 4000, 500),
		result("starling", "flat", 0, 0, 1, 600, 400),
	}
	results[2].RefineStorage = "sq8"
	var buf bytes.Buffer
	if err := writeSVG(&buf, `posts <"&'>`, results); err != nil {
		t.Fatal(err)
	}
	out := buf.String()

	// Well-formed XML, with an <svg> root.
	dec := xml.NewDecoder(strings.NewReader(out))
	var root string
	groups := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, out)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			for _, a := range se.Attr {
				if a.Name.Local == "class" && a.Value == "series" {
					groups++
				}
			}
		}
	}
	if root != "svg" {
		t.Errorf("root element %q", root)
	}
	// Five series: two Starling IVF-PQ (refine 0, refine 4), FAISS IVF-PQ,
	// FAISS HNSW, Starling flat.
	if groups != 5 {
		t.Errorf("%d series, want 5", groups)
	}
	for _, want := range []string{
		"starling ivfpq nlist=16 m=4", "starling ivfpq nlist=16 m=4 refine=4 (sq8)", "faiss ivfpq nlist=16 m=4",
		"faiss hnsw M=16", "starling flat", "recall@10", "queries per second",
		"posts &lt;&quot;&amp;&apos;&gt;", // the title, escaped
		"stroke-dasharray",                // FAISS series are dashed
		">10k<", ">1k<",                   // log-scale decade ticks
	} {
		if !strings.Contains(out, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Count(out, "<circle") != len(results) {
		t.Errorf("%d markers, want %d", strings.Count(out, "<circle"), len(results))
	}

	// To a file.
	p := filepath.Join(t.TempDir(), "chart.svg")
	if err := writeSVGFile(p, "d", results); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || !bytes.HasPrefix(b, []byte("<?xml")) {
		t.Errorf("file: %v %.40q", err, b)
	}
	// No points at all still gives a valid, empty chart.
	buf.Reset()
	if err := writeSVG(&buf, "empty", nil); err != nil || xml.Unmarshal(buf.Bytes(), new(struct{})) != nil {
		t.Errorf("empty chart: %v", err)
	}
}
