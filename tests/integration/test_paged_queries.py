#!/usr/bin/python3
"""Diff, Compare, Evaluate and Validate answers of any size.

One generated plan (two stages that differ in every sub kegiatan, an
indikator each, budget lines, realisasi, a validate finding per kegiatan)
served by two daemons on the same data (the second restored from a backup
of the first): one with the default message limit (4 MiB), one with the
smallest (--max-message 65536), where every one of the four answers is
several times the limit.

1. The real renja diff, compare, eval, validate and report print the same
   bytes (json, tsv and table; the same exit codes; the same report file)
   from both daemons: the CLI follows the pages by itself.
2. A default grpcio client asking with paged walks the pages, each under
   the limit, and appending their lists gives exactly the unpaged answer of
   the first daemon; without paged it gets RESOURCE_EXHAUSTED naming paged.
3. A write (a submit and a new stage) between two pages does not change the
   later pages: they are read at the first page's pin.

Environment: RENJAD, RENJA (the binaries), RENJA_SRC (the source tree).
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import grpc  # noqa: E402

import renjatest  # noqa: E402

RENJA = os.environ.get("RENJA", "renja")
RENJAD = renjatest.RENJAD
SMALL = 65536
PLAN = "besar/2024"

tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
res = renjatest.Results()


stub = renjatest.stub


def cli(dm, *args, cwd=None):
    env = dict(os.environ, RENJA_SERVER="unix:" + dm.sock, RENJA_TOKEN=dm.token, COLUMNS="120", TZ="UTC")
    env.pop("RENJA_FORMAT", None)
    return subprocess.run([RENJA, *args], env=env, capture_output=True, timeout=600, cwd=cwd)


def load(dm):
    opts = [("grpc.max_send_message_length", 64 << 20)]
    with grpc.insecure_channel(dm.tcp, options=opts) as ch:
        md = [("authorization", "Bearer " + dm.token)]
        stub(ch, "CreatePlan", renja_pb2.PlanResponse)(renja_pb2.CreatePlanRequest(plan=PLAN, nama="Dinas Besar"),
                                                        metadata=md, timeout=30)
        submit = stub(ch, "Submit", renja_pb2.SubmitResponse)
        stage = stub(ch, "SetStage", renja_pb2.SetStageResponse)
        for v, name in ((0, "apbd"), (1, "apbd-p")):
            changes = renjatest.plan_changes(model_pb2, 2500, variant=v, indikator=True, lines=600,
                                             realisasi=v == 1)
            r = submit(renja_pb2.SubmitRequest(plan=PLAN, message=name, changes=changes), metadata=md, timeout=120)
            stage(renja_pb2.SetStageRequest(plan=PLAN, stage=model_pb2.Stage(name=name, rev=r.rev,
                                                                             title=name.upper())),
                  metadata=md, timeout=30)


# (method, response class, request fields) read by the grpcio client
QUERIES = [
    ("Diff", "DiffResponse", "DiffRequest", dict(plan=PLAN, **{"from": "apbd"}, to="apbd-p")),
    ("Diff", "DiffResponse", "DiffRequest", dict(plan=PLAN, **{"from": "apbd"}, to="head", all=True)),
    ("Diff", "DiffResponse", "DiffRequest", dict(plan=PLAN, **{"from": "apbd"}, to="apbd-p", by="rekening")),
    ("Compare", "CompareResponse", "CompareRequest", dict(plan=PLAN, what="all")),
    ("Compare", "CompareResponse", "CompareRequest", dict(plan=PLAN, refs=["apbd", "head"], what="all", deltas=True)),
    ("Evaluate", "EvaluateResponse", "EvaluateRequest", dict(plan=PLAN, tw=1)),
    ("Validate", "ValidateResponse", "ValidateRequest", dict(plan=PLAN)),
]


def content(path):
    """A report's bytes; of an XLSX, its members but the creation time."""
    if not path.endswith(".xlsx"):
        return open(path, "rb").read()
    import zipfile
    with zipfile.ZipFile(path) as z:
        return b"".join(n.encode() + z.read(n) for n in z.namelist() if n != "docProps/core.xml")


def paged(fn, req_cls, fields, md, between=None):
    """Walk the pages; returns (the answer put together, pages, largest)."""
    whole, pages, biggest, offset, pin = None, 0, 0, 0, None
    while True:
        req = req_cls(paged=True, offset=offset, **fields)
        if pin is not None:
            req.pin.CopyFrom(pin)
        r = fn(req, metadata=md, timeout=60)
        pages += 1
        biggest = max(biggest, r.ByteSize())
        if whole is None:
            whole, pin = r, type(r.pin)()
            pin.CopyFrom(r.pin)
        else:
            whole.MergeFrom(r)
        if not r.next_offset:
            break
        offset = r.next_offset
        if between and pages == 1:
            between()
    whole.ClearField("next_offset")
    return whole, pages, biggest


