#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/run-gui.sh BUILD_DIR [--seconds N] [--rss-seconds N] [--rates LIST] [--impl ours|peer|both]
#                             [--streams N] [--stream-rate R]
#
# Called by benchmarks/run.sh (so by `./dev.sh bench`) after the publisher's table. Runs
# clickscope-bench-gui: our dashboard and a naive peer, offscreen at 1280x800, fed over loopback by
# an SSE feeder process at 10k/s, 100k/s, 1M/s and as fast as the socket drains; per run the event loop's max and p99
# lag, the cost of a repaint and of a queued call on the UI thread, events/s consumed beside
# events/s sent, and RSS; then one 60 s run of ours at 100k/s for the RSS after a minute; then 8
# streams at 10k/s each in one window beside one stream at 80k/s. Arguments after BUILD_DIR go to
# the tool unchanged (it checks them; `--help` lists them). Every run is a child process with a
# deadline, so the whole takes about 5 minutes with the defaults (2 x 4 runs of 20 s, 60 s, and
# 2 runs of 20 s) and always ends.
set -euo pipefail

usage() {
  echo "usage: benchmarks/run-gui.sh BUILD_DIR [--seconds N] [--rss-seconds N] [--rates LIST] [--impl ours|peer|both] [--streams N] [--stream-rate R]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac
BUILD_DIR=$(cd "$1" && pwd)
shift

BENCH=$BUILD_DIR/benchmarks/clickscope-bench-gui
if [ ! -x "$BENCH" ]; then
  echo "run-gui.sh: $BENCH is missing; build first (./dev.sh bench builds everything)" >&2
  exit 1
fi

echo "run-gui.sh: dashboard under load: clickscope-bench-gui${*:+ $*}" >&2
# No display needed, and none used even where one exists: the figures are for the offscreen
# platform, the same on a desktop, over ssh and in CI.
QT_QPA_PLATFORM=offscreen exec "$BENCH" "$@"
