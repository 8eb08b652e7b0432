package pluginsdk

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

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

// dispense connects a host-side Policy to impl over a real gRPC connection
// (a Unix socket go-plugin picks, so no fixed port).
func dispense(t *testing.T, impl Policy) Policy {
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
	p, ok := raw.(Policy)
	if !ok {
		t.Fatalf("dispensed %T, want a Policy", raw)
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

	req := &CheckStatusRequest{AccountID: 1 << 50, Username: "alice", Text: "hello", SpoilerText: "cw", Visibility: "unlisted", Language: "en"}
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
			if *got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if *impl.got != *req {
				t.Errorf("plugin saw %+v, want %+v", impl.got, req)
			}
		})
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
