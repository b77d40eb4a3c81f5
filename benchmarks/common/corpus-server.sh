# SPDX-License-Identifier: MIT
# Sourced by the benchmark scripts that time a client on the whole network path.
#
# start_corpus_server CORPUS PASSES WORKDIR: starts benchmarks/xray/serve-corpus.mjs on CORPUS (a
# free loopback port, at most 30 minutes even if the caller is killed), sets SERVER (its pid) and
# URL, and fails if it does not come up. stop_corpus_server ends it; call it from an EXIT trap.
# median VALUES... and spread VALUES... print the median and the "lowest-highest" of numbers.

SERVER=
URL=

start_corpus_server() {
  local corpus=$1 passes=$2 work=$3 here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  timeout 1800 node "$here/xray/serve-corpus.mjs" "$corpus" "$passes" > "$work/server.out" &
  SERVER=$!
  for _ in $(seq 100); do
    grep -q '^listening on ' "$work/server.out" && break
    sleep 0.1
  done
  URL=$(sed -n 's#^listening on \(http://[^ ]*\).*#\1#p' "$work/server.out" | head -n 1)
  [ -n "$URL" ] || { echo "corpus-server.sh: the corpus server did not start" >&2; return 1; }
}

stop_corpus_server() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true   # a killed server's status is not the caller's
    SERVER=
  fi
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f-%.3f", lo, hi }'; }
