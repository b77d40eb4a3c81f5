#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/run.sh BUILD_DIR [--repeat N] [--events N] [--parser-only | --gui-only]
#                             [--gui-seconds N] [--gui-rss-seconds N]
# benchmarks/run.sh BUILD_DIR faults [ARGS...]
# benchmarks/run.sh BUILD_DIR attacks [ARGS...]
#
# `faults` runs only clickscope-bench-faults (`./dev.sh bench faults`): each fault of the tests'
# FaultProxy, and a publisher restart, against our EventSource with its default settings; ARGS go
# to it (`--help` lists them). It takes about two and a half minutes, most of it the 45 s idle
# timeout of the half-open connection and the 30 s connect timeout of the blackhole.
#
# `attacks` runs only clickscope-bench-attacks (`./dev.sh bench attacks`): each attack on the
# publisher (a child `clickscope-cli serve`) for a minute while a normal subscriber reads, then
# `clickscope-cli listen` against each hostile server for a minute: about 13 minutes; ARGS go to it
# (`--seconds S` shortens each, `--only NAME,...` picks some).
#
# Called by `./dev.sh bench` after the build. Measures, on one corpus and in one run, the ceiling
# (a bare memchr line scan), our SseParser (`clickscope-cli bench parse`) and the npm
# eventsource-parser under node, then prints them side by side, then decode + aggregate
# (`clickscope-cli bench aggregate`) with its memory over 20 M clicks, then the whole network path
# (`listen` beside the npm eventsource client and curl, benchmarks/listen/run-listen.sh), the
# Redis and NATS sources beside SSE on the same events (benchmarks/redis/run-redis.sh,
# benchmarks/nats/run-nats.sh), then what the connection
# X-ray costs `listen` on the network path (benchmarks/xray/run-xray.sh), then what recording costs
# it, the recording's size and replay (benchmarks/record/run-record.sh). Then, unless --parser-only,
# benchmarks/run-server.sh measures the publisher (throughput, fan-out, churn) beside a node
# peer, benchmarks/nats/run-replicas.sh three publisher replicas over NATS JetStream beside one,
# and benchmarks/run-gui.sh the dashboard under load beside a naive Qt peer (--gui-only runs
# that alone; --gui-seconds and --gui-rss-seconds shorten it). Figures from different runs are not
# compared: CPU frequency and the other builds on the machine move them too much.
set -euo pipefail

