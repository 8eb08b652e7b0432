package pluginsdk

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/starling-social/starling/go/pluginsdk/internal/proto"
)

// echoPolicy answers CheckStatus with whatever its fields say.
type echoPolicy struct {
	resp *CheckStatusResponse
	err  error
	got  *CheckStatusRequest
}

func (p *echoPolicy) Info(context.Context, *InfoRequest) (*InfoResponse, error) {
	return &InfoResponse{Name: "echo", Version: "0.1", Hooks: []string{HookCheckStatus}}, nil
}

func (p *echoPolicy) Configure(_ context.Context, req *ConfigureRequest) (*ConfigureResponse, error) {
	if string(req.Config) != `{"ok":true}` {
		return &ConfigureResponse{Error: "want ok"}, nil
	}
	return &ConfigureResponse{}, nil
}

func (p *echoPolicy) CheckStatus(_ context.Context, req *CheckStatusRequest) (*CheckStatusResponse, error) {
	p.got = req
	return p.resp, p.err
}

// dispense connects a host-side Client to impl over a real gRPC connection
// (a Unix socket go-plugin picks, so no fixed port).
func dispense(t *testing.T, impl Policy) Client {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, PluginSet(impl))
	// Closing the client sends go-plugin's Shutdown, whose handler stops the
	// server. Calling server.Stop here as well raced with that handler
	// inside go-plugin (GRPCServer.Stop is not safe to call concurrently).
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(PluginKey)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := raw.(Client)
	if !ok {
		t.Fatalf("dispensed %T, want a Client", raw)
	}
	return p
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	impl := &echoPolicy{}
	p := dispense(t, impl)

	info, err := p.Info(ctx, &InfoRequest{})
	if err != nil || info.Name != "echo" || info.Version != "0.1" || len(info.Hooks) != 1 || info.Hooks[0] != HookCheckStatus {
		t.Fatalf("Info = %+v, %v", info, err)
	}

	cresp, err := p.Configure(ctx, &ConfigureRequest{Config: []byte(`{"ok":false}`)})
	if err != nil || cresp.Error != "want ok" {
		t.Fatalf("Configure(invalid) = %+v, %v", cresp, err)
	}
	cresp, err = p.Configure(ctx, &ConfigureRequest{Config: []byte(`{"ok":true}`)})
	if err != nil || cresp.Error != "" {
		t.Fatalf("Configure(valid) = %+v, %v", cresp, err)
	}

	req := &CheckStatusRequest{AccountID: 1 << 50, Username: "alice", Text: "hello", SpoilerText: "cw", Visibility: "unlisted", Language: "en",
		StatusID: 7, AccountCreatedAt: time.Unix(1700000000, 0).UTC(), AccountStatusesCount: 3, AccountFollowersCount: 4}
	for _, v := range []Verdict{VerdictAllow, VerdictReject, VerdictFlag, VerdictMarkSensitive, VerdictRewrite} {
		t.Run(v.String(), func(t *testing.T) {
			impl.resp = &CheckStatusResponse{Verdict: v, Reason: "because", Text: "t2", SpoilerText: "s2",
				// Host-only fields must not cross the wire.
				Sensitive: true, Flagged: true, Plugin: "x"}
			got, err := p.CheckStatus(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			want := CheckStatusResponse{Verdict: v, Reason: "because", Text: "t2", SpoilerText: "s2"}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if !reflect.DeepEqual(*impl.got, *req) {
				t.Errorf("plugin saw %+v, want %+v", impl.got, req)
			}
		})
	}
}

// hookPolicy serves the account and rank hooks with canned answers.
type hookPolicy struct {
	echoPolicy
	account *CheckAccountResponse
	rank    *RankResponse
	gotAcc  *CheckAccountRequest
	gotRank *RankRequest
}

func (p *hookPolicy) CheckAccount(_ context.Context, req *CheckAccountRequest) (*CheckAccountResponse, error) {
	p.gotAcc = req
	return p.account, nil
}

func (p *hookPolicy) Rank(_ context.Context, req *RankRequest) (*RankResponse, error) {
	p.gotRank = req
	return p.rank, nil
}

