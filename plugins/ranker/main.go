// Command ranker is Starling's bundled ranking plugin, a weighted feature
// scorer for the rank hook; the host starts it. The scorer and its
// configuration are in package scorer.
package main

import (
	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/plugins/ranker/scorer"
)

func main() {
	pluginsdk.Serve(scorer.New())
}
