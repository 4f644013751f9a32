#!/usr/bin/env python3
"""Client side of tools/bench-elastic.sh: loads incompressible data into a Kvorum cluster, checks
it back, and judges cluster balance from CLUSTER SLOTS and `kvorum admin status --json`.

Standard library only (python3 is already needed by tools/cluster.sh and tools/bench.sh).

Subcommands:
  load HOST:PORT FIRST BATCHES   MSET batches FIRST..FIRST+BATCHES-1; prints one JSON line
  verify HOST:PORT BATCHES       reads back a sample of batches and counts every loaded key
  slots HOST:PORT NODES [NEWPORT] prints why CLUSTER SLOTS is not balanced yet (nothing if it is)
  status NODES [NEWID]           same from status --json on stdin, moves included
  sizes                          per node from status --json on stdin: id resp bytes replicas leaders

Why not redis-benchmark for the load: its -d value is one random buffer repeated for every key,
which RocksDB's LZ4 compresses to a fraction, so "1 GiB on disk" would take many GiB of writes.
Here every value is random bytes from random.Random(batch), so it stays its size on disk and
verify can regenerate it. A batch is one MSET of KEYS keys sharing the hash tag {batch}, so it
is one slot (no CROSSSLOT) and one Raft entry; consecutive batches spread over all slots.
"""
import argparse
import json
import random
import socket
import sys
import threading
import time

KEY_PREFIX = "elastic"
SLOTS = 16384


def _crc16_table():
    table = []
    for i in range(256):
        crc = i << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return table


CRC16 = _crc16_table()


def key_slot(key: bytes) -> int:
    """Redis Cluster's slot of a key (CRC16/XMODEM of the hash tag, if any, mod 16384)."""
    start = key.find(b"{")
    if start >= 0:
        end = key.find(b"}", start + 1)
        if end > start + 1:
            key = key[start + 1:end]
    crc = 0
    for b in key:
        crc = ((crc << 8) & 0xFFFF) ^ CRC16[((crc >> 8) ^ b) & 0xFF]
    return crc % SLOTS


class ReplyError(Exception):
    """An error reply (-MOVED, -TRYAGAIN, ...)."""