func TestAccountAndRankRoundTrip(t *testing.T) {
	ctx := context.Background()
	impl := &hookPolicy{}
	p := dispense(t, impl)

	acc := &CheckAccountRequest{AccountID: 9, Username: "bob", DisplayName: "Bob", Note: "hi", Event: AccountProfile, CreatedAt: time.Unix(1700000000, 0).UTC()}
	impl.account = &CheckAccountResponse{Verdict: VerdictFlag, Reason: "new", Plugin: "host-only"}
	got, err := p.CheckAccount(ctx, acc)
	if err != nil || !reflect.DeepEqual(*got, CheckAccountResponse{Verdict: VerdictFlag, Reason: "new"}) {
		t.Fatalf("CheckAccount = %+v, %v", got, err)
	}
	if !reflect.DeepEqual(*impl.gotAcc, *acc) {
		t.Errorf("plugin saw %+v, want %+v", impl.gotAcc, acc)
	}
	// A rewrite means nothing for an account: the call fails, so the fail
	// mode decides, rather than the host guessing.
	impl.account = &CheckAccountResponse{Verdict: VerdictRewrite}
	if _, err := p.CheckAccount(ctx, acc); status.Code(err) != codes.Internal {
		t.Errorf("rewrite for an account: got %v, want Internal", err)
	}

	now := time.UnixMilli(1700000000123).UTC()
	rank := &RankRequest{ViewerID: 1, Surface: SurfaceSearch, Query: "q", Now: now, Candidates: []Candidate{
		{ID: 1, AuthorID: 2, CreatedAt: now.Add(-time.Hour), Favourites: 3, Reblogs: 4, Replies: 5, Affinity: 0.5, Similarity: -0.25, FollowingAuthor: true, Features: map[string]float64{"x": 1}},
		{ID: 2},
	}}
	impl.rank = &RankResponse{Scores: []float64{0.1, 0.9}, Order: []int64{2, 1}}
	rr, err := p.Rank(ctx, rank)
	if err != nil || !reflect.DeepEqual(rr, impl.rank) {
		t.Fatalf("Rank = %+v, %v", rr, err)
	}
	if !reflect.DeepEqual(impl.gotRank, rank) {
		t.Errorf("plugin saw %+v, want %+v", impl.gotRank, rank)
	}
}

// canaryPolicy records whether each call was marked a canary.
type canaryPolicy struct {
	echoPolicy
	canary []bool
}

func (p *canaryPolicy) CheckStatus(ctx context.Context, _ *CheckStatusRequest) (*CheckStatusResponse, error) {
	p.canary = append(p.canary, IsCanary(ctx))
	return &CheckStatusResponse{}, nil
}

