// Package ratelimit counts requests per key in fixed windows: the counters
// behind the API's rate limits. It knows nothing of HTTP; package api
// decides what a key is (an account, a client IP) and what limit applies.
//
// Two stores: Memory, within one process (the default), and Redis, which
// every server process sharing one Redis uses, so a client cannot multiply
// its budget by the number of processes. Both forget a key when its window
// ends, so memory is bounded by the keys seen in one window.
package ratelimit
