#!/usr/bin/env bash
# Side-by-side throughput and latency: a fresh redis-server (no persistence, cluster mode off)
# and a fresh Kvorum node (bin/kvorum server, temp data dir), each on free loopback ports on
# this machine, measured by redis-benchmark with identical flags. Then a 3-node Kvorum cluster
# (tools/cluster.sh: every slot group on 3 nodes) against a Redis Cluster of 3 masters and 3
# replicas, measured by redis-benchmark --cluster. Prints the tables and saves them under
# bench-results/ (gitignored).
#
# Knobs (environment):
#   BENCH_TESTS      redis-benchmark -t list          (default: set,get,lpush,rpop,sadd,hset,zadd)
#   BENCH_LARGE_N    members of the large hash/zset/list phase (default 1000000; 0 skips it)
#   BENCH_LARGE_SETTLE seconds to wait after loading the large keys (default 20)
#   BENCH_SLOT_GROUPS slot groups of the Kvorum node and cluster (default: the node's default, 16)
#   BENCH_PIPELINES  pipeline depths, space separated (default: "1 16")
#   BENCH_N          requests per test                (default: 100000)
#   BENCH_CLIENTS    parallel connections             (default: 50)
#   BENCH_DATA_SIZE  value size in bytes              (default: 100)
#   BENCH_KEYSPACE   random keyspace size (-r)        (default: 100000)
#   BENCH_WARMUP_N   requests per test in each unmeasured warm-up round (default: N/5; 0 = off)
#   BENCH_WARMUP_SECONDS warm-up rounds repeat until this long has passed, per server (default
#                    60): the JVM's JIT must have compiled the hot paths before we measure, and
#                    three JVMs sharing 2 CPUs at a few thousand writes/s take about a minute
#   BENCH_SINGLE     0 skips the single-node phases (redis-server vs one Kvorum node, large keys)
#   BENCH_DURABLE_REDIS 0 skips the durable reference in the single-node phase: a second
#                    redis-server with appendonly yes and appendfsync always (an fsync before
#                    every reply, as Kvorum does), measured with the same flags
#   BENCH_CLUSTER    0 skips the cluster phase (3-node Kvorum vs 3 masters + 3 replicas Redis Cluster)
#   BENCH_CLUSTER_TESTS redis-benchmark -t list of the cluster phase (default: set,get)
#   BENCH_CLUSTER_FLAGS extra flags of every Kvorum cluster node, e.g. "--leader-lease"
#   BENCH_CLUSTER_MIN_SECONDS each measured cluster run lasts at least this long (default 10): with
#                    --cluster, redis-benchmark stops only on its 250 ms progress timer, so a run's
#                    time is rounded up to whole ticks, which understates a fast server
#   KVORUM_JAVA_OPTS JVM flags for the Kvorum node(s)
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
warmup_seconds="${BENCH_WARMUP_SECONDS:-60}"
single_phase="${BENCH_SINGLE:-1}"
durable_redis="${BENCH_DURABLE_REDIS:-1}"
cluster_phase="${BENCH_CLUSTER:-1}"
cluster_tests="${BENCH_CLUSTER_TESTS:-set,get}"
cluster_min_seconds="${BENCH_CLUSTER_MIN_SECONDS:-10}"
host=127.0.0.1
# Other work on the machine skews every number; the result file records how busy it was.
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"

for tool in redis-server redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found; run 'make deps'" >&2; exit 1; }
done
kvorum_bin="${KVORUM_BIN:-bin/kvorum}"
[ -n "${KVORUM_BIN:-}" ] || [ -f server/target/kvorum.jar ] || { echo "bench: server/target/kvorum.jar missing; run 'make build'" >&2; exit 1; }


work_dir="$(mktemp -d -t kvorum-bench.XXXXXX)"
redis_pid=""
redis_aof_pid=""
kvorum_pid=""
redis_cluster_pids=()
kvorum_cluster_pid="" # tools/cluster.sh, which stops its nodes when it gets SIGTERM

