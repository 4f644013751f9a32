#!/usr/bin/env bash
# Side-by-side throughput and latency: a fresh redis-server (no persistence, cluster mode off)
# and a fresh Kvorum node (bin/kvorum server, temp data dir), each on free loopback ports on
# this machine, measured by redis-benchmark with identical flags. Prints a table and saves it
# under bench-results/ (gitignored).
#
# Knobs (environment):
#   BENCH_TESTS      redis-benchmark -t list          (default: set,get,lpush,rpop,sadd,hset,zadd)
#   BENCH_LARGE_N    members of the large hash/zset/list phase (default 1000000; 0 skips it)
#   BENCH_LARGE_SETTLE seconds to wait after loading the large keys (default 20)
#   BENCH_SLOT_GROUPS slot groups of the Kvorum node   (default: the node's default, 16)
#   BENCH_PIPELINES  pipeline depths, space separated (default: "1 16")
#   BENCH_N          requests per test                (default: 100000)
#   BENCH_CLIENTS    parallel connections             (default: 50)
#   BENCH_DATA_SIZE  value size in bytes              (default: 100)
#   BENCH_KEYSPACE   random keyspace size (-r)        (default: 100000)
#   BENCH_WARMUP_N   requests per test in an unmeasured warm-up pass per server, so the
#                    JVM's JIT has compiled the hot paths before we measure (default: N/5; 0 = off)
#   KVORUM_JAVA_OPTS JVM flags for the Kvorum node
#   KVORUM_BIN       launcher to start the node with (default: bin/kvorum), e.g. another checkout's
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tests="${BENCH_TESTS:-set,get,lpush,rpop,sadd,hset,zadd}"
slot_groups="${BENCH_SLOT_GROUPS:-16}"
large_n="${BENCH_LARGE_N:-1000000}"
pipelines="${BENCH_PIPELINES:-1 16}"
requests="${BENCH_N:-100000}"
clients="${BENCH_CLIENTS:-50}"
data_size="${BENCH_DATA_SIZE:-100}"
keyspace="${BENCH_KEYSPACE:-100000}"
warmup_requests="${BENCH_WARMUP_N:-$((requests / 5))}"
host=127.0.0.1

for tool in redis-server redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found; run 'make deps'" >&2; exit 1; }
done
kvorum_bin="${KVORUM_BIN:-bin/kvorum}"
[ -n "${KVORUM_BIN:-}" ] || [ -f server/target/kvorum.jar ] || { echo "bench: server/target/kvorum.jar missing; run 'make build'" >&2; exit 1; }

work_dir="$(mktemp -d -t kvorum-bench.XXXXXX)"
redis_pid=""
kvorum_pid=""

# Everything this script started goes away on any exit, including Ctrl-C and failures.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$kvorum_pid" ] && kill -0 "$kvorum_pid" 2>/dev/null; then
    kill -TERM "$kvorum_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$kvorum_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$kvorum_pid" 2>/dev/null || true
  fi
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
    kill -TERM "$redis_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$redis_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$redis_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  rm -rf "$work_dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nothing listens on and that this script has not handed out yet.
picked_ports=" "
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 40000 ))
    case "$picked_ports" in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
      picked_ports="$picked_ports$port "
      echo "$port"
      return 0
    fi
  done
  echo "bench: no free port found" >&2
  return 1
}

# wait_ready NAME PID PORT LOG: until PING answers PONG and a write succeeds.
wait_ready() {
  local name=$1 pid=$2 port=$3 log=$4 deadline=$((SECONDS + 120))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: $name exited during startup; last lines of $log:" >&2
      tail -n 40 "$log" >&2 || true
      return 1
    fi
    if [ "$(redis-cli -h $host -p "$port" ping 2>/dev/null)" = "PONG" ] &&
       [ "$(redis-cli -h $host -p "$port" set bench:ready 1 2>/dev/null)" = "OK" ]; then
      redis-cli -h $host -p "$port" del bench:ready >/dev/null 2>&1 || true
      return 0
    fi
    sleep 0.5
  done
  echo "bench: $name not ready after 120 s; last lines of $log:" >&2
  tail -n 40 "$log" >&2 || true
  return 1
}

redis_port="$(free_port)"
kvorum_port="$(free_port)"
kvorum_raft_port="$(free_port)"
kvorum_admin_port="$(free_port)"

