package policy

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// State is a plugin's condition as Plugins reports it.
type State string

// Plugin states.
const (
	// StateStarting: the first start is under way.
	StateStarting State = "starting"
	// StateReady: started, verified and receiving calls.
	StateReady State = "ready"
	// StateRestarting: the process died or hung; the supervisor is starting
	// it again with backoff, and meanwhile the fail mode applies.
	StateRestarting State = "restarting"
	// StateStopped: the host was closed.
	StateStopped State = "stopped"
	// StateDisabled: listed in the manifest with enabled false; not started.
	StateDisabled State = "disabled"
)

// Supervision timing. A crash is noticed within superviseTick; the first
// restart is immediate and later ones back off, so a plugin that dies at
// start does not spin.
const (
	superviseTick     = 20 * time.Millisecond
	healthEvery       = time.Second
	healthTimeout     = 500 * time.Millisecond
	healthFailures    = 2 // consecutive failed health checks before a kill
	restartBackoffMin = 100 * time.Millisecond
	restartBackoffMax = 10 * time.Second
)

// StableAfter is how long a plugin process must run before a crash counts
// as a new incident (an immediate restart) rather than part of a crash loop
// (the backoff keeps growing).
const StableAfter = 5 * time.Second

// slot is one manifest plugin: its applied spec, its current instance (nil
// while not running), its supervisor and its statistics, which survive
// swaps and restarts.
type slot struct {
	name  string
	host  *Host
	index int // position in the manifest, to keep the listed order among equal Order

	cur   atomic.Pointer[instance]
	spec  atomic.Pointer[PluginSpec] // applied spec, also while not running
	stats callStats
	// version is the version the last instance started reported: failed
	// calls while none runs count against it.
	version atomic.Pointer[string]

	// life serialises what replaces cur: start, swap, restart, stop.
	life sync.Mutex

	mu        sync.Mutex // guards the fields below
	state     State
	lastError string
	restarts  int64
	swaps     int64
	lastSwap  time.Duration
	stop      chan struct{} // closed to stop the supervisor
	done      chan struct{} // closed when the supervisor has returned
}

func newSlot(h *Host, spec PluginSpec, index int) *slot {
	s := &slot{name: spec.Name, host: h, index: index, state: StateDisabled}
	// Exported at 0 from the start, so a dashboard's rate() sees the first
	// restart rather than a series appearing.
	h.metrics.restarts.WithLabelValues(spec.Name)
	s.spec.Store(&spec)
	return s
}

func (s *slot) setState(st State, errText string) {
	s.mu.Lock()
	s.state = st
	if errText != "" || st == StateReady {
		s.lastError = errText
	}
	s.mu.Unlock()
	up := 0.0
	if st == StateReady {
		up = 1
	}
	if st == StateDisabled || st == StateStopped {
		s.host.metrics.up.DeleteLabelValues(s.name)
		return
	}
	s.host.metrics.up.WithLabelValues(s.name).Set(up)
}

// setCurrent makes in the current instance (nil: none) and returns the
// previous one.
func (s *slot) setCurrent(in *instance) *instance {
	if in != nil {
		s.version.Store(&in.version)
	}
	return s.cur.Swap(in)
}

// lastVersion is the version of the current or last instance, "" before one.
func (s *slot) lastVersion() string {
	if v := s.version.Load(); v != nil {
		return *v
	}
	return ""
}

func (s *slot) getState() (State, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.lastError
}

// acquire returns the current instance pinned for one call (release with
// in.mu.RUnlock), or nil when none is running. A retiring instance is
// skipped: by then its successor is already current.
func (s *slot) acquire() *instance {
	for range 1000 {
		in := s.cur.Load()
		if in == nil {
			return nil
		}
		if in.acquire() {
			return in
		}
		runtime.Gosched()
	}
	return nil
}

// start starts spec's first instance and the supervisor.
func (s *slot) start(ctx context.Context, spec PluginSpec) error {
	s.life.Lock()
	defer s.life.Unlock()
	s.spec.Store(&spec)
	s.setState(StateStarting, "")
	in, err := s.host.startInstance(ctx, s.host.binaryPath(spec), spec)
	if err != nil {
		s.setState(StateRestarting, err.Error())
		return err
	}
	s.setCurrent(in)
	s.setState(StateReady, "")
	s.runSupervisor()
	return nil
}

