#!/usr/bin/python3
"""Memory stays bounded under readers that stop reading.

A plan of 20,000 items (an Export answer of about 2 MiB), then:

1. 20 connections x 100 Export streams whose flow-control window is zero:
   nothing of the answers can leave. The daemon holds at most 32 MiB of
   answers per connection and 256 MiB in all (README, Limits), refuses the
   rest with RESOURCE_EXHAUSTED before computing them, and gives the memory
   back once the connections close.
2. 10 connections x 50 Exports, then 100 on one connection, from clients
   that read: every call answered.

Meanwhile Health answers within 100 ms throughout, a writer's revisions are
all acknowledged and present afterwards. Peak RSS (VmHWM) and times are
printed.

With --busy-machine, the same on a machine whose every core is busy with
other work (one spinning process per core, at nice 10): the loop's turns
still take under 100 ms of its CPU. (A loop thread that spins waiting for
a preempted pool thread took 645 ms in one turn here.) What the probe sees
is printed, not checked, as the busy machine holds the probe up too.

Environment: RENJAD (the daemon binary), RENJA_SRC (the source tree).
"""
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import grpc  # noqa: E402

import renjatest  # noqa: E402

h2 = renjatest.raw_h2()

R = "/renja.v1.Renja/"
MIB = 1 << 20
CONN_MAX, TOTAL_MAX = 32 * MIB, 256 * MIB  # the README's limits
# Beyond the answers: the process itself, the LMDB pages it maps, the
# answers being built on the 4 pool threads, the socket write queues.
OVERHEAD = 128 * MIB
HEALTH_MAX_S = 0.100

tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
res = renjatest.Results()
PLAN = "besar/2024"


def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


stub = renjatest.stub


def big_plan(dm, n):
    changes = renjatest.plan_changes(model_pb2, n)
    with grpc.insecure_channel(dm.tcp, options=[("grpc.max_send_message_length", 64 * MIB)]) as ch:
        md = [("authorization", "Bearer " + dm.token)]
        stub(ch, "CreatePlan", renja_pb2.PlanResponse)(renja_pb2.CreatePlanRequest(plan=PLAN, nama="Dinas Besar"),
                                                        metadata=md, timeout=30)
        stub(ch, "Submit", renja_pb2.SubmitResponse)(renja_pb2.SubmitRequest(plan=PLAN, changes=changes),
                                                      metadata=md, timeout=120)
        r = stub(ch, "Export", renja_pb2.ExportResponse)(renja_pb2.ExportRequest(plan=PLAN), metadata=md, timeout=60)
        return r.ByteSize()


def probe(target, token, stop_file):
    """Health every 50 ms on its own connection until stop_file exists;
    prints its worst latency and the slow ones as JSON. A process of its
    own speaking HTTP/2 on a plain socket: one blocking read per check, so
    what is measured is the daemon, not a client library's threads."""
    import json
    worst, n, failed, slow = 0.0, 0, [], []
    t_start = time.monotonic()
    host, port = target.rsplit(":", 1)
    try:
        s = socket.create_connection((host, int(port)), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(h2.PREFACE + h2.settings([(4, 1 << 20)]) +
                  h2.frame(h2.WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 30)))
        buf = [b""]
        check_block = h2.request_block()
        info_block = h2.request_block(path=R + "ServerInfo", extra=[("authorization", "Bearer " + token)])

        def call(sid, block):
            s.sendall(h2.frame(h2.HEADERS, h2.END_HEADERS, sid, block) +
                      h2.frame(h2.DATA, h2.END_STREAM, sid, h2.grpc_message(b"")))
            got = False
            while True:
                while len(buf[0]) >= 9:
                    ln = (buf[0][0] << 16) | (buf[0][1] << 8) | buf[0][2]
                    if len(buf[0]) < 9 + ln:
                        break
                    ftype, flags = buf[0][3], buf[0][4]
                    fsid = struct.unpack(">I", buf[0][5:9])[0] & 0x7FFFFFFF
                    buf[0] = buf[0][9 + ln:]
                    if ftype == h2.SETTINGS and not flags & h2.ACK:
                        s.sendall(h2.frame(h2.SETTINGS, h2.ACK, 0))
                    elif ftype == h2.DATA and ln:
                        s.sendall(h2.frame(h2.WINDOW_UPDATE, 0, 0, struct.pack(">I", ln)))
                        got = got or fsid == sid
                    if fsid == sid and ftype in (h2.HEADERS, h2.DATA) and flags & h2.END_STREAM:
                        return got
                    if fsid == sid and ftype == h2.RST_STREAM or ftype == h2.GOAWAY:
                        return False
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("the daemon closed the probe's connection")
                buf[0] += chunk

        # A client with a token: its connection stays open (one with
        # Health calls only is closed after --first-call-timeout).
        sid = 1
        call(sid, info_block)
        last_info = time.monotonic()
        while not os.path.exists(stop_file):
            if time.monotonic() - last_info > 2:
                sid += 2
                call(sid, info_block)
                last_info = time.monotonic()
            sid += 2
            t0 = time.monotonic()
            if not call(sid, check_block):
                failed.append("Health %d not answered with a message" % sid)
            took = time.monotonic() - t0
            worst = max(worst, took)
            if took >= HEALTH_MAX_S:
                slow.append((round(t0 - t_start, 2), round(took * 1000)))
            n += 1
            time.sleep(0.05)
        s.close()
    except Exception as e:  # noqa: a probe that blew up fails the check
        failed.append(repr(e)[:300])
    print(json.dumps({"worst": worst, "n": n, "failed": failed, "slow": slow[:20]}))


