#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/docs/check-readme.sh README CLI APP
#
# Runs the commands the README shows, so that a renamed flag or a changed endpoint breaks a test
# instead of a newcomer's first five minutes. CLI and APP are the built clickscope-cli and
# clickscope; ctest passes them (tests/docs/CMakeLists.txt).
#
# What it does:
#  - Takes every command from the README's ```sh (or ```bash) blocks: lines ending in '\' are
#    joined, '# comments' are dropped (outside quotes).
#  - Each `clickscope-cli serve` line becomes a real publisher, started here with the same flags
#    on a free port (--port 0) for the whole run. Every other command talks to the publisher of
#    the nearest serve line above it on the port it names (or of the first one, for commands
#    above all of them), with 127.0.0.1:8080 (or the --port of that serve line) rewritten to that
#    publisher's port and build/src/cli/clickscope-cli and
#    build/src/app/clickscope rewritten to CLI and APP.
#  - Runs: clickscope-cli lines (also when piped from echo/printf), curl lines to its publishers,
#    and clickscope lines. When a command names redis:// or is a redis-cli line, a private
#    redis-server is started on a free port for the whole run; redis://localhost:6379 and
#    redis-cli are rewritten to it. Likewise a command naming nats:// gets a private nats-server
#    (with JetStream), and nats://localhost:4222 is rewritten to it. Skips (and says so): ./dev.sh and xvfb-run lines, anything naming a
#    host other than 127.0.0.1, and any other program (apt, man, ctest …).
#  - A command that runs until stopped (listen without --max-events/--timeout, watch without
#    --duration/--timeout, curl -N) gets UNTIL_STOPPED_SECONDS and passes when it printed something
#    on stdout and was stopped by the timeout (124) or ended by itself with 0. A dashboard line
#    that opens a window (no --help, --version or --screenshot) runs offscreen for
#    UNTIL_STOPPED_SECONDS and passes when it was still running (or ended with 0): a mistyped flag
#    ends it at once with 2. Every other command gets BOUNDED_SECONDS and must exit 0.
#  - Prints one line per command, stops at the first failure with the command and its output, and
#    fails when fewer than MIN_RAN commands ran, so a reformatted README cannot skip everything.
# Everything runs in a temporary directory, with XDG_* directories of its own, on 127.0.0.1 only.
set -euo pipefail

UNTIL_STOPPED_SECONDS=4
BOUNDED_SECONDS=20
PUBLISHER_LIFETIME_SECONDS=150   # a bound even if this script is killed before its trap runs
PUBLISHER_START_SECONDS=10
MIN_RAN=10
README_PORT=8080

