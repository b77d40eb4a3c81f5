#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmarks/soak.sh HOURS [--build DIR] [--out DIR] [--rate R] [--restart-every S] [--sample-every S]
# benchmarks/soak.sh --report DIR
#
# Runs Clickscope for HOURS (fractions allowed: 0.05 is three minutes) the way a desktop keeps it
# running, and samples every process's resident memory, open file descriptors and threads:
#   - publisher A (`clickscope-cli serve`) with synthetic clicks at a steady rate, never restarted;
#   - publisher B, the same, stopped and started again on its port every --restart-every seconds;
#   - the dashboard (offscreen) and `clickscope-cli watch`, each reading both publishers, so they
#     live through B's restarts (each a reconnection with Last-Event-ID, then a snapshot);
#   - every 10 s a short `clickscope-cli listen` on A that connects, reads for 2 s and leaves:
#     subscriber churn the long-lived publisher has to clean up after.
# Writes OUT/soak.csv (seconds, process, rss_kib, fds, threads every --sample-every seconds),
# OUT/soak.png (the same, plotted with gnuplot; installed when missing) and OUT/summary.txt: per
# long-lived process, RSS at the start and end of the window after the first 10 minutes (or
# after the first sixth of a shorter run), its growth in MiB/h from a least-squares line
# through those samples, and the range of its descriptors and threads. Exits 1 when a process
# died, or when a growth is at or above 1 MiB/h in a run of at least an hour (shorter runs are
# too short to tell a leak from the allocator settling, so they only report). --report DIR makes
# the summary and the plot again from DIR/soak.csv.
set -euo pipefail