mkdir -p "$work_dir/redis" "$work_dir/kvorum-data"
redis-server --bind $host --port "$redis_port" --save "" --appendonly no --protected-mode no \
  --dir "$work_dir/redis" --logfile "$work_dir/redis/redis.log" --daemonize no &
redis_pid=$!

"$kvorum_bin" server --bind $host --port "$kvorum_port" --raft-port "$kvorum_raft_port" \
  --admin-port "$kvorum_admin_port" --data-dir "$work_dir/kvorum-data" \
  --slot-groups "$slot_groups" >"$work_dir/kvorum.log" 2>&1 &
kvorum_pid=$!

wait_ready redis-server "$redis_pid" "$redis_port" "$work_dir/redis/redis.log"
wait_ready kvorum "$kvorum_pid" "$kvorum_port" "$work_dir/kvorum.log"
echo "bench: redis-server on $host:$redis_port, kvorum on $host:$kvorum_port (data $work_dir/kvorum-data)"

# run_benchmark PORT PIPELINE REQUESTS OUT_CSV
run_benchmark() {
  redis-benchmark -h $host -p "$1" -c "$clients" -n "$3" -d "$data_size" -r "$keyspace" \
    -t "$tests" -P "$2" --csv >"$4" 2>"$4.err" || {
      echo "bench: redis-benchmark against port $1 failed:" >&2; cat "$4.err" >&2; return 1; }
  if grep -q . "$4.err"; then sed 's/^/bench: redis-benchmark: /' "$4.err" >&2; fi
}

if [ "$warmup_requests" -gt 0 ]; then
  echo "bench: warm-up ($warmup_requests requests per test, not measured)"
  for p in $pipelines; do
    run_benchmark "$redis_port" "$p" "$warmup_requests" "$work_dir/warmup-redis.csv"
    run_benchmark "$kvorum_port" "$p" "$warmup_requests" "$work_dir/warmup-kvorum.csv"
  done
fi

declare -A rps p50 p99
row_order=()
for p in $pipelines; do
  for server in redis kvorum; do
    if [ "$server" = redis ]; then port=$redis_port; else port=$kvorum_port; fi
    echo "bench: $server, -P $p, -t $tests, -n $requests"
    csv="$work_dir/$server-P$p.csv"
    run_benchmark "$port" "$p" "$requests" "$csv"
    # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    while IFS=, read -r name r _avg _min l50 _l95 l99 _max; do
      name="${name//\"/}"
      [ "$name" = "test" ] && continue
      key="$name|$p"
      rps[$key|$server]="${r//\"/}"
      p50[$key|$server]="${l50//\"/}"
      p99[$key|$server]="${l99//\"/}"
      case " ${row_order[*]-} " in *" $key "*) ;; *) row_order+=("$key") ;; esac
    done <"$csv"
  done
done

