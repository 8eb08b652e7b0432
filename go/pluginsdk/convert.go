package pluginsdk

import (
	"fmt"

	"github.com/starling-social/starling/go/pluginsdk/internal/proto"
)

// This file is the only place that maps between the public types and the
// generated wire types (terraform-plugin-go keeps the same split in its
// fromproto and toproto packages). A new field is added here, in types.go and
// in policy.proto, and nowhere else.

func toprotoInfoResponse(r *InfoResponse) *proto.InfoResponse {
	return &proto.InfoResponse{Name: r.Name, Version: r.Version, Hooks: r.Hooks}
}

func fromprotoInfoResponse(r *proto.InfoResponse) *InfoResponse {
	return &InfoResponse{Name: r.GetName(), Version: r.GetVersion(), Hooks: r.GetHooks()}
}

func toprotoConfigureRequest(r *ConfigureRequest) *proto.ConfigureRequest {
	return &proto.ConfigureRequest{Config: r.Config}
}

func fromprotoConfigureRequest(r *proto.ConfigureRequest) *ConfigureRequest {
	return &ConfigureRequest{Config: r.GetConfig()}
}

func toprotoConfigureResponse(r *ConfigureResponse) *proto.ConfigureResponse {
	return &proto.ConfigureResponse{Error: r.Error}
}

func fromprotoConfigureResponse(r *proto.ConfigureResponse) *ConfigureResponse {
	return &ConfigureResponse{Error: r.GetError()}
}

func toprotoCheckStatusRequest(r *CheckStatusRequest) *proto.CheckStatusRequest {
	return &proto.CheckStatusRequest{
		AccountId:   r.AccountID,
		Username:    r.Username,
		Text:        r.Text,
		SpoilerText: r.SpoilerText,
		Visibility:  r.Visibility,
		Language:    r.Language,
	}
}

func fromprotoCheckStatusRequest(r *proto.CheckStatusRequest) *CheckStatusRequest {
	return &CheckStatusRequest{
		AccountID:   r.GetAccountId(),
		Username:    r.GetUsername(),
		Text:        r.GetText(),
		SpoilerText: r.GetSpoilerText(),
		Visibility:  r.GetVisibility(),
		Language:    r.GetLanguage(),
	}
}

// toprotoCheckStatusResponse drops the host-only fields (Sensitive, Flagged,
// Plugin): they describe a combined decision and never cross the wire.
func toprotoCheckStatusResponse(r *CheckStatusResponse) (*proto.CheckStatusResponse, error) {
	v, err := toprotoVerdict(r.Verdict)
	if err != nil {
		return nil, err
	}
	return &proto.CheckStatusResponse{
		Verdict:     v,
		Reason:      r.Reason,
		Text:        r.Text,
		SpoilerText: r.SpoilerText,
	}, nil
}

func fromprotoCheckStatusResponse(r *proto.CheckStatusResponse) (*CheckStatusResponse, error) {
	v, err := fromprotoVerdict(r.GetVerdict())
	if err != nil {
		return nil, err
	}
	return &CheckStatusResponse{
		Verdict:     v,
		Reason:      r.GetReason(),
		Text:        r.GetText(),
		SpoilerText: r.GetSpoilerText(),
	}, nil
}

func toprotoVerdict(v Verdict) (proto.Verdict, error) {
	switch v {
	case VerdictAllow:
		return proto.Verdict_VERDICT_ALLOW, nil
	case VerdictReject:
		return proto.Verdict_VERDICT_REJECT, nil
	case VerdictFlag:
		return proto.Verdict_VERDICT_FLAG, nil
	case VerdictMarkSensitive:
		return proto.Verdict_VERDICT_MARK_SENSITIVE, nil
	case VerdictRewrite:
		return proto.Verdict_VERDICT_REWRITE, nil
	}
	return 0, fmt.Errorf("unknown verdict %v", v)
}

// fromprotoVerdict refuses values it does not know: a newer plugin's verdict
// must not be mistaken for allow, so the call fails and the fail mode decides.
func fromprotoVerdict(v proto.Verdict) (Verdict, error) {
	switch v {
	case proto.Verdict_VERDICT_UNSPECIFIED, proto.Verdict_VERDICT_ALLOW:
		return VerdictAllow, nil
	case proto.Verdict_VERDICT_REJECT:
		return VerdictReject, nil
	case proto.Verdict_VERDICT_FLAG:
		return VerdictFlag, nil
	case proto.Verdict_VERDICT_MARK_SENSITIVE:
		return VerdictMarkSensitive, nil
	case proto.Verdict_VERDICT_REWRITE:
		return VerdictRewrite, nil
	}
	return 0, fmt.Errorf("unknown verdict %d", int32(v))
}
