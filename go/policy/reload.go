package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// SwapResult reports a hot swap.
type SwapResult struct {
	Plugin  string
	Version string        // the version now serving; empty when disabled
	State   State         // the plugin's state after the swap
	Took    time.Duration // start of the new version until it was current
	Drain   time.Duration // then: the old version's calls finishing, and its exit
}

// Reload re-reads the manifest file and hot-swaps plugin name to its entry
// there, even if the entry is unchanged (a fresh process): start the new
// version, verify its SHA-256, handshake, Info, Configure, health check, one
// canary call per hook, make it current atomically, drain the old one and
// stop it. No call fails during the swap. If any step fails, the old version
// keeps serving and the error names the step; an entry now disabled stops
// the plugin, and a removed one is stopped and forgotten.
func (h *Host) Reload(ctx context.Context, name string) (SwapResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := h.reloadManifest()
	if err != nil {
		return SwapResult{Plugin: name}, err
	}
	res, err := h.apply(ctx, m, name, true)
	if err != nil {
		h.logger.Error("policy plugin reload failed; the old version keeps serving", "plugin", name, "error", err)
	}
	return res, err
}

// SetEnabled enables or disables plugin name in the manifest file (saved
// atomically, so the choice survives a restart) and applies it: enabling
// starts the plugin as Reload does, disabling drains and stops it. If
// enabling fails, the file is restored and the plugin stays disabled.
func (h *Host) SetEnabled(ctx context.Context, name string, enabled bool) (SwapResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := h.reloadManifest()
	if err != nil {
		return SwapResult{Plugin: name}, err
	}
	i := -1
	for j, p := range m.Plugins {
		if p.Name == name {
			i = j
		}
	}
	if i < 0 {
		return SwapResult{Plugin: name}, fmt.Errorf("%w %q: not in %s", ErrUnknownPlugin, name, m.File)
	}
	was := m.Plugins[i].Enabled
	m.Plugins[i].Enabled = enabled
	if err := m.Save(m.File); err != nil {
		return SwapResult{Plugin: name}, err
	}
	res, err := h.apply(ctx, m, name, was != enabled)
	if err == nil && res.State == "" {
		// Already as asked: report how it is.
		s := h.slots[name]
		res.State, _ = s.getState()
		if in := s.cur.Load(); in != nil {
			res.Version = in.version
		}
	}
	if err != nil {
		m.Plugins[i].Enabled = was
		if serr := m.Save(m.File); serr != nil {
			err = errors.Join(err, fmt.Errorf("restoring %s: %w", m.File, serr))
		}
		h.logger.Error("policy plugin enable failed", "plugin", name, "error", err)
	}
	return res, err
}

// Apply re-reads the manifest file and applies every entry that changed
// since it was applied: new plugins start, changed ones are hot-swapped,
// disabled ones stop, removed ones stop and disappear. Each plugin is
// applied on its own; the errors of those that failed (and kept their old
// version) are joined.
func (h *Host) Apply(ctx context.Context) ([]SwapResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, err := h.reloadManifest()
	if err != nil {
		return nil, err
	}
	var (
		out  []SwapResult
		errs []error
	)
	names := map[string]bool{}
	for _, p := range m.Plugins {
		names[p.Name] = true
	}
	for name := range h.slots {
		if !names[name] {
			h.logger.Info("policy plugin removed from the manifest; stopping it", "plugin", name)
			h.slots[name].close()
			delete(h.slots, name)
		}
	}
	for _, p := range m.Plugins {
		res, err := h.apply(ctx, m, p.Name, false)
		if err != nil {
			errs = append(errs, err)
		}
		if res.State != "" {
			out = append(out, res)
		}
	}
	h.setManifest(m)
	h.rebuildRoutes()
	return out, errors.Join(errs...)
}

// reloadManifest loads the manifest file the host was started from.
// Callers hold h.mu.
func (h *Host) reloadManifest() (*Manifest, error) {
	if h.closed.Load() {
		return nil, fmt.Errorf("policy: host is closed: %w", ErrUnavailable)
	}
	if h.manifest.File == "" {
		return nil, errors.New("policy: the host was not started from a manifest file; nothing to reload")
	}
	return LoadManifest(h.manifest.File)
}

// apply brings plugin name to its entry in m. With force false an unchanged
// entry is left alone and reported with an empty State. Callers hold h.mu.
func (h *Host) apply(ctx context.Context, m *Manifest, name string, force bool) (SwapResult, error) {
	res := SwapResult{Plugin: name}
	spec, ok := m.spec(name)
	s := h.slots[name]
	if !ok {
		if s == nil {
			return res, fmt.Errorf("%w %q: not in %s", ErrUnknownPlugin, name, m.File)
		}
		s.close()
		delete(h.slots, name)
		h.rebuildRoutes()
		res.State = StateStopped
		return res, nil
	}
	if s == nil {
		s = newSlot(h, spec, len(h.slots))
		s.spec.Store(&PluginSpec{Name: name}) // nothing applied yet
		h.slots[name] = s
	}
	// Relative paths resolve against the newly read manifest's directory.
	h.setManifest(m)
	for i, p := range m.Plugins {
		if p.Name == name {
			s.index = i
		}
	}
	if !force && sameSpec(*s.spec.Load(), spec) {
		return res, nil
	}
	switch running := s.cur.Load() != nil; {
	case !spec.Enabled:
		s.disable(spec)
		res.State = StateDisabled
		h.logger.Info("policy plugin disabled", "plugin", name)
	case running:
		took, drain, err := s.swap(ctx, spec)
		if err != nil {
			res.State, _ = s.getState()
			return res, err
		}
		res.Took, res.Drain = took, drain
		res.State = StateReady
	default:
		begin := time.Now()
		if err := s.start(ctx, spec); err != nil {
			res.State, _ = s.getState()
			return res, err
		}
		res.Took = time.Since(begin)
		res.State = StateReady
	}
	if in := s.cur.Load(); in != nil {
		res.Version = in.version
		h.logger.Info("policy plugin swapped in", "plugin", name, "version", in.version, "sha256", spec.SHA256, "pid", in.pid, "took", res.Took)
	}
	h.rebuildRoutes()
	return res, nil
}

// sameSpec reports whether two entries are identical, config included.
func sameSpec(a, b PluginSpec) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// Watch polls the manifest file every interval until ctx ends, and applies
// it (Apply) when its content changes, and once at the start: the file
// may have been saved since the host loaded it, before Watch first read it.
// An invalid manifest or a failed plugin is logged and the running plugins
// are left as they are. Writers should save the manifest atomically (write
// a temporary file, rename it); `starling plugins pin` and SetEnabled do.
func (h *Host) Watch(ctx context.Context, interval time.Duration) {
	h.mu.Lock()
	file := h.manifest.File
	h.mu.Unlock()
	if file == "" {
		return
	}
	last, _ := os.ReadFile(file)
	h.applyWatched(ctx, file)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b, err := os.ReadFile(file)
		if err != nil || bytes.Equal(b, last) {
			continue
		}
		last = b
		h.applyWatched(ctx, file)
	}
}

// applyWatched applies the manifest for Watch and logs what changed.
func (h *Host) applyWatched(ctx context.Context, file string) {
	res, err := h.Apply(ctx)
	if err != nil {
		h.logger.Error("policy manifest changed; some plugins were not applied (their old versions keep serving)", "file", file, "error", err)
	}
	for _, r := range res {
		h.logger.Info("policy manifest change applied", "plugin", r.Plugin, "state", r.State, "version", r.Version, "took", r.Took)
	}
}
