// Command spamguard is Starling's bundled spam-limits policy plugin; the
// host starts it. The rules and their configuration are in package guard.
package main

import (
	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/plugins/spamguard/guard"
)

func main() {
	pluginsdk.Serve(guard.New())
}
