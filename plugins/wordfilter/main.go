package main

import "github.com/starling-social/starling/go/pluginsdk"

func main() {
	pluginsdk.Serve(&wordFilter{})
}
