"""Permission matrix: every method of renjad's dispatch table (from `renjad
methods`, checked against the .proto files so a new RPC cannot escape it) x
{no token, malformed, wrong, revoked, viewer, editor, planner, admin}, over
the Unix socket and TCP+TLS (renjad --tls-cert, grpcio's
ssl_channel_credentials), with Debian's python3-grpcio. Plus the ownership
cases of Submit: an editor changing another bidang's item, adding a child
under another bidang's kegiatan, moving an item into another bidang, and
reporting realisasi of a foreign indikator."""
import itertools
import os
import re
import secrets
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import grpc  # noqa: E402

import renjatest  # noqa: E402

tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
pki = os.path.join(tmp, "pki")
os.makedirs(pki)
ca = renjatest.tls_ca(pki, "ca", "renja test CA")
cert = renjatest.tls_cert(pki, "server", ca, ["DNS:localhost", "IP:127.0.0.1"], 0x1001)
daemon = renjatest.Daemon(tmp, extra=["--tls-cert", cert[0], "--tls-key", cert[1]])
tls_creds = grpc.ssl_channel_credentials(root_certificates=open(ca[0], "rb").read())
res = renjatest.Results()
SC = grpc.StatusCode
ROLES = {"none": 0, "viewer": 1, "editor": 2, "planner": 3, "admin": 4}

# --- the method table, and the .proto files it must cover -----------------
table = []
for line in subprocess.run([renjatest.RENJAD, "methods"], check=True, capture_output=True,
                           text=True).stdout.splitlines():
    path, role, kind, rw = line.split("\t")
    assert kind in ("unary", "stream", "bidi"), kind  # a new kind needs a way to call it below
    table.append((path, ROLES[role], kind))
declared = set()
for proto, service in (("renja/v1/renja.proto", "renja.v1.Renja"),
                       ("grpc/health/v1/health.proto", "grpc.health.v1.Health"),
                       ("grpc/reflection/v1/reflection.proto", "grpc.reflection.v1.ServerReflection"),
                       ("grpc/reflection/v1alpha/reflection.proto",
                        "grpc.reflection.v1alpha.ServerReflection")):
    text = open(os.path.join(renjatest.SRC, "proto", proto)).read()
    for name in re.findall(r"^\s*rpc\s+(\w+)\s*\(", text, re.M):
        declared.add("/%s/%s" % (service, name))
served = {p for p, _, _ in table}
# Health Watch is declared by the standard health.proto; renjad may answer it
# or not, but every method renjad serves must be declared and every declared
# renja.v1 method served.
res.check("every renja.v1 RPC of the .proto is in the dispatch table",
          {p for p in declared if p.startswith("/renja.v1.")} <= served,
          str(sorted({p for p in declared if p.startswith("/renja.v1.")} - served)))
res.check("every dispatched method is declared in a .proto", served <= declared,
          str(sorted(served - declared)))
res.check("the table has the token methods", {"/renja.v1.Renja/AddToken",
                                               "/renja.v1.Renja/RevokeToken"} <= served)