class Conn:
    """One RESP2 connection: send a command, read its reply."""

    def __init__(self, host, port, timeout=60.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def close(self):
        try:
            self.reader.close()
            self.sock.close()
        except OSError:
            pass

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n" % len(a))
            out.append(a)
            out.append(b"\r\n")
        self.sock.sendall(b"".join(out))
        return self._read()

    def _read(self):
        line = self.reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise ReplyError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.reader.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise ConnectionError("unexpected reply %r" % line)


def parse_addr(addr):
    host, port = addr.rsplit(":", 1)
    return host, int(port)


def cluster_slots(addr):
    """[(start, end, [(host, port), ...]), ...] from CLUSTER SLOTS; the first address leads."""
    c = Conn(*parse_addr(addr), timeout=10)
    try:
        reply = c.call("CLUSTER", "SLOTS")
    finally:
        c.close()
    ranges = []
    for r in reply:
        nodes = [(n[0].decode(), int(n[1])) for n in r[2:]]
        ranges.append((int(r[0]), int(r[1]), nodes))
    return ranges


class Router:
    """Slot -> leader address, refreshed on -MOVED; one connection per thread and leader."""

    def __init__(self, seed):
        self.seed = seed
        self.lock = threading.Lock()
        self.table = [None] * SLOTS
        self.refresh()

    def refresh(self):
        table = [None] * SLOTS
        for start, end, nodes in cluster_slots(self.seed):
            for s in range(start, end + 1):
                table[s] = nodes[0]
        with self.lock:
            self.table = table

    def moved(self, slot, addr):
        with self.lock:
            self.table[slot] = addr

    def leader(self, slot):
        with self.lock:
            return self.table[slot]


def call_slot(router, conns, slot, *args, attempts=200):
    """Runs a single-slot command on the slot's leader, following -MOVED and waiting out
    -TRYAGAIN/-CLUSTERDOWN and dropped connections (every caller's command is idempotent)."""
    last = None
    for _ in range(attempts):
        addr = router.leader(slot)
        if addr is None:
            time.sleep(0.2)
            router.refresh()
            continue
        try:
            c = conns.get(addr)
            if c is None:
                c = conns[addr] = Conn(*addr)
            return c.call(*args)
        except ReplyError as e:
            last = e
            text = str(e)
            if text.startswith("MOVED "):
                router.moved(slot, parse_addr(text.split()[2]))
            elif text.startswith(("TRYAGAIN", "CLUSTERDOWN", "LOADING")):
                time.sleep(0.2)
            else:
                raise
        except OSError as e:  # refused, reset, timeout, closed: outcome unknown, so retry
            last = e
            c = conns.pop(addr, None)
            if c:
                c.close()
            time.sleep(0.2)
            router.refresh()
    raise RuntimeError("slot %d: gave up after %d attempts: %s" % (slot, attempts, last))


def batch_items(batch, keys, value_size):
    """The batch's keys and their values (deterministic: verify regenerates them)."""
    rng = random.Random(batch)
    tag = b"%s:{%d}:" % (KEY_PREFIX.encode(), batch)
    return [(tag + b"%d" % j, rng.randbytes(value_size)) for j in range(keys)]


def cmd_load(args):
    router = Router(args.addr)
    first, count = args.first, args.batches
    next_batch = [first]
    done = [0]
    lock = threading.Lock()
    failures = []

    def worker():
        conns = {}
        try:
            while True:
                with lock:
                    if failures or next_batch[0] >= first + count:
                        return
                    b = next_batch[0]
                    next_batch[0] += 1
                items = batch_items(b, args.keys, args.value_size)
                flat = [x for kv in items for x in kv]
                reply = call_slot(router, conns, key_slot(items[0][0]), "MSET", *flat)
                if reply != "OK":
                    raise RuntimeError("MSET of batch %d answered %r" % (b, reply))
                with lock:
                    done[0] += 1
        except Exception as e:  # reported by the main thread, which exits non-zero
            with lock:
                failures.append(e)
        finally:
            for c in conns.values():
                c.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for t in threads:
        t.start()
    last_report = t0
    while any(t.is_alive() for t in threads):
        time.sleep(0.5)
        now = time.monotonic()
        if now - last_report >= 10:
            last_report = now
            with lock:
                n = done[0]
            mb = n * args.keys * args.value_size / 2**20
            print("load: %d/%d batches, %.0f MiB, %.1f MiB/s" % (n, count, mb, mb / (now - t0)),
                  file=sys.stderr, flush=True)
    if failures:
        print("load: failed: %s" % failures[0], file=sys.stderr)
        sys.exit(1)
    seconds = time.monotonic() - t0
    keys = done[0] * args.keys
    print(json.dumps({"batches": done[0], "keys": keys, "bytes": keys * args.value_size,
                      "seconds": round(seconds, 3)}))


def cmd_verify(args):
    """Every sampled batch reads back byte for byte (MGET of its keys), and SCAN over every
    leader finds exactly BATCHES*KEYS loaded keys."""
    router = Router(args.addr)
    conns = {}
    sample = sorted(set(int(i * args.batches / args.sample) for i in range(args.sample)))
    checked = 0
    for b in sample:
        items = batch_items(b, args.keys, args.value_size)
        got = call_slot(router, conns, key_slot(items[0][0]), "MGET", *[k for k, _ in items])
        for (k, v), g in zip(items, got):
            if g != v:
                print("verify: %s: %s" % (k.decode(), "missing" if g is None else
                                          "value differs (%d bytes)" % len(g)), file=sys.stderr)
                sys.exit(1)
        checked += len(items)
    for c in conns.values():
        c.close()
    expected = args.batches * args.keys
    # SCAN on a node covers the groups it leads (as DBSIZE does), so the sum over the leaders is
    # the cluster's count when no leadership moved meanwhile; recount if one did.
    for _ in range(5):
        before = cluster_slots(args.addr)
        leaders = sorted({nodes[0] for _, _, nodes in before})
        found = 0
        for addr in leaders:
            c = Conn(*addr)
            try:
                cursor = b"0"
                while True:
                    cursor, keys = c.call("SCAN", cursor, "MATCH", KEY_PREFIX + ":*",
                                          "COUNT", 10000)
                    found += len(keys)
                    if cursor == b"0":
                        break
            finally:
                c.close()
        if cluster_slots(args.addr) == before:
            break
        print("verify: leadership moved during the count; counting again", file=sys.stderr)
    else:
        print("verify: leadership kept moving; count not checked", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"sampled_keys": checked, "sampled_batches": len(sample),
                      "expected_keys": expected, "found_keys": found}))
    if found != expected:
        print("verify: %d loaded keys found, %d written" % (found, expected), file=sys.stderr)
        sys.exit(1)


