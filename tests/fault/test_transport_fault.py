#!/usr/bin/python3
"""Transport fault tests against the real renjad.

Each case abuses one connection (garbage, HTTP/1.1, a 2 GiB message prefix,
a cut frame, a stream flood, a silent client) and is followed by a
grpc.health.v1.Health/Check on a fresh connection with grpcio: the daemon
must keep serving others. At the end the daemon must still be alive and
exit 0 on SIGTERM.

Environment: RENJAD (the daemon binary), RENJA_SRC (the source tree).
Raw HTTP/2 frames are built here by hand (no h2 library).
"""
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SRC = os.environ.get("RENJA_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
RENJAD = os.environ.get("RENJAD")
CHECK = "/grpc.health.v1.Health/Check"

# --- raw HTTP/2 -----------------------------------------------------------

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 6, 7, 8
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4


def frame(ftype, flags, stream_id, payload=b""):
    n = len(payload)
    return struct.pack(">BHBBI", n >> 16, n & 0xFFFF, ftype, flags, stream_id & 0x7FFFFFFF) + payload


def settings(entries=()):
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in entries))


def hpack_int(value, prefix_bits, first_byte=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte | value])
    out = [first_byte | limit]
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(name, value):
    """Literal header field without indexing, new name, no Huffman."""
    name, value = name.encode(), value.encode()
    return b"\x00" + hpack_int(len(name), 7) + name + hpack_int(len(value), 7) + value


def request_block(path=CHECK, content_type="application/grpc", extra=()):
    fields = [(":method", "POST"), (":scheme", "http"), (":path", path),
              (":authority", "localhost"), ("content-type", content_type), ("te", "trailers")]
    fields.extend(extra)
    return b"".join(hpack_literal(n, v) for n, v in fields)


def grpc_message(payload):
    return struct.pack(">BI", 0, len(payload)) + payload


def read_frames(sock, timeout):
    """Yield (type, flags, stream, payload) until EOF or timeout."""
    buf = b""
    deadline = time.monotonic() + timeout
    while True:
        while len(buf) >= 9:
            n = (buf[0] << 16) | (buf[1] << 8) | buf[2]
            if len(buf) < 9 + n:
                break
            ftype, flags = buf[3], buf[4]
            sid = struct.unpack(">I", buf[5:9])[0] & 0x7FFFFFFF
            yield ftype, flags, sid, buf[9:9 + n]
            buf = buf[9 + n:]
        left = deadline - time.monotonic()
        if left <= 0:
            return
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            return
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return
        if not chunk:
            return
        buf += chunk


