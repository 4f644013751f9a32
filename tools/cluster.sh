#!/usr/bin/env bash
# A local Kvorum cluster in one command (`make cluster`): the README's three `bin/kvorum server`
# processes, node 1 starting the cluster and the others joining it with --join. Runs in the
# foreground: waits until every node routes all 16384 slots to a running leader with 3 replicas
# each, prints how to connect, and stops every node on Ctrl-C or SIGTERM. Running it again on
# the same data directories restarts the same cluster (same commands; each node finds its
# identity and the cluster map in its data dir).
#
# A node that dies (or that you kill to watch a failover) is reported and the others keep
# running; the script ends when none is left.
#
# Knobs (environment):
#   CLUSTER_SIZE             nodes (default 3)
#   CLUSTER_BASE_PORT        RESP port of node 1; node N listens on base+N-1 (default 6379)
#   CLUSTER_BASE_RAFT_PORT   Raft port of node 1   (default CLUSTER_BASE_PORT + 10000)
#   CLUSTER_BASE_ADMIN_PORT  admin port of node 1  (default CLUSTER_BASE_PORT + 1000)
#                            e.g. CLUSTER_BASE_PORT=6390 runs beside a default single node
#   CLUSTER_BIND             address of every port (default 127.0.0.1)
#   CLUSTER_DATA_DIR         node N's data dir is DIR/nN, its log DIR/nN.log (default ./data/cluster)
#   CLUSTER_NODE_FLAGS       extra flags for every node, e.g. "--slot-groups 4"
#   CLUSTER_IO_THREADS       RESP event loops per node (default: this machine's CPUs divided
#                            among the nodes, at least 1; --io-threads in CLUSTER_NODE_FLAGS wins)
#   CLUSTER_STARTUP_SECONDS  how long the cluster may take to become healthy (default 180)
#   KVORUM_JAVA_OPTS         JVM flags of every node
#   KVORUM_BIN               launcher to start the nodes with (default bin/kvorum)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

size="${CLUSTER_SIZE:-3}"
base_port="${CLUSTER_BASE_PORT:-6379}"
base_raft_port="${CLUSTER_BASE_RAFT_PORT:-$((base_port + 10000))}"
base_admin_port="${CLUSTER_BASE_ADMIN_PORT:-$((base_port + 1000))}"
host="${CLUSTER_BIND:-127.0.0.1}"
data_dir="${CLUSTER_DATA_DIR:-data/cluster}"
startup_seconds="${CLUSTER_STARTUP_SECONDS:-180}"
read -r -a node_flags <<<"${CLUSTER_NODE_FLAGS:-}"
kvorum_bin="${KVORUM_BIN:-bin/kvorum}"

fail() { echo "cluster: $*" >&2; exit 1; }