def balance_problem(groups, nodes, rf, want_nodes, new_node):
    """Why {group: (leader, [replicas])} over node ids `nodes` is not balanced, or None."""
    if len(nodes) != want_nodes:
        return "%d nodes, want %d" % (len(nodes), want_nodes)
    replicas = {n: 0 for n in nodes}
    leaders = {n: 0 for n in nodes}
    for g, (leader, members) in sorted(groups.items()):
        if len(members) != rf:
            return "group %s has %d replicas, want %d" % (g, len(members), rf)
        if not leader or leader not in members:
            return "group %s has no leader" % g
        leaders[leader] += 1
        for m in members:
            replicas[m] = replicas.get(m, 0) + 1
    if max(replicas.values()) - min(replicas.values()) > 1:
        return "replicas per node %s" % sorted(replicas.values())
    if max(leaders.values()) - min(leaders.values()) > 1:
        return "leaders per node %s" % sorted(leaders.values())
    share = len(groups) * rf // len(nodes)
    if new_node is not None and replicas.get(new_node, 0) < share:
        return "new node holds %d replicas, its share is %d" % (replicas.get(new_node, 0), share)
    return None


def cmd_slots(args):
    """Balance as clients see it, from CLUSTER SLOTS (cheap enough to poll every second while
    measuring, unlike a JVM per `kvorum admin status`); a node is its RESP address here."""
    try:
        ranges = cluster_slots(args.addr)
    except (OSError, ReplyError, ConnectionError) as e:
        print("CLUSTER SLOTS failed: %s" % e)
        return
    covered = sum(end - start + 1 for start, end, _ in ranges)
    if covered != SLOTS:
        print("CLUSTER SLOTS covers %d slots" % covered)
        return
    # Group i of a new cluster owns slots [i*16384/G, (i+1)*16384/G) (RaftNode's bootstrap);
    # CLUSTER SLOTS may list a group as several ranges or merge neighbours, so go by slot.
    per_slot = [None] * SLOTS
    for start, end, nodes in ranges:
        for slot in range(start, end + 1):
            per_slot[slot] = ("%s:%d" % nodes[0], sorted("%s:%d" % m for m in nodes))
    flat = {}
    for g in range(args.groups):
        first, last = g * SLOTS // args.groups, (g + 1) * SLOTS // args.groups - 1
        if any(per_slot[s] != per_slot[first] for s in range(first, last + 1)):
            print("group %d's slots have different leaders or replicas" % g)
            return
        flat[g] = per_slot[first]
    nodes = sorted({m for _, ms in flat.values() for m in ms})
    new = None if args.new_port is None else "%s:%d" % (parse_addr(args.addr)[0], args.new_port)
    problem = balance_problem(flat, nodes, args.rf, args.nodes, new)
    if problem:
        print(problem)


def read_status():
    return json.load(sys.stdin)


def cmd_status(args):
    try:
        s = read_status()
    except ValueError as e:
        print("status --json unreadable: %s" % e)
        return
    down = [n["id"] for n in s["nodes"] if n["state"] != "up"]
    if down:
        print("nodes not up: %s" % ", ".join(down))
        return
    if s["moves"]:
        print("%d moves in progress" % len(s["moves"]))
        return
    groups = {g["id"]: (g["leader"], g["replicas"]) for g in s["groups"]}
    problem = balance_problem(groups, [n["id"] for n in s["nodes"]], s["replication_factor"],
                              args.nodes, args.new_id)
    if problem:
        print(problem)


def cmd_sizes(_args):
    """id resp bytes replicas leaders per node; bytes = sum of its groups' size_on_disk (the
    leader's RocksDB SST files and memtables; replicas hold about the same)."""
    s = read_status()
    size = {n["id"]: 0 for n in s["nodes"]}
    for g in s["groups"]:
        for r in g["replicas"]:
            size[r] = size.get(r, 0) + max(0, g["size_on_disk"])
    for n in s["nodes"]:
        print(n["id"], n["resp"], size[n["id"]], n["replicas"], n["leaders"])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("load", "verify"):
        s = sub.add_parser(name)
        s.add_argument("addr")
        if name == "load":
            s.add_argument("first", type=int)
        s.add_argument("batches", type=int)
        s.add_argument("--keys", type=int, default=100, help="keys per batch (one MSET)")
        s.add_argument("--value-size", type=int, default=1000)
        s.add_argument("--threads", type=int, default=16)
        s.add_argument("--sample", type=int, default=100, help="batches verify reads back")
    s = sub.add_parser("slots")
    s.add_argument("addr")
    s.add_argument("nodes", type=int)
    s.add_argument("new_port", type=int, nargs="?")
    s.add_argument("--rf", type=int, default=3)
    s.add_argument("--groups", type=int, default=16, help="slot groups of the cluster")
    s = sub.add_parser("status")
    s.add_argument("nodes", type=int)
    s.add_argument("new_id", nargs="?")
    sub.add_parser("sizes")
    args = p.parse_args()
    {"load": cmd_load, "verify": cmd_verify, "slots": cmd_slots, "status": cmd_status,
     "sizes": cmd_sizes}[args.cmd](args)


if __name__ == "__main__":
    main()
