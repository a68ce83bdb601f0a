"""gRPC server reflection (grpc.reflection.v1 and v1alpha) with a client we
did not write: Debian's python3-grpcio, and the reflection messages built at
run time from Debian's own copy of the specification (grpc-proto,
/usr/share/grpc-proto), not from renjad's proto/. A generic client lists the
services, fetches the descriptors of renja.v1.Renja, builds a descriptor
pool from them alone, and calls CreatePlan and ListPlans with messages made
from that pool: no .proto of renja, no generated stubs.

Then the stream itself: requests answered one by one as they arrive (each
answer read before the next request is sent), in order; unknown symbols and
files answered NOT_FOUND on the stream, which goes on; a malformed message
mid-stream ends the stream with INVALID_ARGUMENT naming it; a client that
sends without reading is cut off with RESOURCE_EXHAUSTED and the daemon's
memory stays bounded; cancelled streams leave nothing held; a drain ends an
open stream with UNAVAILABLE at once; the daemon serves on throughout."""
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import grpc  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory  # noqa: E402

import renjatest  # noqa: E402

SPEC = "/usr/share/grpc-proto"  # Debian grpc-proto
SC = grpc.StatusCode
tmp, cleanup = renjatest.tempdir()
res = renjatest.Results()

# --- the reflection messages, from Debian's grpc-proto --------------------------
fds_path = os.path.join(tmp, "reflection.fds")
subprocess.run(["protoc", "-I", SPEC, "--descriptor_set_out", fds_path,
                "grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"],
               check=True)
spec_pool = descriptor_pool.DescriptorPool()
for f in descriptor_pb2.FileDescriptorSet.FromString(open(fds_path, "rb").read()).file:
    spec_pool.Add(f)
spec_factory = message_factory.MessageFactory(spec_pool)
MSG = {}
for v in ("v1", "v1alpha"):
    MSG[v] = {n: spec_factory.GetPrototype(spec_pool.FindMessageTypeByName(
        "grpc.reflection.%s.%s" % (v, n))) for n in ("ServerReflectionRequest",
                                                      "ServerReflectionResponse",
                                                      "ExtensionRequest")}

daemon = renjatest.Daemon(tmp)
AUTH = [("authorization", "Bearer " + daemon.token)]
EXPECTED_SERVICES = {"renja.v1.Renja", "grpc.health.v1.Health",
                     "grpc.reflection.v1.ServerReflection",
                     "grpc.reflection.v1alpha.ServerReflection"}


class Feed:
    """A request iterator the test feeds one message at a time."""

    def __init__(self):
        self.q = queue.Queue()

    def put(self, m):
        self.q.put(m)

    def close(self):
        self.q.put(None)

    def __iter__(self):
        return self

    def __next__(self):
        m = self.q.get()
        if m is None:
            raise StopIteration
        return m


def stream(ch, v, requests, raw=False, timeout=20):
    path = "/grpc.reflection.%s.ServerReflection/ServerReflectionInfo" % v
    call = ch.stream_stream(path,
                            request_serializer=(lambda b: b) if raw else (lambda m: m.SerializeToString()),
                            response_deserializer=MSG[v]["ServerReflectionResponse"].FromString)
    return call(requests, timeout=timeout)


def req(v, **kw):
    if "ext" in kw:
        t, n = kw.pop("ext")
        kw["file_containing_extension"] = MSG[v]["ExtensionRequest"](containing_type=t, extension_number=n)
    return MSG[v]["ServerReflectionRequest"](**kw)


def pool_from(file_protos):
    """A descriptor pool from serialized FileDescriptorProtos alone."""
    files = [descriptor_pb2.FileDescriptorProto.FromString(b) for b in file_protos]
    pool = descriptor_pool.DescriptorPool()
    added = set()
    while files:
        ready = [f for f in files if set(f.dependency) <= added]
        if not ready:
            raise RuntimeError("imports not answered: %s" % [(f.name, list(f.dependency)) for f in files])
        for f in ready:
            pool.Add(f)
            added.add(f.name)
            files.remove(f)
    return pool, added


served = [ln.split("\t") for ln in subprocess.run([renjatest.RENJAD, "methods"], check=True,
                                                 capture_output=True, text=True).stdout.splitlines()]
renja_methods = sorted(p.split("/")[2] for p, *_ in served if p.startswith("/renja.v1.Renja/"))

