#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/redis/run-redis.sh BUILD_DIR CORPUS EVENTS [--repeat N]
#
# The Redis source beside the SSE source on the same events: the `data` of CORPUS's EVENTS events,
# read by `clickscope-cli listen --format count` (whole process, wall seconds, median of N runs,
# default 3, interleaved):
#   - SSE: CORPUS served over loopback by serve-corpus.mjs (1 MiB writes);
#   - a Redis stream: the same payloads XADDed beforehand (`data` field), read from the start
#     (redis://…/stream/clicks?start=0): one XREAD of 1000 entries per round trip;
#   - Redis pub/sub: listen subscribed first, then the payloads PUBLISHed by `redis-cli --pipe`
#     as fast as it goes; the time runs from the first PUBLISH sent to listen's exit, so it is
#     the slower of Redis's fan-out and our reading.
# A private redis-server on a free loopback port, its data in a temporary folder, stopped at the
# end. Both listens must count EVENTS events.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common/corpus-server.sh
. "$HERE/../common/corpus-server.sh"
corpus_bench_setup redis 3 1 "$@"
command -v redis-server > /dev/null || { echo "run-redis.sh: redis-server is missing (./dev.sh deps installs it)" >&2; exit 1; }

# shellcheck source=../../tests/support/private-redis.sh
. "$HERE/../../tests/support/private-redis.sh"
REDIS_PID=
trap 'kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; stop_corpus_server; rm -rf "$WORK"' EXIT
start_private_redis "$WORK" 1800 || { echo "run-redis.sh: redis-server did not start" >&2; exit 1; }
PORT=$REDIS_PORT

# The corpus's payloads as Redis commands (the protocol itself, for redis-cli --pipe).
commands() {
  LC_ALL=C awk -v cmd="$1" '
    /^data: / {
      d = substr($0, 7)
      if (cmd == "XADD") printf "*5\r\n$4\r\nXADD\r\n$6\r\nclicks\r\n$1\r\n*\r\n$4\r\ndata\r\n$%d\r\n%s\r\n", length(d), d
      else printf "*3\r\n$7\r\nPUBLISH\r\n$6\r\nclicks\r\n$%d\r\n%s\r\n", length(d), d
    }' "$CORPUS"
}
commands XADD > "$WORK/xadd.resp"
commands PUBLISH > "$WORK/publish.resp"
echo "run-redis.sh: loading $EVENTS entries into a Redis stream" >&2
redis-cli -p "$PORT" --pipe < "$WORK/xadd.resp" > /dev/null
[ "$(redis-cli -p "$PORT" XLEN clicks)" = "$EVENTS" ] || { echo "run-redis.sh: the stream did not get $EVENTS entries" >&2; exit 1; }

sse_run() { wall_seconds sse "$EVENTS" "$CLI" listen "$URL/" --no-reconnect --format count; }
stream_run() { wall_seconds stream "$EVENTS" "$CLI" listen "redis://127.0.0.1:$PORT/stream/clicks?start=0" --max-events "$EVENTS" --format count; }
pubsub_run() {
  "$CLI" listen "redis://127.0.0.1:$PORT/pubsub/clicks" --max-events "$EVENTS" --format count \
    > "$WORK/pubsub.out" 2> "$WORK/pubsub.err" &
  local listener=$! start end count
  for _ in $(seq 200); do
    [ "$(redis-cli -p "$PORT" PUBSUB NUMSUB clicks | tail -n 1)" = 1 ] && break
    sleep 0.05
  done
  start=$(date +%s.%N)
  redis-cli -p "$PORT" --pipe < "$WORK/publish.resp" > /dev/null
  wait "$listener" || { echo "run-redis.sh: pub/sub listen failed:" >&2; cat "$WORK/pubsub.err" >&2; exit 1; }
  end=$(date +%s.%N)
  count=$(tr -d '[:space:]' < "$WORK/pubsub.out")
  [ "$count" = "$EVENTS" ] || { echo "run-redis.sh: pub/sub counted '$count', expected $EVENTS" >&2; exit 1; }
  LC_ALL=C awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

sse_run > /dev/null   # warm-up
stream_run > /dev/null
s=()
r=()
p=()
for i in $(seq "$REPEAT"); do
  echo "run-redis.sh: round $i of $REPEAT" >&2
  s+=("$(sse_run)")
  r+=("$(stream_run)")
  p+=("$(pubsub_run)")
done

LC_ALL=C awk -v sse="$(median "${s[@]}")" -v stream="$(median "${r[@]}")" -v pubsub="$(median "${p[@]}")" \
    -v sseSpread="$(spread "${s[@]}")" -v streamSpread="$(spread "${r[@]}")" -v pubsubSpread="$(spread "${p[@]}")" \
    -v events="$EVENTS" -v repeat="$REPEAT" '
  function row(name, sec, sp) {
    printf "  %-44s %7.3f s (runs %s)  %6.2f M events/s\n", name, sec, sp, events / sec / 1e6
  }
  BEGIN {
    printf "\nthe Redis source beside SSE: listen --format count, %d events, median of %d interleaved rounds\n", events, repeat
    row("SSE over loopback (serve-corpus.mjs)", sse, sseSpread)
    row("Redis stream, read from the start (XREAD)", stream, streamSpread)
    row("Redis pub/sub, published by redis-cli --pipe", pubsub, pubsubSpread)
  }'
