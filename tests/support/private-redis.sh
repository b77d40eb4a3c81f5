# SPDX-License-Identifier: MIT
# Sourced by the scripts that need a Redis of their own: the README's test and the Redis benchmark.
#
# start_private_redis DIR LIFETIME_SECONDS: starts redis-server on 127.0.0.1 on a free port, its
# files in DIR, nothing persisted, ending by itself after LIFETIME_SECONDS even if the caller is
# killed; sets REDIS_PID and REDIS_PORT once it answers PING, or returns 1. A port taken meanwhile
# makes redis-server exit at once, and another is tried.
start_private_redis() {
  local dir=$1 lifetime=$2 attempt candidate i
  REDIS_PID=
  REDIS_PORT=
  for attempt in 1 2 3 4 5 6 7 8; do
    candidate=$((20000 + RANDOM % 40000))
    timeout "$lifetime" redis-server --port "$candidate" --bind 127.0.0.1 --save "" --appendonly no \
      --dir "$dir" --logfile "$dir/redis.log" < /dev/null &
    REDIS_PID=$!
    for ((i = 0; i < 100; i++)); do
      if redis-cli -p "$candidate" PING 2> /dev/null | grep -q PONG; then
        REDIS_PORT=$candidate
        return 0
      fi
      kill -0 "$REDIS_PID" 2> /dev/null || break
      sleep 0.1
    done
    kill "$REDIS_PID" 2> /dev/null || true
    wait "$REDIS_PID" 2> /dev/null || true
  done
  REDIS_PID=
  return 1
}
