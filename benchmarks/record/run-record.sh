#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/record/run-record.sh BUILD_DIR CORPUS EVENTS [--repeat N] [--passes P]
#
# What recording costs on the whole network path: the wall time of `clickscope-cli listen
# --format count` and of `clickscope-cli record -o FILE` over loopback on CORPUS served P times
# over (default 3) as fast as the client reads, the two interleaved N times (default 11) after a
# warm-up pair, medians side by side and the median of the pairs' ratios. Target: recording makes
# listen at most 10 % slower. Both must see EVENTS x P events. Then the recording's size beside the
# stream's, and `replay --speed max --format count` of it, which must count the same events.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common/corpus-server.sh
. "$HERE/../common/corpus-server.sh"
corpus_bench_setup record 11 3 "$@"

# Prints the wall and the CPU (user + system) seconds one run took, and fails unless it saw every
# event. Wall time is what "slower" means to a user; the CPU time shows what the recorder's
# compression costs, which runs on a thread of its own.
listen_seconds() {
  local seconds count
  seconds=$( { TIMEFORMAT='%3R %3U %3S'; time "$CLI" listen "$URL/" --no-reconnect --format count \
                > "$WORK/count" 2> "$WORK/listen.err"; } 2>&1 ) || true
  count=$(cat "$WORK/count" 2>/dev/null || true)
  if [ "$count" != "$EVENTS" ]; then
    echo "run-record.sh: listen counted '$count' events, expected $EVENTS:" >&2
    cat "$WORK/listen.err" >&2
    exit 1
  fi
  LC_ALL=C awk -v t="$seconds" 'BEGIN { split(t, f, " "); printf "%.3f %.3f\n", f[1], f[2] + f[3] }'
}

record_seconds() {
  local seconds
  seconds=$( { TIMEFORMAT='%3R %3U %3S'; time "$CLI" record "$URL/" --no-reconnect -o "$WORK/corpus.csrec" \
                2> "$WORK/record.err"; } 2>&1 ) || true
  if ! tail -n 1 "$WORK/record.err" | grep -q "^recorded $EVENTS events"; then
    echo "run-record.sh: record did not record $EVENTS events:" >&2
    cat "$WORK/record.err" >&2
    exit 1
  fi
  LC_ALL=C awk -v t="$seconds" 'BEGIN { split(t, f, " "); printf "%.3f %.3f\n", f[1], f[2] + f[3] }'
}

listen_seconds > /dev/null   # warm-up: the corpus in the page cache, the server's buffers grown
record_seconds > /dev/null
off=()
on=()
offCpu=()
onCpu=()
ratios=()
for i in $(seq "$REPEAT"); do
  echo "run-record.sh: run $i of $REPEAT" >&2
  read -r a aCpu < <(listen_seconds)
  read -r b bCpu < <(record_seconds)
  off+=("$a")
  on+=("$b")
  offCpu+=("$aCpu")
  onCpu+=("$bCpu")
  ratios+=("$(LC_ALL=C awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f\n", b / a }')")
done
lowest() { printf '%s\n' "$@" | sort -g | head -n 1; }

REPLAYED=$( { TIMEFORMAT='%3R'; time "$CLI" replay "$WORK/corpus.csrec" --speed max --format count \
               > "$WORK/replay.count" 2> "$WORK/replay.err"; } 2>&1 ) || true
if [ "$(cat "$WORK/replay.count")" != "$EVENTS" ]; then
  echo "run-record.sh: replay counted '$(cat "$WORK/replay.count")' events, expected $EVENTS:" >&2
  cat "$WORK/replay.err" >&2
  exit 1
fi

LC_ALL=C awk -v off="$(median "${off[@]}")" -v on="$(median "${on[@]}")" -v ratio="$(median "${ratios[@]}")" \
    -v offSpread="$(spread "${off[@]}")" -v onSpread="$(spread "${on[@]}")" -v ratioSpread="$(spread "${ratios[@]}")" \
    -v offCpu="$(median "${offCpu[@]}")" -v onCpu="$(median "${onCpu[@]}")" \
    -v offBest="$(lowest "${off[@]}")" -v onBest="$(lowest "${on[@]}")" \
    -v events="$EVENTS" -v repeat="$REPEAT" -v streamBytes="$(( $(stat -c %s "$CORPUS") * PASSES ))" \
    -v fileBytes="$(stat -c %s "$WORK/corpus.csrec")" -v replayed="$REPLAYED" '
  BEGIN {
    printf "\nrecording: listen --format count against record -o FILE over loopback, %d events (%.1f MB), %d interleaved pairs\n",
           events, streamBytes / 1e6, repeat
    printf "  %-8s %7.3f s wall (runs %s)  %6.0f MB/s  %7.3f s CPU\n", "listen", off, offSpread,
           streamBytes / off / 1e6, offCpu
    printf "  %-8s %7.3f s wall (runs %s)  %6.0f MB/s  %7.3f s CPU\n", "record", on, onSpread,
           streamBytes / on / 1e6, onCpu
    printf "  record / listen, median of the pairs: %+.1f %% wall (pairs %s)  (target <= +10 %%: %s)\n",
           (ratio - 1) * 100, ratioSpread, (ratio <= 1.10 ? "met" : "missed")
    printf "  fastest runs: listen %.3f s, record %.3f s (%+.1f %%): the most the network path gave, against\n",
           offBest, onBest, (onBest / offBest - 1) * 100
    printf "  what one thread compressing (Zstandard level 1) keeps up with\n"
    printf "  recording %.1f MB for %.1f MB of stream (%.1f %%)\n", fileBytes / 1e6, streamBytes / 1e6,
           fileBytes * 100 / streamBytes
    printf "  replay --speed max --format count: %.3f s, %.0f events/s\n", replayed, events / replayed
  }'

# The pace a replay keeps at 1×: 5 s of the test publisher's clicks at 200/s (with its swings),
# recorded, then replayed through the same source the window uses, each batch's lateness against
# its recorded time (the target: within 20 ms).
"$CLI" serve --port 0 --rate 200 --seed 7 > "$WORK/serve.out" 2>&1 &
PUBLISHER=$!
trap 'kill "$PUBLISHER" 2>/dev/null || true; stop_corpus_server; rm -rf "$WORK"' EXIT
PUBLISHED=$(listening_url "$WORK/serve.out")
[ -n "$PUBLISHED" ] || { echo "run-record.sh: the publisher did not start" >&2; exit 1; }
"$CLI" record "$PUBLISHED/events" --duration 5 -o "$WORK/paced.csrec" 2> "$WORK/paced.err" \
  || { cat "$WORK/paced.err" >&2; exit 1; }
kill "$PUBLISHER" 2>/dev/null || true
echo "  replay at 1x of 5 s of clicks at 200/s, lateness against the recorded times (target: within 20 ms):"
echo "    $("$CLI" bench pace "$WORK/paced.csrec" --speed 1)"
