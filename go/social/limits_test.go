package social

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestCreateAppLimits checks what an anonymous app registration may store.
func TestCreateAppLimits(t *testing.T) {
	s, _ := newService(t, Deps{}, DefaultConfig())
	uri := func(n int) string { return "https://app.example/" + strings.Repeat("p", n-len("https://app.example/")) }
	tests := []struct {
		name string
		in   AppInput
		ok   bool
	}{
		{"name of 60 characters", AppInput{Name: strings.Repeat("é", 60)}, true},
		{"name of 61", AppInput{Name: strings.Repeat("é", 61)}, false},
		{"website of 2000", AppInput{Website: uri(2000)}, true},
		{"website of 2001", AppInput{Website: uri(2001)}, false},
		{"website not http", AppInput{Website: "ftp://app.example"}, false},
		{"website without host", AppInput{Website: "https://"}, false},
		{"no redirect: out of band", AppInput{}, true},
		{"redirects of 2000 together", AppInput{RedirectURIs: uri(1000) + "\n" + uri(999)}, true},
		{"redirects of 2001 together", AppInput{RedirectURIs: uri(1000) + "\n" + uri(1000)}, false},
		{"ten redirects", AppInput{RedirectURIs: strings.Repeat("https://a.example/cb ", 10)}, true},
		{"eleven redirects", AppInput{RedirectURIs: strings.Repeat("https://a.example/cb ", 11)}, false},
		{"custom scheme", AppInput{RedirectURIs: "com.example.app:/oauth2redirect"}, true},
		{"custom scheme with authority", AppInput{RedirectURIs: "myapp://callback?x=1"}, true},
		{"JAVASCRIPT:", AppInput{RedirectURIs: "JAVASCRIPT:alert(1)"}, false},
		{"data:", AppInput{RedirectURIs: "data:text/html,x"}, false},
		{"blob:", AppInput{RedirectURIs: "blob:https://a.example/x"}, false},
		{"empty fragment", AppInput{RedirectURIs: "https://a.example/cb#"}, false},
		{"http without host", AppInput{RedirectURIs: "http:cb"}, false},
		{"relative", AppInput{RedirectURIs: "//a.example/cb"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in.Name == "" {
				tt.in.Name = "app"
			}
			_, err := s.CreateApp(context.Background(), tt.in)
			if tt.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tt.ok {
				wantKind(t, err, KindInvalid)
			}
		})
	}
}

// TestSearchLimits checks the query and offset bounds of the search paths.
func TestSearchLimits(t *testing.T) {
	s, _ := newService(t, Deps{}, DefaultConfig())
	ctx := context.Background()
	alice := mustAccount(t, s, "alice")
	at, over := strings.Repeat("🐦", maxQueryChars), strings.Repeat("🐦", maxQueryChars+1)
	if _, err := s.Search(ctx, alice, SearchInput{Query: at, Limit: 5}); err != nil {
		t.Errorf("query of %d characters: %v", maxQueryChars, err)
	}
	_, err := s.Search(ctx, nil, SearchInput{Query: over, Limit: 5})
	wantKind(t, err, KindInvalid)
	_, err = s.SearchAccounts(ctx, alice, AccountSearchInput{Query: over, Limit: 5})
	wantKind(t, err, KindInvalid)
	_, err = s.SearchStatuses(ctx, alice, StatusSearchInput{Query: "x", Limit: 40, Offset: math.MaxInt - 10})
	wantKind(t, err, KindInvalid)
}

func TestListLimit(t *testing.T) {
	s, _ := newService(t, Deps{}, DefaultConfig())
	ctx := context.Background()
	alice := mustAccount(t, s, "alice")
	for i := range maxLists {
		title := fmt.Sprint("list ", i)
		if _, err := s.CreateList(ctx, alice, ListInput{Title: &title}); err != nil {
			t.Fatalf("list %d: %v", i, err)
		}
	}
	title := "one too many"
	_, err := s.CreateList(ctx, alice, ListInput{Title: &title})
	wantKind(t, err, KindInvalid)
}