# stop PID SECONDS: SIGTERM, and SIGKILL if it is still there SECONDS later.
stop() {
  local pid=$1 seconds=$2
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((seconds * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Everything this script started goes away on any exit, including Ctrl-C and failures.
cleanup() {
  local status=$? pid
  trap - EXIT INT TERM
  stop "$kvorum_cluster_pid" 60 # it gives its nodes 30 s itself
  stop "$kvorum_pid" 20
  stop "$redis_pid" 10
  stop "$redis_aof_pid" 10
  for pid in ${redis_cluster_pids[@]+"${redis_cluster_pids[@]}"}; do stop "$pid" 10; done
  wait 2>/dev/null || true
  rm -rf "$work_dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port VAR: sets VAR to a port nothing listens on and that this script has not handed out
# yet. free_port VAR N: the first of N consecutive such ports (a Kvorum cluster's nodes use
# base, base+1, ...). Sets a variable rather than printing, so that the ports handed out are
# remembered (a $(...) subshell would forget them).
picked_ports=" "
free_port() {
  local var=$1 n=${2:-1} base i ok low
  # Below Linux's ephemeral range: a port free now may otherwise be a client connection's own by
  # the time a server binds it (the cluster phase starts minutes after redis-benchmark runs).
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  [[ "$low" =~ ^[0-9]+$ ]] && [ "$low" -gt $((10000 + n + 100)) ] || low=32768
  for _ in $(seq 1 200); do
    base=$(( 10000 + RANDOM % (low - 10000 - n) ))
    ok=yes
    for i in $(seq 0 $((n - 1))); do
      case "$picked_ports" in *" $((base + i)) "*) ok=""; break ;; esac
      if (exec 3<>"/dev/tcp/$host/$((base + i))") 2>/dev/null; then ok=""; break; fi
    done
    if [ -n "$ok" ]; then
      for i in $(seq 0 $((n - 1))); do picked_ports="$picked_ports$((base + i)) "; done
      printf -v "$var" '%s' "$base"
      return 0
    fi
  done
  echo "bench: no $n free port(s) found" >&2
  return 1
}

# wait_ready NAME PID PORT LOG [ping]: until PING answers PONG and a write succeeds (only PING
# with "ping": a Redis Cluster node before it has slots refuses writes).
wait_ready() {
  local name=$1 pid=$2 port=$3 log=$4 ping_only=${5:-} deadline=$((SECONDS + 120))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: $name exited during startup; last lines of $log:" >&2
      tail -n 40 "$log" >&2 || true
      return 1
    fi
    if [ "$(redis-cli -h $host -p "$port" ping 2>/dev/null)" = "PONG" ]; then
      [ -n "$ping_only" ] && return 0
      if [ "$(redis-cli -h $host -p "$port" set bench:ready 1 2>/dev/null)" = "OK" ]; then
        redis-cli -h $host -p "$port" del bench:ready >/dev/null 2>&1 || true
        return 0
      fi
    fi
    sleep 0.5
  done
  echo "bench: $name not ready after 120 s; last lines of $log:" >&2
  tail -n 40 "$log" >&2 || true
  return 1
}

# run_benchmark PORT PIPELINE REQUESTS OUT_CSV TESTS [FLAGS...]
run_benchmark() {
  local port=$1 pipeline=$2 n=$3 out=$4 t=$5
  shift 5
  redis-benchmark -h $host -p "$port" "$@" -c "$clients" -n "$n" -d "$data_size" -r "$keyspace" \
    -t "$t" -P "$pipeline" --csv >"$out" 2>"$out.err" || {
      echo "bench: redis-benchmark against port $port failed:" >&2; cat "$out.err" >&2; return 1; }
  if grep -q . "$out.err"; then sed 's/^/bench: redis-benchmark: /' "$out.err" >&2; fi
}

# warm_up LABEL PORT TESTS [redis-benchmark flags...]: unmeasured rounds of TESTS at every
# pipeline depth until warmup_seconds have passed (at least one round; none if BENCH_WARMUP_N=0).
# Time, not a request count: how long a JVM takes to compile its hot paths depends on how fast it
# runs, and a 3-node cluster runs its write path a tenth as often as a single node.
warm_up() {
  local label=$1 port=$2 t=$3 p rounds=0 deadline
  shift 3
  [ "$warmup_requests" -gt 0 ] || return 0
  deadline=$((SECONDS + warmup_seconds))
  while :; do
    for p in $pipelines; do
      run_benchmark "$port" "$p" "$warmup_requests" "$work_dir/warmup-$label.csv" "$t" "$@"
    done
    rounds=$((rounds + 1))
    [ $SECONDS -lt $deadline ] || break
  done
  echo "bench: $label warm-up: $rounds round(s) of $warmup_requests requests per test, not measured"
}

# measure_cluster LABEL PORT PIPELINE CSV: each of the cluster tests in a run of its own that lasts
# at least cluster_min_seconds, its rows appended to CSV. In --cluster mode redis-benchmark runs
# threads, and a thread's event loop stops only when its 250 ms throughput timer fires: the time
# it reports is a whole number of ticks after the last reply. 100,000 GETs against a 3-master
# Redis Cluster reported 1.50 s and 1.75 s (66,534 and 57,045/s) where runs of 1 and 3 million
# reported 78,284 and 78,317/s. So a run shorter than cluster_min_seconds is repeated with enough
# requests that a tick or two cost a few percent at most.
measure_cluster() {
  local label=$1 port=$2 p=$3 csv=$4 t n r
  : >"$csv"
  for t in ${cluster_tests//,/ }; do
    n=$requests
    while :; do
      run_benchmark "$port" "$p" "$n" "$work_dir/one-test.csv" "$t" --cluster
      r="$(grep '^"' "$work_dir/one-test.csv" | grep -v '^"test"' | head -1 | cut -d, -f2 | tr -d '"')"
      if awk -v n="$n" -v r="$r" -v m="$cluster_min_seconds" 'BEGIN { exit !(r + 0 <= 0 || n / r >= m) }'; then
        break
      fi
      n="$(awk -v r="$r" -v m="$cluster_min_seconds" 'BEGIN { printf "%d", r * m * 1.2 + 1 }')"
    done
    echo "bench: $label -t $t -P $p: $n requests, $(awk -v n="$n" -v r="$r" 'BEGIN { if (r > 0) printf "%.1f", n / r; else print "?" }') s"
    grep '^"' "$work_dir/one-test.csv" >>"$csv"
  done
}

# record SERVER PIPELINE CSV ORDER: keeps each row of a redis-benchmark CSV under
# "test|pipeline|server" and appends "test|pipeline" to the array named ORDER once. Only the
# quoted lines are CSV: in --cluster mode redis-benchmark first prints the masters it found.
declare -A rps p50 p99
record() {
  local server=$1 p=$2 csv=$3 name r l50 l99 key
  local -n order=$4
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  while IFS=, read -r name r _ _ l50 _ l99 _; do
    name="${name//\"/}"
    [ "$name" = "test" ] && continue
    key="$name|$p"
    rps[$key|$server]="${r//\"/}"
    p50[$key|$server]="${l50//\"/}"
    p99[$key|$server]="${l99//\"/}"
    case " ${order[*]-} " in *" $key "*) ;; *) order+=("$key") ;; esac
  done < <(grep '^"' "$csv")
}

row_order=()
declare -A del_ms
declare -A rss_mb  # resident memory of each server after the large load, and after the DELs
if [ "$single_phase" != 0 ]; then
  free_port redis_port
  free_port kvorum_port
  free_port kvorum_raft_port
  free_port kvorum_admin_port

  mkdir -p "$work_dir/redis" "$work_dir/kvorum-data"
  redis-server --bind $host --port "$redis_port" --save "" --appendonly no --protected-mode no \
    --dir "$work_dir/redis" --logfile "$work_dir/redis/redis.log" --daemonize no &
  redis_pid=$!

  "$kvorum_bin" server --bind $host --port "$kvorum_port" --raft-port "$kvorum_raft_port" \
    --admin-port "$kvorum_admin_port" --data-dir "$work_dir/kvorum-data" \
    --slot-groups "$slot_groups" >"$work_dir/kvorum.log" 2>&1 &
  kvorum_pid=$!

  single_servers="redis kvorum"
  if [ "$durable_redis" != 0 ]; then
    # Redis made as durable as Kvorum: the AOF is fsynced before replies go out. Its data sits on
    # the same disk as Kvorum's (both under $work_dir).
    free_port redis_aof_port
    mkdir -p "$work_dir/redis-aof"
    redis-server --bind $host --port "$redis_aof_port" --save "" --appendonly yes \
      --appendfsync always --protected-mode no --dir "$work_dir/redis-aof" \
      --logfile "$work_dir/redis-aof/redis.log" --daemonize no &
    redis_aof_pid=$!
    single_servers="redis redis-aof kvorum"
  fi

  wait_ready redis-server "$redis_pid" "$redis_port" "$work_dir/redis/redis.log"
  wait_ready kvorum "$kvorum_pid" "$kvorum_port" "$work_dir/kvorum.log"
  echo "bench: redis-server on $host:$redis_port, kvorum on $host:$kvorum_port (data $work_dir/kvorum-data)"
  if [ -n "$redis_aof_pid" ]; then
    wait_ready "redis-server (appendfsync always)" "$redis_aof_pid" "$redis_aof_port" "$work_dir/redis-aof/redis.log"
    echo "bench: redis-server with appendfsync always on $host:$redis_aof_port"
  fi

  warm_up redis "$redis_port" "$tests"
  # Redis has no JIT to warm: one round, so that its AOF already exists when we measure.
  [ -z "$redis_aof_pid" ] || warmup_seconds=0 warm_up redis-aof "$redis_aof_port" "$tests"
  warm_up kvorum "$kvorum_port" "$tests"

  for p in $pipelines; do
    for server in $single_servers; do
      case $server in
        redis) port=$redis_port ;;
        redis-aof) port=$redis_aof_port ;;
        *) port=$kvorum_port ;;
      esac
      echo "bench: $server, -P $p, -t $tests, -n $requests"
      csv="$work_dir/$server-P$p.csv"
      run_benchmark "$port" "$p" "$requests" "$csv" "$tests"
      record "$server" "$p" "$csv" row_order
    done
  done
  # The large phase compares the default redis-server only.
  stop "$redis_aof_pid" 10
  redis_aof_pid=""

  # Large collections: single-member operations on a hash, a sorted set and a list of large_n
  # members each, and how long DEL of each takes. Loaded with redis-cli --pipe, 100 members per
  # command.
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
    # Named as redis-benchmark's __rand_int__ expands (%012d), so the measured commands hit.
    cmd("HSET", "bench:{big}:hash", *[x for i in r for x in ("f%012d" % i, "v%d" % i)])
    cmd("ZADD", "bench:{big}:zset", *[x for i in r for x in (i, "m%012d" % i)])
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
      if [ "$server" = redis ]; then pid=$redis_pid; else pid=$kvorum_pid; fi
      rss_mb[loaded|$server]=$(( $(ps -o rss= -p "$pid") / 1024 ))
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
      rss_mb[deleted|$server]=$(( $(ps -o rss= -p "$pid") / 1024 ))
    done
  fi

  # The cluster phase measures 9 processes on the same cores: these two must not compete.
  stop "$kvorum_pid" 20
  stop "$redis_pid" 10