usage() {
  echo "usage: benchmarks/soak.sh HOURS [--build DIR] [--out DIR] [--rate R] [--restart-every S] [--sample-every S]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac
REPORT_ONLY=
if [ "$1" = --report ]; then
  [ $# -eq 2 ] && [ -f "$2/soak.csv" ] || { echo "soak.sh: --report needs a directory with soak.csv" >&2; exit 2; }
  REPORT_ONLY=$2
  RATE=2000 RESTART_EVERY=300
  # shellcheck disable=SC1091
  [ -f "$2/soak.args" ] && . "$2/soak.args"
  DURATION=$(($(tail -n 1 "$2/soak.csv" | cut -d, -f1) + 10))   # the last sample, and its interval
  HOURS=$(awk -v s="$DURATION" 'BEGIN { printf "%.2f", s / 3600 }')
  set -- "$HOURS" --out "$2" --rate "$RATE" --restart-every "$RESTART_EVERY"
fi
HOURS=$1
shift
[[ $HOURS =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || { echo "soak.sh: HOURS must be a number, e.g. 1 or 0.05" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=$HERE/../build
OUT=
RATE=2000
RESTART_EVERY=300
SAMPLE_EVERY=10
while [ $# -gt 0 ]; do
  case "$1" in
    --build) [ $# -ge 2 ] || usage; BUILD_DIR=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
    --rate) [ $# -ge 2 ] || usage; RATE=$2; shift 2 ;;
    --restart-every) [ $# -ge 2 ] || usage; RESTART_EVERY=$2; shift 2 ;;
    --sample-every) [ $# -ge 2 ] || usage; SAMPLE_EVERY=$2; shift 2 ;;
    *) echo "soak.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
for n in "$RATE" "$RESTART_EVERY" "$SAMPLE_EVERY"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: --rate, --restart-every and --sample-every take positive whole numbers" >&2; exit 2; }
done
[ -n "$REPORT_ONLY" ] || DURATION=$(awk -v h="$HOURS" 'BEGIN { printf "%d", h * 3600 }')
[ "$DURATION" -ge $((3 * SAMPLE_EVERY)) ] || { echo "soak.sh: $HOURS h is too short for three samples" >&2; exit 2; }
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
CLI=$BUILD_DIR/src/cli/clickscope-cli
APP=$BUILD_DIR/src/app/clickscope
for exe in "$CLI" "$APP"; do
  [ -x "$exe" ] || { echo "soak.sh: $exe is missing; build first (./dev.sh build)" >&2; exit 1; }
done
OUT=${OUT:-$BUILD_DIR/soak/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

cat >"$OUT/soak.args" <<ARGS
RATE=$RATE
RESTART_EVERY=$RESTART_EVERY
ARGS
RESTARTS=$(find "$OUT" -maxdepth 1 -name 'publisher-b.*.log' | wc -l)
CHURNS='?'

if ! command -v gnuplot >/dev/null; then
  echo "soak.sh: installing gnuplot-nox (for soak.png)" >&2
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gnuplot-nox
fi

# The dashboard gets a home of its own: no settings, recent streams or keyring of the user's.
export HOME=$OUT/home XDG_RUNTIME_DIR=$OUT/runtime XDG_CONFIG_HOME=$OUT/home/.config
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

PIDS=()
cleanup() {
  for p in "${PIDS[@]}" ${PUB_B:-}; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Starts a publisher on port $1 (0: any) logging to $2; prints "PID PORT" once it listens.
start_publisher() {
  local port=$1 log=$2 seed=$3
  "$CLI" serve --port "$port" --rate "$RATE" --seed "$seed" --no-wobble >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do
    if grep -q '^listening on' "$log" 2>/dev/null; then
      echo "$pid $(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "soak.sh: publisher did not start; its log:" >&2
  cat "$log" >&2
  return 1
}

# Summary and plot of OUT/soak.csv: growth in MiB/h after the warm-up (a least-squares line
# through each long-lived process's RSS samples), descriptors and threads, and soak.png.
report() {
  # Growth after the warm-up: a least-squares line through each process's RSS samples.
  WARMUP=$((DURATION >= 3600 ? 600 : DURATION / 6))
  awk -F, -v warmup="$WARMUP" -v hours="$HOURS" '
    NR == 1 || $2 == "publisher-b" { next }   # B is restarted: its memory starts over each time
    {
      p = $2
      if (!(p in n)) { order[++np] = p; fmin[p] = tmin[p] = 1e18; fmax[p] = tmax[p] = 0 }
      fmin[p] = ($4 < fmin[p]) ? $4 : fmin[p]; fmax[p] = ($4 > fmax[p]) ? $4 : fmax[p]
      tmin[p] = ($5 < tmin[p]) ? $5 : tmin[p]; tmax[p] = ($5 > tmax[p]) ? $5 : tmax[p]
      n[p] += 0
      if ($1 < warmup) next
      n[p]++; sx[p] += $1; sy[p] += $3; sxx[p] += $1 * $1; sxy[p] += $1 * $3
      if (n[p] == 1) first[p] = $3
      last[p] = $3
    }
    END {
      printf "%-12s %12s %12s %12s %8s %8s\n", "process", "RSS@warm MiB", "RSS@end MiB", "MiB/h", "fds", "threads"
      bad = 0
      for (i = 1; i <= np; i++) {
        p = order[i]
        slope = 0
        d = n[p] * sxx[p] - sx[p] * sx[p]
        if (n[p] > 1 && d > 0) slope = (n[p] * sxy[p] - sx[p] * sy[p]) / d   # KiB per second
        mibh = slope * 3600 / 1024
        printf "%-12s %12.1f %12.1f %12.2f %8s %8s\n", p, first[p] / 1024, last[p] / 1024, mibh,
               fmin[p] "-" fmax[p], tmin[p] "-" tmax[p]
        if (hours >= 1 && mibh >= 1) bad = 1
      }
      exit bad
    }' "$OUT/soak.csv" >"$OUT/summary.txt" && GROWTH_OK=1 || GROWTH_OK=0
  {
    echo "duration ${DURATION} s, warm-up ${WARMUP} s, ${RATE} clicks/s per publisher, ${RESTARTS} restarts of B, ${CHURNS} short listeners on A"
    grep -E '^\[[0-9]+\] http|^clicks ' "$OUT/watch.log" | sed 's/^/watch: /' || true
  } >>"$OUT/summary.txt"

  gnuplot <<GNUPLOT || echo "soak.sh: gnuplot failed; the CSV is complete" >&2
  set datafile separator ","
  set terminal pngcairo size 1200,900
  set output "$OUT/soak.png"
  set multiplot layout 3,1 title "Clickscope soak: ${HOURS} h, ${RATE} clicks/s, publisher B restarted every ${RESTART_EVERY} s"
  set key outside right
  set offsets graph 0, 0, 0.1, 0.1
  set xlabel "seconds"
  set ylabel "RSS (MiB)"
  plot for [p in "publisher-a publisher-b window watch"] sprintf("< grep \",%s,\" $OUT/soak.csv", p) using 1:(\$3/1024) with lines title p
  set ylabel "open fds"
  plot for [p in "publisher-a publisher-b window watch"] sprintf("< grep \",%s,\" $OUT/soak.csv", p) using 1:4 with lines title p
  set ylabel "threads"
  plot for [p in "publisher-a publisher-b window watch"] sprintf("< grep \",%s,\" $OUT/soak.csv", p) using 1:5 with lines title p
  unset multiplot
GNUPLOT
}

if [ -n "$REPORT_ONLY" ]; then
  report
  cat "$OUT/summary.txt"
  exit 0
fi

read -r PUB_A PORT_A < <(start_publisher 0 "$OUT/publisher-a.log" 1)
PIDS+=("$PUB_A")
read -r PUB_B PORT_B < <(start_publisher 0 "$OUT/publisher-b.log" 2)
URL_A=http://127.0.0.1:$PORT_A/events
URL_B=http://127.0.0.1:$PORT_B/events

QT_QPA_PLATFORM=offscreen "$APP" "$URL_A" "$URL_B" >"$OUT/window.log" 2>&1 &
WINDOW=$!
PIDS+=("$WINDOW")
"$CLI" watch "$URL_A" "$URL_B" --interval 600 >"$OUT/watch.log" 2>&1 &
WATCH=$!
PIDS+=("$WATCH")

echo "soak.sh: ${HOURS} h (${DURATION} s) at ${RATE} clicks/s per publisher; B restarts every ${RESTART_EVERY} s; samples in $OUT" >&2
echo "seconds,process,rss_kib,fds,threads" >"$OUT/soak.csv"
sample() {
  local t=$1 name=$2 pid=$3 rss threads fds
  [ -r "/proc/$pid/status" ] || return 1
  # A child that died stays a zombie until reaped: no memory, and that is a death.
  grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" && return 1
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
  [ -n "$rss" ] || return 1
  threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
  fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  echo "$t,$name,$rss,$fds,$threads" >>"$OUT/soak.csv"
}

START=$(date +%s)
NEXT_SAMPLE=0
NEXT_RESTART=$RESTART_EVERY
NEXT_CHURN=10
RESTARTS=0
CHURNS=0
DIED=
while :; do
  NOW=$(($(date +%s) - START))
  [ "$NOW" -ge "$DURATION" ] && break
  if [ "$NOW" -ge "$NEXT_SAMPLE" ]; then
    for proc in "publisher-a:$PUB_A" "publisher-b:$PUB_B" "window:$WINDOW" "watch:$WATCH"; do
      sample "$NOW" "${proc%%:*}" "${proc#*:}" || { DIED="${proc%%:*} (at ${NOW} s)"; break 2; }
    done
    NEXT_SAMPLE=$((NEXT_SAMPLE + SAMPLE_EVERY))
  fi
  if [ "$NOW" -ge "$NEXT_RESTART" ]; then
    kill -TERM "$PUB_B"
    # Not our child (started in a subshell): wait for it to leave its port another way.
    for _ in $(seq 100); do kill -0 "$PUB_B" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PUB_B" 2>/dev/null || true
    RESTARTS=$((RESTARTS + 1))
    # A log per run: the last one's "listening" line must not be taken for the new one's.
    NEW_B=
    read -r NEW_B _ < <(start_publisher "$PORT_B" "$OUT/publisher-b.$RESTARTS.log" $((2 + RESTARTS))) || true
    [ -n "$NEW_B" ] || { PUB_B=; DIED="publisher-b (no restart at ${NOW} s)"; break; }
    PUB_B=$NEW_B
    NEXT_RESTART=$((NEXT_RESTART + RESTART_EVERY))
  fi
  if [ "$NOW" -ge "$NEXT_CHURN" ]; then
    timeout 10 "$CLI" listen "$URL_A" --timeout 2 >/dev/null 2>&1 &
    CHURNS=$((CHURNS + 1))
    NEXT_CHURN=$((NEXT_CHURN + 10))
  fi
  sleep 1
done
kill -INT "$WATCH" 2>/dev/null || true   # watch reports its totals on SIGINT
sleep 1

report

cat "$OUT/summary.txt"
echo "soak.sh: $OUT/soak.csv, $OUT/soak.png, $OUT/summary.txt" >&2
if [ -n "$DIED" ]; then
  echo "soak.sh: $DIED died" >&2
  exit 1
fi
[ "$GROWTH_OK" -eq 1 ] || { echo "soak.sh: memory grew by 1 MiB/h or more" >&2; exit 1; }
