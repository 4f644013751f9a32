#!/usr/bin/env bash
# Elasticity benchmark (`make bench-elastic`): how long a 5th node takes to receive its share of a
# loaded 4-node Kvorum cluster, how many bytes move, and what client throughput is during the
# move as a fraction of before.
#
#  1. Starts 4 `bin/kvorum server` processes on loopback (free ports, data under a temp dir; node
#     1 starts the cluster, the others --join it) and waits until every group is led, has 3
#     replicas, and replicas and leaders per node are within one of each other.
#  2. Loads incompressible 1000-byte values (tools/bench-elastic.py load: MSET batches of 100
#     keys) until every node holds BENCH_ELASTIC_GB GiB (the sum of its groups' size_on_disk in
#     `kvorum admin status --json`), then lets RocksDB settle.
#  3. Baseline: redis-benchmark --cluster -t set,get -P 1 in back-to-back chunks for
#     BENCH_ELASTIC_BASELINE_SECONDS.
#  4. Starts a 5th node with --join and the same client chunks, and times join -> balanced again
#     (every group 3 replicas and led, replicas and leaders per node within one, the new node at
#     least its share of replicas, no moves left): CLUSTER SLOTS every second (cheap), confirmed
#     by `kvorum admin status --json` (a JVM per call, so not every second while measuring).
#  5. Verifies: a sample of loaded batches reads back byte for byte, and SCAN over the leaders
#     finds exactly the keys loaded.
#  6. Prints a table and saves it as bench-results/bench-elastic-<timestamp>.txt.
# Every process it started is stopped and the temp dir deleted on exit (also Ctrl-C, failures).
#
# Knobs (environment):
#   BENCH_ELASTIC_GB          GiB on disk per node before the 5th joins (default 1; e.g. 0.05)
#   BENCH_ELASTIC_CLIENTS     redis-benchmark connections of the client load (default 50)
#   BENCH_ELASTIC_BASE_PORT   RESP port of node 1, node N on base+N-1; Raft ports base+10000..,
#                             admin ports base+1000.. (default: free ports picked at random)
#   BENCH_ELASTIC_BASELINE_SECONDS  baseline measuring time (default 20)
#   BENCH_ELASTIC_CHUNK_N     requests per test per redis-benchmark chunk (default 20000)
#   BENCH_ELASTIC_DATA_SIZE   value size of the client load, bytes (default 100)
#   BENCH_ELASTIC_KEYSPACE    redis-benchmark -r of the client load (default 100000)
#   BENCH_ELASTIC_VALUE_SIZE  value size of the loaded data, bytes (default 1000)
#   BENCH_ELASTIC_LOAD_THREADS  loader connections (default 16)
#   BENCH_ELASTIC_SETTLE      seconds to let flushes and compactions run after the load (default 20)
#   BENCH_ELASTIC_MOVE_TIMEOUT  give up waiting for balance after this many seconds (default 3600)
#   BENCH_ELASTIC_SAMPLE      loaded batches (of 100 keys) read back by the check (default 200)
#   BENCH_ELASTIC_SLOT_GROUPS slot groups (default 16)
#   BENCH_ELASTIC_MAX_MOVES   the nodes' --max-moves, concurrent replica moves (default: the
#                             node's default, 4)
#   BENCH_ELASTIC_MOVE_RATE   the nodes' --move-bytes-per-sec, e.g. 64mb, or 0 for no cap
#                             (default: the node's default, 32 MiB/s per sending node)
#   KVORUM_JAVA_OPTS          JVM flags of every node
#   KVORUM_BIN                launcher (default bin/kvorum)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