try:
    for v in ("v1", "v1alpha"):
        for target in ("unix:" + daemon.sock, daemon.tcp):
            tn = "%s over %s" % (v, "unix" if target.startswith("unix:") else "tcp")
            with grpc.insecure_channel(target) as ch:
                # A generic tool: list, fetch, build a pool, call. No token for reflection.
                feed = Feed()
                it = stream(ch, v, feed)
                feed.put(req(v, list_services=""))
                r = next(it)
                names = {s.name for s in r.list_services_response.service}
                res.check(tn + ": list_services names the four services", names == EXPECTED_SERVICES,
                          str(names))
                feed.put(req(v, file_containing_symbol="renja.v1.Renja"))
                r = next(it)
                blobs = list(r.file_descriptor_response.file_descriptor_proto)
                pool, fnames = pool_from(blobs)
                res.check(tn + ": renja.v1.Renja comes with its import",
                          fnames == {"renja/v1/renja.proto", "renja/v1/model.proto"}, str(fnames))
                first = descriptor_pb2.FileDescriptorProto.FromString(blobs[0]).name
                res.check(tn + ": the file declaring the symbol comes first",
                          first == "renja/v1/renja.proto", first)
                svc = pool.FindServiceByName("renja.v1.Renja")
                res.check(tn + ": the reflected service has every method of the table",
                          sorted(m.name for m in svc.methods) == renja_methods,
                          str(sorted(m.name for m in svc.methods)))
                res.check(tn + ": Watch is server-streaming in the reflected descriptor",
                          svc.methods_by_name["Watch"].output_type.full_name == "renja.v1.Revision")
                feed.close()
                rest = list(it)
                res.check(tn + ": half-close ends the stream OK with nothing more", rest == [] and
                          it.code() == SC.OK, "%r %s" % (rest, it.code()))

                # Calls made from the reflected descriptors only.
                factory = message_factory.MessageFactory(pool)

                def dyn_call(name, body):
                    m = svc.methods_by_name[name]
                    cin = factory.GetPrototype(m.input_type)
                    cout = factory.GetPrototype(m.output_type)
                    call = ch.unary_unary("/%s/%s" % (svc.full_name, m.name),
                                          request_serializer=lambda x: x.SerializeToString(),
                                          response_deserializer=cout.FromString)
                    return json_format.MessageToDict(call(json_format.ParseDict(body, cin()),
                                                          metadata=AUTH, timeout=10))
                plan = "refleksi-%s-%s/2024" % (v, "unix" if target.startswith("unix:") else "tcp")
                created = dyn_call("CreatePlan", {"plan": plan, "nama": "Dari refleksi"})
                res.check(tn + ": CreatePlan called from reflected descriptors",
                          created.get("plan", {}).get("id") == plan, str(created))
                listed = dyn_call("ListPlans", {})
                res.check(tn + ": ListPlans called from reflected descriptors shows it",
                          plan in [p["id"] for p in listed.get("plans", [])], str(listed))

        # Several requests on one stream, answered in order; errors on the
        # stream; the stream goes on after them.
        with grpc.insecure_channel("unix:" + daemon.sock) as ch:
            asks = [req(v, list_services="*"),
                    req(v, file_containing_symbol="renja.v1.ShowRequest"),
                    req(v, file_by_filename="grpc/health/v1/health.proto"),
                    req(v, file_containing_symbol="renja.v1.Renja.Show"),
                    req(v, file_containing_symbol="no.such.Symbol"),
                    req(v, file_containing_symbol="renja.v1.ROLE_VIEWER"),
                    req(v, file_containing_symbol="grpc.reflection.%s.ServerReflection" % v),
                    req(v, file_by_filename="renja/v1/nope.proto"),
                    req(v, all_extension_numbers_of_type="renja.v1.ShowRequest"),
                    req(v, all_extension_numbers_of_type="renja.v1.NoSuchType"),
                    req(v, ext=("renja.v1.ShowRequest", 100)),
                    req(v, host="renja.example", file_containing_symbol=".renja.v1.Plan.id"),
                    req(v)]
            got = list(stream(ch, v, iter(asks)))
            res.check(v + ": one answer per request", len(got) == len(asks), str(len(got)))
            res.check(v + ": each answer carries its request, in order",
                      [g.original_request for g in got] == asks)
            kinds = [g.WhichOneof("message_response") for g in got]
            res.check(v + ": answer kinds", kinds == [
                "list_services_response", "file_descriptor_response", "file_descriptor_response",
                "file_descriptor_response", "error_response", "file_descriptor_response",
                "file_descriptor_response", "error_response", "all_extension_numbers_response",
                "error_response", "error_response", "file_descriptor_response", "error_response"],
                str(kinds))

            def fnames(g):
                return [descriptor_pb2.FileDescriptorProto.FromString(b).name
                        for b in g.file_descriptor_response.file_descriptor_proto]
            res.check(v + ": a message's file", fnames(got[1]) == ["renja/v1/renja.proto",
                                                                   "renja/v1/model.proto"], str(fnames(got[1])))
            res.check(v + ": a file by name", fnames(got[2]) == ["grpc/health/v1/health.proto"])
            res.check(v + ": a method's file", fnames(got[3])[0] == "renja/v1/renja.proto")
            e = got[4].error_response
            res.check(v + ": unknown symbol: NOT_FOUND naming it",
                      e.error_code == 5 and "no.such.Symbol" in e.error_message, str(e))
            res.check(v + ": an enum value's file (model.proto)", fnames(got[5]) == ["renja/v1/model.proto"],
                      str(fnames(got[5])))
            res.check(v + ": the reflection service itself is described",
                      fnames(got[6]) == ["grpc/reflection/%s/reflection.proto" % v], str(fnames(got[6])))
            e = got[7].error_response
            res.check(v + ": unknown file: NOT_FOUND naming it and the served files",
                      e.error_code == 5 and "renja/v1/nope.proto" in e.error_message and
                      "renja/v1/renja.proto" in e.error_message, str(e))
            x = got[8].all_extension_numbers_response
            res.check(v + ": a known type has no extension numbers",
                      x.base_type_name == "renja.v1.ShowRequest" and list(x.extension_number) == [], str(x))
            res.check(v + ": extensions of an unknown type: NOT_FOUND",
                      got[9].error_response.error_code == 5 and
                      "renja.v1.NoSuchType" in got[9].error_response.error_message, str(got[9]))
            res.check(v + ": file_containing_extension: NOT_FOUND, no extensions",
                      got[10].error_response.error_code == 5 and
                      "no extension" in got[10].error_response.error_message, str(got[10]))
            res.check(v + ": a field (leading dot) is a symbol; host echoed",
                      fnames(got[11])[0] == "renja/v1/model.proto" and got[11].valid_host == "renja.example",
                      str(got[11]))
            res.check(v + ": a request with nothing set: INVALID_ARGUMENT on the stream",
                      got[12].error_response.error_code == 3 and
                      "list_services" in got[12].error_response.error_message, str(got[12]))

            # A malformed message mid-stream: the answers before it, then a
            # status naming it; then a bad string.
            good = req(v, list_services="").SerializeToString()
            for bad, what in ((b"\x1a\xff\x01", "is not a valid grpc.reflection.%s.ServerReflectionRequest" % v),
                              (b"\x22\x02\xff\xfe", "not valid UTF-8")):
                it = stream(ch, v, iter([good, good, bad, good]), raw=True)
                answers = []
                try:
                    for g in it:
                        answers.append(g)
                    res.check(v + ": malformed message 3 refused", False, "stream ended OK")
                except grpc.RpcError as e:
                    res.check(v + ": malformed message 3: INVALID_ARGUMENT naming it (%s)" % what,
                              e.code() == SC.INVALID_ARGUMENT and "request message 3" in e.details() and
                              what in e.details(), "%s %s" % (e.code(), e.details()))
                res.check(v + ": the two answers before it arrived", len(answers) == 2, str(len(answers)))

    with grpc.insecure_channel("unix:" + daemon.sock) as ch:
        # A message over the limit mid-stream (4 MiB by default).
        big = [req("v1", list_services=""), req("v1", host="x" * (5 << 20), list_services="")]
        it = stream(ch, "v1", iter(big))
        answers = []
        try:
            for g in it:
                answers.append(g)
            res.check("a 5 MiB message mid-stream is refused", False, "ended OK")
        except grpc.RpcError as e:
            res.check("a 5 MiB message mid-stream: RESOURCE_EXHAUSTED naming --max-message",
                      e.code() == SC.RESOURCE_EXHAUSTED and "--max-message" in e.details(),
                      "%s %s" % (e.code(), e.details()))
        res.check("the answer before the big message arrived", len(answers) == 1, str(len(answers)))

        # A client that sends and never reads: queued up to the message
        # limit, then RESOURCE_EXHAUSTED; the daemon's memory stays bounded.
        def rss_kib():
            for ln in open("/proc/%d/status" % daemon.proc.pid):
                if ln.startswith("VmRSS:"):
                    return int(ln.split()[1])
        before = rss_kib()
        sent = threading.Event()
        N = 3000

        def flood():
            pad = "x" * 4000
            for _ in range(N):
                yield req("v1", host=pad, file_containing_symbol="renja.v1.Renja")
            sent.set()
        it = stream(ch, "v1", flood(), timeout=120)
        res.check("flood: all %d requests (12 MB) were taken without reading" % N, sent.wait(60))
        grown = rss_kib() - before
        res.check("flood: renjad grew by less than 64 MiB meanwhile (%d KiB)" % grown, grown < 64 * 1024)
        n = 0
        try:
            for _ in it:
                n += 1
            res.check("flood: cut off", False, "ended OK after %d answers" % n)
        except grpc.RpcError as e:
            res.check("flood: RESOURCE_EXHAUSTED, saying the client does not read",
                      e.code() == SC.RESOURCE_EXHAUSTED and "without reading" in e.details(),
                      "%s %s" % (e.code(), e.details()))
        res.check("flood: fewer answers than requests (%d of %d)" % (n, N), 0 < n < N)

        # Cancelled mid-stream, many times.
        for i in range(20):
            feed = Feed()
            it = stream(ch, "v1alpha" if i % 2 else "v1", feed)
            feed.put(req("v1alpha" if i % 2 else "v1", file_containing_symbol="renja.v1.Renja"))
            next(it)
            feed.put(req("v1alpha" if i % 2 else "v1", list_services=""))
            it.cancel()
            feed.close()
        # Cancelled before any message, and deadlines passing on streams
        # that sent nothing or wait after an answer.
        for i in range(10):
            feed = Feed()
            it = stream(ch, "v1", feed)
            time.sleep(0.02)
            it.cancel()
            feed.close()
        for i in range(6):
            feed = Feed()
            it = stream(ch, "v1", feed, timeout=0.3)
            if i % 2:
                feed.put(req("v1", list_services=""))
            try:
                got = list(it)
                res.check("a stream past its deadline ends", False, "ended OK after %d" % len(got))
            except grpc.RpcError as e:
                res.check("a stream past its deadline: DEADLINE_EXCEEDED (%s)" % (
                    "after an answer" if i % 2 else "no message"), e.code() == SC.DEADLINE_EXCEEDED, str(e.code()))
            feed.close()
        time.sleep(0.5)
        r = list(stream(ch, "v1", iter([req("v1", list_services="")])))
        res.check("after the cancelled and expired streams a new one is answered", len(r) == 1)
        os.kill(daemon.proc.pid, signal.SIGUSR1)
        time.sleep(0.5)
        log = open(os.path.join(daemon.dir, "renjad.log")).read()
        m = re.findall(r"SIGUSR1: .*?(\d+) bytes of answers held", log)
        res.check("nothing held after the cancelled and expired streams", m and m[-1] == "0", str(m[-1:]))

        # A drain ends an open stream at once with UNAVAILABLE.
        feed = Feed()
        it = stream(ch, "v1", feed, timeout=60)
        feed.put(req("v1", list_services=""))
        next(it)
        t0 = time.time()
        daemon.proc.send_signal(signal.SIGTERM)
        try:
            next(it)
            res.check("drain ends the reflection stream", False, "got a message")
        except grpc.RpcError as e:
            res.check("drain ends the open reflection stream with UNAVAILABLE",
                      e.code() == SC.UNAVAILABLE, "%s %s" % (e.code(), e.details()))
        except StopIteration:
            res.check("drain ends the reflection stream with a status", False, "ended OK")
        feed.close()
        rc = daemon.proc.wait(timeout=30)
        res.check("renjad exits 0 promptly (%.1f s)" % (time.time() - t0), rc == 0 and time.time() - t0 < 5)
        daemon.log.close()
finally:
    if daemon.proc.poll() is None:
        daemon.stop()
    cleanup()
res.finish()