def wait_closed(sock, timeout):
    """True when the peer closes the connection within timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([sock], [], [], deadline - time.monotonic())
        if not r:
            break
        try:
            if not sock.recv(65536):
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


# --- the daemon -------------------------------------------------------------

class Daemon:
    def __init__(self, tmp):
        self.tmp = tmp
        self.lines = []
        self.unix = os.path.join(tmp, "s.sock")
        data = os.path.join(tmp, "data")
        os.mkdir(data)
        init = subprocess.run([RENJAD, "init", "--data-dir", data], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        if init.returncode != 0:
            raise RuntimeError("renjad init failed: " + init.stderr.decode(errors="replace"))
        self.proc = subprocess.Popen(
            [RENJAD, "--data-dir", data, "--listen", "127.0.0.1:0", "--listen", "unix:" + self.unix],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.tcp = None
        got_unix = False
        ready = threading.Event()

        def pump():
            nonlocal got_unix
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.lines.append(line)
                m = re.search(r"listening on (\S+)", line)
                if m:
                    if m.group(1).startswith("unix:"):
                        got_unix = True
                    else:
                        self.tcp = m.group(1)
                if self.tcp and got_unix:
                    ready.set()
            ready.set()

        self.reader = threading.Thread(target=pump, daemon=True)
        self.reader.start()
        ready.wait(15)
        if not (self.tcp and got_unix):
            self.proc.kill()
            raise RuntimeError("renjad did not report its listeners; stderr:\n" + "\n".join(self.lines))
        host, port = self.tcp.rsplit(":", 1)
        self.host, self.port = host.strip("[]"), int(port)

    def connect(self):
        return socket.create_connection((self.host, self.port), timeout=10)

    def alive(self):
        return self.proc.poll() is None


# --- grpcio health check -----------------------------------------------------

class Health:
    def __init__(self, tmp):
        import grpc  # Debian's python3-grpcio
        self.grpc = grpc
        out = os.path.join(tmp, "py")
        os.mkdir(out)
        proto_dir = os.path.join(SRC, "proto")
        subprocess.run(["protoc", "-I" + proto_dir, "--python_out=" + out,
                        os.path.join(proto_dir, "grpc/health/v1/health.proto")], check=True)
        # grpc.* is grpcio's own package: load the generated file by path
        import importlib.util
        path = os.path.join(out, "grpc", "health", "v1", "health_pb2.py")
        spec = importlib.util.spec_from_file_location("renja_fault_health_pb2", path)
        self.pb = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.pb)

    def check(self, target):
        with self.grpc.insecure_channel(target) as ch:
            call = ch.unary_unary(CHECK, request_serializer=self.pb.HealthCheckRequest.SerializeToString,
                                  response_deserializer=self.pb.HealthCheckResponse.FromString)
            resp = call(self.pb.HealthCheckRequest(), timeout=10)
            if resp.status != self.pb.HealthCheckResponse.SERVING:
                raise AssertionError("health status %d, expected SERVING" % resp.status)


# --- cases -------------------------------------------------------------------

def case_random_bytes(d):
    s = d.connect()
    rnd = random.Random(7024)
    s.sendall(bytes(rnd.getrandbits(8) for _ in range(4096)))
    assert wait_closed(s, 10), "connection sending random bytes was not closed"
    s.close()


def case_http1(d):
    s = d.connect()
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: fault-test\r\n\r\n")
    assert wait_closed(s, 10), "HTTP/1.1 connection was not closed"
    s.close()


def case_huge_prefix(d):
    s = d.connect()
    s.sendall(PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, request_block()))
    # a 2 GiB message announced, then some payload
    s.sendall(frame(DATA, 0, 1, struct.pack(">BI", 0, 2 ** 31) + b"x" * 1000))
    answered = False
    for ftype, flags, sid, _payload in read_frames(s, 10):
        if sid == 1 and (ftype == RST_STREAM or (ftype == HEADERS and flags & END_STREAM)):
            answered = True
            break
    assert answered, "no trailers or RST_STREAM for a 2 GiB message prefix"
    # the connection itself still works: PING is answered
    s.sendall(frame(PING, 0, 0, b"12345678"))
    pong = any(t == PING and f & ACK for t, f, _, _ in read_frames(s, 5))
    assert pong, "connection unusable after the refused message"
    s.close()


def case_cut_frame(d):
    s = d.connect()
    block = request_block()
    head = frame(HEADERS, END_HEADERS, 1, block)
    s.sendall(PREFACE + settings() + head[:9 + len(block) // 2])
    time.sleep(0.2)
    s.close()
    # and a DATA frame cut inside a message
    s = d.connect()
    msg = frame(DATA, 0, 1, grpc_message(b"\x0a\x03abc"))
    s.sendall(PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, block) + msg[:12])
    time.sleep(0.2)
    s.shutdown(socket.SHUT_RDWR)
    s.close()


def case_protocol_violations(d):
    bad = [
        frame(DATA, 0, 0, b"x"),                            # DATA on stream 0
        frame(HEADERS, END_HEADERS, 1, b"\xff\xff\xff\xff"),  # broken HPACK
        frame(HEADERS, END_HEADERS, 2, request_block()),    # even stream id from a client
        frame(SETTINGS, 0, 0, b"\x00\x04\xff\xff\xff\xff"),   # window size over 2^31-1
    ]
    for f in bad:
        s = d.connect()
        s.sendall(PREFACE + settings() + f)
        goaway = any(t == GOAWAY for t, _, _, _ in read_frames(s, 10))
        assert goaway, "no GOAWAY for a protocol violation: %r" % f[:12]
        s.close()


def case_stream_flood(d):
    s = d.connect()
    received = [0]
    stop = threading.Event()

    def drain():
        # keep reading so the daemon's replies never block our writes
        while not stop.is_set():
            try:
                r, _, _ = select.select([s], [], [], 0.2)
                if r:
                    chunk = s.recv(1 << 16)
                    if not chunk:
                        return
                    received[0] += len(chunk)
            except OSError:
                return

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    block = request_block()
    out = [PREFACE, settings()]
    for i in range(10000):
        out.append(frame(HEADERS, END_HEADERS | END_STREAM, 2 * i + 1, block))
    try:
        s.sendall(b"".join(out))
    except OSError:
        pass  # the daemon may give up on us first; that is allowed
    time.sleep(1.0)
    stop.set()
    t.join(5)
    s.close()
    assert received[0] > 0, "no answer at all to a stream flood"


def case_silent_client(d):
    s = d.connect()
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect(d.unix)
    try:
        # while both sit silent, others are served
        d.health_target_check()
    finally:
        s.close()
        u.close()


CASES = [
    ("random bytes", case_random_bytes),
    ("HTTP/1.1 request", case_http1),
    ("2 GiB message prefix", case_huge_prefix),
    ("cut frame, dropped connection", case_cut_frame),
    ("protocol violations", case_protocol_violations),
    ("10000 streams on one connection", case_stream_flood),
    ("silent client", case_silent_client),
]


def main():
    if not RENJAD:
        print("RENJAD is not set (path to the renjad binary)")
        return 1
    tmp = tempfile.mkdtemp(prefix="renja-fault-")
    passed, failed = 0, 0
    d = None
    try:
        health = Health(tmp)
        d = Daemon(tmp)
        unix_target = "unix:" + d.unix
        tcp_target = "%s:%d" % (d.host, d.port) if ":" not in d.host else "[%s]:%d" % (d.host, d.port)

        def both():
            health.check(tcp_target)
            health.check(unix_target)

        d.health_target_check = both
        both()
        for name, fn in CASES:
            try:
                fn(d)
                assert d.alive(), "renjad died"
                both()
                print("ok   %s" % name)
                passed += 1
            except Exception as e:  # noqa: report every case
                failed += 1
                print("FAIL %s: %s" % (name, e))
                traceback.print_exc()
                if not d.alive():
                    break
        # the daemon is alive and exits 0 on SIGTERM
        try:
            assert d.alive(), "renjad is not running at the end"
            d.proc.send_signal(signal.SIGTERM)
            rc = d.proc.wait(15)
            assert rc == 0, "renjad exited %d on SIGTERM" % rc
            print("ok   clean exit on SIGTERM")
            passed += 1
        except Exception as e:  # noqa
            failed += 1
            print("FAIL clean exit on SIGTERM: %s" % e)
    except Exception as e:  # noqa: setup failures count once
        failed += 1
        print("FAIL setup: %s" % e)
        traceback.print_exc()
    finally:
        if d and d.alive():
            d.proc.kill()
            d.proc.wait()
        if d and (failed or os.environ.get("VERBOSE")):
            print("--- renjad stderr ---")
            print("\n".join(d.lines[-50:]))
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