[[ "$size" =~ ^[1-9][0-9]*$ ]] || fail "CLUSTER_SIZE must be a positive number, got '$size'"
# The nodes share this machine's CPUs: each gets its share of event loops, not one per CPU (with
# 3 nodes on 2 vCPUs, one loop each served ~23% more GET/s than four each).
io_threads="${CLUSTER_IO_THREADS:-$(( $(nproc) / size ))}"
[ "$io_threads" -ge 1 ] 2>/dev/null || io_threads=1
for p in "$base_port" "$base_raft_port" "$base_admin_port"; do
  [[ "$p" =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ $((p + size - 1)) -le 65535 ] ||
    fail "port $p (+$((size - 1))) is not a valid port range"
done
for tool in redis-cli python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool not found; run 'make deps'"
done
[ -n "${KVORUM_BIN:-}" ] || [ -f server/target/kvorum.jar ] ||
  fail "server/target/kvorum.jar missing; run 'make build'"

declare -a ports raft_ports admin_ports dirs logs pids
for i in $(seq 1 "$size"); do
  ports[$i]=$((base_port + i - 1))
  raft_ports[$i]=$((base_raft_port + i - 1))
  admin_ports[$i]=$((base_admin_port + i - 1))
  dirs[$i]="$data_dir/n$i"
  logs[$i]="$data_dir/n$i.log"
  pids[$i]=""
done

# Every node goes away on any exit of this script: SIGTERM first (a clean Raft and RocksDB
# shutdown), SIGKILL for one still there after 30 s.
cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  local any=""
  for i in $(seq 1 "$size"); do
    if [ -n "${pids[$i]}" ] && kill -0 "${pids[$i]}" 2>/dev/null; then
      kill -TERM "${pids[$i]}" 2>/dev/null || true
      any=yes
    fi
  done
  if [ -n "$any" ]; then
    echo "cluster: stopping the nodes"
    for _ in $(seq 1 150); do
      any=""
      for i in $(seq 1 "$size"); do
        if [ -n "${pids[$i]}" ] && kill -0 "${pids[$i]}" 2>/dev/null; then any=yes; fi
      done
      [ -n "$any" ] || break
      sleep 0.2
    done
    for i in $(seq 1 "$size"); do
      if [ -n "${pids[$i]}" ] && kill -0 "${pids[$i]}" 2>/dev/null; then
        echo "cluster: n$i did not stop within 30 s of SIGTERM; killing it" >&2
        kill -KILL "${pids[$i]}" 2>/dev/null || true
      fi
    done
  fi
  wait 2>/dev/null || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Another process on one of our ports would make a node fail late and obscurely; say it now.
for i in $(seq 1 "$size"); do
  for p in "${ports[$i]}" "${raft_ports[$i]}" "${admin_ports[$i]}"; do
    if (exec 3<>"/dev/tcp/$host/$p") 2>/dev/null; then
      fail "port $p on $host is in use (another node or Redis?); move the cluster with CLUSTER_BASE_PORT"
    fi
  done
done

mkdir -p "$data_dir"
# A fresh cluster needs node 1 up before the others can join it; on a restart every node must
# come up together, because none of them can elect a leader alone.
restart=""
[ -f "${dirs[1]}/node.properties" ] && restart=yes

start_node() {
  local i=$1 args
  args=(server --bind "$host" --port "${ports[$i]}" --raft-port "${raft_ports[$i]}"
    --admin-port "${admin_ports[$i]}" --data-dir "${dirs[$i]}")
  if [ "$i" -gt 1 ]; then args+=(--join "$host:${admin_ports[1]}"); fi
  [[ " ${node_flags[*]-} " == *" --io-threads"* ]] || args+=(--io-threads "$io_threads")
  args+=(${node_flags[@]+"${node_flags[@]}"})
  echo "--- $(date -u +%Y-%m-%dT%H:%M:%SZ) $kvorum_bin ${args[*]}" >>"${logs[$i]}"
  "$kvorum_bin" "${args[@]}" >>"${logs[$i]}" 2>&1 &
  pids[$i]=$!
  echo "cluster: n$i: $kvorum_bin ${args[*]}"
}

# check_alive: fails, with its log tail, if a node has exited.
check_alive() {
  local i
  for i in $(seq 1 "$size"); do
    if [ -n "${pids[$i]}" ] && ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "cluster: n$i exited during startup; last lines of ${logs[$i]}:" >&2
      tail -n 40 "${logs[$i]}" >&2 || true
      exit 1
    fi
  done
}

read -r -d '' health_check <<'PY' || true
import json, sys
node, running = sys.argv[1], set(sys.argv[2].split())
want = min(3, len(running))
text = sys.stdin.read()
try:
    ranges = json.loads(text)
except ValueError:
    print(f"{node}: CLUSTER SLOTS answered {text.strip()!r}")
    sys.exit(1)
covered = 0
for r in ranges:
    covered += r[1] - r[0] + 1
    if str(r[2][1]) not in running:
        print(f"{node} routes slots {r[0]}-{r[1]} to port {r[2][1]}, which is not running")
        sys.exit(1)
    if len(r) - 2 != want:
        print(f"{node} lists {len(r) - 2} replicas for slots {r[0]}-{r[1]}, want {want}")
        sys.exit(1)
if covered != 16384:
    print(f"{node} covers {covered} of 16384 slots")
    sys.exit(1)
PY

# cluster_problem: prints why the cluster is not healthy yet, nothing once it is: every running
# node answers CLUSTER SLOTS covering all 16384 slots, each range led by a running node and
# listing min(3, running nodes) replicas (it-tests' ProcessCluster checks the same).
cluster_problem() {
  local i running=() reply
  for i in $(seq 1 "$size"); do
    if [ -n "${pids[$i]}" ] && kill -0 "${pids[$i]}" 2>/dev/null; then running+=("${ports[$i]}"); fi
  done
  [ "${#running[@]}" -gt 0 ] || { echo "no node is running"; return 0; }
  for i in $(seq 1 "$size"); do
    case " ${running[*]} " in *" ${ports[$i]} "*) ;; *) continue ;; esac
    reply="$(redis-cli -h "$host" -p "${ports[$i]}" --json CLUSTER SLOTS 2>&1)" || true
    python3 -c "$health_check" "n$i" "${running[*]}" <<<"$reply" && continue
    return 0
  done
  return 0
}

if [ -n "$restart" ]; then
  echo "cluster: restarting the cluster in $data_dir"
  for i in $(seq 1 "$size"); do start_node "$i"; done
else
  echo "cluster: creating a new cluster in $data_dir"
  start_node 1
  deadline=$((SECONDS + startup_seconds))
  until [ "$(redis-cli -h "$host" -p "${ports[1]}" PING 2>/dev/null)" = "PONG" ]; do
    check_alive
    [ $SECONDS -lt $deadline ] || fail "n1 does not answer PING after $startup_seconds s; see ${logs[1]}"
    sleep 0.5
  done
  for i in $(seq 2 "$size"); do start_node "$i"; done
fi

deadline=$((SECONDS + startup_seconds))
problem="not checked yet"
while [ $SECONDS -lt $deadline ]; do
  check_alive
  problem="$(cluster_problem)"
  [ -n "$problem" ] || break
  sleep 1
done
[ -z "$problem" ] || fail "not healthy after $startup_seconds s: $problem (logs: $data_dir/n*.log)"

nodes_list=""
for i in $(seq 1 "$size"); do nodes_list+=" $host:${ports[$i]}"; done
echo "cluster: ready: $size nodes:$nodes_list (data and logs in $data_dir)"
echo "cluster: try   redis-cli -c -p ${ports[1]}"
echo "cluster:       redis-cli -p ${ports[1]} CLUSTER NODES"
echo "cluster: Ctrl-C stops all nodes; running this again restarts the same cluster"

# Foreground until Ctrl-C/SIGTERM (the traps above) or until every node has exited. Sleeping in
# the background and waiting for it keeps the traps responsive.
declare -a reported
while :; do
  alive=0
  for i in $(seq 1 "$size"); do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      alive=$((alive + 1))
    elif [ -z "${reported[$i]:-}" ]; then
      reported[$i]=yes
      status=0; wait "${pids[$i]}" 2>/dev/null || status=$?
      echo "cluster: n$i (pid ${pids[$i]}, port ${ports[$i]}) exited with status $status; see ${logs[$i]}" >&2
    fi
  done
  [ "$alive" -gt 0 ] || fail "every node has exited"
  sleep 1 &
  wait $! || true
done
