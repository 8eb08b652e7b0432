package main

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// readAnswer reads each answer whole, so the next one on the connection
// starts where it should, whatever the framing.
func TestReadAnswer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		code    int
		closing bool
		bad     bool
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, false, false},
		{"chunked with trailer", "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n", 404, false, false},
		{"chunked", "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", 200, false, false},
		{"connection close", "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 503, true, false},
		{"no body", "HTTP/1.1 204 No Content\r\n\r\n", 204, false, false},
		{"no framing", "HTTP/1.1 200 OK\r\n\r\nrest", 0, false, true},
		{"bad status line", "HTTP/1.1 2x0 OK\r\n\r\n", 0, false, true},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, false, true},
		{"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", 0, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
			if tc.bad {
				next = "" // a truncated body must not borrow from a next answer
			}
			br := bufio.NewReader(strings.NewReader(tc.in + next))
			code, closing, err := readAnswer(br)
			if tc.bad {
				if err == nil {
					t.Fatalf("read %d, want an error", code)
				}
				return
			}
			if err != nil || code != tc.code || closing != tc.closing {
				t.Fatalf("got %d, closing %v, %v; want %d, closing %v", code, closing, err, tc.code, tc.closing)
			}
			if code, _, err := readAnswer(br); err != nil || code != 201 {
				t.Fatalf("next answer: %d, %v; want 201", code, err)
			}
		})
	}
}

// A raw connection talks to a real net/http server: answers of every
// framing in a row on one kept-alive connection, and a request sent again
// on a new connection after the server closed the old one.
func TestRawConnKeepsAliveAndRedials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big": // chunked: larger than the server's buffer, no length set
			_, _ = w.Write([]byte(strings.Repeat("x", 64<<10)))
		case "/close":
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusAccepted)
		default:
			if r.Header.Get("Authorization") != "Bearer tok" {
				w.WriteHeader(http.StatusUnauthorized)
			}
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	rc := &rawConn{addr: host}
	defer rc.close()
	for _, tc := range []struct {
		req  loadRequest
		code int
	}{
		{getRequest(host, "/big", ""), 200},
		{getRequest(host, "/", "tok"), 200},
		{getRequest(host, "/", ""), 401},
		{postRequest(host, "/", "tok", "text/plain", "body"), 200},
		{getRequest(host, "/close", ""), 202},
		{getRequest(host, "/", "tok"), 200}, // on a new connection
	} {
		if code, err := rc.do(tc.req); err != nil || code != tc.code {
			t.Fatalf("%s: %d, %v; want %d", tc.req.name, code, err, tc.code)
		}
	}
	srv.CloseClientConnections() // a kept-alive connection the server dropped
	if code, err := rc.do(getRequest(host, "/", "tok")); err != nil || code != 200 {
		t.Fatalf("after the server closed the connection: %d, %v; want 200", code, err)
	}
}