usage() {
  echo "usage: $0 README.md path/to/clickscope-cli path/to/clickscope" >&2
  exit 2
}
[ $# -eq 3 ] || usage
for f in "$1" "$2" "$3"; do
  [ -e "$f" ] || { echo "check-readme: $f does not exist" >&2; exit 2; }
done
[ -x "$2" ] && [ -x "$3" ] || { echo "check-readme: $2 and $3 must be executable" >&2; exit 2; }
README=$(realpath "$1")
CLI=$(realpath "$2")
APP=$(realpath "$3")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/check-readme.XXXXXX")
PUBLISHER_PIDS=()
REDIS_PORT=
NATS_PORT=
cleanup() {
  local pid
  for pid in "${PUBLISHER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PUBLISHER_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Nothing of the user's: settings, caches and the runtime dir are ours, the display is offscreen,
# and no proxy stands between us and 127.0.0.1.
export XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache
export XDG_RUNTIME_DIR=$WORK/runtime
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR" "$WORK/run"
chmod 0700 "$XDG_RUNTIME_DIR"
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
cd "$WORK/run"

# --- extraction -------------------------------------------------------------------------------
# One command per output line: fenced sh blocks, continuations joined, comments dropped.
extract_commands() {
  awk '
    function strip_comment(s,    i, c, q, out, prev) {
      q = ""; out = ""; prev = " "
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (q == "\047") { if (c == "\047") q = ""; out = out c; prev = c; continue }
        if (q == "\"") {
          if (c == "\\") { out = out c substr(s, i + 1, 1); i++; prev = "x"; continue }
          if (c == "\"") q = ""
          out = out c; prev = c; continue
        }
        if (c == "\\") { out = out c substr(s, i + 1, 1); i++; prev = "x"; continue }
        if (c == "\047" || c == "\"") q = c
        if (c == "#" && (prev == " " || prev == "\t")) break
        out = out c; prev = c
      }
      sub(/[ \t]+$/, "", out); sub(/^[ \t]+/, "", out)
      return out
    }
    /^[ \t]*```(sh|bash)[ \t]*$/ { inblock = 1; acc = ""; next }
    inblock && /^[ \t]*```/ { inblock = 0; if (acc != "") print strip_comment(acc); acc = ""; next }
    inblock {
      line = $0
      if (acc != "") sub(/^[ \t]+/, "", line)
      if (line ~ /\\$/) { sub(/[ \t]*\\$/, "", line); acc = acc line " "; next }
      cmd = strip_comment(acc line); acc = ""
      if (cmd != "") print cmd
    }
  ' "$README"
}

mapfile -t COMMANDS < <(extract_commands)
if [ ${#COMMANDS[@]} -eq 0 ]; then
  echo "check-readme: no commands found in ${README}'s sh blocks" >&2
  exit 1
fi

# --- classification ---------------------------------------------------------------------------
CLI_RE='(^|[[:space:];|&(])(\./)?build/src/cli/clickscope-cli([[:space:]]|$)'
APP_RE='(^|[[:space:];|&(=])(\./)?build/src/app/clickscope([[:space:]]|$)'
CURL_RE='(^|[[:space:];|&(])curl[[:space:]]'
SERVE_RE='build/src/cli/clickscope-cli[[:space:]]+serve([[:space:]]|$)'
HELP_RE='[[:space:]](--help|-h|--version|-v)([[:space:]]|$)'

is_serve() { [[ $1 =~ $SERVE_RE ]] && ! [[ $1 =~ $HELP_RE ]]; }

# The port a serve line names in the README (--port N), README_PORT when it names none.
readme_port_of() {
  if [[ $1 =~ --port([[:space:]]+|=)([0-9]+) ]]; then echo "${BASH_REMATCH[2]}"; else echo "$README_PORT"; fi
}
# The ports the README's publishers listen on: commands may talk to any of them.
declare -A README_PORTS=(["$README_PORT"]=1)
for cmd in "${COMMANDS[@]}"; do
  is_serve "$cmd" && README_PORTS[$(readme_port_of "$cmd")]=1
done
# The real port of the nearest serve line above with each README port other than README_PORT.
declare -A CURRENT_OF=()

# Prints why a command is skipped, or nothing when it is to run.
skip_reason() {
  local cmd=$1 url host
  if [[ $cmd =~ ^(sudo[[:space:]]+)?\./dev\.sh([[:space:]]|$) ]]; then
    echo "dev.sh (installs packages and builds)"; return
  fi
  if [[ $cmd =~ (^|[[:space:]])xvfb-run([[:space:]]|$) ]]; then
    echo "xvfb-run"; return
  fi
  while read -r url; do
    [ -n "$url" ] || continue
    host=${url#*://}   # URLs inside data (a JSON referrer) do not start a word and are not seen
    host=${host%%:*}
    if [ "$host" != "127.0.0.1" ]; then
      echo "talks to $host, not 127.0.0.1"; return
    fi
  done < <(grep -oE '(^|[[:space:]])['"'"'"]?(https?|wss?)://[^/[:space:]'"'"'"?#]+' <<<"$cmd" || true)
  local rest=$cmd
  while [[ $rest =~ 127\.0\.0\.1:([0-9]+)(.*)$ ]]; do
    if [ -z "${README_PORTS[${BASH_REMATCH[1]}]:-}" ]; then
      echo "127.0.0.1 on a port no serve line of the README listens on"; return
    fi
    rest=${BASH_REMATCH[2]}
  done
  if [[ $cmd =~ $CLI_RE ]] || [[ $cmd =~ ^redis-cli([[:space:]]|$) ]]; then
    return
  fi
  if [[ $cmd =~ $CURL_RE ]]; then
    [[ $cmd =~ 127\.0\.0\.1:[0-9]+ ]] || echo "curl, but not to a publisher of the README on 127.0.0.1"
    return
  fi
  if [[ $cmd =~ $APP_RE ]]; then
    return
  fi
  echo "not build/src/cli/clickscope-cli, build/src/app/clickscope or curl"
}

# A dashboard line that shows its window until it is closed.
opens_window() {
  [[ $1 =~ $APP_RE ]] && ! [[ $1 =~ $CLI_RE ]] && ! [[ $1 =~ $HELP_RE ]] \
    && ! [[ $1 =~ [[:space:]]--screenshot([[:space:]=]|$) ]]
}

runs_until_stopped() {
  local cmd=$1
  [[ $cmd =~ $HELP_RE ]] && return 1
  if [[ $cmd =~ clickscope-cli[[:space:]]+listen([[:space:]]|$) ]]; then
    ! [[ $cmd =~ [[:space:]](--max-events|--timeout)([[:space:]=]|$) ]]; return
  fi
  if [[ $cmd =~ clickscope-cli[[:space:]]+watch([[:space:]]|$) ]]; then
    ! [[ $cmd =~ [[:space:]](--duration|--timeout)([[:space:]=]|$) ]]; return
  fi
  [[ $cmd =~ $CURL_RE ]] && [[ $cmd =~ [[:space:]](-[[:alnum:]]*N[[:alnum:]]*|--no-buffer)([[:space:]]|$) ]]
}

# The README's command with our binaries and the given publisher port.
rewrite() {
  local cmd=$1 port=$2 cli_q app_q
  cli_q=$(printf '%q' "$CLI")
  app_q=$(printf '%q' "$APP")
  cmd=${cmd//.\/build\/src\/cli\/clickscope-cli/@CLI@}
  cmd=${cmd//build\/src\/cli\/clickscope-cli/@CLI@}
  cmd=${cmd//.\/build\/src\/app\/clickscope/@APP@}
  cmd=${cmd//build\/src\/app\/clickscope/@APP@}
  cmd=${cmd//@CLI@/$cli_q}
  cmd=${cmd//@APP@/$app_q}
  [ -n "$port" ] && cmd=${cmd//127.0.0.1:$README_PORT/127.0.0.1:$port}
  local other
  for other in "${!CURRENT_OF[@]}"; do
    cmd=${cmd//127.0.0.1:$other/127.0.0.1:${CURRENT_OF[$other]}}
  done
  if [ -n "$REDIS_PORT" ]; then
    cmd=${cmd//redis:\/\/localhost:6379/redis:\/\/127.0.0.1:$REDIS_PORT}
    [[ $cmd =~ ^redis-cli([[:space:]]|$) ]] && cmd="redis-cli -p $REDIS_PORT${cmd#redis-cli}"
  fi
  [ -n "$NATS_PORT" ] && cmd=${cmd//nats:\/\/localhost:4222/nats:\/\/127.0.0.1:$NATS_PORT}
  printf '%s' "$cmd"
}

show_output() {
  local label=$1 file=$2
  echo "--- $label ---"
  if [ -s "$file" ]; then
    head -c 4000 "$file"
    [ "$(wc -c <"$file")" -le 4000 ] || echo "[… $(wc -c <"$file") bytes in all]"
  else
    echo "(empty)"
  fi
}

fail() {
  echo "FAILED: $1" >&2
  shift
  while [ $# -gt 0 ]; do
    show_output "$1" "$2" >&2
    shift 2
  done
  exit 1
}

# --- publishers -------------------------------------------------------------------------------
# Starts the publisher a serve line describes, on a free port; sets PUBLISHER_PORT.
start_publisher() {
  local cmd=$1 n=$2 out err pid i
  cmd=$(rewrite "$cmd" "")
  if [[ $cmd =~ --port([[:space:]]+|=)[0-9]+ ]]; then
    cmd=${cmd/${BASH_REMATCH[0]}/--port 0}
  else
    cmd="$cmd --port 0"
  fi
  out=$WORK/publisher-$n.out
  err=$WORK/publisher-$n.err
  timeout "$PUBLISHER_LIFETIME_SECONDS" bash -c "exec $cmd" >"$out" 2>"$err" </dev/null &
  pid=$!
  PUBLISHER_PIDS+=("$pid")
  PUBLISHER_PORT=
  for ((i = 0; i < PUBLISHER_START_SECONDS * 10; i++)); do
    if [ -f "$out" ] && [[ $(head -n 1 "$out") =~ ^listening\ on\ http://127\.0\.0\.1:([0-9]+)/$ ]]; then
      PUBLISHER_PORT=${BASH_REMATCH[1]}
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "the publisher did not start: $cmd" stdout "$out" stderr "$err"
}

# --- nats (before the publishers: a serve line may name it) ---------------------------------
# shellcheck source=../support/private-nats.sh
. "$(dirname "$0")/../support/private-nats.sh"
for cmd in "${COMMANDS[@]}"; do
  if [ -z "$(skip_reason "$cmd")" ] && [[ $cmd == *nats://* ]]; then
    start_private_nats "$WORK" "$PUBLISHER_LIFETIME_SECONDS" || fail "nats-server did not start" log "$WORK/nats.log"
    PUBLISHER_PIDS+=("$NATS_PID")
    break
  fi
done

# Serve lines in document order, each with its publisher's port.
SERVE_INDEXES=()
for i in "${!COMMANDS[@]}"; do
  if [ -z "$(skip_reason "${COMMANDS[$i]}")" ] && is_serve "${COMMANDS[$i]}"; then
    SERVE_INDEXES+=("$i")
  fi
done
if [ ${#SERVE_INDEXES[@]} -eq 0 ]; then
  echo "check-readme: no 'build/src/cli/clickscope-cli serve' line in $README: nothing to run the examples against" >&2
  exit 1
fi
declare -A PORT_OF_SERVE=()
for i in "${SERVE_INDEXES[@]}"; do
  start_publisher "${COMMANDS[$i]}" "$i"
  PORT_OF_SERVE[$i]=$PUBLISHER_PORT
  readme_port=$(readme_port_of "${COMMANDS[$i]}")
  if [ "$readme_port" != "$README_PORT" ] && [ -z "${CURRENT_OF[$readme_port]:-}" ]; then
    CURRENT_OF[$readme_port]=$PUBLISHER_PORT
  fi
done

# --- redis ------------------------------------------------------------------------------------
# One private redis-server for the README's Redis examples, bounded in time like the publishers.
# shellcheck source=../support/private-redis.sh
. "$(dirname "$0")/../support/private-redis.sh"
for cmd in "${COMMANDS[@]}"; do
  if [ -z "$(skip_reason "$cmd")" ] && { [[ $cmd == *redis://* ]] || [[ $cmd =~ ^redis-cli([[:space:]]|$) ]]; }; then
    start_private_redis "$WORK" "$PUBLISHER_LIFETIME_SECONDS" || fail "redis-server did not start" log "$WORK/redis.log"
    PUBLISHER_PIDS+=("$REDIS_PID")
    break
  fi
done

# --- the run ----------------------------------------------------------------------------------
ran=0
skipped=0
current_port=
for i in "${SERVE_INDEXES[@]}"; do
  if [ "$(readme_port_of "${COMMANDS[$i]}")" = "$README_PORT" ]; then
    current_port=${PORT_OF_SERVE[$i]}
    break
  fi
done
[ -n "$current_port" ] || current_port=${PORT_OF_SERVE[${SERVE_INDEXES[0]}]}
for i in "${!COMMANDS[@]}"; do
  cmd=${COMMANDS[$i]}
  reason=$(skip_reason "$cmd")
  if [ -n "$reason" ]; then
    printf 'skipped            %s   [%s]\n' "$cmd" "$reason"
    skipped=$((skipped + 1))
    continue
  fi
  if [ -n "${PORT_OF_SERVE[$i]:-}" ]; then
    readme_port=$(readme_port_of "$cmd")
    if [ "$readme_port" = "$README_PORT" ]; then
      current_port=${PORT_OF_SERVE[$i]}
    else
      CURRENT_OF[$readme_port]=${PORT_OF_SERVE[$i]}
    fi
    printf 'ran    publisher   %s   [on port %s for the commands below]\n' "$cmd" "${PORT_OF_SERVE[$i]}"
    ran=$((ran + 1))
    continue
  fi
  real=$(rewrite "$cmd" "$current_port")
  out=$WORK/command-$i.out
  err=$WORK/command-$i.err
  if runs_until_stopped "$cmd" || opens_window "$cmd"; then
    limit=$UNTIL_STOPPED_SECONDS
  else
    limit=$BOUNDED_SECONDS
  fi
  rc=0
  timeout -k 2 "$limit" bash -o pipefail -c "$real" >"$out" 2>"$err" </dev/null || rc=$?
  if opens_window "$cmd"; then
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
      fail "exit code $rc (expected the window to stay open for ${limit} s, offscreen): $cmd
ran as: $real" stdout "$out" stderr "$err"
    fi
    printf 'ran    rc=%-3s      %s   [window: open for %s s, offscreen]\n' "$rc" "$cmd" "$limit"
  elif runs_until_stopped "$cmd"; then
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
      fail "exit code $rc (expected 0, or 124 from the ${limit} s timeout): $cmd
ran as: $real" stdout "$out" stderr "$err"
    fi
    [ -s "$out" ] || fail "printed nothing on stdout in ${limit} s: $cmd
ran as: $real" stdout "$out" stderr "$err"
    printf 'ran    rc=%-3s      %s   [until stopped: %s s]\n' "$rc" "$cmd" "$limit"
  else
    if [ "$rc" -ne 0 ]; then
      [ "$rc" -eq 124 ] && rc="124 (still running after ${limit} s)"
      fail "exit code $rc (expected 0): $cmd
ran as: $real" stdout "$out" stderr "$err"
    fi
    printf 'ran    rc=%-3s      %s\n' "$rc" "$cmd"
  fi
  ran=$((ran + 1))
done

echo "check-readme: $ran ran, $skipped skipped"
if [ "$ran" -lt "$MIN_RAN" ]; then
  echo "check-readme: only $ran commands ran, fewer than $MIN_RAN: did the README's sh blocks change shape?" >&2
  exit 1
fi