// swap starts spec as a new instance, and only if every step passes (verify,
// handshake, Info, Configure, health, canary) makes it current, drains the
// old one and stops it. On failure the old instance keeps serving and the
// error says which step failed. It returns how long the new instance took
// to become current, and how long draining and stopping the old one took.
func (s *slot) swap(ctx context.Context, spec PluginSpec) (took, drain time.Duration, err error) {
	s.life.Lock()
	defer s.life.Unlock()
	begin := time.Now()
	in, err := s.host.startInstance(ctx, s.host.binaryPath(spec), spec)
	if err != nil {
		s.host.metrics.swaps.WithLabelValues(s.name, "failed").Inc()
		s.mu.Lock()
		s.lastError = err.Error()
		s.mu.Unlock()
		return 0, 0, err
	}
	s.spec.Store(&spec)
	old := s.setCurrent(in)
	took = time.Since(begin)
	s.host.metrics.swaps.WithLabelValues(s.name, "ok").Inc()
	s.mu.Lock()
	s.swaps++
	s.lastSwap = took
	s.mu.Unlock()
	s.setState(StateReady, "")
	s.runSupervisor()
	if old != nil {
		old.retire() // drain: waits for the calls the old version is answering
	}
	return took, time.Since(begin) - took, nil
}

// disable stops the plugin and keeps spec (enabled false) for the listing.
func (s *slot) disable(spec PluginSpec) {
	s.life.Lock()
	defer s.life.Unlock()
	s.stopSupervisor()
	s.spec.Store(&spec)
	if old := s.setCurrent(nil); old != nil {
		old.retire()
	}
	s.setState(StateDisabled, "")
}

// close stops the supervisor and the process for good.
func (s *slot) close() {
	s.life.Lock()
	defer s.life.Unlock()
	s.stopSupervisor()
	if old := s.setCurrent(nil); old != nil {
		old.retire()
	}
	s.setState(StateStopped, "")
}

// runSupervisor starts the supervisor if it is not running. Callers hold life.
func (s *slot) runSupervisor() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.supervise(s.stop, s.done)
}

// stopSupervisor stops it and waits. Callers hold life.
func (s *slot) stopSupervisor() {
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.stop, s.done = nil, nil
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// supervise watches the current instance: a process that exited, or that
// fails healthFailures health checks in a row (hung, stopped), is replaced,
// first at once and then with doubling backoff. While it is down its fail
// mode applies to every call, and /readyz reports it.
func (s *slot) supervise(stop, done chan struct{}) {
	defer close(done)
	log := s.host.logger.With("plugin", s.name)
	tick := time.NewTicker(superviseTick)
	defer tick.Stop()
	backoff := time.Duration(0)
	lastHealth, healthFails := time.Now(), 0
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		in := s.cur.Load()
		if in == nil {
			continue
		}
		reason := ""
		switch {
		case in.exited():
			reason = "plugin process exited"
		case time.Since(lastHealth) >= healthEvery:
			lastHealth = time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
			err := healthCheck(ctx, in.conn)
			cancel()
			if err == nil {
				healthFails = 0
				if backoff > 0 && time.Since(in.started) > StableAfter {
					backoff = 0
				}
				continue
			}
			if healthFails++; healthFails < healthFailures {
				continue
			}
			reason = fmt.Sprintf("plugin failed %d health checks in a row (last: %v)", healthFails, err)
		default:
			continue
		}
		healthFails = 0
		if !s.restart(log, in, reason, &backoff, stop) {
			return
		}
		lastHealth = time.Now()
	}
}

// restart replaces the dead or hung instance, retrying with backoff
// until a start succeeds or the supervisor is stopped (it reports false).
func (s *slot) restart(log *slog.Logger, dead *instance, reason string, backoff *time.Duration, stop chan struct{}) bool {
	down := time.Now()
	log.Error("policy plugin down; restarting (its fail mode applies meanwhile)", "reason", reason,
		"version", dead.version, "pid", dead.pid, "fail_mode", string(dead.spec.FailMode))
	s.setState(StateRestarting, reason)
	// Calls fail fast instead of waiting on a dead or frozen process.
	s.cur.CompareAndSwap(dead, nil)
	go dead.kill()
	for {
		if *backoff > 0 {
			select {
			case <-stop:
				return false
			case <-time.After(*backoff):
			}
		}
		*backoff = min(max(2**backoff, restartBackoffMin), restartBackoffMax)
		if !s.life.TryLock() {
			// A swap or stop is under way and will install what it wants.
			select {
			case <-stop:
				return false
			case <-time.After(superviseTick):
			}
			if s.cur.Load() != nil {
				return true
			}
			continue
		}
		if s.cur.Load() != nil {
			// A swap installed a new version while we waited.
			s.life.Unlock()
			return true
		}
		spec := *s.spec.Load()
		in, err := s.host.startInstance(context.Background(), s.host.binaryPath(spec), spec)
		if err != nil {
			s.life.Unlock()
			log.Error("policy plugin restart failed", "error", err, "next_try_in", *backoff)
			s.setState(StateRestarting, err.Error())
			continue
		}
		s.setCurrent(in)
		s.life.Unlock()
		s.mu.Lock()
		s.restarts++
		s.mu.Unlock()
		s.host.metrics.restarts.WithLabelValues(s.name).Inc()
		s.setState(StateReady, "")
		log.Info("policy plugin restarted", "version", in.version, "pid", in.pid, "down_for", time.Since(down).Round(time.Millisecond))
		return true
	}
}
