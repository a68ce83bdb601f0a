"""gRPC ecosystem with Debian's python3-grpcio (and curl for the raw
headers): Health Watch streams the status and its change on shutdown; a
gzip-compressed request is answered UNIMPLEMENTED with grpc-accept-encoding,
and the daemon serves on."""
import os
import signal
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import grpc  # noqa: E402

import renjatest  # noqa: E402

tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
daemon = renjatest.Daemon(tmp)
res = renjatest.Results()
HC = health_pb2.HealthCheckResponse
ser = lambda m: m.SerializeToString()  # noqa: E731

try:
    for target in ("unix:" + daemon.sock, daemon.tcp):
        # gzip: grpcio compresses the request and says grpc-encoding: gzip.
        with grpc.insecure_channel(target, compression=grpc.Compression.Gzip) as ch:
            call = ch.unary_unary("/renja.v1.Renja/ServerInfo", request_serializer=ser,
                                  response_deserializer=renja_pb2.ServerInfoResponse.FromString)
            try:
                call(renja_pb2.ServerInfoRequest(), metadata=[("authorization", "Bearer " + daemon.token)],
                     timeout=10)
                res.check("gzip request refused over " + target, False, "call succeeded")
            except grpc.RpcError as e:
                res.check("gzip request -> UNIMPLEMENTED over " + target,
                          e.code() == grpc.StatusCode.UNIMPLEMENTED, str(e.code()))
                res.check("the message says gzip is not supported and identity is",
                          "gzip is not supported" in (e.details() or "") and "identity" in e.details(),
                          repr(e.details()))
        with grpc.insecure_channel(target) as ch:
            r = ch.unary_unary("/renja.v1.Renja/ServerInfo", request_serializer=ser,
                               response_deserializer=renja_pb2.ServerInfoResponse.FromString)(
                renja_pb2.ServerInfoRequest(), metadata=[("authorization", "Bearer " + daemon.token)],
                timeout=10)
            res.check("uncompressed calls still served over " + target, r.identity.name == "admin")
            # Health Watch: an unknown service is SERVICE_UNKNOWN on the stream.
            w = ch.unary_stream("/grpc.health.v1.Health/Watch", request_serializer=ser,
                                response_deserializer=HC.FromString)
            it = w(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
            res.check("Watch of an unknown service: SERVICE_UNKNOWN over " + target,
                      next(it).status == HC.SERVICE_UNKNOWN)
            it.cancel()

    # The raw answer carries grpc-accept-encoding (curl shows the headers).
    empty = os.path.join(tmp, "empty")
    open(empty, "wb").write(b"\x00\x00\x00\x00\x00")
    out = subprocess.run(["curl", "-sv", "--noproxy", "*", "--http2-prior-knowledge", "-H", "content-type: application/grpc",
                          "-H", "grpc-encoding: gzip", "-H", "te: trailers", "--data-binary", "@" + empty,
                          "http://%s/grpc.health.v1.Health/Check" % daemon.tcp],
                         capture_output=True, text=True, timeout=30)
    heads = [ln[2:].strip().lower() for ln in out.stderr.splitlines() if ln.startswith("< ")]
    res.check("raw gzip request: grpc-status 12", "grpc-status: 12" in heads, str(heads))
    res.check("raw gzip request: grpc-accept-encoding: identity", "grpc-accept-encoding: identity" in heads,
              str(heads))

    # Health Watch: SERVING now, NOT_SERVING when the drain starts, then the end.
    ch = grpc.insecure_channel("unix:" + daemon.sock)
    w = ch.unary_stream("/grpc.health.v1.Health/Watch", request_serializer=ser,
                        response_deserializer=HC.FromString)
    it = w(health_pb2.HealthCheckRequest(service=""), timeout=30)
    first = next(it)
    res.check("Watch: SERVING first", first.status == HC.SERVING, str(first))
    it2 = w(health_pb2.HealthCheckRequest(service="renja.v1.Renja"), timeout=30)
    res.check("Watch of renja.v1.Renja: SERVING", next(it2).status == HC.SERVING)
    got = []

    def rest():
        try:
            for m in it:
                got.append(m.status)
        except grpc.RpcError as e:
            got.append(e.code())
    t = threading.Thread(target=rest)
    t.start()
    daemon.proc.send_signal(signal.SIGTERM)
    t.join(30)
    res.check("Watch: NOT_SERVING on SIGTERM, then the stream ends",
              got[:1] == [HC.NOT_SERVING] and len(got) == 2 and isinstance(got[1], grpc.StatusCode),
              str(got))
    it2.cancel()
    ch.close()
    rc = daemon.proc.wait(timeout=30)
    res.check("the daemon drains and exits 0 with Health watchers", rc == 0, str(rc))
    daemon.log.close()
finally:
    if daemon.alive():
        daemon.stop()
    cleanup()
res.finish()
