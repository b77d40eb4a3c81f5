# SPDX-License-Identifier: MIT
# Sourced by the benchmark scripts that time a client on the whole network path.
#
# start_corpus_server CORPUS PASSES WORKDIR: starts benchmarks/xray/serve-corpus.mjs on CORPUS (a
# free loopback port, at most 30 minutes even if the caller is killed), sets SERVER (its pid) and
# URL, and fails if it does not come up. stop_corpus_server ends it; call it from an EXIT trap.
# listening_url FILE waits for the "listening on URL" line a server prints.
# median VALUES... and spread VALUES... print the median and the "lowest-highest" of numbers;
# wall_seconds times one client run.
#
# corpus_bench_setup NAME REPEAT PASSES "$@": what every such script does first. Reads its
# arguments, BUILD_DIR CORPUS EVENTS [--repeat N] [--passes P] (REPEAT and PASSES are the
# defaults), sets BUILD_DIR, CORPUS, EVENTS (times the passes), REPEAT, PASSES, CLI and WORK (a
# scratch folder), and starts the corpus server with an EXIT trap that stops it and removes WORK.

SERVER=
URL=

start_corpus_server() {
  local corpus=$1 passes=$2 work=$3 here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  timeout 1800 node "$here/xray/serve-corpus.mjs" "$corpus" "$passes" > "$work/server.out" &
  SERVER=$!
  URL=$(listening_url "$work/server.out")
  [ -n "$URL" ] || { echo "corpus-server.sh: the corpus server did not start" >&2; return 1; }
}

# listening_url FILE: waits (at most 10 s) for a server's "listening on URL" line in FILE and
# prints URL without its trailing slash; nothing if it never came.
listening_url() {
  for _ in $(seq 100); do
    grep -q '^listening on ' "$1" && break
    sleep 0.1
  done
  sed -n 's#^listening on \(http://[^ /]*\).*#\1#p' "$1" | head -n 1
}

stop_corpus_server() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true   # a killed server's status is not the caller's
    SERVER=
  fi
}

# wall_seconds NAME COUNT COMMAND...: prints the wall seconds COMMAND took, start to exit; unless
# COUNT is "-", it must print COUNT (events it counted). Exits the script on a failure, with
# COMMAND's stderr. Uses WORK for its scratch files.
wall_seconds() {
  local name=$1 expected=$2 times count
  shift 2
  times=$( { TIMEFORMAT='%3R'; time "$@" > "$WORK/out" 2> "$WORK/err"; } 2>&1 ) \
    || { echo "$name failed:" >&2; cat "$WORK/err" >&2; exit 1; }
  if [ "$expected" != - ]; then
    count=$(tr -d '[:space:]' < "$WORK/out")
    if [ "$count" != "$expected" ]; then
      echo "$name counted '$count', expected $expected:" >&2
      cat "$WORK/err" >&2
      exit 1
    fi
  fi
  echo "$times"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f-%.3f", lo, hi }'; }

corpus_bench_setup() {
  local name=$1
  REPEAT=$2
  PASSES=$3
  shift 3
  local usage="usage: benchmarks/$name/run-$name.sh BUILD_DIR CORPUS EVENTS [--repeat N] [--passes P]"
  [ $# -ge 3 ] || { echo "$usage" >&2; exit 2; }
  BUILD_DIR=$(cd "$1" && pwd)
  CORPUS=$2
  EVENTS=$3
  shift 3
  while [ $# -gt 0 ]; do
    case "$1" in
      --repeat) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; REPEAT=$2; shift 2 ;;
      --passes) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; PASSES=$2; shift 2 ;;
      *) echo "$usage" >&2; exit 2 ;;
    esac
  done
  [[ $REPEAT =~ ^[1-9][0-9]*$ ]] && [[ $PASSES =~ ^[1-9][0-9]*$ ]] || { echo "$usage" >&2; exit 2; }
  EVENTS=$((EVENTS * PASSES))
  CLI=$BUILD_DIR/src/cli/clickscope-cli
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/run-$name.XXXXXX")
  trap 'stop_corpus_server; rm -rf "$WORK"' EXIT
  start_corpus_server "$CORPUS" "$PASSES" "$WORK"
}
