#!/usr/bin/env python3
"""Captures Redis's command metadata as raw RESP3 bytes, for resp-gateway's COMMAND INFO/DOCS.

Run against a real redis-server 7.0.15 in cluster mode (it must be the exact version Kvorum
advertises in HELLO/INFO):

  redis-server --port 7791 --cluster-enabled yes --cluster-config-file /tmp/n7791.conf \
      --save '' --daemonize yes
  tools/capture-redis-commands.py 7791 \
      resp-gateway/src/main/resources/io/kvorum/resp/command/redis-7.0-commands.resp3

The output holds three RESP3 replies back to back: HELLO 3, COMMAND INFO (all commands) and
COMMAND DOCS (all commands). The data is Redis's own command metadata (src/commands/*.json of
Redis 7.0, BSD-3-Clause, Copyright (c) 2006-2022 Salvatore Sanfilippo and Redis Ltd.).
"""
import socket
import sys


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_reply(sock, buf):
    """Returns (end offset of one complete RESP3 reply in buf, buf), reading more as needed."""
    while True:
        end = parse(buf, 0)
        if end is not None:
            return end, buf
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise SystemExit("connection closed")
        buf += chunk


def parse(buf, pos):
    """The offset just past the reply at pos, or None if buf does not hold it all yet."""
    nl = buf.find(b"\r\n", pos)
    if nl < 0:
        return None
    kind, line = buf[pos:pos + 1], buf[pos + 1:nl]
    pos = nl + 2
    if kind in b"+-:_#,(":
        return pos
    if kind in b"$=!":
        n = int(line)
        if n < 0:
            return pos
        return pos + n + 2 if len(buf) >= pos + n + 2 else None
    if kind in b"*~>%|":
        n = int(line)
        if kind in b"%|":
            n *= 2
        for _ in range(max(n, 0)):
            pos = parse(buf, pos)
            if pos is None:
                return None
        return pos
    raise SystemExit("unexpected reply type %r" % kind)


def main():
    port, target = int(sys.argv[1]), sys.argv[2]
    sock = socket.create_connection(("127.0.0.1", port))
    out, buf = b"", b""
    for cmd in (("HELLO", "3"), ("COMMAND", "INFO"), ("COMMAND", "DOCS")):
        sock.sendall(command(*cmd))
        end, buf = read_reply(sock, buf)
        out += buf[:end]
        buf = buf[end:]
    with open(target, "wb") as f:
        f.write(out)
    print("wrote %d bytes to %s" % (len(out), target))


if __name__ == "__main__":
    main()