# Large collections: single-member operations on a hash, a sorted set and a list of large_n
# members each, and how long DEL of each takes. Loaded with redis-cli --pipe, 100 members per
# command.
declare -A del_ms
fill_large() {
  python3 - "$large_n" <<'PY' | redis-cli -h $host -p "$1" --pipe >/dev/null
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer
def cmd(*args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
for start in range(0, n, 100):
    r = range(start, min(n, start + 100))
    cmd("HSET", "bench:{big}:hash", *[x for i in r for x in ("f%d" % i, "v%d" % i)])
    cmd("ZADD", "bench:{big}:zset", *[x for i in r for x in (i, "m%d" % i)])
    cmd("RPUSH", "bench:{big}:list", *["e%d" % i for i in r])
PY
}
large_tests=(
  "HGET big-hash|HGET bench:{big}:hash f__rand_int__"
  "HSET big-hash|HSET bench:{big}:hash f__rand_int__ x"
  "ZSCORE big-zset|ZSCORE bench:{big}:zset m__rand_int__"
  "ZADD big-zset|ZADD bench:{big}:zset 7 m__rand_int__"
  "LPUSH big-list|LPUSH bench:{big}:list x"
  "RPOP big-list|RPOP bench:{big}:list"
)
if [ "$large_n" -gt 0 ]; then
  for server in redis kvorum; do
    if [ "$server" = redis ]; then port=$redis_port; else port=$kvorum_port; fi
    echo "bench: $server, loading a $large_n-member hash, zset and list"
    fill_large "$port"
    for kind in hash zset list; do
      case $kind in hash) c=HLEN ;; zset) c=ZCARD ;; list) c=LLEN ;; esac
      got="$(redis-cli -h $host -p "$port" $c "bench:{big}:$kind")"
      [ "$got" -ge "$large_n" ] || { echo "bench: $server $kind has $got members, expected $large_n" >&2; exit 1; }
    done
    # Right after a bulk load RocksDB is still flushing and compacting and the JIT has not seen
    # these commands: let it settle and warm up, as the main phase does, before measuring.
    sleep "${BENCH_LARGE_SETTLE:-20}"
    for t in "${large_tests[@]}"; do
      read -r -a command <<<"${t#*|}"
      redis-benchmark -h $host -p "$port" -c "$clients" -n "$((requests / 10))" -r "$large_n" \
        "${command[@]}" >/dev/null 2>&1 || true
    done
    for t in "${large_tests[@]}"; do
      label="${t%%|*}"; read -r -a command <<<"${t#*|}"
      csv="$work_dir/$server-large.csv"
      redis-benchmark -h $host -p "$port" -c "$clients" -n "$((requests / 5))" -r "$large_n" \
        --csv "${command[@]}" >"$csv" 2>"$csv.err" || { cat "$csv.err" >&2; exit 1; }
      IFS=, read -r _name r _avg _min l50 _l95 l99 _max < <(tail -n 1 "$csv")
      key="$label|1"
      rps[$key|$server]="${r//\"/}"; p50[$key|$server]="${l50//\"/}"; p99[$key|$server]="${l99//\"/}"
      case " ${row_order[*]-} " in *" $key "*) ;; *) row_order+=("$key") ;; esac
    done
    for kind in hash zset list; do
      t0=$(date +%s%N)
      redis-cli -h $host -p "$port" DEL "bench:{big}:$kind" >/dev/null
      del_ms[$kind|$server]=$(( ($(date +%s%N) - t0) / 1000000 ))
    done
  done
fi

mkdir -p bench-results
result_file="bench-results/bench-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "# Kvorum vs redis-server, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '+dirty')"
  echo "# $(nproc) cores; $(redis-server --version | awk '{print $1, $2, $3}'); $(java -version 2>&1 | head -1)"
  echo "# kvorum: one node, $slot_groups slot groups"
  echo "# redis-benchmark -c $clients -n $requests -d $data_size -r $keyspace -t $tests -P <pipeline>; latencies in ms"
  printf '%-15s %8s %12s %12s %8s %10s %10s %10s %10s\n' \
    test pipeline "redis ops/s" "kvorum ops/s" ratio "redis p50" "redis p99" "kvorum p50" "kvorum p99"
  for key in "${row_order[@]}"; do
    name="${key%%|*}"; p="${key##*|}"
    r_rps="${rps[$key|redis]:-n/a}"; k_rps="${rps[$key|kvorum]:-n/a}"
    ratio="n/a"
    if [[ "$r_rps" =~ ^[0-9.]+$ && "$k_rps" =~ ^[0-9.]+$ ]]; then
      ratio="$(awk -v k="$k_rps" -v r="$r_rps" 'BEGIN { if (r > 0) printf "%.3f", k / r; else print "n/a" }')"
    fi
    printf '%-15s %8s %12s %12s %8s %10s %10s %10s %10s\n' "$name" "$p" \
      "$(printf '%.0f' "$r_rps" 2>/dev/null || echo "$r_rps")" \
      "$(printf '%.0f' "$k_rps" 2>/dev/null || echo "$k_rps")" "$ratio" \
      "${p50[$key|redis]:-n/a}" "${p99[$key|redis]:-n/a}" \
      "${p50[$key|kvorum]:-n/a}" "${p99[$key|kvorum]:-n/a}"
  done
  if [ "$large_n" -gt 0 ]; then
    echo "# big-hash/zset/list: $large_n members each. DEL of each, ms as seen by redis-cli (incl. its ~5 ms start-up):"
    for kind in hash zset list; do
      echo "#   DEL $kind: redis ${del_ms[$kind|redis]} ms, kvorum ${del_ms[$kind|kvorum]} ms"
    done
  fi
} | tee "$result_file"
echo "bench: saved $result_file"
