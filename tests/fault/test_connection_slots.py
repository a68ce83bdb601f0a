#!/usr/bin/python3
"""No one locks everyone out without a token.

1,030 TCP connections that send only the HTTP/2 preface and SETTINGS (some
of them a PING every half second) try to hold every connection slot. The
admin on the Unix socket must still get in (the Unix socket has slots of its
own), one TCP address gets at most --max-connections-per-peer of them so a
client from another address is served, and every connection that completes
no authenticated call is closed after --first-call-timeout: PINGs, SETTINGS,
a Health call, or an answer left unread behind a zero window are not
activity. A connection with authenticated calls stays open.

Environment: RENJAD, RENJA (the binaries), RENJA_SRC (the source tree).
"""
import os
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import renjatest  # noqa: E402

h2 = renjatest.raw_h2()

RENJA = os.environ.get("RENJA", "renja")
FIRST_CALL_S = 3
PER_PEER = 128  # the default

tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
res = renjatest.Results()


def connect(dm, source="127.0.0.1"):
    host, port = dm.tcp.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    s.bind((source, 0))
    s.connect((host, int(port)))
    return s


def closed_now(s):
    """True when the daemon has closed s (EOF or reset), without waiting."""
    s.setblocking(False)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return True
    except BlockingIOError:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True
    finally:
        s.setblocking(True)


def raw_call(s, sid, path, body, token=None):
    extra = [("authorization", "Bearer " + token)] if token else []
    s.sendall(h2.frame(h2.HEADERS, h2.END_HEADERS, sid, h2.request_block(path=path, extra=extra)) +
              h2.frame(h2.DATA, h2.END_STREAM, sid, h2.grpc_message(body)))


def read_frames(sock, timeout):
    """h2.read_frames with poll: descriptors here go past select()'s 1024."""
    import select
    buf = b""
    deadline = time.monotonic() + timeout
    p = select.poll()
    p.register(sock, select.POLLIN)
    while True:
        while len(buf) >= 9:
            n = (buf[0] << 16) | (buf[1] << 8) | buf[2]
            if len(buf) < 9 + n:
                break
            yield buf[3], buf[4], struct.unpack(">I", buf[5:9])[0] & 0x7FFFFFFF, buf[9:9 + n]
            buf = buf[9 + n:]
        left = deadline - time.monotonic()
        if left <= 0 or not p.poll(left * 1000):
            return
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return
        if not chunk:
            return
        buf += chunk


def grpc_status(s, sid, timeout=5):
    """"0" when stream sid is answered with a message and trailers, "err"
    when it ends without one (trailers-only: an error), None on no end."""
    got_data = False
    for ftype, flags, fsid, payload in read_frames(s, timeout):
        if ftype == h2.SETTINGS and not flags & h2.ACK:
            s.sendall(h2.frame(h2.SETTINGS, h2.ACK, 0))
        if fsid == sid and ftype == h2.DATA and payload:
            got_data = True
            s.sendall(h2.frame(h2.WINDOW_UPDATE, 0, 0, struct.pack(">I", len(payload))))
        if fsid == sid and (ftype == h2.HEADERS or ftype == h2.DATA) and flags & h2.END_STREAM:
            return "0" if got_data else "err"
        if fsid == sid and ftype == h2.RST_STREAM:
            return "reset"
    return None


def cli(dm, *args, server=None):
    env = dict(os.environ, RENJA_SERVER=server or "unix:" + dm.sock, RENJA_TOKEN=dm.token)
    t0 = time.monotonic()
    out = subprocess.run([RENJA, "--timeout", "10", *args], env=env, capture_output=True, text=True, timeout=60)
    return out, time.monotonic() - t0