class Sampler:
    def __init__(self, dm):
        self.stop_file = os.path.join(tmp, "probe.stop")
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--probe", dm.tcp, dm.token,
                                      self.stop_file], stdout=subprocess.PIPE, text=True)

    def finish(self):
        import json
        open(self.stop_file, "w").close()
        out, _ = self.proc.communicate(timeout=60)
        r = json.loads(out.strip().splitlines()[-1])
        self.worst, self.n, self.failed, self.slow = r["worst"], r["n"], r["failed"], r["slow"]


def stalled_exports(dm, n_conns, n_streams, seconds, held_max):
    """n_conns raw connections, n_streams Exports each, window zero. Returns
    (streams ended by the daemon, streams still open) once no more than
    held_max are open, or after `seconds`."""
    host, port = dm.tcp.rsplit(":", 1)
    body = renja_pb2.ExportRequest(plan=PLAN).SerializeToString()
    block = h2.request_block(path=R + "Export", extra=[("authorization", "Bearer " + dm.token)])
    socks, bufs, ended = [], [], []
    for c in range(n_conns):
        data = h2.PREFACE + h2.settings([(4, 0)])  # SETTINGS_INITIAL_WINDOW_SIZE = 0
        for i in range(n_streams):
            data += h2.frame(h2.HEADERS, h2.END_HEADERS, 1 + 2 * i, block)
            data += h2.frame(h2.DATA, h2.END_STREAM, 1 + 2 * i, h2.grpc_message(body))
        s = socket.create_connection((host, int(port)), timeout=10)
        s.sendall(data)
        socks.append(s)
        bufs.append(b"")
        ended.append(set())
    # Read what the daemon sends (frames, not the answers: the windows stay
    # shut), so its refusals reach us.
    closed = set()
    deadline = time.monotonic() + seconds

    def refused():
        return sum(n_streams if k in closed else len(e) for k, e in enumerate(ended))
    while time.monotonic() < deadline and len(closed) < n_conns and n_conns * n_streams - refused() > held_max:
        r, _, _ = select.select([s for k, s in enumerate(socks) if k not in closed], [], [], 0.1)
        for s in r:
            k = socks.index(s)
            try:
                chunk = s.recv(1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                closed.add(k)
                continue
            bufs[k] += chunk
            while len(bufs[k]) >= 9:
                n = (bufs[k][0] << 16) | (bufs[k][1] << 8) | bufs[k][2]
                if len(bufs[k]) < 9 + n:
                    break
                ftype, flags = bufs[k][3], bufs[k][4]
                sid = struct.unpack(">I", bufs[k][5:9])[0] & 0x7FFFFFFF
                bufs[k] = bufs[k][9 + n:]
                if ftype == h2.SETTINGS and not flags & h2.ACK:
                    s.sendall(h2.frame(h2.SETTINGS, h2.ACK, 0))
                if ftype == h2.HEADERS and flags & h2.END_STREAM or ftype == h2.RST_STREAM:
                    ended[k].add(sid)
    # Streams left open on a connection the daemon closed were refused too.
    return socks, refused(), len(closed)


def readers(target, token, n_conns, n_calls, size, nice):
    """n_conns channels, n_calls concurrent Exports each, read as they come;
    prints the outcomes as JSON. A process of its own at a lower priority:
    it is the load, the daemon is what is measured. Beside the busy
    machine's spinners (nice 10) it runs at their priority, not below:
    at 19 it got so little CPU that it read nothing for more than a second
    at a time, which the daemon rightly takes for a client that stopped
    reading (ADMIT_STALL_MS), and these are the clients that read."""
    import json
    os.nice(int(nice))
    n_conns, n_calls, size = int(n_conns), int(n_calls), int(size)
    codes = []
    lock = threading.Lock()

    def client():
        with grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)]) as ch:
            # The answer's size only: parsing 500 answers of 20,000 items
            # in Python would take the CPU the daemon is measured on.
            fn = ch.unary_unary(R + "Export", request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=len)
            md = [("authorization", "Bearer " + token)]
            futs = [fn.future(renja_pb2.ExportRequest(plan=PLAN), metadata=md, timeout=300) for _ in range(n_calls)]
            for f in futs:
                try:
                    r = f.result()
                    c = "OK" if r >= size else "short"
                except grpc.RpcError as e:
                    c = "%s: %s" % (e.code(), e.details())
                with lock:
                    codes.append(c)
    ts = [threading.Thread(target=client) for _ in range(n_conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(600)
    print(json.dumps(codes))


def reading_exports(dm, n_conns, n_calls, size, busy):
    import json
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--readers", dm.tcp, dm.token, str(n_conns),
                          str(n_calls), str(size), "10" if busy else "19"], stdout=subprocess.PIPE, text=True,
                         timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def writer(dm, stop, acked, errors):
    with grpc.insecure_channel(dm.tcp) as ch:
        fn = stub(ch, "Submit", renja_pb2.SubmitResponse)
        md = [("authorization", "Bearer " + dm.token)]
        i = 0
        while not stop.is_set():
            try:
                r = fn(renja_pb2.SubmitRequest(plan=PLAN, message="tulis-%d" % i, changes=[model_pb2.Change(
                    upsert_item=model_pb2.Item(kode="2.18", nama="Urusan %d" % i))]), metadata=md, timeout=30)
                acked.append(r.rev)
            except grpc.RpcError as e:
                errors.append((e.code(), e.details()))
                return
            i += 1
            time.sleep(0.05)


def main(busy):
    asan = os.environ.get("ASAN_OPTIONS", "")
    saved = dict(os.environ)
    # Under ASan, freed memory sits in quarantine and would count as held.
    os.environ["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "quarantine_size_mb=4"
    try:
        dm = renjatest.Daemon(tmp)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    hogs = []
    try:
        if busy:
            hogs = [subprocess.Popen([sys.executable, "-c", "import os; os.nice(10)\nwhile True: pass"])
                    for _ in range(os.cpu_count() or 2)]
        size = big_plan(dm, 20000)
        base = status(dm.proc.pid, "VmRSS")
        print("note: one Export answer is %.2f MiB; renjad resident before: %.1f MiB" % (size / MIB, base / MIB))
        bound = TOTAL_MAX + OVERHEAD
        sampler = Sampler(dm)
        stop, acked, errors = threading.Event(), [], []
        wt = threading.Thread(target=writer, args=(dm, stop, acked, errors))
        wt.start()

        t0 = time.monotonic()
        held_max = min((CONN_MAX // size + 1) * 20, TOTAL_MAX // size + 8)
        socks, n_ended, n_closed = stalled_exports(dm, 20, 100, 180, held_max)
        peak_a = status(dm.proc.pid, "VmHWM")
        print("note: 20 x 100 stalled Exports: %d refused or closed (%d connections closed), %d held open, "
              "after %.1f s; peak RSS %.1f MiB"
              % (n_ended, n_closed, 2000 - n_ended, time.monotonic() - t0, peak_a / MIB))
        res.check("stalled readers: peak RSS %.1f MiB within %d MiB of answers + %d MiB"
                  % (peak_a / MIB, TOTAL_MAX // MIB, OVERHEAD // MIB), peak_a <= bound)
        res.check("stalled readers: the rest refused, at most %d answers held (%d refused)" % (held_max, n_ended),
                  2000 - n_ended <= held_max)
        for s in socks:
            s.close()
        time.sleep(2.5)
        after = status(dm.proc.pid, "VmRSS")
        res.check("memory given back once they close: resident %.1f MiB (peak %.1f)" % (after / MIB, peak_a / MIB),
                  after <= base + 64 * MIB)

        t0 = time.monotonic()
        codes = reading_exports(dm, 10, 50, size, busy)
        took = time.monotonic() - t0
        peak_b = status(dm.proc.pid, "VmHWM")
        ok = sum(1 for c in codes if c == "OK")
        res.check("10 x 50 Exports by clients that read: %d of %d answered in %.1f s (peak RSS %.1f MiB)"
                  % (ok, len(codes), took, peak_b / MIB), ok == 500,
                  str([c for c in codes if c != "OK"][:3]))
        res.check("reading clients: peak RSS %.1f MiB within the bound" % (peak_b / MIB), peak_b <= bound)
        t0 = time.monotonic()
        codes = reading_exports(dm, 1, 100, size, busy)
        ok = sum(1 for c in codes if c == "OK")
        res.check("100 Exports on one connection that reads: %d of %d answered in %.1f s" % (ok, len(codes),
                                                                                       time.monotonic() - t0),
                  ok == 100, str([c for c in codes if c != "OK"][:3]))

        stop.set()
        wt.join(60)
        sampler.finish()
        # Health as a client sees it: the round trip of every check, at
        # the wall clock, on a connection of its own.
        res.check("every Health check answered (%d)" % sampler.n, sampler.n > 0 and not sampler.failed,
                  str(sampler.failed[:3]))
        if busy:
            print("note: Health seen by a client on the busy machine: worst %.1f ms of %d checks, %d over "
                  "%d ms" % (sampler.worst * 1000, sampler.n, len(sampler.slow), HEALTH_MAX_S * 1000))
        else:
            res.check("Health within %d ms throughout, seen by a client: worst %.1f ms of %d checks"
                      % (HEALTH_MAX_S * 1000, sampler.worst * 1000, sampler.n),
                      sampler.n > 0 and not sampler.slow and sampler.worst < HEALTH_MAX_S,
                      "over %d ms (s into the run, ms): %s" % (HEALTH_MAX_S * 1000, sampler.slow[:10]))
        with grpc.insecure_channel(dm.tcp) as ch:
            r = stub(ch, "Log", renja_pb2.LogResponse)(renja_pb2.LogRequest(plan=PLAN, paged=True),
                                                       metadata=[("authorization", "Bearer " + dm.token)], timeout=60)
            revs = {x.rev for x in r.revisions}
        res.check("%d revisions acknowledged meanwhile, all present" % len(acked),
                  acked and not errors and set(acked) <= revs, str(errors[:3]))
        res.check("daemon still running", dm.alive())
        res.check("SIGTERM exits 0", dm.stop() == 0)
        import re
        m = re.search(r"longest turn of the loop took (\d+) us", open(os.path.join(dm.dir, "renjad.log")).read())
        turn_ms = int(m.group(1)) / 1000 if m else -1
        m = re.search(r"longest turn of the loop took \d+ us of its CPU, (\d+) us of wall time",
                      open(os.path.join(dm.dir, "renjad.log")).read())
        print("note: the longest turn of the loop at the wall clock (poll's wait left out): %.1f ms"
              % (int(m.group(1)) / 1000 if m else -1))
        res.check("the loop that answers Health never took longer than %d ms of its CPU for one turn: "
                  "%.1f ms" % (HEALTH_MAX_S * 1000, turn_ms), 0 <= turn_ms < HEALTH_MAX_S * 1000)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
        if dm.alive():
            dm.proc.kill()
        cleanup()
    res.finish()


if len(sys.argv) > 1 and sys.argv[1] == "--probe":
    probe(*sys.argv[2:5])
    cleanup()
elif len(sys.argv) > 1 and sys.argv[1] == "--readers":
    readers(*sys.argv[2:8])
    cleanup()
else:
    main("--busy-machine" in sys.argv[1:])