fi

# Cluster phase: a Redis Cluster of 3 masters with a replica each (asynchronous replication, no
# persistence), then a 3-node Kvorum cluster (every slot group on all 3 nodes, a write
# acknowledged once fsynced on 2), one after the other so neither competes with the other's idle
# heartbeats, each measured by redis-benchmark --cluster, which reads CLUSTER NODES, sends every
# key to the master of its slot and splits the clients over the masters.
cluster_order=()
slots_before="" slots_after="" spread_note=""

# slots_per_master PORT: "host:port=slots ..." for every node in that node's CLUSTER NODES.
slots_per_master() {
  redis-cli -h $host -p "$1" CLUSTER NODES 2>/dev/null | awk '{
      n = 0
      for (i = 9; i <= NF; i++) { k = split($i, r, "-"); n += (k == 2 ? r[2] - r[1] + 1 : 1) }
      split($2, a, "@"); print a[1] "=" n
    }' | sort | tr '\n' ' ' | sed 's/ $//'
}

# leaders_spread SLOTS: every master leads some slots, and the counts differ by at most one slot
# group's worth (the balancer in the meta leader stops there).
leaders_spread() {
  tr ' ' '\n' <<<"$1" | awk -F= -v per_group=$(( (16384 + slot_groups - 1) / slot_groups )) '
    { n++; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 }
    END { exit !(n == 3 && min > 0 && max - min <= per_group) }'
}