def main():
    dm = renjatest.Daemon(tmp, ["--first-call-timeout", str(FIRST_CALL_S)])
    socks = []
    try:
        # The flood: 1,030 connections from 127.0.0.1 with the preface and
        # SETTINGS only; every tenth PINGs every half second.
        t0 = time.monotonic()
        for _ in range(1030):
            try:
                s = connect(dm)
                s.sendall(h2.PREFACE + h2.settings())
                socks.append(s)
            except OSError:
                pass
        time.sleep(1)
        held = [s for s in socks if not closed_now(s)]
        res.check("1,030 token-less connections from one address: %d held (at most %d per peer)"
                  % (len(held), PER_PEER), len(held) <= PER_PEER, "")
        out, took = cli(dm, "info")
        res.check("the admin on the Unix socket gets in meanwhile (exit %d, %.2f s)" % (out.returncode, took),
                  out.returncode == 0 and "admin" in out.stdout, out.stderr)
        # Another address is served over TCP (a raw Health call from 127.0.0.2).
        other = connect(dm, "127.0.0.2")
        other.sendall(h2.PREFACE + h2.settings())
        t1 = time.monotonic()
        raw_call(other, 1, h2.CHECK, b"")
        st = grpc_status(other, 1)
        health_worst = time.monotonic() - t1
        res.check("a client from another address is served over TCP", st == "0")
        n_health = 1
        # A connection making authenticated calls stays past the deadline.
        busy = connect(dm, "127.0.0.3")
        busy.sendall(h2.PREFACE + h2.settings())
        info = "/renja.v1.Renja/ServerInfo"
        raw_call(busy, 1, info, b"", dm.token)
        first = grpc_status(busy, 1)
        # Health without a token and an answer behind a zero window.
        health_only = connect(dm, "127.0.0.4")
        health_only.sendall(h2.PREFACE + h2.settings())
        raw_call(health_only, 1, h2.CHECK, b"")
        grpc_status(health_only, 1)
        zero = connect(dm, "127.0.0.5")
        zero.sendall(h2.PREFACE + h2.settings([(4, 0)]))
        raw_call(zero, 1, h2.CHECK, b"")
        # Wait out the deadline, PINGing every half second.
        deadline = time.monotonic() + FIRST_CALL_S + 2
        k = 0
        while time.monotonic() < deadline:
            for s in held[::10]:
                try:
                    s.sendall(h2.frame(h2.PING, 0, 0, struct.pack(">Q", k)))
                except OSError:
                    pass
            for s in (health_only, zero):
                try:
                    s.sendall(h2.frame(h2.PING, 0, 0, struct.pack(">Q", k)))
                except OSError:
                    pass
            # Health from the other address meanwhile (it made no
            # authenticated call, so it too is closed at the deadline).
            if time.monotonic() < t1 + FIRST_CALL_S - 1:
                t2 = time.monotonic()
                raw_call(other, 3 + 2 * k, h2.CHECK, b"")
                if grpc_status(other, 3 + 2 * k, 2) == "0":
                    health_worst = max(health_worst, time.monotonic() - t2)
                    n_health += 1
                else:
                    health_worst = max(health_worst, 10.0)
            k += 1
            if k % 2 == 0:
                raw_call(busy, 1 + 2 * (k // 2), info, b"", dm.token)
                grpc_status(busy, 1 + 2 * (k // 2), 2)
            time.sleep(0.5)
        res.check("Health within 100 ms throughout the flood: worst %.1f ms of %d calls"
                  % (health_worst * 1000, n_health), health_worst < 0.100 and n_health > 1, "")
        left = [s for s in held if not closed_now(s)]
        res.check("after the %d s first-call timeout every token-less connection is closed, PINGs or not "
                  "(%d of %d left, %.1f s after the flood)" % (FIRST_CALL_S, len(left), len(held),
                                                               time.monotonic() - t0), not left)
        res.check("a connection with only a Health call is closed too", closed_now(health_only))
        res.check("a connection whose answer waits behind a zero window is closed too", closed_now(zero))
        sid = 1001
        raw_call(busy, sid, info, b"", dm.token)
        res.check("a connection making authenticated calls stays open", first == "0" and
                  not closed_now(busy) and grpc_status(busy, sid) == "0")
        for s in socks + [other, busy, health_only, zero]:
            s.close()
        out, took = cli(dm, "info", server=dm.tcp)
        res.check("TCP from the flooding address is served again (exit %d, %.2f s)" % (out.returncode, took),
                  out.returncode == 0, out.stderr)
        # The Unix socket's own slots: 64 idle connections there still
        # leave TCP clients served, and the 65th is refused.
        us = []
        for _ in range(65):
            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            u.connect(dm.sock)
            try:
                u.sendall(h2.PREFACE + h2.settings())
            except OSError:
                pass  # refused: closed already
            us.append(u)
        refused = set()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not refused:
            time.sleep(0.1)
            refused |= {k for k, u in enumerate(us) if k not in refused and closed_now(u)}
        time.sleep(0.3)
        refused |= {k for k, u in enumerate(us) if k not in refused and closed_now(u)}
        res.check("the Unix socket has 64 slots of its own: the 65th is refused (%d refused)" % len(refused),
                  len(refused) == 1)
        out, _ = cli(dm, "info", server=dm.tcp)
        res.check("TCP still served with the Unix slots full", out.returncode == 0, out.stderr)
        for u in us:
            u.close()
        res.check("daemon still running", dm.alive())
        res.check("SIGTERM exits 0", dm.stop() == 0)
    finally:
        for s in socks:
            s.close()
        if dm.alive():
            dm.proc.kill()
        log = open(os.path.join(dm.dir, "renjad.log"), errors="replace").read()
        lines = log.count("refused")
        print("note: %d log lines about refused connections" % lines)
        cleanup()
    res.finish()


main()
