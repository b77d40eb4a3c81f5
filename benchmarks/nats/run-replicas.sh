#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/nats/run-replicas.sh BUILD_DIR [--subscribers S] [--rate R] [--seconds T]
#
# Publisher replicas over NATS JetStream against one publisher, the same subscribers and clicks:
# clickscope-bench-fanout spreads S raw SSE subscribers (default 1000) over the publishers and
# publishes R clicks/s (default 1000) for T seconds (default 10) through the first. Three runs, each
# with publishers of their own:
#   - one publisher, embedded (no NATS): what one process does alone;
#   - one publisher with `--nats`: the same, every click through JetStream and back;
#   - three publishers with `--nats` sharing one stream: the subscribers a third on each.
# For each: the fraction of deliveries made within 2 s of the end of publishing, delivery
# latency p50/p99 (publish to arrival), the publishers' CPU (in all and per publisher) and
# nats-server's. All of it on this one 2-core machine: three replicas share its two cores with
# nats-server and the load generator, so the figures show what a replica costs, not the scaling
# of separate machines (docs/scaling.md reads them for that).
set -euo pipefail

usage() { echo "usage: benchmarks/nats/run-replicas.sh BUILD_DIR [--subscribers S] [--rate R] [--seconds T]" >&2; exit 2; }
[ $# -ge 1 ] || usage
BUILD_DIR=$(cd "$1" && pwd)
shift
SUBSCRIBERS=1000
RATE=1000
SECONDS_=10
while [ $# -gt 0 ]; do
  case "$1" in
    --subscribers) [ $# -ge 2 ] || usage; SUBSCRIBERS=$2; shift 2 ;;
    --rate) [ $# -ge 2 ] || usage; RATE=$2; shift 2 ;;
    --seconds) [ $# -ge 2 ] || usage; SECONDS_=$2; shift 2 ;;
    *) usage ;;
  esac
done
CLI=$BUILD_DIR/src/cli/clickscope-cli
BENCH=$BUILD_DIR/benchmarks/clickscope-bench-fanout
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/run-replicas.XXXXXX")
PIDS=()
NATS_PID=
cleanup() {
  local pid
  for pid in "${PIDS[@]}" "$NATS_PID"; do
    [ -n "$pid" ] && kill "$pid" 2> /dev/null || true
  done
  wait 2> /dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
command -v nats-server > /dev/null || { echo "run-replicas.sh: nats-server is missing (./dev.sh deps installs it)" >&2; exit 1; }
# shellcheck source=../../tests/support/private-nats.sh
. "$HERE/../../tests/support/private-nats.sh"
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

# start_publisher NAME ARGS...: a publisher on a free port; sets URL and PID once it prints its URL.
start_publisher() {
  local name=$1 i
  shift
  timeout --signal=TERM 900 "$CLI" serve --port 0 --heartbeat 0 --max-connections 20000 "$@" \
    > "$WORK/$name.out" 2> "$WORK/$name.err" &
  PID=$!
  PIDS+=("$PID")
  URL=
  for i in $(seq 300); do
    URL=$(sed -n 's#^listening on \(http://[^ /]*\).*#\1#p' "$WORK/$name.out" | head -n 1)
    [ -n "$URL" ] && break
    sleep 0.05
  done
  [ -n "$URL" ] || { echo "run-replicas.sh: publisher $name did not start" >&2; cat "$WORK/$name.err" >&2; exit 1; }
  # `timeout` is the wrapper; its child is the publisher.
  PID=$(pgrep -P "$PID" | head -n 1)
}

field() {
  local key=$1 line=$2 pair
  for pair in $line; do
    [ "${pair%%=*}" = "$key" ] && { echo "${pair#*=}"; return 0; }
  done
  echo "run-replicas.sh: no '$key=' in '$line'" >&2
  return 1
}

# A nats-server of its own for each case (its files in a folder of their own), and the last
# case's publishers stopped: each case has the machine to itself.
fresh_case() {
  local pid
  for pid in "${PIDS[@]}" "$NATS_PID"; do
    [ -n "$pid" ] && kill "$pid" 2> /dev/null || true
  done
  wait 2> /dev/null || true
  PIDS=()
  mkdir -p "$WORK/$1"
  start_private_nats "$WORK/$1" 1800 || { echo "run-replicas.sh: nats-server did not start" >&2; exit 1; }
  NATS_SERVER=$(pgrep -P "$NATS_PID" | head -n 1)
}
# nats-server's CPU seconds (the child of the `timeout` that bounds it).
nats_cpu() { LC_ALL=C awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$NATS_SERVER/stat"; }

LOAD=(--subscribers "$SUBSCRIBERS" --rate "$RATE" --seconds "$SECONDS_" --complete-wait 20)
rows=()
run_case() {
  local name=$1 count=$2 line before after
  shift 2
  before=$(nats_cpu)
  line=$("$BENCH" fanout "$@" "${LOAD[@]}")
  after=$(nats_cpu)
  rows+=("$name|$count|$line|$(LC_ALL=C awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')")
  echo "run-replicas.sh: $name: $line" >&2
}

echo "run-replicas.sh: one embedded publisher" >&2
fresh_case embedded
start_publisher embedded
run_case "1 publisher, embedded (no NATS)" 1 "$URL" --server-pid "$PID"

echo "run-replicas.sh: one publisher over JetStream" >&2
fresh_case one
start_publisher one --nats "nats://127.0.0.1:$NATS_PORT"
run_case "1 publisher over JetStream" 1 "$URL" --server-pid "$PID"

echo "run-replicas.sh: three publishers over one JetStream stream" >&2
fresh_case three
start_publisher r1 --nats "nats://127.0.0.1:$NATS_PORT"
U1=$URL P1=$PID
start_publisher r2 --nats "nats://127.0.0.1:$NATS_PORT"
U2=$URL P2=$PID
start_publisher r3 --nats "nats://127.0.0.1:$NATS_PORT"
run_case "3 publishers over one JetStream stream" 3 "$U1" --server-pid "$P1" --replica "$U2" --replica-pid "$P2" \
  --replica "$URL" --replica-pid "$PID"

printf '\npublisher replicas over NATS JetStream: %d subscribers in all, %d clicks/s for %d s, published through the first\n' \
  "$SUBSCRIBERS" "$RATE" "$SECONDS_"
printf '  %-40s %10s %8s %8s %12s %14s %10s\n' case delivered p50_ms p99_ms cpu_s_all cpu_s_per_pub nats_cpu_s
for row in "${rows[@]}"; do
  IFS='|' read -r name count line natsCpu <<< "$row"
  expected=$(field expected "$line")
  received=$(field received "$line")
  LC_ALL=C awk -v name="$name" -v count="$count" -v expected="$expected" -v received="$received" \
      -v p50="$(field p50_ms "$line")" -v p99="$(field p99_ms "$line")" -v cpu="$(field publisher_cpu_s "$line")" \
      -v nats="$natsCpu" '
    BEGIN { printf "  %-40s %9.4f%% %8.1f %8.1f %12.2f %14.2f %10.2f\n", name, 100 * received / expected, p50, p99,
                   cpu, cpu / count, nats }'
done