gb="${BENCH_ELASTIC_GB:-1}"
clients="${BENCH_ELASTIC_CLIENTS:-50}"
base_port="${BENCH_ELASTIC_BASE_PORT:-}"
baseline_seconds="${BENCH_ELASTIC_BASELINE_SECONDS:-20}"
chunk_n="${BENCH_ELASTIC_CHUNK_N:-20000}"
data_size="${BENCH_ELASTIC_DATA_SIZE:-100}"
keyspace="${BENCH_ELASTIC_KEYSPACE:-100000}"
value_size="${BENCH_ELASTIC_VALUE_SIZE:-1000}"
load_threads="${BENCH_ELASTIC_LOAD_THREADS:-16}"
settle="${BENCH_ELASTIC_SETTLE:-20}"
move_timeout="${BENCH_ELASTIC_MOVE_TIMEOUT:-3600}"
sample="${BENCH_ELASTIC_SAMPLE:-200}"
slot_groups="${BENCH_ELASTIC_SLOT_GROUPS:-16}"
max_moves="${BENCH_ELASTIC_MAX_MOVES:-}"
move_rate="${BENCH_ELASTIC_MOVE_RATE:-}"
kvorum_bin="${KVORUM_BIN:-bin/kvorum}"
batch_keys=100
host=127.0.0.1
nodes=5
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"

fail() { echo "bench-elastic: $*" >&2; exit 1; }
say() { echo "bench-elastic: $*"; }

[[ "$gb" =~ ^[0-9]*\.?[0-9]+$ ]] || fail "BENCH_ELASTIC_GB must be a positive number, got '$gb'"
for v in clients baseline_seconds chunk_n data_size keyspace value_size load_threads settle \
  move_timeout sample slot_groups; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || fail "$v must be a whole number, got '${!v}'"
done
[ -z "$max_moves" ] || [[ "$max_moves" =~ ^[0-9]+$ ]] || fail "BENCH_ELASTIC_MAX_MOVES must be a number"
for tool in redis-cli redis-benchmark python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool not found; run 'make deps'"
done
[ -n "${KVORUM_BIN:-}" ] || [ -f server/target/kvorum.jar ] || fail "server/target/kvorum.jar missing; run 'make build'"
client_py=(python3 "$root/tools/bench-elastic.py")

work_dir="$(mktemp -d -t kvorum-bench-elastic.XXXXXX)"
declare -a pids ports raft_ports admin_ports
client_loop_pid=""

