// Command wordfilter is Starling's bundled word-filter policy plugin; the
// host starts it, and run by hand it only explains that it is a plugin. The
// filter itself, and its configuration, are in package filter.
package main
