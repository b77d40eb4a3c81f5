#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/xray/run-xray.sh BUILD_DIR CORPUS EVENTS [--repeat N] [--passes P]
#
# What the connection X-ray costs on the whole network path: the client's user CPU time for
# `clickscope-cli listen --format count` over loopback on CORPUS (served by serve-corpus.mjs in 1 MiB writes), with and without
# `--xray /dev/null`, the two interleaved N times (default 21) after one warm-up pair, medians side
# by side and the median of the pairs' ratios (pairing keeps the ratio meaningful while the
# machine's speed drifts; the server shares its two cores). Both must count EVENTS events. The
# target: the X-ray makes listen at most 5 % slower. Printed first: the same comparison in process
# (`clickscope-cli bench xray`), where the network and the server do not blur it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common/corpus-server.sh
. "$HERE/../common/corpus-server.sh"
corpus_bench_setup xray 21 5 "$@"

# Prints the user CPU seconds one listen took: the X-ray's work is there. (Wall time mostly
# measures how the two processes share two cores, and system time the kernel's paging, which
# swings by more than the X-ray costs.) Fails unless it counted every event.
timed() {
  local times count
  times=$( { TIMEFORMAT='%3U %3S'; time "$CLI" listen "$URL/" --no-reconnect --format count "$@" \
              > "$WORK/count" 2> "$WORK/listen.err"; } 2>&1 ) || true
  count=$(cat "$WORK/count" 2>/dev/null || true)
  if [ "$count" != "$EVENTS" ]; then
    echo "run-xray.sh: listen $* counted '$count' events, expected $EVENTS:" >&2
    cat "$WORK/listen.err" >&2
    exit 1
  fi
  LC_ALL=C awk -v t="$times" 'BEGIN { split(t, f, " "); printf "%.4f\n", f[1] }'
}

# First without the network: the corpus played in memory as one stream's reads (bench xray),
# precise to a percent, since nothing else shares the process.
inproc=$("$CLI" bench xray "$CORPUS" --repeat 10)
LC_ALL=C awk -v line="$inproc" '
  BEGIN {
    n = split(line, pairs, " ")
    for (i = 1; i <= n; i++) { split(pairs[i], kv, "="); v[kv[1]] = kv[2] }
    printf "\nconnection X-ray overhead in process (bench xray: parse and count, %d events, fastest of 10)\n", v["events"]
    printf "  %-18s %7.4f s  %6.2f GB/s\n", "X-ray off", v["seconds"], v["bytes"] / v["seconds"] / 1e9
    printf "  %-18s %7.4f s  %6.2f GB/s\n", "X-ray on", v["seconds_xray"], v["bytes"] / v["seconds_xray"] / 1e9
    printf "  on / off: %+.1f %% time  (target <= +5 %%: %s)\n", (v["seconds_xray"] / v["seconds"] - 1) * 100,
           (v["seconds_xray"] / v["seconds"] <= 1.05 ? "met" : "missed")
  }'

timed > /dev/null   # warm-up: the corpus in the page cache, the server's buffers grown
timed --xray /dev/null > /dev/null
off=()
on=()
ratios=()
for i in $(seq "$REPEAT"); do
  echo "run-xray.sh: run $i of $REPEAT" >&2
  a=$(timed)
  b=$(timed --xray /dev/null)
  off+=("$a")
  on+=("$b")
  ratios+=("$(LC_ALL=C awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f\n", b / a }')")
done

LC_ALL=C awk -v off="$(median "${off[@]}")" -v on="$(median "${on[@]}")" -v ratio="$(median "${ratios[@]}")" \
    -v offSpread="$(spread "${off[@]}")" -v onSpread="$(spread "${on[@]}")" -v ratioSpread="$(spread "${ratios[@]}")" \
    -v events="$EVENTS" -v repeat="$REPEAT" '
  BEGIN {
    printf "\nconnection X-ray overhead: listen --format count over loopback, %d events, %d interleaved pairs\n", events, repeat
    printf "  %-18s %7.3f user CPU s (runs %s)  %10.0f events per user CPU s\n", "X-ray off", off, offSpread, events / off
    printf "  %-18s %7.3f user CPU s (runs %s)  %10.0f events per user CPU s\n", "X-ray on (--xray)", on, onSpread, events / on
    printf "  on / off, median of the pairs: %+.1f %% (pairs %s)  (target <= +5 %%: %s)\n", (ratio - 1) * 100,
           ratioSpread, (ratio <= 1.05 ? "met" : "missed")
  }'
