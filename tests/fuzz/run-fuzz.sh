#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/fuzz/run-fuzz.sh FUZZ_DIR [SECONDS] [TARGET...]
#
# What `./dev.sh fuzz` runs: builds the fuzz targets with clang, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer in FUZZ_DIR (a tree of its own, never the normal build), then fuzzes
# each target (every one, or those named: sseparser, clickdecoder, …) for SECONDS (default 60)
# from its checked-in seed corpus. What the fuzzer learns stays in FUZZ_DIR/corpus/<target>/ for
# the next run. A finding (crash, sanitizer report, failed oracle, leak, timeout) is saved in
# FUZZ_DIR/findings/<target>/ (emptied at the start of the target's run) and makes the exit
# code 1; check a reproducer into
# tests/fuzz/regressions/<target>/ once it is fixed, and ctest replays it from then on.
# Prints one line per target: executions, coverage (edges) and features, findings.
set -euo pipefail

usage() {
  echo "usage: tests/fuzz/run-fuzz.sh FUZZ_DIR [SECONDS] [TARGET...]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
FUZZ_DIR=$1
shift
SECONDS_EACH=60
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  SECONDS_EACH=$1
  shift
fi
[ "$SECONDS_EACH" -ge 1 ] || usage
HERE=$(cd "$(dirname "$0")" && pwd)
ALL=$(sed -n 's/^set(fuzz_targets \(.*\))$/\1/p' "$HERE/CMakeLists.txt")
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || read -r -a TARGETS <<< "$ALL"
for t in "${TARGETS[@]}"; do
  [[ " $ALL " == *" $t "* ]] || { echo "run-fuzz.sh: no target '$t' (there are: $ALL)" >&2; exit 2; }
done

SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if [ ! -f "$FUZZ_DIR/build.ninja" ]; then
  cmake -S "$HERE/../.." -B "$FUZZ_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCLICKSCOPE_FUZZ=ON \
    -DCMAKE_C_FLAGS="$SANITIZE -fsanitize=fuzzer-no-link" -DCMAKE_CXX_FLAGS="$SANITIZE -fsanitize=fuzzer-no-link" \
    -DCMAKE_EXE_LINKER_FLAGS="$SANITIZE"
fi
cmake --build "$FUZZ_DIR" --parallel "$(nproc)" --target "${TARGETS[@]/#/fuzz_}"

# The recording target writes each input to a file: in memory (tmpfs) it runs about 9 times as
# many inputs a second as on disk, and spends its time on our code instead of in the kernel.
FUZZ_TMP=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && FUZZ_TMP=/dev/shm

FAILED=0
printf '%-14s %12s %8s %10s  %s\n' target executions edges features findings
for t in "${TARGETS[@]}"; do
  corpus=$FUZZ_DIR/corpus/$t
  findings=$FUZZ_DIR/findings/$t
  # What an earlier run found is either fixed (and checked in as a regression) or found again.
  rm -rf "$findings"
  mkdir -p "$corpus" "$findings"
  log=$FUZZ_DIR/findings/$t.log
  status=0
  # The first folder is where new inputs go; the checked-in seeds are read, never written.
  TMPDIR=$FUZZ_TMP UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
    "$FUZZ_DIR/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$findings/" "$corpus" "$HERE/corpus/$t" > "$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  found=$(find "$findings" -type f | wc -l)
  if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
    FAILED=1
    printf '%-14s %12s %8s %10s  %s (see %s)\n' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$found" "$log"
  else
    printf '%-14s %12s %8s %10s  %s\n' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" 0
  fi
done
exit $FAILED
