// Package snowflake generates Starling's IDs: time-ordered 64-bit integers
// that fit in 53 bits, so they are exact as JavaScript numbers and as Redis
// sorted-set scores (float64). The API renders them as decimal strings, as
// Mastodon does.
//
// Layout: 41 bits of milliseconds since Epoch, then 12 bits of sequence.
// That lasts until 2093 and allows 4096 IDs per millisecond per generator;
// past that the generator waits for the next millisecond rather than reuse
// or reorder IDs.
package snowflake
