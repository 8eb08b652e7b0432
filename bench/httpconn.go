package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strconv"
	"time"
)

// loadRequest is one HTTP/1.1 request as written on the wire.
type loadRequest struct {
	name  string // method and path, for errors
	wire  []byte
	retry bool // without side effects: may be sent again on a new connection
}

func getRequest(host, path, token string) loadRequest {
	b := fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: %s\r\n", path, host)
	if token != "" {
		b = fmt.Appendf(b, "Authorization: Bearer %s\r\n", token)
	}
	return loadRequest{name: "GET " + path, wire: append(b, "\r\n"...), retry: true}
}

func postRequest(host, path, token, contentType, body string) loadRequest {
	return loadRequest{name: "POST " + path, wire: fmt.Appendf(nil,
		"POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		path, host, token, contentType, len(body), body)}
}

// rawConn is one keep-alive HTTP/1.1 connection that one load worker
// drives alone: it writes a request and reads the whole answer before the
// next, as wrk does. net/http's Transport runs a read and a write
// goroutine per connection and hands every request and answer between
// them and the caller over channels: three goroutines scheduled per
// request on the two cores the server uses too, which cost the load
// generator twice the CPU and added their scheduling delays to the
// latency measured. The answer is parsed only as far as the load needs:
// the status code, the body's framing, and whether the server closes.
type rawConn struct {
	addr string // host:port
	c    net.Conn
	br   *bufio.Reader
}

// rawTimeout bounds one request and its answer.
const rawTimeout = 60 * time.Second

// do sends req and reads its answer to the end, returning its status
// code. A request without side effects that fails on a kept-alive
// connection (the server may have closed it meanwhile) is sent once more
// on a new one, as net/http does.
func (rc *rawConn) do(req loadRequest) (int, error) {
	reused := rc.c != nil
	code, err := rc.roundTrip(req)
	if err != nil && reused && req.retry {
		code, err = rc.roundTrip(req)
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", req.name, err)
	}
	return code, err
}

func (rc *rawConn) roundTrip(req loadRequest) (int, error) {
	if rc.c == nil {
		c, err := net.DialTimeout("tcp", rc.addr, rawTimeout)
		if err != nil {
			return 0, err
		}
		rc.c = c
		if rc.br == nil {
			// Larger than a page (~30 KB): each answer in one read call.
			rc.br = bufio.NewReaderSize(c, 64<<10)
		} else {
			rc.br.Reset(c)
		}
	}
	if err := rc.c.SetDeadline(time.Now().Add(rawTimeout)); err != nil {
		return 0, rc.fail(err)
	}
	if _, err := rc.c.Write(req.wire); err != nil {
		return 0, rc.fail(err)
	}
	code, closing, err := readAnswer(rc.br)
	if err != nil {
		return 0, rc.fail(err)
	}
	if closing {
		rc.close()
	}
	return code, nil
}

func (rc *rawConn) fail(err error) error {
	rc.close()
	return err
}

func (rc *rawConn) close() {
	if rc.c != nil {
		rc.c.Close()
		rc.c = nil
	}
}

// readAnswer reads one HTTP/1.1 response from br, body included, and
// returns its status code and whether the server closes the connection
// after it.
func readAnswer(br *bufio.Reader) (code int, closing bool, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, false, fmt.Errorf("malformed status line %q", line)
	}
	if code, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, fmt.Errorf("malformed status line %q", line)
	}
	closing = line[7] == '0' // HTTP/1.0 closes unless told otherwise; the server speaks 1.1
	length, chunked := int64(-1), false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, fmt.Errorf("malformed header %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return 0, false, fmt.Errorf("malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case code/100 == 1 || code == 204 || code == 304:
	case chunked:
		if _, err = io.Copy(io.Discard, httputil.NewChunkedReader(br)); err == nil {
			err = skipTrailer(br)
		}
	case length >= 0:
		_, err = br.Discard(int(length))
	default:
		return 0, false, errors.New("answer without Content-Length or chunked body")
	}
	return code, closing, err
}

// skipTrailer reads the trailer section that ends a chunked body, up to
// and including its empty line.
func skipTrailer(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return nil
		}
	}
}