if [ "$cluster_phase" != 0 ]; then
  command -v python3 >/dev/null 2>&1 || { echo "bench: python3 not found (tools/cluster.sh needs it)" >&2; exit 1; }
  # --- Redis Cluster ---
  rc_ports=()
  for i in 1 2 3 4 5 6; do
    free_port port
    free_port bus_port
    dir="$work_dir/redis-cluster/$i"
    mkdir -p "$dir"
    redis-server --bind $host --port "$port" --cluster-enabled yes --cluster-port "$bus_port" \
      --cluster-config-file nodes.conf --cluster-node-timeout 5000 --save "" --appendonly no \
      --protected-mode no --dir "$dir" --logfile "$dir/redis.log" --daemonize no &
    redis_cluster_pids+=($!)
    rc_ports+=("$port")
  done
  for i in 0 1 2 3 4 5; do
    wait_ready "redis-server (cluster node $((i + 1)))" "${redis_cluster_pids[$i]}" "${rc_ports[$i]}" \
      "$work_dir/redis-cluster/$((i + 1))/redis.log" ping
  done
  rc_addrs=()
  for port in "${rc_ports[@]}"; do rc_addrs+=("$host:$port"); done
  redis-cli --cluster create "${rc_addrs[@]}" --cluster-replicas 1 --cluster-yes \
    >"$work_dir/redis-cluster/create.log" 2>&1 || {
      echo "bench: redis-cli --cluster create failed:" >&2; cat "$work_dir/redis-cluster/create.log" >&2; exit 1; }
  # Ready: every node sees the cluster ok, and every replica is in sync with its master (so the
  # masters pay for replication while we measure).
  redis_cluster_node_ok() {
    local info
    redis-cli -h $host -p "$1" CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok' || return 1
    info="$(redis-cli -h $host -p "$1" INFO replication 2>/dev/null)"
    grep -q '^role:slave' <<<"$info" || return 0
    grep -q '^master_link_status:up' <<<"$info"
  }
  deadline=$((SECONDS + 60))
  for port in "${rc_ports[@]}"; do
    until redis_cluster_node_ok "$port"; do
      [ $SECONDS -lt $deadline ] || { echo "bench: Redis Cluster node $host:$port not ok or not in sync after 60 s" >&2; exit 1; }
      sleep 0.5
    done
  done
  echo "bench: Redis Cluster on ${rc_addrs[*]} (3 masters + 3 replicas)"
  rc_port="${rc_ports[0]}"

  warm_up redis-cluster "$rc_port" "$cluster_tests" --cluster
  for p in $pipelines; do
    csv="$work_dir/redis-cluster-P$p.csv"
    measure_cluster redis-cluster "$rc_port" "$p" "$csv"
    record redis-cluster "$p" "$csv" cluster_order
  done
  for pid in "${redis_cluster_pids[@]}"; do stop "$pid" 10; done
  redis_cluster_pids=()

  # --- Kvorum cluster: tools/cluster.sh (as `make cluster`) on free ports and fresh data ---
  free_port kc_port 3
  free_port kc_raft_port 3
  free_port kc_admin_port 3
  CLUSTER_SIZE=3 CLUSTER_BIND=$host CLUSTER_BASE_PORT=$kc_port CLUSTER_BASE_RAFT_PORT=$kc_raft_port \
    CLUSTER_BASE_ADMIN_PORT=$kc_admin_port CLUSTER_DATA_DIR="$work_dir/kvorum-cluster" \
    CLUSTER_NODE_FLAGS="--slot-groups $slot_groups ${BENCH_CLUSTER_FLAGS:-}" KVORUM_BIN="$kvorum_bin" \
    tools/cluster.sh >"$work_dir/kvorum-cluster.out" 2>&1 &
  kvorum_cluster_pid=$!
  until grep -q '^cluster: ready' "$work_dir/kvorum-cluster.out"; do
    if ! kill -0 "$kvorum_cluster_pid" 2>/dev/null; then
      echo "bench: the Kvorum cluster did not start:" >&2
      cat "$work_dir/kvorum-cluster.out" >&2
      exit 1
    fi
    sleep 1
  done
  echo "bench: kvorum cluster on $host:$kc_port-$((kc_port + 2)) (data $work_dir/kvorum-cluster)"
  # Healthy is not enough: right after the joins node 1 still leads most groups, and the meta
  # leader moves one leadership at a time. Measure once every node leads its share, and the map
  # has stayed put for a few seconds.
  echo "bench: waiting for the kvorum cluster to spread its group leaders"
  deadline=$((SECONDS + 180))
  previous=""
  while :; do
    slots_before="$(slots_per_master "$kc_port")"
    if leaders_spread "$slots_before" && [ "$slots_before" = "$previous" ]; then break; fi
    if [ $SECONDS -ge $deadline ]; then
      spread_note=" (NOT spread after 180 s)"
      echo "bench: warning: kvorum leaders not spread after 180 s: $slots_before" >&2
      break
    fi
    previous="$slots_before"
    sleep 3
  done
  echo "bench: kvorum slots per master: $slots_before$spread_note"

  warm_up kvorum-cluster "$kc_port" "$cluster_tests" --cluster
  for p in $pipelines; do
    csv="$work_dir/kvorum-cluster-P$p.csv"
    measure_cluster kvorum-cluster "$kc_port" "$p" "$csv"
    record kvorum-cluster "$p" "$csv" cluster_order
  done
  slots_after="$(slots_per_master "$kc_port")"
  stop "$kvorum_cluster_pid" 60
  kvorum_cluster_pid=""