res.check("the table has both reflection services, bidirectional",
          {(p, k) for p, _, k in table if "ServerReflection" in p} ==
          {("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "bidi"),
           ("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "bidi")})


# --- credentials --------------------------------------------------------------
def unary(ch, path, req, resp_cls, auth=None, timeout=10):
    call = ch.unary_unary(path, request_serializer=lambda m: m.SerializeToString(),
                          response_deserializer=resp_cls.FromString)
    return call(req, metadata=[("authorization", auth)] if auth else None, timeout=timeout)


admin = "Bearer " + daemon.token
with grpc.insecure_channel("unix:" + daemon.sock) as ch:
    def add(name, role, bidang=""):
        r = unary(ch, "/renja.v1.Renja/AddToken",
                  renja_pb2.AddTokenRequest(name=name, role=role, bidang=bidang),
                  renja_pb2.TokenResponse, auth=admin)
        return "Bearer " + r.token
    creds = {
        "none": None,
        "malformed": "Bearer not-a-token",
        "wrong": "Bearer rjt_" + secrets.token_hex(32),
        "revoked": add("gone", model_pb2.ROLE_PLANNER),
        "viewer": add("tapd", model_pb2.ROLE_VIEWER),
        "editor": add("ukm", model_pb2.ROLE_EDITOR, "Bidang UKM"),
        "planner": add("perencana", model_pb2.ROLE_PLANNER),
        "admin": admin,
    }
    unary(ch, "/renja.v1.Renja/RevokeToken", renja_pb2.RevokeTokenRequest(name="gone"),
          renja_pb2.TokenResponse, auth=admin)
    # A plan with one bidang's items and another's, for the ownership cases.
    P = "matriks/2024"
    unary(ch, "/renja.v1.Renja/CreatePlan", renja_pb2.CreatePlanRequest(plan=P),
          renja_pb2.PlanResponse, auth=admin)
    ind = [model_pb2.Indikator(nama="Jumlah", satuan="kali", target_e4=60000)]
    items = [model_pb2.Item(kode="2.17", nama="Urusan"),
             model_pb2.Item(kode="2.17.06", nama="Koperasi", bidang="Bidang Koperasi"),
             model_pb2.Item(kode="2.17.06.1.01", nama="Kegiatan Koperasi", bidang="Bidang Koperasi",
                            indikator=ind),
             model_pb2.Item(kode="2.17.08", nama="UKM", bidang="Bidang UKM"),
             model_pb2.Item(kode="2.17.08.1.01", nama="Kegiatan UKM", bidang="Bidang UKM",
                            indikator=ind)]
    # One item of Bidang UKM for each (transport, credential) to move away.
    items += [model_pb2.Item(kode="2.17.08.1.01.%04d" % (100 + k), nama="Pindah %d" % k,
                             bidang="Bidang UKM") for k in range(2 * 8)]
    unary(ch, "/renja.v1.Renja/Submit", renja_pb2.SubmitRequest(
        plan=P, changes=[model_pb2.Change(upsert_item=i) for i in items]),
        renja_pb2.SubmitResponse, auth=admin)


def head(ch):
    r = unary(ch, "/renja.v1.Renja/Log", renja_pb2.LogRequest(plan=P, limit=1),
              renja_pb2.LogResponse, auth=admin)
    return r.revisions[0].rev


def call_raw(ch, path, kind, auth):
    """An empty request message to path; the status code that came back."""
    md = [("authorization", auth)] if auth else None
    try:
        if kind == "bidi":
            # One empty request, then half-close: the stream must answer
            # and end (server reflection answers it on the stream).
            for _ in ch.stream_stream(path)(iter([b""]), metadata=md, timeout=10):
                pass
        elif kind == "stream":
            # A stream that answers at all has let the call in: its first
            # message is enough (Health Watch never ends by itself).
            it = ch.unary_stream(path)(b"", metadata=md, timeout=10)
            for _ in it:
                it.cancel()
                break
        else:
            ch.unary_unary(path)(b"", metadata=md, timeout=10)
        return SC.OK
    except grpc.RpcError as e:
        return e.code()


def expected(min_role, who):
    if min_role == 0:
        return "ok"
    if who in ("none", "malformed", "wrong", "revoked"):
        return SC.UNAUTHENTICATED
    return SC.PERMISSION_DENIED if ROLES[who] < min_role else "allowed"


counter = itertools.count(1)
moves = itertools.count(0)
res.check("the TCP listener serves TLS", "listening on %s (TLS)" % daemon.tcp in
          open(os.path.join(daemon.dir, "renjad.log")).read())
for tname, channel in (("unix", lambda: grpc.insecure_channel("unix:" + daemon.sock)),
                       ("tcp+tls", lambda: grpc.secure_channel(daemon.tcp, tls_creds))):
    with channel() as ch:
        for (path, min_role, kind), who in itertools.product(table, creds):
            got = call_raw(ch, path, kind, creds[who])
            exp = expected(min_role, who)
            name = "%s %s as %s" % (tname, path, who)
            if exp == "ok":
                res.check(name + ": OK", got == SC.OK, str(got))
            elif exp == "allowed":
                res.check(name + ": passes auth", got not in (SC.UNAUTHENTICATED, SC.PERMISSION_DENIED),
                          str(got))
            else:
                res.check(name + ": " + exp.name, got == exp, str(got))

        # Ownership cases of Submit, for every credential.
        for who in creds:
            n = next(counter)
            cases = {
                "changes another bidang's item": [model_pb2.Change(upsert_item=model_pb2.Item(
                    kode="2.17.06.1.01", nama="Kegiatan Koperasi", bidang="Bidang Koperasi",
                    lokasi="Lahat %d" % n, indikator=ind))],
                "adds a child under another bidang's kegiatan": [model_pb2.Change(
                    upsert_item=model_pb2.Item(kode="2.17.06.1.01.%04d" % (200 + n),
                                               nama="Sisipan", bidang="Bidang UKM"))],
                "moves an own item into another bidang": [model_pb2.Change(
                    upsert_item=model_pb2.Item(kode="2.17.08.1.01.%04d" % (100 + next(moves)),
                                               nama="Pindah", bidang="Bidang Koperasi"))],
                "reports realisasi of a foreign indikator": [model_pb2.Change(
                    realisasi=model_pb2.Realisasi(kode="2.17.06.1.01", tw=2, indikator=1,
                                                  value_e4=10000 * n))],
            }
            for what, changes in cases.items():
                before = head(ch)
                try:
                    unary(ch, "/renja.v1.Renja/Submit",
                          renja_pb2.SubmitRequest(plan=P, changes=changes), renja_pb2.SubmitResponse,
                          auth=creds[who])
                    got = SC.OK
                except grpc.RpcError as e:
                    got = e.code()
                after = head(ch)
                if who in ("none", "malformed", "wrong", "revoked"):
                    exp = SC.UNAUTHENTICATED
                elif who in ("viewer", "editor"):
                    exp = SC.PERMISSION_DENIED
                else:
                    exp = SC.OK
                res.check("%s: %s %s: %s" % (tname, who, what, exp.name), got == exp, str(got))
                res.check("%s: %s %s: %s" % (tname, who, what, "one revision" if exp == SC.OK
                                              else "nothing changed"),
                          after == before + (1 if exp == SC.OK else 0), "%d -> %d" % (before, after))
        # And an editor within its own bidang is allowed the same acts.
        n = next(counter)
        try:
            unary(ch, "/renja.v1.Renja/Submit", renja_pb2.SubmitRequest(plan=P, changes=[
                model_pb2.Change(upsert_item=model_pb2.Item(kode="2.17.08.1.01.%04d" % n, nama="Milik",
                                                            bidang="Bidang UKM")),
                model_pb2.Change(realisasi=model_pb2.Realisasi(kode="2.17.08.1.01", tw=2, indikator=1,
                                                               value_e4=10000 * n))]),
                renja_pb2.SubmitResponse, auth=creds["editor"])
            res.check(tname + ": editor adds and reports within its bidang", True)
        except grpc.RpcError as e:
            res.check(tname + ": editor adds and reports within its bidang", False, str(e))
    res.check("daemon alive after " + tname, daemon.alive())
finally_rc = daemon.stop()
res.check("daemon stops cleanly", finally_rc == 0, str(finally_rc))
cleanup()
res.finish()
