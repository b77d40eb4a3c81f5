# SPDX-License-Identifier: MIT
# Sourced by the scripts that need a NATS server of their own: the README's test and the NATS
# benchmark.
#
# start_private_nats DIR LIFETIME_SECONDS: starts nats-server with JetStream on 127.0.0.1 on a free
# port, its files in DIR, ending by itself after LIFETIME_SECONDS even if the caller is killed;
# sets NATS_PID and NATS_PORT once it greets a client, or returns 1. A port taken meanwhile makes
# nats-server exit at once, and another is tried.
start_private_nats() {
  local dir=$1 lifetime=$2 attempt candidate i
  NATS_PID=
  NATS_PORT=
  for attempt in 1 2 3 4 5 6 7 8; do
    candidate=$((20000 + RANDOM % 40000))
    timeout "$lifetime" nats-server -a 127.0.0.1 -p "$candidate" -js -sd "$dir/nats-js" -l "$dir/nats.log" \
      < /dev/null &
    NATS_PID=$!
    for ((i = 0; i < 100; i++)); do
      if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$candidate && head -c 5 <&3" 2> /dev/null | grep -q INFO; then
        NATS_PORT=$candidate
        return 0
      fi
      kill -0 "$NATS_PID" 2> /dev/null || break
      sleep 0.1
    done
    kill "$NATS_PID" 2> /dev/null || true
    wait "$NATS_PID" 2> /dev/null || true
  done
  NATS_PID=
  return 1
}
