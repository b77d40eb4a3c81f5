#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/run-server.sh BUILD_DIR [--subscribers S] [--rate R] [--seconds T] [--clicks N] [--cycles N]
#
# Called by benchmarks/run.sh (so by `./dev.sh bench`) after the parser table. With
# clickscope-bench-fanout against `clickscope-cli serve` on a loopback port, it measures:
#   - fan-out: S SSE subscribers x R clicks/s x T s (and again at R/10): loss, delivery latency,
#     the publisher's CPU and peak RSS;
#   - throughput: publisher -> our EventSource, clicks/s and MB/s;
#   - churn: connect/abort cycles on a fresh server, its RSS before and after;
# then the same fan-outs against benchmarks/peer/sse-broadcaster.mjs (a plain node:http
# broadcaster, the peer a user would otherwise write), plus one diagnostic fan-out of our server
# under Qt's own event dispatcher (QT_NO_GLIB=1). It prints them side by side, all from this one
# run: figures from different runs are not compared, the machine's load moves them too much.
# Every server it starts is stopped on exit, failure included, and dies by itself after
# kServerLimit seconds whatever happens. The whole run takes about two minutes.
set -euo pipefail

usage() {
  echo "usage: benchmarks/run-server.sh BUILD_DIR [--subscribers S] [--rate R] [--seconds T] [--clicks N] [--cycles N]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
BUILD_DIR=$(cd "$1" && pwd)
shift
SUBSCRIBERS=1000
RATE=1000
SECONDS_=10
CLICKS=200000
CYCLES=10000
WARMUP=1000
CONCURRENCY=100
while [ $# -gt 0 ]; do
  case "$1" in
    --subscribers) [ $# -ge 2 ] || usage; SUBSCRIBERS=$2; shift 2 ;;
    --rate) [ $# -ge 2 ] || usage; RATE=$2; shift 2 ;;
    --seconds) [ $# -ge 2 ] || usage; SECONDS_=$2; shift 2 ;;
    --clicks) [ $# -ge 2 ] || usage; CLICKS=$2; shift 2 ;;
    --cycles) [ $# -ge 2 ] || usage; CYCLES=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "run-server.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
for v in "$SUBSCRIBERS" "$RATE" "$SECONDS_" "$CLICKS" "$CYCLES"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "run-server.sh: '$v' is not a positive whole number" >&2; exit 2; }
done

HERE=$(cd "$(dirname "$0")" && pwd)
CLI=$BUILD_DIR/src/cli/clickscope-cli
BENCH=$BUILD_DIR/benchmarks/clickscope-bench-fanout
PEER=$HERE/peer/sse-broadcaster.mjs
# Seconds after which a server started here is killed whatever happens (the whole run takes ~2 min).
kServerLimit=300
# Seconds any one measurement may take; the tool has its own, shorter, deadlines.
kStepLimit=240

for exe in "$CLI" "$BENCH"; do
  if [ ! -x "$exe" ]; then
    echo "run-server.sh: $exe is missing; build first (./dev.sh bench builds everything)" >&2
    exit 1
  fi
done
command -v node >/dev/null || { echo "run-server.sh: node is missing (benchmarks/run.sh installs it)" >&2; exit 1; }

# Each subscriber is a descriptor in the client and one in the server; the client also holds its
# publishing and stats connections, and churn keeps closed sockets around briefly.
NEED_FDS=$((SUBSCRIBERS * 2 + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 65536 ]; then
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NEED_FDS" ]; then
  echo "run-server.sh: $SUBSCRIBERS subscribers need $NEED_FDS open files, but the limit is $(ulimit -n)" \
       "(hard limit $(ulimit -Hn)); raise it (e.g. as root: ulimit -Hn 65536) or pass a smaller --subscribers" >&2
  exit 1
fi

WORK=$(mktemp -d)
WRAPPER=""   # the `timeout` process around the running server
SERVER=""    # the server itself
SERVER_NAME=""

stop_server() {
  [ -n "$WRAPPER" ] || return 0
  kill -TERM "$SERVER" 2>/dev/null || true
  # Bounded: `timeout` kills it for good 5 s after a TERM it ignored.
  kill -TERM "$WRAPPER" 2>/dev/null || true
  wait "$WRAPPER" 2>/dev/null || true
  WRAPPER=""
  SERVER=""
  # What a server said under load is part of the result: warnings, counted.
  if grep -qv '^stopped by signal' "$WORK/$SERVER_NAME.err" 2>/dev/null; then
    echo "run-server.sh: $SERVER_NAME wrote to stderr:" >&2
    grep -v '^stopped by signal' "$WORK/$SERVER_NAME.err" | sort | uniq -c | sort -rn | head -n 10 >&2
  fi
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME COMMAND...: starts it, waits for its `listening on URL` line; sets URL, SERVER.
start_server() {
  SERVER_NAME=$1
  shift
  timeout --signal=TERM --kill-after=5 "$kServerLimit" "$@" >"$WORK/$SERVER_NAME.out" 2>"$WORK/$SERVER_NAME.err" &
  WRAPPER=$!
  local i
  URL=""
  for i in $(seq 100); do
    URL=$(sed -n 's#^listening on \(http://[^ /]*\).*#\1#p' "$WORK/$SERVER_NAME.out" | head -n 1)
    [ -n "$URL" ] && break
    kill -0 "$WRAPPER" 2>/dev/null || break
    sleep 0.1
  done
  SERVER=$(pgrep -P "$WRAPPER" | head -n 1 || true)
  if [ -z "$URL" ] || [ -z "$SERVER" ]; then
    echo "run-server.sh: $SERVER_NAME did not start; its stderr:" >&2
    tail -n 20 "$WORK/$SERVER_NAME.err" >&2
    exit 1
  fi
  echo "run-server.sh: $SERVER_NAME listening on $URL (pid $SERVER)" >&2
}

# A crash under load is a finding, not a detail: say so with the server's last words.
check_alive() {
  if ! kill -0 "$SERVER" 2>/dev/null; then
    echo "run-server.sh: $SERVER_NAME died during '$1'; its stderr:" >&2
    tail -n 20 "$WORK/$SERVER_NAME.err" >&2
    exit 1
  fi
}

# bench STEP ARGS...: runs one measurement against the running server, prints its result line.
bench() {
  local step=$1 out
  shift
  echo "run-server.sh: $SERVER_NAME: $step" >&2
  if ! out=$(timeout --signal=TERM --kill-after=5 "$kStepLimit" "$BENCH" "$step" "$URL" "$@"); then
    echo "run-server.sh: $step against $SERVER_NAME failed" >&2
    check_alive "$step"
    exit 1
  fi
  check_alive "$step"
  echo "$out"
}

peak_rss_kb() {
  sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SERVER/status"
}

# Prints the value of KEY from a `key=value key=value` line.
field() {
  local key=$1 line=$2 pair
  for pair in $line; do
    if [ "${pair%%=*}" = "$key" ]; then
      echo "${pair#*=}"
      return 0
    fi
  done
  echo "run-server.sh: no '$key=' in output '$line'" >&2
  return 1
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
FULL=(--subscribers "$SUBSCRIBERS" --rate "$RATE" --seconds "$SECONDS_")
# The same subscribers at a tenth of the rate: a load the node peer can carry on this machine, so
# its latency is compared too, not only its backlog.
LIGHT_RATE=$(( RATE / 10 > 0 ? RATE / 10 : 1 ))
LIGHT=(--subscribers "$SUBSCRIBERS" --rate "$LIGHT_RATE" --seconds "$SECONDS_")
# Heartbeats off: the fan-out measures clicks alone. The connection cap is above every run here.
SERVE=("$CLI" serve --port 0 --heartbeat 0 --max-connections 20000)

# A fresh server per question, so one measurement's high-water mark never hides another's.
start_server ours "${SERVE[@]}"
fan_ours=$(bench fanout "${FULL[@]}" --server-pid "$SERVER")
peak_ours=$(peak_rss_kb)
light_ours=$(bench fanout "${LIGHT[@]}" --server-pid "$SERVER")
throughput=$(bench throughput --clicks "$CLICKS" --batch 1000)
stop_server

# Diagnostic, not a configuration we ship: the same server with Qt's own event dispatcher instead
# of glib's. The gap between the two columns is what the event loop itself costs at this load.
start_server ours-noglib env QT_NO_GLIB=1 "${SERVE[@]}"
fan_noglib=$(bench fanout "${FULL[@]}" --server-pid "$SERVER")
peak_noglib=$(peak_rss_kb)
stop_server

# Churn on a fresh server too: the 1,000-cycle warm-up, one measured round, then a second round
# after a pause longer than the server's 10 s request-head timeout. The first round shows what
# 10,000 connections cost right after; the second whether that keeps growing (a leak) or is
# reused (memory malloc kept).
start_server ours-churn "${SERVE[@]}"
churn=$(bench churn --cycles "$CYCLES" --warmup "$WARMUP" --concurrency "$CONCURRENCY" --rounds 2 --pause 11 \
        --server-pid "$SERVER")
stop_server

start_server node node "$PEER" 0
fan_node=$(bench fanout "${FULL[@]}" --server-pid "$SERVER")
peak_node=$(peak_rss_kb)
light_node=$(bench fanout "${LIGHT[@]}" --server-pid "$SERVER")
stop_server

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# key=value lines → awk -v assignments with a prefix per run.
awk_vars() {
  local prefix=$1 line=$2 pair
  for pair in $line; do
    printf -- '-v\n%s%s\n' "$prefix" "$pair"
  done
}
mapfile -t VARS < <(awk_vars o_ "$fan_ours"; awk_vars n_ "$fan_node"; awk_vars g_ "$fan_noglib"
                    awk_vars lo_ "$light_ours"; awk_vars ln_ "$light_node"
                    awk_vars t_ "$throughput"; awk_vars c_ "$churn")

LC_ALL=C awk "${VARS[@]}" -v peak_o="$peak_ours" -v peak_n="$peak_node" -v peak_g="$peak_noglib" \
    -v cores="$(nproc)" -v load_before="$LOAD_BEFORE" -v load_after="$LOAD_AFTER" -v nodever="$(node --version)" \
    -v rate="$RATE" -v light_rate="$LIGHT_RATE" -v secs="$SECONDS_" -v warmup="$WARMUP" -v concurrency="$CONCURRENCY" '
  function row(name, a, b, c) { printf "%-42s %17s %17s %17s\n", name, a, b, c }
  function verdict(ok) { return ok ? "met" : "MISSED" }
  function pair(a, b) { return a " / " b }
  function mb(kb) { return sprintf("%.1f", kb / 1024) }
  BEGIN {
    printf "\nfan-out over 127.0.0.1, %d cores, load average %s before and %s after\n", cores, load_before, load_after
    printf "(the bench client shares these cores; other work on the machine moves every figure)\n\n"
    row("", "clickscope serve", "node:http peer", "serve QT_NO_GLIB=1")
    row("", "", nodever, "(diagnostic)")
    printf "%d subscribers x %d clicks/s x %d s = %d deliveries\n", o_subscribers, rate, secs, o_expected
    row("  delivered by publish end + 2 s", o_received, n_received, g_received)
    row("  lost (not there by then)", o_lost, n_lost, g_lost)
    row("  delivered late / never", pair(o_late, o_undelivered), pair(n_late, n_undelivered), pair(g_late, g_undelivered))
    row("  latency p50 ms (every delivery)", o_p50_ms, n_p50_ms, g_p50_ms)
    row("  latency p99 ms", o_p99_ms, n_p99_ms, g_p99_ms)
    row("  latency max ms", o_max_ms, n_max_ms, g_max_ms)
    row("  first delivery p50 / p99 ms", pair(o_first_p50_ms, o_first_p99_ms), pair(n_first_p50_ms, n_first_p99_ms), \
        pair(g_first_p50_ms, g_first_p99_ms))
    row("  last delivery at s (publishing: " secs " s)", o_complete_s, n_complete_s, g_complete_s)
    row("  publisher CPU s, start to last delivery", o_publisher_cpu_s, n_publisher_cpu_s, g_publisher_cpu_s)
    row("  publisher CPU, % of one core", o_publisher_cpu_pct, n_publisher_cpu_pct, g_publisher_cpu_pct)
    row("  publisher peak RSS MB", mb(peak_o), mb(peak_n), mb(peak_g))
    row("  streams dropped / id gaps", pair(o_subscribers_closed, o_id_gaps), pair(n_subscribers_closed, n_id_gaps), \
        pair(g_subscribers_closed, g_id_gaps))
    row("  bench client CPU, % of one core", o_client_cpu_pct, n_client_cpu_pct, g_client_cpu_pct)
    printf "%d subscribers x %d clicks/s x %d s = %d deliveries\n", lo_subscribers, light_rate, secs, lo_expected
    row("  lost", lo_lost, ln_lost, "-")
    row("  latency p50 / p99 / max ms", lo_p50_ms " / " lo_p99_ms " / " lo_max_ms, ln_p50_ms " / " ln_p99_ms " / " ln_max_ms, "-")
    row("  publisher CPU s (% of one core)", lo_publisher_cpu_s " (" lo_publisher_cpu_pct ")", \
        ln_publisher_cpu_s " (" ln_publisher_cpu_pct ")", "-")

    printf "\nthroughput, publisher -> our EventSource: %d clicks, %.1f MB in %.2f s = %.0f clicks/s, %.1f MB/s\n", \
           t_clicks, t_bytes / 1e6, t_seconds, t_clicks / t_seconds, t_bytes / 1e6 / t_seconds
    printf "  the server published %d clicks for it (%s), refused %d requests; POSTs resent after a network error: %d\n", \
           t_server_published, (t_server_published == t_clicks ? "as many as sent" : "NOT as many as sent"), t_server_refused, \
           t_post_retries
    split(c_rss_rounds_kb, rounds, ",")
    growth = 100 * (c_rss_after_kb - c_rss_before_kb) / c_rss_before_kb
    again = 100 * (rounds[2] - rounds[1]) / rounds[1]
    printf "churn, fresh server: %d connect/abort cycles, %d at a time, after %d warm-up, in %.1f s:\n", \
           c_cycles, concurrency, warmup, c_seconds
    printf "  publisher RSS %s MB -> %s MB (%+.1f %%); %d more cycles after an 11 s pause -> %s MB (%+.1f %%); %d streams left\n", \
           mb(c_rss_before_kb), mb(c_rss_after_kb), growth, c_cycles, mb(rounds[2]), again, c_subscribers_after

    printf "\ntargets (clickscope serve, %d x %d clicks/s):\n", o_subscribers, rate
    printf "  zero lost events                      %s (%d lost, %d streams dropped)\n", verdict(o_lost == 0), o_lost, o_subscribers_closed
    printf "  p99 latency < 50 ms                   %s (%s ms)\n", verdict(o_p99_ms < 50), o_p99_ms
    printf "  publisher CPU below the node peer     %s (%s s vs %s s for the same deliveries)\n", \
           verdict(o_publisher_cpu_s < n_publisher_cpu_s && o_undelivered == 0), o_publisher_cpu_s, n_publisher_cpu_s
    printf "  RSS after churn within 10 %%           %s (%+.1f %% after %d cycles on a fresh server)\n", \
           verdict(growth <= 10 && c_subscribers_after == 0), growth, c_cycles
    printf "    ... and no further growth once warm  %s (%+.1f %% after %d more, %d streams left)\n", \
           verdict(again <= 10 && c_subscribers_after == 0), again, c_cycles, c_subscribers_after
  }'