# stop PID SECONDS: SIGTERM, and SIGKILL if it is still there SECONDS later.
stop() {
  local pid=$1 seconds=$2
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((seconds * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  if [ -n "$client_loop_pid" ]; then
    touch "$work_dir/stop-clients"
    stop "$client_loop_pid" 30
  fi
  # All nodes get SIGTERM at once (a clean Raft and RocksDB shutdown), then each is waited for.
  for i in $(seq 1 $nodes); do
    [ -n "${pids[$i]:-}" ] && kill -TERM "${pids[$i]}" 2>/dev/null || true
  done
  for i in $(seq 1 $nodes); do stop "${pids[$i]:-}" 30; done
  wait 2>/dev/null || true
  if [ "$status" != 0 ] && [ -n "${KEEP_LOGS:-}" ]; then
    mkdir -p bench-results && cp "$work_dir"/n*.log bench-results/ 2>/dev/null || true
  fi
  rm -rf "$work_dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# port_free PORT: nothing listens there.
port_free() { ! (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null; }

# Ports: node i has RESP base+i-1, Raft base+10000+i-1, admin base+1000+i-1 (as tools/cluster.sh).
ports_free() {
  local b=$1 i
  for i in $(seq 0 $((nodes - 1))); do
    port_free $((b + i)) && port_free $((b + 10000 + i)) && port_free $((b + 1000 + i)) || return 1
  done
}
if [ -n "$base_port" ]; then
  [[ "$base_port" =~ ^[0-9]+$ ]] && [ "$base_port" -ge 1024 ] && [ $((base_port + 10000 + nodes)) -le 65535 ] ||
    fail "BENCH_ELASTIC_BASE_PORT must leave room for base+10000+$nodes below 65536"
  ports_free "$base_port" || fail "a port of base $base_port (+1000, +10000, $nodes nodes) is in use"
else
  # Every port below Linux's ephemeral range (32768-60999): the 5th node starts minutes after
  # this check, and by then a client connection may have taken a free ephemeral port as its own.
  for _ in $(seq 1 100); do
    base_port=$((20000 + RANDOM % (32768 - 10000 - nodes - 20000)))
    ports_free "$base_port" && break
    base_port=""
  done
  [ -n "$base_port" ] || fail "no free port range found"
fi
for i in $(seq 1 $nodes); do
  ports[$i]=$((base_port + i - 1))
  raft_ports[$i]=$((base_port + 10000 + i - 1))
  admin_ports[$i]=$((base_port + 1000 + i - 1))
done

start_node() {
  local i=$1 args
  args=(server --bind $host --port "${ports[$i]}" --raft-port "${raft_ports[$i]}"
    --admin-port "${admin_ports[$i]}" --data-dir "$work_dir/n$i" --slot-groups "$slot_groups")
  [ -z "$max_moves" ] || args+=(--max-moves "$max_moves")
  [ -z "$move_rate" ] || args+=(--move-bytes-per-sec "$move_rate")
  [ "$i" -eq 1 ] || args+=(--join "$host:${admin_ports[1]}")
  "$kvorum_bin" "${args[@]}" >"$work_dir/n$i.log" 2>&1 &
  pids[$i]=$!
}

check_alive() {
  local i
  for i in $(seq 1 $nodes); do
    if [ -n "${pids[$i]:-}" ] && ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "bench-elastic: node $i exited; last lines of its log:" >&2
      tail -n 40 "$work_dir/n$i.log" >&2 || true
      exit 1
    fi
  done
}

# status_json: `kvorum admin status --json` from node 1 (any member answers for the cluster).
status_json() {
  "$kvorum_bin" admin --address "$host:${admin_ports[1]}" status --json 2>"$work_dir/status.err"
}

# wait_balanced NODES [NEW_ID] TIMEOUT: until CLUSTER SLOTS and then status --json both say
# balanced, twice in a row 2 s apart (a snapshot between two moves could look balanced).
# Sets balanced_at (SECONDS when first seen balanced by CLUSTER SLOTS of that confirmed run).
wait_balanced() {
  local want=$1 new_id=$2 timeout=$3 new_port="" deadline problem first
  deadline=$((SECONDS + timeout))
  [ -z "$new_id" ] || new_port="${ports[$want]}"
  problem="not checked yet"
  while [ $SECONDS -lt $deadline ]; do
    check_alive
    problem="$("${client_py[@]}" slots "$host:${ports[1]}" "$want" $new_port --groups "$slot_groups" ||
      echo "CLUSTER SLOTS check failed")"
    if [ -z "$problem" ]; then
      first=$SECONDS
      problem="$(status_json | "${client_py[@]}" status "$want" $new_id || echo "status check failed")"
      if [ -z "$problem" ]; then
        sleep 2
        problem="$(status_json | "${client_py[@]}" status "$want" $new_id || echo "status check failed")"
        if [ -z "$problem" ]; then balanced_at=$first; return 0; fi
      fi
    fi
    if [ "$problem" != "${last_problem:-}" ]; then
      say "  $((SECONDS - wait_started))s: $problem"
      last_problem="$problem"
    fi
    sleep 1
  done
  fail "not balanced after $timeout s: $problem (node logs in $work_dir; KEEP_LOGS=1 keeps them)"
}

# client_loop DIR STOP_FILE SECONDS: redis-benchmark --cluster chunks (-t set,get) back to back
# until STOP_FILE exists or SECONDS passed (0: no limit). A chunk's CSV is DIR/chunk-N.csv; a
# chunk that fails is listed in DIR/errors. redis-benchmark 7.0 gives up on a chunk when a slot
# moves to a master it did not know at its start ("could not find node with ID"), as happens once
# the new node leads a group; the next chunk starts from the new CLUSTER NODES.
client_loop() {
  local dir=$1 stop_file=$2 seconds=$3 n=0 start=$SECONDS port start_ns
  mkdir -p "$dir"
  : >"$dir/errors"
  start_ns=$(date +%s%N)
  while [ ! -e "$stop_file" ]; do
    if [ "$seconds" -gt 0 ] && [ $((SECONDS - start)) -ge "$seconds" ]; then break; fi
    n=$((n + 1))
    port="${ports[1]}"
    if ! redis-benchmark --cluster -h $host -p "$port" -c "$clients" -n "$chunk_n" -d "$data_size" \
      -r "$keyspace" -t set,get -P 1 --csv >"$dir/chunk-$n.csv" 2>"$dir/chunk-$n.err"; then
      echo "chunk $n: $(grep -v '^"' "$dir/chunk-$n.csv" "$dir/chunk-$n.err" 2>/dev/null | cut -d: -f2- | grep . | tail -n 1)" >>"$dir/errors"
      rm -f "$dir/chunk-$n.csv"
      sleep 0.5
    fi
  done
  echo $(( ($(date +%s%N) - start_ns) / 1000000 )) >"$dir/wall-ms"
}

# wall_rate DIR: SET+GET requests of DIR's completed chunks per second of the whole loop, failed
# chunks and redis-benchmark start-ups included (a lower bound, comparable between phases).
wall_rate() {
  local dir=$1 ok
  ok=$(cat "$dir"/chunk-*.csv 2>/dev/null | grep -c '^"SET",' || true)
  awk -v ok="$ok" -v n="$chunk_n" -v ms="$(cat "$dir/wall-ms")" 'BEGIN { if (ms > 0) printf "%.0f", ok * 2 * n * 1000 / ms; else print "n/a" }'
}

# summarize DIR TEST: "ops/s p50 p99 worst_p99 chunks" over DIR's chunks: ops/s = requests /
# time spent in TEST; p50/p99 are the medians of the chunks' own, worst_p99 the largest.
summarize() {
  local dir=$1 t=$2
  cat "$dir"/chunk-*.csv 2>/dev/null | grep "^\"$t\"," | tr -d '"' | awk -F, -v n="$chunk_n" '
    function median(a, k,   i, j, x) {
      for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    { k++; secs += n / $2; p50[k] = $5; p99[k] = $7; if ($7 > worst) worst = $7 }
    END {
      if (k == 0) { print "n/a n/a n/a n/a 0"; exit }
      printf "%.0f %.3f %.3f %.3f %d\n", k * n / secs, median(p50, k), median(p99, k), worst, k
    }'
}

mib() { awk -v b="$1" 'BEGIN { printf "%.0f MiB", b / 1048576 }'; }

# ------------------------------------------------------------------------------------------
say "4 nodes on $host:${ports[1]}-${ports[4]} (admin ${admin_ports[1]}-, raft ${raft_ports[1]}-), data in $work_dir"
start_node 1
deadline=$((SECONDS + 120))
until [ "$(redis-cli -h $host -p "${ports[1]}" PING 2>/dev/null)" = "PONG" ]; do
  check_alive
  [ $SECONDS -lt $deadline ] || fail "node 1 does not answer PING after 120 s"
  sleep 0.5
done
for i in 2 3 4; do start_node "$i"; done
say "waiting for 4 nodes balanced"
wait_started=$SECONDS
wait_balanced 4 "" 600
say "4 nodes balanced after $((SECONDS - wait_started)) s"

# ---- load -----------------------------------------------------------------------------------
target_bytes="$(awk -v g="$gb" 'BEGIN { printf "%.0f", g * 1073741824 }')"
# node_bytes STAT: "min max" of the nodes' bytes (sizes: id resp bytes replicas leaders).
node_bytes() { "${client_py[@]}" sizes <<<"$1" | awk '
  NR == 1 || $3 < min { min = $3 } $3 > max { max = $3 } END { print min + 0, max + 0 }'; }
batches=0
load_seconds=0
load_bytes=0
for round in 1 2 3 4 5 6; do
  read -r min_bytes _ < <(node_bytes "$(status_json)")
  [ "$min_bytes" -lt $((target_bytes * 95 / 100)) ] || break
  # Every node holds RF/nodes of the data: 4 nodes x target = 3 x unique bytes. Per key about
  # value + 50 bytes on disk; the first round aims at 90%, later rounds make up the rest.
  missing=$(( (target_bytes - min_bytes) * 4 / 3 ))
  [ "$round" -gt 1 ] || missing=$((missing * 9 / 10))
  more=$(( missing / ((value_size + 50) * batch_keys) + 1 ))
  say "load round $round: $more batches of $batch_keys x $value_size-byte values (nodes hold >= $min_bytes of $target_bytes bytes)"
  out="$("${client_py[@]}" load "$host:${ports[1]}" "$batches" "$more" --keys $batch_keys \
    --value-size "$value_size" --threads "$load_threads")" || fail "load failed"
  batches=$((batches + more))
  load_seconds="$(awk -v a="$load_seconds" -v b="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$out")" 'BEGIN { print a + b }')"
  load_bytes=$((load_bytes + more * batch_keys * value_size))
  sleep 3 # memtables count in size_on_disk; give the leaders' stats a moment
done
loaded_keys=$((batches * batch_keys))
load_rate="$(awk -v b="$load_bytes" -v s="$load_seconds" 'BEGIN { printf "%.1f MiB/s", b / 1048576 / s }')"
say "loaded $loaded_keys keys, $((load_bytes / 1048576)) MiB of values in $load_seconds s ($load_rate)"
say "settling $settle s (flushes, compactions)"
sleep "$settle"
before_status="$(status_json)"
read -r before_min before_max < <(node_bytes "$before_status")
before_du="$(du -sb "$work_dir/n1" | cut -f1)"

# ---- baseline ---------------------------------------------------------------------------------
say "warm-up chunk (not measured)"
client_loop "$work_dir/warmup" "$work_dir/never" 1
# Chunks short enough to end near the move's end (about 4 s each at the warm-up's rates), unless
# BENCH_ELASTIC_CHUNK_N fixes them.
if [ -z "${BENCH_ELASTIC_CHUNK_N:-}" ]; then
  read -r w_set _ < <(summarize "$work_dir/warmup" SET)
  read -r w_get _ < <(summarize "$work_dir/warmup" GET)
  if [[ "$w_set" =~ ^[0-9]+$ && "$w_get" =~ ^[0-9]+$ ]] && [ "$w_set" -gt 0 ] && [ "$w_get" -gt 0 ]; then
    chunk_n=$(awk -v s="$w_set" -v g="$w_get" 'BEGIN { n = 4 / (1 / s + 1 / g); printf "%d", (n < 1000 ? 1000 : n) }')
  fi
fi
say "baseline: client load for $baseline_seconds s (-c $clients -P 1 -t set,get, chunks of $chunk_n)"
client_loop "$work_dir/baseline" "$work_dir/never" "$baseline_seconds"

# ---- 5th node -----------------------------------------------------------------------------------
say "starting node 5 (--join) and the same client load"
client_loop "$work_dir/move" "$work_dir/stop-clients" 0 &
client_loop_pid=$!
join_at=$SECONDS
join_ns=$(date +%s%N)
start_node 5
new_id=""
deadline=$((SECONDS + 300))
# CLUSTER NODES lists every node of the cluster map (slots or not): cheap to poll while measuring.
while [ -z "$new_id" ]; do
  check_alive
  [ $SECONDS -lt $deadline ] || fail "node 5 not in the cluster map after 300 s"
  sleep 0.5
  new_id="$(redis-cli -h $host -p "${ports[1]}" CLUSTER NODES 2>/dev/null |
    awk -v a="$host:${ports[5]}@" 'index($2, a) == 1 { print $1 }' || true)"
done
member_after=$((SECONDS - join_at))
say "node 5 is $new_id (in the map after ~$member_after s); waiting for balance"
wait_started=$join_at
last_problem=""
wait_balanced 5 "$new_id" "$move_timeout"
move_seconds=$((balanced_at - join_at))
balanced_ns=$(date +%s%N)
touch "$work_dir/stop-clients"
wait "$client_loop_pid" || true
client_loop_pid=""
say "balanced $move_seconds s after the join"
after_status="$(status_json)"

# ---- check ----------------------------------------------------------------------------------
say "verifying: $sample sampled batches read back, and every loaded key counted"
verify="$("${client_py[@]}" verify "$host:${ports[1]}" "$batches" --keys $batch_keys \
  --value-size "$value_size" --sample "$sample")" || fail "verification failed"
verify_line="$(python3 -c '
import json, sys
v = json.loads(sys.argv[1])
print("%d keys of %d sampled batches read back byte for byte; %d of %d loaded keys found" % (
    v["sampled_keys"], v["sampled_batches"], v["found_keys"], v["expected_keys"]))' "$verify")"

# ---- report ---------------------------------------------------------------------------------
new_bytes="$("${client_py[@]}" sizes <<<"$after_status" | awk -v id="$new_id" '$1 == id { print $3 }')"
new_du="$(du -sb "$work_dir/n5" | cut -f1)"
read -r b_set b_set50 b_set99 b_setw b_setk < <(summarize "$work_dir/baseline" SET)
read -r b_get b_get50 b_get99 b_getw b_getk < <(summarize "$work_dir/baseline" GET)
read -r m_set m_set50 m_set99 m_setw m_setk < <(summarize "$work_dir/move" SET)
read -r m_get m_get50 m_get99 m_getw m_getk < <(summarize "$work_dir/move" GET)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
b_wall="$(wall_rate "$work_dir/baseline")"
m_wall="$(wall_rate "$work_dir/move")"
move_errors=$(wc -l <"$work_dir/move/errors")
base_errors=$(wc -l <"$work_dir/baseline/errors")

mkdir -p bench-results
result_file="bench-results/bench-elastic-$(date +%Y%m%d-%H%M%S).txt"
{
  echo "# Kvorum elasticity: a 5th node joins 4 loaded nodes, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '+dirty')"
  echo "# $(nproc) cores; $(redis-server --version 2>/dev/null | awk '{print $1, $2, $3}'); $(java -version 2>&1 | head -1); load average at start $load_at_start, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $slot_groups slot groups, RF 3, --max-moves ${max_moves:-default (4)}, --move-bytes-per-sec ${move_rate:-default (32mb)}; all 5 nodes and the clients on this machine"
  echo "# load: $loaded_keys keys x $value_size random bytes (MSET of $batch_keys) in ${load_seconds} s: $load_rate"
  echo "# per node before the join: $(mib "$before_min")-$(mib "$before_max") on disk (target $gb GiB; sum of its groups' size_on_disk); node 1's data dir $(mib "$before_du") incl. Raft logs"
  echo "# client load: redis-benchmark --cluster -c $clients -P 1 -d $data_size -r $keyspace -t set,get, chunks of -n $chunk_n;"
  echo "#   ops/s = requests / time in that test; p50/p99 = median of the chunks' own (ms), worst = largest chunk p99"
  printf '%-28s %s\n' "join -> balanced" "$move_seconds s (node in the map after $member_after s; balance confirmed $(( (balanced_ns - join_ns) / 1000000000 )) s after the join)"
  printf '%-28s %s\n' "bytes moved to node 5" "$(mib "${new_bytes:-0}") (its groups' size_on_disk; data dir $(mib "$new_du") incl. Raft log)"
  printf '%-28s %s\n' "move rate" "$(awk -v b="${new_bytes:-0}" -v s="$move_seconds" 'BEGIN { if (s > 0) printf "%.1f MiB/s", b / 1048576 / s; else print "n/a" }')"
  printf '%-28s %s\n' "after: per node" "$("${client_py[@]}" sizes <<<"$after_status" | awk '{ printf "%s%d/%d/%.0fMiB", sep, $4, $5, $3 / 1048576; sep = "  " }') (replicas/leaders/size)"
  printf '%-28s %s\n' "check" "$verify_line"
  echo
  printf '%-6s %14s %14s %9s %18s %18s %14s\n' test "before ops/s" "during ops/s" fraction "before p50/p99" "during p50/p99" "during worst"
  printf '%-6s %14s %14s %9s %18s %18s %14s\n' SET "$b_set" "$m_set" "$(ratio "$m_set" "$b_set")" "$b_set50/$b_set99" "$m_set50/$m_set99" "$m_setw"
  printf '%-6s %14s %14s %9s %18s %18s %14s\n' GET "$b_get" "$m_get" "$(ratio "$m_get" "$b_get")" "$b_get50/$b_get99" "$m_get50/$m_get99" "$m_getw"
  printf '%-6s %14s %14s %9s\n' "both*" "$b_wall" "$m_wall" "$(ratio "$m_wall" "$b_wall")"
  echo "# both*: SET+GET requests of completed chunks per wall-clock second of the phase (failed chunks and redis-benchmark start-ups count as time)"
  echo "# chunks: baseline $b_setk ok, $base_errors failed; during the move $m_setk ok, $move_errors failed (redis-benchmark exited with an error; not counted above)"
  cat "$work_dir/baseline/errors" "$work_dir/move/errors" | sed 's/^/#   /' | head -n 10
} | tee "$result_file"
say "saved $result_file"
