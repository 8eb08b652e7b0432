package pluginsdk

import (
	"context"

	"google.golang.org/grpc/metadata"
)

// canaryKey is the gRPC metadata key marking a canary call.
const canaryKey = "starling-canary"

// IsCanary reports whether a hook call is the host's canary: the one call
// per hook the host makes to a freshly started version before routing
// traffic to it (after a start, a restart or a hot swap). The request is
// synthetic and the verdict is discarded; a plugin with state (a duplicate
// window, a rate counter) should leave canary calls out of it, and answer
// them as it would any call.
func IsCanary(ctx context.Context) bool {
	md, ok := metadata.FromIncomingContext(ctx)
	return ok && len(md.Get(canaryKey)) > 0
}

// CanaryContext marks the calls made with ctx as canary calls. The host
// uses it; plugins read it with IsCanary.
func CanaryContext(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, canaryKey, "1")
}
