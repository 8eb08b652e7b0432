package main

import (
	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/plugins/wordfilter/filter"
)

func main() {
	pluginsdk.Serve(filter.New())
}
