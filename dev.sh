#!/usr/bin/env bash
# Clickscope developer entry point. A newcomer needs only `./dev.sh run` and `./dev.sh test`.
set -euo pipefail

cd "$(dirname "$0")"
BUILD_DIR=${BUILD_DIR:-build}

# Debian 12 packages the build, the tests, the demo and the .deb need.
PACKAGES=(
  g++ cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev qt6-svg-dev
  libqt6opengl6-dev libgl-dev
  qtkeychain-qt6-dev gnome-keyring libsecret-1-0 dbus-daemon
  libsimdjson-dev zlib1g-dev libzstd-dev libhiredis-dev libssl-dev openssl redis-server nats-server
  xvfb xauth fonts-dejavu-core curl
  dpkg-dev file desktop-file-utils appstream man-db
  clang-format libxml2-utils
)
# Only for `./dev.sh fuzz`: clang 14 with libFuzzer and its sanitizer runtimes.
FUZZ_PACKAGES=(clang libclang-rt-14-dev)
FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
SANITIZE_DIR=${SANITIZE_DIR:-build-sanitize}

usage() {
  cat <<USAGE
usage: ./dev.sh <command>

  run      install missing packages, build, start the dashboard in demo mode
  test     install missing packages, build, run every test (ctest)
  test --sanitize [CTEST ARGS]
           the same in build-sanitize/, built with AddressSanitizer and UndefinedBehaviorSanitizer
  build    install missing packages and build only
  bench    build, then run the benchmarks (not part of 'test')
  package  build, then make the Debian package (build/clickscope_<version>_amd64.deb)
  fuzz [SECONDS] [TARGET...]
           build the fuzz targets with clang, libFuzzer and ASan/UBSan (in build-fuzz/), then
           fuzz each (or those named) for SECONDS (default 60); exits 1 on a finding
  format   rewrite the C++ files as .clang-format says (the 'format' test checks it)
  deps     install missing packages only
USAGE
}

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dev.sh: installing ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build [TARGET...]: everything, or only the named targets (and what they need).
build() {
  install_deps
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  local targets=()
  [ $# -gt 0 ] && targets=(--target "$@")
  cmake --build "$BUILD_DIR" --parallel "$(nproc)" "${targets[@]}"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  deps)  install_deps ;;
  build) build ;;
  run)
    build clickscope   # the dashboard only: a first launch does not wait for the tests
    exec "$BUILD_DIR/src/app/clickscope" --demo "$@"
    ;;
  test)
    if [ "${1:-}" = "--sanitize" ]; then
      shift
      # A tree of its own: every target built with ASan and UBSan, which stop at the first report.
      BUILD_DIR=$SANITIZE_DIR
      install_deps   # cmake itself, on a fresh machine
      if [ ! -f "$BUILD_DIR/build.ninja" ]; then
        flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
        cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLICKSCOPE_BUILD_BENCHMARKS=OFF \
          -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags"
      fi
      # alloc_dealloc_mismatch=0: simdjson's parser is made inside libsimdjson.so (not built with
      # ASan) and destroyed by the inline destructor of its header, which ASan takes for a
      # mismatch; no suppression file can name that report. A small quarantine keeps the tests
      # that bound resident memory measuring the program, not ASan's hold on freed blocks.
      export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:alloc_dealloc_mismatch=0:quarantine_size_mb=16:fast_unwind_on_malloc=0:suppressions=$PWD/tests/sanitizers/asan.supp}
      export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0}
      export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    fi
    build
    cd "$BUILD_DIR"
    QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 300 "$@"
    ;;
  bench)
    build
    exec benchmarks/run.sh "$BUILD_DIR" "$@"
    ;;
  package)
    build
    (cd "$BUILD_DIR" && cpack -G DEB)
    ls "$BUILD_DIR"/clickscope_*.deb
    ;;
  fuzz)
    PACKAGES+=("${FUZZ_PACKAGES[@]}")
    install_deps
    exec tests/fuzz/run-fuzz.sh "$FUZZ_DIR" "$@"
    ;;
  format)
    install_deps
    git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format -i --style=file
    ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
