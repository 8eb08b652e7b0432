package subword

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// toyCorpus has two topics whose words never meet in one sentence but
// share contexts within their topic: "cat" and "kitten" appear beside the
// same words, "senate" and "congress" beside others.
func toyCorpus() [][]string {
	var out [][]string
	pets := []string{"cat", "kitten", "puppy", "dog"}
	pctx := []string{"purrs softly on the sofa", "chases the red ball", "sleeps by the warm fire", "eats fish from a bowl"}
	gov := []string{"senate", "congress", "parliament", "assembly"}
	gctx := []string{"passed the budget bill", "voted on the tax law", "debated the new treaty", "approved federal spending"}
	for r := 0; r < 30; r++ {
		for i, w := range pets {
			out = append(out, Tokenize(fmt.Sprintf("the %s %s", w, pctx[(i+r)%4])))
		}
		for i, w := range gov {
			out = append(out, Tokenize(fmt.Sprintf("the %s %s", w, gctx[(i+r)%4])))
		}
	}
	return out
}

func trainToy(t *testing.T) *Model {
	t.Helper()
	// Sample 1 keeps every word: in a toy corpus every word is "frequent".
	m, err := Train(context.Background(), toyCorpus(), Config{Dim: 16, Epochs: 40, MinCount: 2, Buckets: 1024, Sample: 1})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// Texts with no word in common are placed by the contexts their words
// share: a pet sentence is nearer another pet sentence than a government
// one, though it shares no word with either.
func TestEmbedCapturesSharedContexts(t *testing.T) {
	m := trainToy(t)
	q, pet, gov := m.Embed("kitten"), m.Embed("puppy dog"), m.Embed("congress senate")
	if q == nil || pet == nil || gov == nil {
		t.Fatal("nil vector for known words")
	}
	if p, g := cosine(q, pet), cosine(q, gov); p <= g {
		t.Errorf("cos(kitten, puppy dog) = %.3f, not above cos(kitten, congress senate) = %.3f", p, g)
	}
	// An unknown word is placed by its character n-grams.
	if v := m.Embed("kittens"); v == nil {
		t.Error("unknown word with known n-grams got no vector")
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	a, b := trainToy(t).Marshal(), trainToy(t).Marshal()
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same seed wrote different models")
	}
}

func TestMarshalLoadRoundTrip(t *testing.T) {
	m := trainToy(t)
	got, err := Load(m.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if got.Name() != m.Name() || got.Dim() != m.Dim() || got.Words() != m.Words() {
		t.Fatalf("loaded %s dim %d words %d, want %s dim %d words %d", got.Name(), got.Dim(), got.Words(), m.Name(), m.Dim(), m.Words())
	}
	for _, text := range []string{"the cat chases the red ball", "zyzzyva quux", "congress"} {
		a, b := m.Embed(text), got.Embed(text)
		if len(a) != len(b) {
			t.Fatalf("%q: lengths %d and %d", text, len(a), len(b))
		}
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-6 {
				t.Fatalf("%q: component %d is %v trained, %v loaded", text, i, a[i], b[i])
			}
		}
	}
}

func TestLoadRejectsCorruptFiles(t *testing.T) {
	good := trainToy(t).Marshal()
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	for name, data := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("NOT-A-MODEL-FILE\x01"), good[len(magic):]...),
		"truncated": good[:len(good)-100],
		"flipped":   flipped,
	} {
		if _, err := Load(data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}

// Hostile text: every output is nil or a unit vector, and huge input is
// cut to maxTokens words.
func TestEmbedBadInput(t *testing.T) {
	m := trainToy(t)
	for name, text := range map[string]string{
		"empty":        "",
		"punctuation":  "!!! ... ???",
		"nul":          "cat\x00kitten\x00",
		"invalid utf8": "cat \xff\xfe kitten \xc3",
		"huge word":    strings.Repeat("a", 1<<20),
		"many words":   strings.Repeat("cat sofa ", 1<<17),
		"emoji":        "🐈 🐈‍⬛",
	} {
		v := m.Embed(text)
		if v == nil {
			continue
		}
		if n := cosine(v, v); math.Abs(n-1) > 1e-4 || math.IsNaN(n) {
			t.Errorf("%s: |v|² = %v, want 1", name, n)
		}
	}
	if n := len(Tokenize(strings.Repeat("w ", 10_000))); n != maxTokens {
		t.Errorf("Tokenize kept %d words, want %d", n, maxTokens)
	}
}

func TestDefaultModelLoads(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim() != DefaultConfig.Dim || m.Words() < 1000 {
		t.Fatalf("default model: dim %d, %d words", m.Dim(), m.Words())
	}
	// Meaning, not words: a battery complaint is nearer a charge complaint
	// than a State of the Union line, with no word shared by any two.
	q, near, far := m.Embed("battery dies quickly"), m.Embed("poor charge life"), m.Embed("congress must pass the budget")
	if cosine(q, near) <= cosine(q, far) {
		t.Errorf("cos(q, near) = %.3f <= cos(q, far) = %.3f", cosine(q, near), cosine(q, far))
	}
}
