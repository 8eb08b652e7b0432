package policy

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the host's Prometheus collectors.
type metrics struct {
	decisions *prometheus.CounterVec   // plugin, version, hook, verdict
	duration  *prometheus.HistogramVec // plugin, version, hook
	up        *prometheus.GaugeVec     // plugin
	restarts  *prometheus.CounterVec   // plugin
	swaps     *prometheus.CounterVec   // plugin, result
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "starling", Subsystem: "policy", Name: "decisions_total",
			Help: `Policy plugin decisions by plugin, version (as the plugin reports it), hook and verdict; verdict "error" counts failed calls (timeout, crash, plugin restarting).`,
		}, []string{"plugin", "version", "hook", "verdict"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "starling", Subsystem: "policy", Name: "call_duration_seconds",
			Help:    "Duration of policy plugin calls by plugin, version and hook, failed ones included.",
			Buckets: []float64{25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 100e-3, 1},
		}, []string{"plugin", "version", "hook"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "starling", Subsystem: "policy", Name: "plugin_up",
			Help: "1 while an enabled policy plugin is ready, 0 while it is starting or restarting (its fail mode applies).",
		}, []string{"plugin"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "starling", Subsystem: "policy", Name: "plugin_restarts_total",
			Help: "Policy plugin processes restarted by the supervisor after a crash or a hang.",
		}, []string{"plugin"}),
		swaps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "starling", Subsystem: "policy", Name: "plugin_swaps_total",
			Help: `Hot swaps (reload, enable, manifest change) by result: "ok" or "failed" (the old version kept serving).`,
		}, []string{"plugin", "result"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	if m.decisions, err = register(reg, m.decisions); err != nil {
		return nil, err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.up, err = register(reg, m.up); err != nil {
		return nil, err
	}
	if m.restarts, err = register(reg, m.restarts); err != nil {
		return nil, err
	}
	if m.swaps, err = register(reg, m.swaps); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c on reg. A collector already registered there (a
// second Host on the same registry) is reused, so counts continue rather
// than the start failing.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, fmt.Errorf("policy: register metrics: %w", err)
	}
	return c, nil
}
