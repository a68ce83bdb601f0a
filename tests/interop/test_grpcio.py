"""Interop: Debian's python3-grpcio, a gRPC client we did not write, calls
renjad over TCP and a Unix socket."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import grpc  # noqa: E402

import renjatest  # noqa: E402

tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
daemon = renjatest.Daemon(tmp)
res = renjatest.Results()


def unary(channel, path, req, resp_cls, token=None, timeout=10):
    call = channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=resp_cls.FromString)
    md = [("authorization", "Bearer " + token)] if token else None
    return call(req, metadata=md, timeout=timeout)


try:
    for target in ("unix:" + daemon.sock, daemon.tcp):
        with grpc.insecure_channel(target) as ch:
            r = unary(ch, "/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest(),
                      health_pb2.HealthCheckResponse)
            res.check("health SERVING over " + target, r.status == health_pb2.HealthCheckResponse.SERVING)
            r = unary(ch, "/renja.v1.Renja/ServerInfo", renja_pb2.ServerInfoRequest(),
                      renja_pb2.ServerInfoResponse, token=daemon.token)
            res.check("ServerInfo identity over " + target, r.identity.name == "admin", str(r))
            try:
                unary(ch, "/renja.v1.Renja/ServerInfo", renja_pb2.ServerInfoRequest(),
                      renja_pb2.ServerInfoResponse)
                res.check("no token -> UNAUTHENTICATED", False, "call succeeded")
            except grpc.RpcError as e:
                res.check("no token -> UNAUTHENTICATED over " + target,
                          e.code() == grpc.StatusCode.UNAUTHENTICATED, str(e.code()))

    with grpc.insecure_channel(daemon.tcp) as ch:
        # A non-ASCII error message arrives intact (percent-encoded on the wire).
        name = "dinas-koperasi/2024"
        unary(ch, "/renja.v1.Renja/CreatePlan", renja_pb2.CreatePlanRequest(plan=name, nama="Dinas"),
              renja_pb2.PlanResponse, token=daemon.token)
        try:
            unary(ch, "/renja.v1.Renja/SetStage",
                  renja_pb2.SetStageRequest(plan=name, stage=model_pb2.Stage(name="tahap-ü", rev=0)),
                  renja_pb2.SetStageResponse, token=daemon.token)
            res.check("bad stage name refused", False, "call succeeded")
        except grpc.RpcError as e:
            res.check("bad stage name -> INVALID_ARGUMENT", e.code() == grpc.StatusCode.INVALID_ARGUMENT,
                      str(e.code()))
            res.check("non-ASCII error message intact", "tahap-ü" in (e.details() or ""), repr(e.details()))
        # A write and a read through the generated messages.
        item = model_pb2.Item(kode="2.17", nama="Urusan Koperasi, Usaha Kecil dan Menengah")
        r = unary(ch, "/renja.v1.Renja/Submit",
                  renja_pb2.SubmitRequest(plan=name, message="dari python",
                                          changes=[model_pb2.Change(upsert_item=item)]),
                  renja_pb2.SubmitResponse, token=daemon.token)
        res.check("Submit returns revision 1", r.rev == 1, str(r))
        r = unary(ch, "/renja.v1.Renja/Show", renja_pb2.ShowRequest(plan=name, at="head"),
                  renja_pb2.ShowResponse, token=daemon.token)
        res.check("Show returns the item", [i.kode for i in r.items] == ["2.17"], str(r))
        # The README's limit of changes in one submit: 200,000 (each tiny, so
        # the request stays under the message limit).
        many = [model_pb2.Change(remove_item="2.17.01")] * 200001
        try:
            unary(ch, "/renja.v1.Renja/Submit",
                  renja_pb2.SubmitRequest(plan=name, message="banyak", changes=many),
                  renja_pb2.SubmitResponse, token=daemon.token)
            res.check("200,001 changes refused", False, "call succeeded")
        except grpc.RpcError as e:
            res.check("200,001 changes -> RESOURCE_EXHAUSTED naming the limit",
                      e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "at most 200000" in (e.details() or ""),
                      "%s %s" % (e.code(), e.details()))
        try:
            unary(ch, "/renja.v1.Renja/Show", renja_pb2.ShowRequest(plan="tidak-ada/2024"),
                  renja_pb2.ShowResponse, token=daemon.token)
            res.check("unknown plan", False)
        except grpc.RpcError as e:
            res.check("unknown plan -> NOT_FOUND", e.code() == grpc.StatusCode.NOT_FOUND, str(e.code()))
        try:
            unary(ch, "/renja.v1.Renja/NoSuchMethod", renja_pb2.ShowRequest(), renja_pb2.ShowResponse,
                  token=daemon.token)
            res.check("unknown method", False)
        except grpc.RpcError as e:
            res.check("unknown method -> UNIMPLEMENTED", e.code() == grpc.StatusCode.UNIMPLEMENTED,
                      str(e.code()))
        # An item carrying an unknown field with an invalid number (protobuf-c
        # keeps those): accepted, and it reads back.
        item = model_pb2.Item(kode="2.17.01", nama="Program").SerializeToString() + b"\x80\x00\x00"
        change = b"\x0a" + renjatest.varint(len(item)) + item
        raw = (renja_pb2.SubmitRequest(plan=name).SerializeToString() + b"\x2a" + renjatest.varint(len(change)) +
               change)
        submit_raw = ch.unary_unary("/renja.v1.Renja/Submit", request_serializer=lambda b: b,
                                    response_deserializer=renja_pb2.SubmitResponse.FromString)
        r = submit_raw(raw, metadata=[("authorization", "Bearer " + daemon.token)], timeout=10)
        res.check("Submit with an invalid unknown field is accepted", r.rev == 2, str(r))
        r = unary(ch, "/renja.v1.Renja/Show", renja_pb2.ShowRequest(plan=name, kode="2.17.01"),
                  renja_pb2.ShowResponse, token=daemon.token)
        res.check("that item reads back", [i.nama for i in r.items] == ["Program"], str(r))
        # Server streaming: Watch sees a new revision.
        watch = ch.unary_stream("/renja.v1.Renja/Watch", request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=model_pb2.Revision.FromString)
        stream = watch(renja_pb2.WatchRequest(plan=name, **{"from": 1}),
                       metadata=[("authorization", "Bearer " + daemon.token)], timeout=10)
        first = next(stream)
        res.check("Watch streams from a revision", first.rev == 1 and first.message == "dari python", str(first))
        stream.cancel()
    res.check("daemon alive", daemon.alive())
    res.check("SIGTERM exits 0", daemon.stop() == 0)
finally:
    if daemon.alive():
        daemon.proc.kill()
    cleanup()
res.finish()
