#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/nats/run-nats.sh BUILD_DIR CORPUS EVENTS [--repeat N]
#
# The NATS source beside the SSE source on the same events: the `data` of CORPUS's EVENTS events,
# read by `clickscope-cli listen --format count` (whole process, wall seconds, median of N runs,
# default 3, interleaved):
#   - SSE: CORPUS served over loopback by serve-corpus.mjs (1 MiB writes);
#   - a JetStream stream: the same payloads published beforehand into the stream CLICKS, read
#     from its first message (nats://…/clicks?stream=CLICKS&start=first), flow-controlled;
#   - core NATS: listen subscribed first (it says "open"), then the payloads published over one
#     plain TCP connection as fast as it goes; the time runs from the first PUB sent to listen's
#     exit, so it is the slower of the server's fan-out and our reading.
# A private nats-server with JetStream on a free loopback port, its files in a temporary folder,
# stopped at the end. Every listen must count EVENTS events.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common/corpus-server.sh
. "$HERE/../common/corpus-server.sh"
corpus_bench_setup nats 3 1 "$@"
command -v nats-server > /dev/null || { echo "run-nats.sh: nats-server is missing (./dev.sh deps installs it)" >&2; exit 1; }

# shellcheck source=../../tests/support/private-nats.sh
. "$HERE/../../tests/support/private-nats.sh"
NATS_PID=
trap 'kill "$NATS_PID" 2>/dev/null || true; wait "$NATS_PID" 2>/dev/null || true; stop_corpus_server; rm -rf "$WORK"' EXIT
start_private_nats "$WORK" 1800 || { echo "run-nats.sh: nats-server did not start" >&2; exit 1; }
PORT=$NATS_PORT

# Sends the file's protocol lines over one connection, then waits for the PONG that says the server
# has taken them all.
nats_send() {
  local file=$1
  exec 3<> "/dev/tcp/127.0.0.1/$PORT"
  { printf 'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n'; cat "$file"; printf 'PING\r\n'; } >&3
  timeout 120 grep -a -m 1 -q '^PONG' <&3 || { echo "run-nats.sh: no PONG from nats-server" >&2; exit 1; }
  exec 3>&-
}

# The corpus's payloads as PUB commands on `clicks` (a message's size in bytes, as awk counts them).
LC_ALL=C awk '/^data: / { d = substr($0, 7); printf "PUB clicks %d\r\n%s\r\n", length(d), d }' "$CORPUS" > "$WORK/pub.txt"
STREAM_CONFIG='{"name":"CLICKS","subjects":["clicks"],"storage":"memory","max_msgs":-1,"max_bytes":-1,"num_replicas":1}'
printf 'PUB $JS.API.STREAM.CREATE.CLICKS _INBOX.bench %d\r\n%s\r\n' "${#STREAM_CONFIG}" "$STREAM_CONFIG" > "$WORK/create.txt"
nats_send "$WORK/create.txt"
echo "run-nats.sh: loading $EVENTS messages into a JetStream stream" >&2
nats_send "$WORK/pub.txt"

sse_run() { wall_seconds sse "$EVENTS" "$CLI" listen "$URL/" --no-reconnect --format count; }
stream_run() {
  wall_seconds jetstream "$EVENTS" "$CLI" listen "nats://127.0.0.1:$PORT/clicks?stream=CLICKS&start=first" \
    --max-events "$EVENTS" --format count
}
core_run() {
  "$CLI" listen "nats://127.0.0.1:$PORT/clicks" --max-events "$EVENTS" --format count \
    > "$WORK/core.out" 2> "$WORK/core.err" &
  local listener=$! start end count
  for _ in $(seq 400); do
    grep -q '^open' "$WORK/core.err" 2> /dev/null && break
    sleep 0.05
  done
  start=$(date +%s.%N)
  nats_send "$WORK/pub.txt"
  wait "$listener" || { echo "run-nats.sh: core listen failed:" >&2; cat "$WORK/core.err" >&2; exit 1; }
  end=$(date +%s.%N)
  count=$(tr -d '[:space:]' < "$WORK/core.out")
  [ "$count" = "$EVENTS" ] || { echo "run-nats.sh: core NATS counted '$count', expected $EVENTS" >&2; exit 1; }
  LC_ALL=C awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

sse_run > /dev/null   # warm-up
stream_run > /dev/null
s=()
j=()
c=()
for i in $(seq "$REPEAT"); do
  echo "run-nats.sh: round $i of $REPEAT" >&2
  s+=("$(sse_run)")
  j+=("$(stream_run)")
  c+=("$(core_run)")
done

LC_ALL=C awk -v sse="$(median "${s[@]}")" -v stream="$(median "${j[@]}")" -v core="$(median "${c[@]}")" \
    -v sseSpread="$(spread "${s[@]}")" -v streamSpread="$(spread "${j[@]}")" -v coreSpread="$(spread "${c[@]}")" \
    -v events="$EVENTS" -v repeat="$REPEAT" '
  function row(name, sec, sp) {
    printf "  %-44s %7.3f s (runs %s)  %6.2f M events/s\n", name, sec, sp, events / sec / 1e6
  }
  BEGIN {
    printf "\nthe NATS source beside SSE: listen --format count, %d events, median of %d interleaved rounds\n", events, repeat
    row("SSE over loopback (serve-corpus.mjs)", sse, sseSpread)
    row("JetStream stream, from its first message", stream, streamSpread)
    row("core NATS, published over one connection", core, coreSpread)
  }'