func TestCanaryCrossesTheWire(t *testing.T) {
	impl := &canaryPolicy{}
	p := dispense(t, impl)
	if _, err := p.CheckStatus(CanaryContext(context.Background()), &CheckStatusRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CheckStatus(context.Background(), &CheckStatusRequest{}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(impl.canary, []bool{true, false}) {
		t.Errorf("IsCanary per call = %v, want [true false]", impl.canary)
	}
}

func TestUnservedHookIsUnimplemented(t *testing.T) {
	p := dispense(t, &echoPolicy{})
	if _, err := p.Rank(context.Background(), &RankRequest{}); status.Code(err) != codes.Unimplemented {
		t.Errorf("Rank on a plugin without it: got %v, want Unimplemented", err)
	}
	if _, err := p.CheckAccount(context.Background(), &CheckAccountRequest{}); status.Code(err) != codes.Unimplemented {
		t.Errorf("CheckAccount on a plugin without it: got %v, want Unimplemented", err)
	}
}

func TestFailuresAreErrors(t *testing.T) {
	ctx := context.Background()
	impl := &echoPolicy{}
	p := dispense(t, impl)
	req := &CheckStatusRequest{Text: "x"}

	impl.resp, impl.err = nil, errors.New("database down")
	if _, err := p.CheckStatus(ctx, req); status.Code(err) != codes.Unknown || !strings.Contains(err.Error(), "database down") {
		t.Errorf("plugin error: got %v", err)
	}
	impl.resp, impl.err = nil, nil
	if _, err := p.CheckStatus(ctx, req); status.Code(err) != codes.Internal {
		t.Errorf("nil response: got %v, want Internal", err)
	}
	impl.resp, impl.err = &CheckStatusResponse{Verdict: Verdict(99)}, nil
	if _, err := p.CheckStatus(ctx, req); status.Code(err) != codes.Internal {
		t.Errorf("unknown verdict: got %v, want Internal", err)
	}
}

func TestFromprotoVerdict(t *testing.T) {
	tests := []struct {
		in      proto.Verdict
		want    Verdict
		wantErr bool
	}{
		{proto.Verdict_VERDICT_UNSPECIFIED, VerdictAllow, false},
		{proto.Verdict_VERDICT_ALLOW, VerdictAllow, false},
		{proto.Verdict_VERDICT_REJECT, VerdictReject, false},
		{proto.Verdict_VERDICT_FLAG, VerdictFlag, false},
		{proto.Verdict_VERDICT_MARK_SENSITIVE, VerdictMarkSensitive, false},
		{proto.Verdict_VERDICT_REWRITE, VerdictRewrite, false},
		{proto.Verdict(42), 0, true}, // from a newer plugin: never read as allow
	}
	for _, tt := range tests {
		got, err := fromprotoVerdict(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("fromprotoVerdict(%v) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestVerdictString(t *testing.T) {
	if got := VerdictMarkSensitive.String(); got != "mark_sensitive" {
		t.Errorf("got %q", got)
	}
	if got := Verdict(99).String(); got != "verdict(99)" {
		t.Errorf("got %q", got)
	}
}

func TestLoggingInterceptorRecoversPanics(t *testing.T) {
	var buf bytes.Buffer
	logger := hclog.New(&hclog.LoggerOptions{Output: &buf, Level: hclog.Debug, JSONFormat: true})
	icpt := loggingInterceptor(logger)
	info := &grpc.UnaryServerInfo{FullMethod: "/starling.policy.v1.Policy/CheckStatus"}

	_, err := icpt(context.Background(), nil, info, func(context.Context, any) (any, error) { panic("boom") })
	if status.Code(err) != codes.Internal || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("got %v, want Internal mentioning the panic", err)
	}
	if !strings.Contains(buf.String(), "panic in plugin method") {
		t.Errorf("panic not logged: %s", buf.String())
	}

	buf.Reset()
	resp, err := icpt(context.Background(), nil, info, func(context.Context, any) (any, error) { return "ok", nil })
	if err != nil || resp != "ok" {
		t.Fatalf("got %v, %v", resp, err)
	}
	if !strings.Contains(buf.String(), `"method":"/starling.policy.v1.Policy/CheckStatus"`) {
		t.Errorf("call not logged with its method: %s", buf.String())
	}
}

// TestRankEncodings: a rank request arrives the same in rows and in columns.
// Columns are used only after the plugin's Info announced them, and never
// for candidates with named features, which have no column.
func TestRankEncodings(t *testing.T) {
	now := time.UnixMilli(1700000000123).UTC()
	plain := []Candidate{
		{ID: 1, AuthorID: 2, CreatedAt: now.Add(-time.Hour), Favourites: 3, Reblogs: 4, Replies: 5, Affinity: 0.5, Similarity: -0.25, FollowingAuthor: true},
		{ID: 2},
		{ID: 1 << 60, AuthorID: -1, Favourites: 1 << 40, Similarity: 1},
	}
	withFeatures := slices.Clone(plain)
	withFeatures[1].Features = map[string]float64{"x": 1}
	cases := []struct {
		name        string
		info        bool // the host called Info first
		cands       []Candidate
		wantColumns bool
	}{
		{"before Info: rows", false, plain, false},
		{"after Info: columns", true, plain, true},
		{"named features: rows", true, withFeatures, false},
		{"no candidates", true, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			impl := &hookPolicy{rank: &RankResponse{Order: []int64{2}}}
			p := dispense(t, impl)
			if tc.info {
				if _, err := p.Info(ctx, &InfoRequest{}); err != nil {
					t.Fatal(err)
				}
			}
			req := &RankRequest{ViewerID: 7, Surface: SurfaceForYou, Now: now, Candidates: tc.cands}
			if _, err := p.Rank(ctx, req); err != nil {
				t.Fatal(err)
			}
			want := *req
			if want.Candidates == nil {
				want.Candidates = []Candidate{}
			}
			if !reflect.DeepEqual(*impl.gotRank, want) {
				t.Errorf("plugin saw %+v, want %+v", impl.gotRank, want)
			}
			if got := toprotoRankRequest(req, p.(*grpcClient).rankColumns.Load()).GetColumns() != nil; got != tc.wantColumns {
				t.Errorf("sent columns: %v, want %v", got, tc.wantColumns)
			}
		})
	}
}

// TestRankColumnsMismatched: columns that do not line up are refused, not
// read past their end or paired wrongly.
func TestRankColumnsMismatched(t *testing.T) {
	cols := toprotoCandidateColumns([]Candidate{{ID: 1}, {ID: 2}})
	cols.Similarity = cols.Similarity[:1]
	_, err := fromprotoRankRequest(&proto.RankRequest{Columns: cols})
	if err == nil {
		t.Fatal("mismatched columns accepted")
	}
	srv := &grpcServer{impl: &hookPolicy{rank: &RankResponse{}}}
	if _, err := srv.Rank(context.Background(), &proto.RankRequest{Columns: cols}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("server: %v, want InvalidArgument", err)
	}
}