usage() {
  echo "usage: benchmarks/run.sh BUILD_DIR [--repeat N] [--events N] [--parser-only | --gui-only]" \
       "[--gui-seconds N] [--gui-rss-seconds N]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
BUILD_DIR=$(cd "$1" && pwd)
shift
if [ "${1:-}" = faults ]; then
  shift
  FAULTS=$BUILD_DIR/benchmarks/clickscope-bench-faults
  [ -x "$FAULTS" ] || { echo "run.sh: $FAULTS is missing; build first (./dev.sh bench builds everything)" >&2; exit 1; }
  exec "$FAULTS" "$@"
fi
if [ "${1:-}" = attacks ]; then
  shift
  ATTACKS=$BUILD_DIR/benchmarks/clickscope-bench-attacks
  [ -x "$ATTACKS" ] || { echo "run.sh: $ATTACKS is missing; build first (./dev.sh bench builds everything)" >&2; exit 1; }
  exec "$ATTACKS" "$BUILD_DIR/src/cli/clickscope-cli" "$@"
fi
REPEAT=10
EVENTS=1000000
SEED=1
PARSER_ONLY=0
GUI_ONLY=0
GUI_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) [ $# -ge 2 ] || usage; REPEAT=$2; shift 2 ;;
    --events) [ $# -ge 2 ] || usage; EVENTS=$2; shift 2 ;;
    --parser-only) PARSER_ONLY=1; shift ;;
    --gui-only) GUI_ONLY=1; shift ;;
    --gui-seconds) [ $# -ge 2 ] || usage; GUI_ARGS+=(--seconds "$2"); shift 2 ;;
    --gui-rss-seconds) [ $# -ge 2 ] || usage; GUI_ARGS+=(--rss-seconds "$2"); shift 2 ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat needs a positive whole number" >&2; exit 2; }
[[ $EVENTS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --events needs a positive whole number" >&2; exit 2; }
[ "$PARSER_ONLY" -eq 1 ] && [ "$GUI_ONLY" -eq 1 ] && { echo "run.sh: --parser-only and --gui-only exclude each other" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
# The GUI benchmark needs neither the corpus nor node.
[ "$GUI_ONLY" -eq 1 ] && exec "$HERE/run-gui.sh" "$BUILD_DIR" "${GUI_ARGS[@]}"
PEER_DIR=$HERE/peer
GENCORPUS=$BUILD_DIR/benchmarks/clickscope-gencorpus
LINESCAN=$BUILD_DIR/benchmarks/clickscope-bench-linescan
CLI=$BUILD_DIR/src/cli/clickscope-cli
CORPUS_DIR=$BUILD_DIR/bench
CORPUS=$CORPUS_DIR/corpus.sse
# What the corpus was generated with; a different request or a rebuilt generator regenerates it.
CORPUS_STAMP=$CORPUS_DIR/corpus.args

for exe in "$GENCORPUS" "$LINESCAN" "$CLI"; do
  if [ ! -x "$exe" ]; then
    echo "run.sh: $exe is missing; build first (./dev.sh bench builds everything)" >&2
    exit 1
  fi
done

ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  echo "run.sh: installing nodejs npm (for the eventsource-parser comparison)" >&2
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
}

ensure_corpus() {
  local wanted="events=$EVENTS seed=$SEED"
  if [ -f "$CORPUS" ] && [ -f "$CORPUS_STAMP" ] && [ "$(cat "$CORPUS_STAMP")" = "$wanted" ] \
      && [ ! "$GENCORPUS" -nt "$CORPUS" ]; then
    return 0
  fi
  mkdir -p "$CORPUS_DIR"
  rm -f "$CORPUS_STAMP"
  "$GENCORPUS" "$CORPUS" --events "$EVENTS" --seed "$SEED"
  echo "$wanted" > "$CORPUS_STAMP"
}

# npm writes node_modules/.package-lock.json on every install; a package.json newer than it means
# the pin changed since.
ensure_peer() {
  if [ -f "$PEER_DIR/node_modules/eventsource-parser/package.json" ] \
      && [ -f "$PEER_DIR/node_modules/eventsource/package.json" ] \
      && [ ! "$PEER_DIR/package.json" -nt "$PEER_DIR/node_modules/.package-lock.json" ]; then
    return 0
  fi
  echo "run.sh: npm install in benchmarks/peer" >&2
  # stdout is kept for the table alone.
  (cd "$PEER_DIR" && npm install --no-audit --no-fund --loglevel=error) >&2
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
  echo "run.sh: no '$key=' in output '$line'" >&2
  return 1
}

ensure_node
ensure_corpus
ensure_peer

PEER_VERSION=$(node -p "require('$PEER_DIR/node_modules/eventsource-parser/package.json').version")
NODE_VERSION=$(node --version)

echo "run.sh: memchr line scan" >&2
scan=$("$LINESCAN" "$CORPUS" --repeat "$REPEAT")
echo "run.sh: clickscope SseParser" >&2
ours=$("$CLI" bench parse "$CORPUS" --repeat "$REPEAT")
echo "run.sh: eventsource-parser $PEER_VERSION on node $NODE_VERSION" >&2
peer=$(node "$PEER_DIR/bench-eventsource-parser.mjs" "$CORPUS" "$REPEAT")

BYTES=$(field bytes "$scan")
SCAN_SECONDS=$(field seconds "$scan")
OURS_EVENTS=$(field events "$ours")
OURS_SECONDS=$(field seconds "$ours")
OURS_BASELINE_SECONDS=$(field seconds_baseline "$ours")
OURS_SCAN=$(field scan "$ours")
PEER_EVENTS=$(field events "$peer")
PEER_SECONDS=$(field seconds "$peer")

# Both parsers must have seen the same stream, or the ratio compares different work.
for pair in "ours:$OURS_EVENTS:$(field bytes "$ours")" "peer:$PEER_EVENTS:$(field bytes "$peer")"; do
  IFS=: read -r who events bytes <<< "$pair"
  if [ "$events" != "$EVENTS" ] || [ "$bytes" != "$BYTES" ]; then
    echo "run.sh: $who reported events=$events bytes=$bytes, expected events=$EVENTS bytes=$BYTES" >&2
    exit 1
  fi
done

LC_ALL=C awk -v bytes="$BYTES" -v events="$EVENTS" -v repeat="$REPEAT" \
    -v scan="$SCAN_SECONDS" -v ours="$OURS_SECONDS" -v peer="$PEER_SECONDS" \
    -v baseline="$OURS_BASELINE_SECONDS" -v oursScan="$OURS_SCAN" \
    -v peername="eventsource-parser $PEER_VERSION" -v nodever="$NODE_VERSION" -v corpus="$CORPUS" '
  function row(name, seconds, perEvent) {
    printf "%-26s %10.4f %8.2f %14s\n", name, seconds, bytes / seconds / 1e9,
           perEvent ? sprintf("%.0f", events / seconds) : "-"
  }
  BEGIN {
    if (scan <= 0 || ours <= 0 || peer <= 0) { print "run.sh: a timing was zero" > "/dev/stderr"; exit 1 }
    printf "\ncorpus: %s (%.1f MB, %d events), best of %d, node %s\n\n", corpus, bytes / 1e6, events, repeat, nodever
    printf "%-26s %10s %8s %14s\n", "name", "seconds", "GB/s", "events/s"
    row("memchr line scan", scan, 0)
    row("clickscope SseParser (" oursScan ")", ours, 1)
    if (oursScan != "sse2")
      row("clickscope SseParser (sse2)", baseline, 1)
    row(peername, peer, 1)
    # Same bytes for all three, so throughput ratios are inverse time ratios.
    printf "\nours / eventsource-parser: %5.2fx  (target >= 5x: %s)\n", peer / ours, (peer / ours >= 5 ? "met" : "missed")
    printf "ours / memchr line scan:   %5.2fx  (goal >= 0.6x: %s)\n", scan / ours, (scan / ours >= 0.6 ? "met" : "missed")
  }'

# Decode + aggregate: 5 passes for the rate (the first runs over freshly read pages, which this
# kind of VM makes several times slower for any program; the best is the steady rate), 20 passes
# into one aggregator for flat memory. The five alternate with passes that read every event with
# the full DOM parse (--dom): what the flat-object reading saves, measured in the same minutes.
echo "run.sh: clickscope-cli bench aggregate" >&2
five=$("$CLI" bench aggregate "$CORPUS" --repeat 5 --dom)
twenty=$("$CLI" bench aggregate "$CORPUS" --repeat 20)
LC_ALL=C awk -v clicks="$(($(field clicks "$five") / 5))" -v first="$(field seconds_first_pass "$five")" \
    -v best="$(field seconds_best_pass "$five")" -v dom="$(field seconds_best_pass_dom "$five")" \
    -v clicks20="$(field clicks "$twenty")" -v seconds20="$(field seconds "$twenty")" \
    -v rss1="$(field rss_first_pass_kb "$twenty")" -v rss20="$(field rss_last_pass_kb "$twenty")" '
  BEGIN {
    printf "\ndecode + aggregate (parse, decode, aggregate on one core; the corpus is held in memory)\n"
    printf "  best of 5 passes:  %d clicks in %.3f s = %.0f clicks/s  (goal >= 5000000: %s)\n", clicks, best,
           clicks / best, (clicks / best >= 5e6 ? "met" : "missed")
    printf "  first pass (pages just read from the file): %.3f s = %.0f clicks/s\n", first, clicks / first
    printf "  every event through the full DOM parse (--dom), best of 5: %.3f s = %.0f clicks/s (flat reading: %.2fx)\n",
           dom, clicks / dom, dom / best
    printf "  20 passes: %d clicks in %.3f s = %.0f clicks/s\n", clicks20, seconds20, clicks20 / seconds20
    printf "  resident memory after 1 M clicks %.1f MB, after %d M %.1f MB (%+.1f %%; target within 10 %%: %s)\n",
           rss1 / 1024, clicks20 / 1e6, rss20 / 1024, (rss20 - rss1) * 100 / rss1,
           ((rss20 - rss1) * 100 / rss1 <= 10 ? "met" : "missed")
  }'

echo "run.sh: the network path beside npm eventsource and curl (benchmarks/listen/run-listen.sh)" >&2
"$HERE/listen/run-listen.sh" "$BUILD_DIR" "$CORPUS" "$EVENTS"
echo "run.sh: the Redis source beside SSE (benchmarks/redis/run-redis.sh)" >&2
"$HERE/redis/run-redis.sh" "$BUILD_DIR" "$CORPUS" "$EVENTS"
echo "run.sh: the NATS source beside SSE (benchmarks/nats/run-nats.sh)" >&2
"$HERE/nats/run-nats.sh" "$BUILD_DIR" "$CORPUS" "$EVENTS"
echo "run.sh: connection X-ray overhead (benchmarks/xray/run-xray.sh)" >&2
"$HERE/xray/run-xray.sh" "$BUILD_DIR" "$CORPUS" "$EVENTS"
echo "run.sh: what recording costs (benchmarks/record/run-record.sh)" >&2
"$HERE/record/run-record.sh" "$BUILD_DIR" "$CORPUS" "$EVENTS"

[ "$PARSER_ONLY" -eq 1 ] && exit 0
echo "run.sh: publisher throughput, fan-out and churn (benchmarks/run-server.sh)" >&2
"$HERE/run-server.sh" "$BUILD_DIR"
echo "run.sh: publisher replicas over NATS JetStream (benchmarks/nats/run-replicas.sh)" >&2
"$HERE/nats/run-replicas.sh" "$BUILD_DIR"
echo "run.sh: dashboard under load (benchmarks/run-gui.sh)" >&2
"$HERE/run-gui.sh" "$BUILD_DIR" "${GUI_ARGS[@]}"
