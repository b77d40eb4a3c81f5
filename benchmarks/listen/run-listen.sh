#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/listen/run-listen.sh BUILD_DIR CORPUS EVENTS [--repeat N] [--passes P]
#
# The whole network path, client by client: CORPUS served over loopback by serve-corpus.mjs (1 MiB
# writes, as fast as the client reads) to three clients, each timed as a whole process (wall
# seconds, start to exit), interleaved N times (default 5) after one warm-up round:
#   - `curl -sN` into /dev/null: the transport alone, the limit;
#   - the npm `eventsource` client under node (benchmarks/peer/listen-eventsource.mjs): the peer;
#   - `clickscope-cli listen --no-reconnect --format count`: ours.
# Both event clients must count EVENTS events. Prints the medians side by side with ours against
# the peer (goal >= 3x) and against curl (goal >= 0.3x); only figures from one run are compared,
# since the server shares the machine's cores with the client.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common/corpus-server.sh
. "$HERE/../common/corpus-server.sh"
corpus_bench_setup listen 5 1 "$@"
PEER=$HERE/../peer/listen-eventsource.mjs
[ -f "$HERE/../peer/node_modules/eventsource/package.json" ] \
  || { echo "run-listen.sh: npm install benchmarks/peer first (benchmarks/run.sh does)" >&2; exit 1; }
PEER_VERSION=$(node -p "require('$HERE/../peer/node_modules/eventsource/package.json').version")

curl_run() { wall_seconds curl - curl -sN -o /dev/null "$URL/"; }
peer_run() { wall_seconds peer "$EVENTS" node "$PEER" "$URL/"; }
ours_run() { wall_seconds ours "$EVENTS" "$CLI" listen "$URL/" --no-reconnect --format count; }

curl_run > /dev/null   # warm-up: the corpus in the page cache, the server's buffers grown
peer_run > /dev/null
ours_run > /dev/null
c=()
p=()
o=()
for i in $(seq "$REPEAT"); do
  echo "run-listen.sh: round $i of $REPEAT" >&2
  c+=("$(curl_run)")
  p+=("$(peer_run)")
  o+=("$(ours_run)")
done

BYTES=$(stat -c %s "$CORPUS")
LC_ALL=C awk -v curl="$(median "${c[@]}")" -v peer="$(median "${p[@]}")" -v ours="$(median "${o[@]}")" \
    -v curlSpread="$(spread "${c[@]}")" -v peerSpread="$(spread "${p[@]}")" -v oursSpread="$(spread "${o[@]}")" \
    -v events="$EVENTS" -v bytes="$((BYTES * PASSES))" -v repeat="$REPEAT" -v peername="npm eventsource $PEER_VERSION" \
    -v nodever="$(node --version)" '
  function row(name, s, sp, perEvent) {
    printf "  %-38s %7.3f s (runs %s)  %6.2f GB/s  %8s\n", name, s, sp, bytes / s / 1e9,
           perEvent ? sprintf("%.2f M events/s", events / s / 1e6) : "-"
  }
  BEGIN {
    printf "\nthe network path: %d events (%.1f MB) over loopback in 1 MiB writes, whole client process, median of %d interleaved rounds, node %s\n",
           events, bytes / 1e6, repeat, nodever
    row("curl -sN (the transport)", curl, curlSpread, 0)
    row(peername " on node", peer, peerSpread, 1)
    row("clickscope-cli listen --format count", ours, oursSpread, 1)
    printf "  ours / %s: %5.2fx  (goal >= 3x: %s)\n", peername, peer / ours, (peer / ours >= 3 ? "met" : "missed")
    printf "  ours / curl: %5.2fx  (goal >= 0.3x: %s)\n", curl / ours, (curl / ours >= 0.3 ? "met" : "missed")
  }'
