package pluginsdk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/starling-social/starling/go/pluginsdk/internal/proto"
)

// GRPCPlugin carries a Policy over go-plugin's gRPC transport. In a plugin,
// Impl is the implementation being served (Serve sets it), with the hook
// interfaces it implements; in the host, Impl is nil and Dispense returns a
// Client that calls the plugin.
type GRPCPlugin struct {
	// NetRPCUnsupportedPlugin refuses go-plugin's legacy net/rpc protocol:
	// Starling plugins speak gRPC only.
	plugin.NetRPCUnsupportedPlugin

	// Impl is the Policy served by a plugin process.
	Impl Policy
}

// Compile-time check that GRPCPlugin satisfies go-plugin's interface.
var _ plugin.GRPCPlugin = (*GRPCPlugin)(nil)

// GRPCServer registers the Policy service; go-plugin calls it in the plugin
// process.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return errors.New("pluginsdk: GRPCPlugin.Impl is nil")
	}
	proto.RegisterPolicyServer(s, &grpcServer{impl: p.Impl})
	return nil
}

// GRPCClient returns a Client backed by the connection to the plugin; go-plugin
// calls it in the host when the plugin is dispensed.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &grpcClient{client: proto.NewPolicyClient(c)}, nil
}

// grpcClient is the host's view of a plugin. Errors are returned as gRPC
// gave them (status errors), so the host can tell a deadline from a crash.
type grpcClient struct {
	client proto.PolicyClient
	// rankColumns: the plugin said in Info that it reads
	// RankRequest.columns.
	rankColumns atomic.Bool
}

var _ Client = (*grpcClient)(nil)

func (c *grpcClient) Info(ctx context.Context, _ *InfoRequest) (*InfoResponse, error) {
	resp, err := c.client.Info(ctx, &proto.InfoRequest{})
	if err != nil {
		return nil, err
	}
	c.rankColumns.Store(slices.Contains(resp.GetEncodings(), encodingRankColumns))
	return fromprotoInfoResponse(resp), nil
}

func (c *grpcClient) Configure(ctx context.Context, req *ConfigureRequest) (*ConfigureResponse, error) {
	resp, err := c.client.Configure(ctx, toprotoConfigureRequest(req))
	if err != nil {
		return nil, err
	}
	return fromprotoConfigureResponse(resp), nil
}

func (c *grpcClient) CheckStatus(ctx context.Context, req *CheckStatusRequest) (*CheckStatusResponse, error) {
	resp, err := c.client.CheckStatus(ctx, toprotoCheckStatusRequest(req))
	if err != nil {
		return nil, err
	}
	out, err := fromprotoCheckStatusResponse(resp)
	if err != nil {
		return nil, fmt.Errorf("CheckStatus response: %w", err)
	}
	return out, nil
}

func (c *grpcClient) CheckAccount(ctx context.Context, req *CheckAccountRequest) (*CheckAccountResponse, error) {
	resp, err := c.client.CheckAccount(ctx, toprotoCheckAccountRequest(req))
	if err != nil {
		return nil, err
	}
	out, err := fromprotoCheckAccountResponse(resp)
	if err != nil {
		return nil, fmt.Errorf("CheckAccount response: %w", err)
	}
	return out, nil
}

func (c *grpcClient) Rank(ctx context.Context, req *RankRequest) (*RankResponse, error) {
	resp, err := c.client.Rank(ctx, toprotoRankRequest(req, c.rankColumns.Load()))
	if err != nil {
		return nil, err
	}
	return fromprotoRankResponse(resp), nil
}

// grpcServer adapts a Policy to the generated server interface. A hook the
// implementation does not serve answers codes.Unimplemented. Logging and
// panic recovery live in one interceptor (serve.go), not here.
type grpcServer struct {
	proto.UnimplementedPolicyServer
	impl Policy
}

func (s *grpcServer) Info(ctx context.Context, _ *proto.InfoRequest) (*proto.InfoResponse, error) {
	resp, err := s.impl.Info(ctx, &InfoRequest{})
	if err := checkResult(resp, err); err != nil {
		return nil, err
	}
	return toprotoInfoResponse(resp), nil
}

func (s *grpcServer) Configure(ctx context.Context, req *proto.ConfigureRequest) (*proto.ConfigureResponse, error) {
	resp, err := s.impl.Configure(ctx, fromprotoConfigureRequest(req))
	if err := checkResult(resp, err); err != nil {
		return nil, err
	}
	return toprotoConfigureResponse(resp), nil
}

func (s *grpcServer) CheckStatus(ctx context.Context, req *proto.CheckStatusRequest) (*proto.CheckStatusResponse, error) {
	impl, ok := s.impl.(StatusChecker)
	if !ok {
		return nil, status.Error(codes.Unimplemented, "plugin does not serve "+HookCheckStatus)
	}
	resp, err := impl.CheckStatus(ctx, fromprotoCheckStatusRequest(req))
	if err := checkResult(resp, err); err != nil {
		return nil, err
	}
	out, err := toprotoCheckStatusResponse(resp)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return out, nil
}

func (s *grpcServer) CheckAccount(ctx context.Context, req *proto.CheckAccountRequest) (*proto.CheckAccountResponse, error) {
	impl, ok := s.impl.(AccountChecker)
	if !ok {
		return nil, status.Error(codes.Unimplemented, "plugin does not serve "+HookCheckAccount)
	}
	resp, err := impl.CheckAccount(ctx, fromprotoCheckAccountRequest(req))
	if err := checkResult(resp, err); err != nil {
		return nil, err
	}
	out, err := toprotoCheckAccountResponse(resp)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return out, nil
}

func (s *grpcServer) Rank(ctx context.Context, req *proto.RankRequest) (*proto.RankResponse, error) {
	impl, ok := s.impl.(Ranker)
	if !ok {
		return nil, status.Error(codes.Unimplemented, "plugin does not serve "+HookRank)
	}
	in, err := fromprotoRankRequest(req)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	resp, err := impl.Rank(ctx, in)
	if err := checkResult(resp, err); err != nil {
		return nil, err
	}
	return toprotoRankResponse(resp), nil
}

// checkResult turns an implementation's failure into a gRPC status. A nil
// response without an error is a plugin bug, reported rather than read as
// "allow", so the host's fail mode decides.
func checkResult[T any](resp *T, err error) error {
	switch {
	case err != nil:
		if _, ok := status.FromError(err); ok {
			return err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return status.Error(codes.DeadlineExceeded, err.Error())
		}
		if errors.Is(err, context.Canceled) {
			return status.Error(codes.Canceled, err.Error())
		}
		return status.Error(codes.Unknown, err.Error())
	case resp == nil:
		return status.Error(codes.Internal, "plugin returned neither a response nor an error")
	}
	return nil
}
