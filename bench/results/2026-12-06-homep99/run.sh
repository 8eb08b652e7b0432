#!/bin/bash
# usage: run.sh SERVER_BIN OUTDIR — starts the server as starling-bench http
# does, seeds it like the bench (seed.py), restarts it, then measures warm
# home reads with wrk (64 connections, 2 threads, 8 s after a 2 s warm-up).
set -e
bin=$1; out=$2; mkdir -p $out
dir=$(mktemp -d)
port=18099
args="serve --addr 127.0.0.1:$port --data-dir $dir --log-format json --plugins= --rate-limit 0 --rate-limit-auth 0 --rate-limit-apps 0 --feed-strategy=hybrid"
$bin $args > /dev/null 2> >(cat > /dev/null) &
pid=$!
sleep 3
python3 "$(dirname "$0")/seed.py" http://127.0.0.1:$port $out/tokens.txt
kill $pid; wait $pid || true
$bin $args > /dev/null 2> >(cat > /dev/null) &
pid=$!
sleep 3
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
TOKENS=$out/tokens.txt wrk -t2 -c64 -d2s -s "$(dirname "$0")/home.lua" http://127.0.0.1:$port > /dev/null
for i in 1 2; do
  c0=$(cpu); la=$(cut -d' ' -f1 /proc/loadavg)
  TOKENS=$out/tokens.txt wrk -t2 -c64 -d8s --latency -s "$(dirname "$0")/home.lua" http://127.0.0.1:$port > $out/wrk$i.txt
  c1=$(cpu); echo "server_cpu_ticks=$((c1-c0)) loadavg=$la" >> $out/wrk$i.txt
done
kill $pid; wait $pid || true; rm -rf $dir