def main():
    big = renjatest.Daemon(os.path.join(tmp, "a"))
    small = None
    try:
        load(big)
        sdir = os.path.join(tmp, "b", "data")
        backup = os.path.join(tmp, "plan.mdb")
        subprocess.run([RENJAD, "backup", "--data-dir", big.dir, backup], check=True, capture_output=True)
        os.makedirs(os.path.dirname(sdir))
        subprocess.run([RENJAD, "restore", "--data-dir", sdir, backup], check=True, capture_output=True)
        shutil.copy(os.path.join(big.dir, "admin.token"), sdir)
        small = renjatest.Daemon(os.path.join(tmp, "b"), extra=["--max-message", str(SMALL)])

        # 1. the CLI, byte for byte
        cmds = [["diff", PLAN, "apbd", "apbd-p"], ["diff", PLAN, "apbd", "head", "--all"],
                ["diff", PLAN, "apbd", "apbd-p", "--by", "bidang"],
                ["compare", PLAN, "apbd", "apbd-p", "--all-rows"], ["compare", PLAN, "apbd", "apbd-p", "--deltas", "--all-rows"],
                ["eval", PLAN, "--tw", "1", "--at", "apbd-p"], ["validate", PLAN], ["validate", PLAN, "--at", "apbd"]]
        for fmt in ("json", "tsv", "table"):
            for c in cmds:
                a, b = cli(big, "--format", fmt, *c), cli(small, "--format", fmt, *c)
                res.check("renja --format %s %s: %d bytes, exit %d, the same from both daemons"
                          % (fmt, " ".join(c[:1] + c[2:]), len(a.stdout), a.returncode),
                          a.stdout == b.stdout and a.returncode == b.returncode and (len(a.stdout) > 2 * SMALL or fmt != "json")
                          and a.returncode in (0, 7),
                          "exit %d/%d: %s" % (a.returncode, b.returncode, b.stderr.decode()[-300:]))
        for ext in ("html", "xlsx"):
            outs = []
            for dm, d in ((big, "a"), (small, "b")):
                out = os.path.join(tmp, d, "renja." + ext)
                r = cli(dm, "report", PLAN, "--from", "apbd", "--to", "apbd-p", "-o", out)
                outs.append((r.returncode, content(out) if r.returncode == 0 else r.stderr))
            res.check("renja report -o .%s: %d bytes, the same from both daemons" % (ext, len(outs[0][1])),
                      outs[0] == outs[1] and outs[0][0] == 0, str(outs[1])[:300])

        # 2. a default grpcio client
        md = [("authorization", "Bearer " + big.token)]
        with grpc.insecure_channel(big.tcp) as cb, grpc.insecure_channel(small.tcp) as cs:
            for method, resp, reqname, fields in QUERIES:
                resp_cls, req_cls = getattr(renja_pb2, resp), getattr(renja_pb2, reqname)
                want = stub(cb, method, resp_cls)(req_cls(**fields), metadata=md, timeout=60)
                fn = stub(cs, method, resp_cls)
                try:
                    fn(req_cls(**fields), metadata=md, timeout=60)
                    res.check("unpaged %s over the limit refused" % method, False, "answered")
                except grpc.RpcError as e:
                    res.check("unpaged %s of %d bytes: RESOURCE_EXHAUSTED naming paged (%s)"
                              % (method, want.ByteSize(), e.details()),
                              e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "paged" in (e.details() or ""))
                got, pages, biggest = paged(fn, req_cls, fields, md)
                res.check("paged %s %s: %d pages, largest %d bytes, put together = the unpaged answer (%d bytes)"
                          % (method, fields.get("to", fields.get("what", "")), pages, biggest, want.ByteSize()),
                          got == want and pages >= 3 and biggest <= SMALL)
                if method == "Validate":
                    first = fn(req_cls(paged=True, **fields), metadata=md, timeout=60)
                    n_err = sum(1 for f in want.findings if f.severity == "error")
                    res.check("validate: the first page counts %d errors and %d warnings of the whole answer"
                              % (first.errors, first.warnings),
                              first.errors == n_err > len([f for f in first.findings if f.severity == "error"])
                              and first.errors + first.warnings == len(want.findings))
            try:
                stub(cs, "Diff", renja_pb2.DiffResponse)(renja_pb2.DiffRequest(
                    plan=PLAN, to="apbd-p", paged=True, offset=5), metadata=md, timeout=60)
                res.check("a later page without a pin is refused", False, "answered")
            except grpc.RpcError as e:
                res.check("a later page without a pin: INVALID_ARGUMENT (%s)" % e.details(),
                          e.code() == grpc.StatusCode.INVALID_ARGUMENT and "pin" in e.details())

            # 3. writes between pages
            n = [0]

            def write():
                n[0] += 1
                changes = [model_pb2.Change(upsert_item=model_pb2.Item(
                    kode="2.17.01.1.01.%04d" % s, nama="Diubah %d" % n[0], has_pagu=True, pagu=7 * s + n[0],
                    indikator=[model_pb2.Indikator(nama="Baru", satuan="Dokumen", has_target=False,
                                                   target_text="ada")]))
                    for s in range(1, 30)]
                r = stub(cs, "Submit", renja_pb2.SubmitResponse)(renja_pb2.SubmitRequest(
                    plan=PLAN, message="di antara halaman", changes=changes), metadata=md, timeout=60)
                stub(cs, "SetStage", renja_pb2.SetStageResponse)(renja_pb2.SetStageRequest(
                    plan=PLAN, stage=model_pb2.Stage(name="perkada-%d" % n[0], rev=r.rev - 1)),
                    metadata=md, timeout=30)
            for method, resp, reqname, fields in QUERIES:
                resp_cls, req_cls = getattr(renja_pb2, resp), getattr(renja_pb2, reqname)
                fn = stub(cs, method, resp_cls)
                want, _, _ = paged(fn, req_cls, fields, md)
                got, pages, _ = paged(fn, req_cls, fields, md, between=write)
                now, _, _ = paged(fn, req_cls, fields, md)
                res.check("%s %s with a submit and a stage set after its first page: the later pages are of "
                          "the first page's plan (%d pages)" % (method, fields.get("to", fields.get("what", "")), pages),
                          got == want)
                res.check("... and a read after the write sees it", now != want)
        res.check("both daemons still running", big.alive() and small.alive())
    finally:
        for dm in (big, small):
            if dm and dm.alive():
                dm.stop()
        cleanup()
    res.finish()


main()