fi

# print_table ORDER LEFT RIGHT [LABEL]: a row per "test|pipeline" of the array named ORDER that
# LEFT measured, LEFT's numbers against RIGHT's and RIGHT/LEFT; LABEL names LEFT's columns.
print_table() {
  local -n order=$1
  local left=$2 right=$3 label=${4:-redis} key name p l_rps r_rps ratio
  printf '%-15s %8s %12s %12s %8s %10s %10s %10s %10s\n' \
    test pipeline "$label ops/s" "kvorum ops/s" ratio "$label p50" "$label p99" "kvorum p50" "kvorum p99"
  for key in "${order[@]}"; do
    name="${key%%|*}"; p="${key##*|}"
    l_rps="${rps[$key|$left]:-n/a}"; r_rps="${rps[$key|$right]:-n/a}"
    [ "$l_rps" != n/a ] || [ "$left" = redis ] || continue
    ratio="n/a"
    if [[ "$l_rps" =~ ^[0-9.]+$ && "$r_rps" =~ ^[0-9.]+$ ]]; then
      ratio="$(awk -v k="$r_rps" -v r="$l_rps" 'BEGIN { if (r > 0) printf "%.3f", k / r; else print "n/a" }')"
    fi
    printf '%-15s %8s %12s %12s %8s %10s %10s %10s %10s\n' "$name" "$p" \
      "$(printf '%.0f' "$l_rps" 2>/dev/null || echo "$l_rps")" \
      "$(printf '%.0f' "$r_rps" 2>/dev/null || echo "$r_rps")" "$ratio" \
      "${p50[$key|$left]:-n/a}" "${p99[$key|$left]:-n/a}" \
      "${p50[$key|$right]:-n/a}" "${p99[$key|$right]:-n/a}"
  done
}

