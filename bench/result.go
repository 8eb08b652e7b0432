package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/starling-social/starling/go/vecsearch"
)

// provenance says where and how a result was produced; every JSON line
// carries it so results from different runs can be compared honestly.
type provenance struct {
	Commit      string  `json:"commit"`
	CommitDirty bool    `json:"commit_dirty"`
	Machine     machine `json:"machine"`
	Command     string  `json:"command"`
	Timestamp   string  `json:"timestamp"`
	// RustLib is the SHA-256 of the linked Rust library (vecsearch.LibraryHash).
	RustLib string `json:"rust_lib"`
}

// machine identifies the hardware and toolchain.
type machine struct {
	Hostname  string `json:"hostname"`
	CPUModel  string `json:"cpu_model"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	NumCPU    int    `json:"num_cpu"`
	GoVersion string `json:"go_version"`
}

// newProvenance collects the provenance of a run started with args.
func newProvenance(args []string) provenance {
	host, _ := os.Hostname()
	commit, dirty := gitCommit()
	return provenance{
		Commit: commit, CommitDirty: dirty,
		Machine: machine{
			Hostname:  host,
			CPUModel:  cpuModel(),
			GOOS:      runtime.GOOS,
			GOARCH:    runtime.GOARCH,
			NumCPU:    runtime.NumCPU(),
			GoVersion: runtime.Version(),
		},
		Command:   shellJoin(args),
		Timestamp: time.Now().UTC().Format(time.RFC3339),
		RustLib:   vecsearch.LibraryHash(),
	}
}

// gitCommit returns HEAD and whether the work tree differs from it, or ""
// outside a git checkout.
func gitCommit() (string, bool) {
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "", false
	}
	status, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	return strings.TrimSpace(string(out)), err == nil && len(strings.TrimSpace(string(status))) > 0
}

// cpuModel reads the first "model name" of /proc/cpuinfo ("" if absent).
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// shellJoin renders args as a command line that can be pasted into a shell.
func shellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '/' || r == '-' || r == '_' || r == '.' || r == '=' || r == ',' || r == ':' ||
				r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) < 0 {
			quoted[i] = a
		} else {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}

// emit writes v as one JSON line.
func emit(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
