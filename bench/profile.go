package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
)

// profileFlags are the profiling flags every subcommand takes: they are
// taken off the command line before the subcommand parses the rest, so no
// subcommand has to declare them.
type profileFlags struct {
	cpu, mem, trace string
}

// splitProfileFlags removes --cpuprofile, --memprofile and --trace (one or
// two dashes, "=value" or a separate value) from args.
func splitProfileFlags(args []string) (profileFlags, []string, error) {
	var p profileFlags
	dst := map[string]*string{"cpuprofile": &p.cpu, "memprofile": &p.mem, "trace": &p.trace}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		target, ok := dst[name]
		if !ok || !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return p, nil, usagef("flag needs an argument: %s", a)
			}
			i++
			value = args[i]
		}
		if value == "" {
			return p, nil, usagef("%s: empty file name", a)
		}
		*target = value
	}
	return p, rest, nil
}

// start begins the CPU profile and the trace; the returned function ends
// them and writes the heap profile.
func (p profileFlags) start() (func() error, error) {
	var closers []func() error
	stop := func() error {
		var first error
		for i := len(closers) - 1; i >= 0; i-- {
			if err := closers[i](); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	if p.cpu != "" {
		f, err := os.Create(p.cpu)
		if err != nil {
			return nil, usagef("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		closers = append(closers, func() error { pprof.StopCPUProfile(); return f.Close() })
	}
	if p.trace != "" {
		f, err := os.Create(p.trace)
		if err != nil {
			_ = stop()
			return nil, usagef("--trace: %v", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			_ = stop()
			return nil, fmt.Errorf("--trace: %w", err)
		}
		closers = append(closers, func() error { trace.Stop(); return f.Close() })
	}
	if p.mem != "" {
		closers = append([]func() error{func() error {
			f, err := os.Create(p.mem)
			if err != nil {
				return fmt.Errorf("--memprofile: %w", err)
			}
			runtime.GC() // the heap profile shows the state after the last GC
			if err := pprof.WriteHeapProfile(f); err != nil {
				f.Close()
				return fmt.Errorf("--memprofile: %w", err)
			}
			return f.Close()
		}}, closers...)
	}
	return stop, nil
}
