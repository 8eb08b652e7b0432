// Package redistest gives tests the real Redis of STARLING_TEST_REDIS and
// a three-master Redis Cluster they start themselves, so every package
// storing in Redis (feed, presence) tests on both. Tests of one binary
// share one cluster; packages run as separate binaries at the same time,
// so each passes its own ports (the range the package keeps to).
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options are the options of the real Redis of STARLING_TEST_REDIS; the
// test is skipped when it is not set.
func Options(t testing.TB) *redis.Options {
	t.Helper()
	url := os.Getenv("STARLING_TEST_REDIS")
	if url == "" {
		t.Skip("STARLING_TEST_REDIS not set: .ci/run sets it to the local Redis")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

// Client is a client of the real Redis of STARLING_TEST_REDIS (see
// Options), closed when the test ends. Tests keep to keys under a Prefix
// of their own.
func Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	c := redis.NewClient(Options(t))
	t.Cleanup(func() { c.Close() })
	return c
}

// Prefix is a random key prefix, so tests sharing one Redis never meet.
func Prefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "starling:test:" + hex.EncodeToString(b[:]) + ":"
}

// Cluster is a three-master Redis Cluster on fixed ports, started on first
// use (redis-server --cluster-enabled, redis-cli --cluster create). Stop
// it from TestMain.
type Cluster struct {
	Ports []int

	once  sync.Once
	err   error
	procs []*exec.Cmd
	dir   string
}

// Client returns a client of the cluster, starting it on first use. Like
// the other Redis tests it runs when STARLING_TEST_REDIS is set (CI).
func (c *Cluster) Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	if os.Getenv("STARLING_TEST_REDIS") == "" {
		t.Skip("STARLING_TEST_REDIS not set: the Redis Cluster tests run with the Redis ones (.ci/run)")
	}
	c.once.Do(func() { c.err = c.start() })
	if c.err != nil {
		t.Fatal(c.err)
	}
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.addrs()})
	t.Cleanup(func() { cl.Close() })
	return cl
}

func (c *Cluster) addrs() []string {
	out := make([]string, len(c.Ports))
	for i, p := range c.Ports {
		out[i] = fmt.Sprintf("127.0.0.1:%d", p)
	}
	return out
}

// Stop kills the nodes and removes their directory.
func (c *Cluster) Stop() {
	for _, p := range c.procs {
		_ = p.Process.Kill()
		_ = p.Wait()
	}
	c.procs = nil
	if c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
}

// start runs the nodes in the foreground, in a temporary directory, and
// joins them into a cluster.
func (c *Cluster) start() error {
	dir, err := os.MkdirTemp("", "starling-cluster-")
	if err != nil {
		return err
	}
	c.dir = dir
	for _, p := range c.Ports {
		nd := filepath.Join(dir, fmt.Sprint(p))
		if err := os.Mkdir(nd, 0o755); err != nil {
			return err
		}
		cmd := exec.Command("redis-server", "--port", fmt.Sprint(p), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(nd, "nodes.conf"), "--dir", nd, "--save", "", "--appendonly", "no")
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start redis-server: %w", err)
		}
		c.procs = append(c.procs, cmd)
	}
	addrs := c.addrs()
	for _, a := range addrs {
		if err := waitPing(a); err != nil {
			return err
		}
	}
	out, err := exec.Command("redis-cli", append([]string{"--cluster", "create"}, append(addrs, "--cluster-yes")...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("redis-cli --cluster create: %v: %s", err, out)
	}
	// Wait until every node agrees the cluster is ok.
	for _, p := range c.Ports {
		ok := false
		for range 100 {
			info, _ := exec.Command("redis-cli", "-h", "127.0.0.1", "-p", fmt.Sprint(p), "cluster", "info").Output()
			if strings.Contains(string(info), "cluster_state:ok") {
				ok = true
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !ok {
			return fmt.Errorf("cluster node %d not ok", p)
		}
	}
	return nil
}

func waitPing(addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	for range 100 {
		if c.Ping(context.Background()).Err() == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("redis %s did not answer", addr)
}