mkdir -p bench-results
result_file="bench-results/bench-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "# Kvorum vs redis-server, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '+dirty')"
  echo "# $(nproc) cores; $(redis-server --version | awk '{print $1, $2, $3}'); $(java -version 2>&1 | head -1); load average at start $load_at_start, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$single_phase" != 0 ]; then
    echo "# kvorum: one node, $slot_groups slot groups, io-threads $(nproc) (the default, one per CPU)"
    echo "# redis-benchmark -c $clients -n $requests -d $data_size -r $keyspace -t $tests -P <pipeline>; latencies in ms; each server warmed up first (unmeasured, >= ${warmup_seconds} s)"
    print_table row_order redis kvorum
    if [ "$durable_redis" != 0 ]; then
      echo "# the same tests against a redis-server with appendonly yes, appendfsync always (every write fsynced before its reply, as Kvorum's are; one warm-up round):"
      print_table row_order redis-aof kvorum redis-aof
    fi
    if [ "$large_n" -gt 0 ]; then
      echo "# big-hash/zset/list: $large_n members each. DEL of each, ms as seen by redis-cli (incl. its ~5 ms start-up):"
      for kind in hash zset list; do
        echo "#   DEL $kind: redis ${del_ms[$kind|redis]} ms, kvorum ${del_ms[$kind|kvorum]} ms"
      done
      echo "# resident memory (RSS) after loading the three: redis ${rss_mb[loaded|redis]} MB, kvorum ${rss_mb[loaded|kvorum]} MB;" \
        "after their DELs: redis ${rss_mb[deleted|redis]} MB, kvorum ${rss_mb[deleted|kvorum]} MB"
      echo "#   (Kvorum keeps members in RocksDB on disk; its RSS is the JVM heap plus RocksDB's block cache and memtables)"
    fi
  fi
  if [ "$cluster_phase" != 0 ]; then
    echo "# cluster: \"redis\" = Redis Cluster, 3 masters + 3 replicas (async replication, no persistence);"
    echo "#   \"kvorum\" = 3 Kvorum nodes (tools/cluster.sh), $slot_groups slot groups, each on all 3 nodes, io-threads $(( $(nproc) / 3 > 0 ? $(nproc) / 3 : 1 )) each (their share of the CPUs)${BENCH_CLUSTER_FLAGS:+, flags: $BENCH_CLUSTER_FLAGS}"
    echo "# kvorum slots per master (the group leaders) before: $slots_before$spread_note; after: $slots_after"
    echo "# redis-benchmark --cluster -c $clients -n <enough for >= ${cluster_min_seconds} s> -d $data_size -r $keyspace -t <each of $cluster_tests> -P <pipeline>; latencies in ms; each server warmed up first (unmeasured, >= ${warmup_seconds} s)"
    print_table cluster_order redis-cluster kvorum-cluster
  fi
} | tee "$result_file"
echo "bench: saved $result_file"
