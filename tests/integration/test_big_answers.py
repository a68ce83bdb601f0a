#!/usr/bin/python3
"""Answers of any size: a plan with 40,000 revisions and one with 20,000
items, read with a default gRPC client (4 MiB receive limit) and with the real
renja CLI.

Log, Show and Export answer in pages (paged = true) of about 1 MiB, which a
default client can read and follow; without paged an answer over the message
limit is refused by the daemon with RESOURCE_EXHAUSTED naming the paging,
never sent as one message the client must refuse. `renja log`, `show` and
`export` follow the pages by themselves; `log --before REV` starts below REV.

Environment: RENJAD, RENJA (the binaries), RENJA_SRC (the source tree).
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import grpc  # noqa: E402

import renjatest  # noqa: E402

RENJA = os.environ.get("RENJA", "renja")
LIMIT = 4 << 20  # a default gRPC client's receive limit

tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
res = renjatest.Results()


stub = renjatest.stub


def cli(dm, *args):
    env = dict(os.environ, RENJA_SERVER="unix:" + dm.sock, RENJA_TOKEN=dm.token)
    return subprocess.run([RENJA, *args], env=env, capture_output=True, text=True, timeout=300)


def many_revisions(dm, plan, n):
    """n revisions, each changing one item, with 64 calls in flight."""
    with grpc.insecure_channel(dm.tcp) as ch:
        md = [("authorization", "Bearer " + dm.token)]
        stub(ch, "CreatePlan", renja_pb2.PlanResponse)(renja_pb2.CreatePlanRequest(plan=plan, nama="Dinas Uji"),
                                                        metadata=md, timeout=30)
        submit = stub(ch, "Submit", renja_pb2.SubmitResponse)
        pending, done = [], 0
        for i in range(n):
            req = renja_pb2.SubmitRequest(plan=plan, message="revisi ke-%d: pergeseran anggaran antar sub kegiatan sesuai Perkada penjabaran "
                                          "APBD, berita acara rapat TAPD, dan surat usulan kepala perangkat daerah; "
                                          "rincian pada lampiran nota dinas bidang perencanaan" % i,
                                          changes=[model_pb2.Change(upsert_item=model_pb2.Item(
                                              kode="2.%02d" % (10 + i % 80), nama="Urusan %d" % i))])
            pending.append(submit.future(req, metadata=md, timeout=120))
            if len(pending) >= 64:
                pending.pop(0).result()
                done += 1
        for f in pending:
            f.result()


def big_plan(dm, plan, n):
    """One revision of n program-tree items."""
    changes = renjatest.plan_changes(model_pb2, n)
    opts = [("grpc.max_send_message_length", 64 << 20)]
    with grpc.insecure_channel(dm.tcp, options=opts) as ch:
        md = [("authorization", "Bearer " + dm.token)]
        stub(ch, "CreatePlan", renja_pb2.PlanResponse)(renja_pb2.CreatePlanRequest(plan=plan, nama="Dinas Besar"),
                                                        metadata=md, timeout=30)
        stub(ch, "Submit", renja_pb2.SubmitResponse)(renja_pb2.SubmitRequest(plan=plan, changes=changes),
                                                      metadata=md, timeout=120)


def main():
    dm = renjatest.Daemon(tmp)
    md = [("authorization", "Bearer " + dm.token)]
    try:
        n_revs = 40000
        t0 = time.monotonic()
        many_revisions(dm, "riwayat/2024", n_revs)
        print("note: %d revisions written in %.1f s" % (n_revs, time.monotonic() - t0))
        with grpc.insecure_channel(dm.tcp) as ch:  # default options: 4 MiB receive limit
            log = stub(ch, "Log", renja_pb2.LogResponse)
            try:
                log(renja_pb2.LogRequest(plan="riwayat/2024"), metadata=md, timeout=60)
                res.check("unpaged log of 40,000 revisions is refused by the daemon", False, "it was answered")
            except grpc.RpcError as e:
                res.check("unpaged log of %d revisions: RESOURCE_EXHAUSTED from the daemon naming the paging (%s)"
                          % (n_revs, e.details()),
                          e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "paged" in (e.details() or ""))
            t0 = time.monotonic()
            revs, pages, biggest, before = [], 0, 0, 0
            while True:
                r = log(renja_pb2.LogRequest(plan="riwayat/2024", paged=True, before=before), metadata=md, timeout=60)
                pages += 1
                biggest = max(biggest, r.ByteSize())
                revs.extend(x.rev for x in r.revisions)
                if not r.next_before:
                    break
                before = r.next_before
            res.check("paged log read by a default client: %d revisions in %d pages, largest %.2f MiB (%.2f s)"
                      % (len(revs), pages, biggest / (1 << 20), time.monotonic() - t0),
                      revs == list(range(n_revs, 0, -1)) and biggest < LIMIT and pages > 1)
            r = log(renja_pb2.LogRequest(plan="riwayat/2024", paged=True, limit=10), metadata=md, timeout=60)
            res.check("a limit within one page ends the paging",
                      [x.rev for x in r.revisions] == list(range(n_revs, n_revs - 10, -1)) and r.next_before == 0)

        t0 = time.monotonic()
        out = cli(dm, "--format", "tsv", "log", "riwayat/2024")
        rows = [ln.split("\t")[0] for ln in out.stdout.splitlines()]
        res.check("renja log follows the pages: %d rows (%.2f s)" % (len(rows), time.monotonic() - t0),
                  out.returncode == 0 and rows == [str(i) for i in range(n_revs, 0, -1)], out.stderr[-300:])
        out = cli(dm, "--format", "tsv", "log", "riwayat/2024", "--before", "100")
        rows = [ln.split("\t")[0] for ln in out.stdout.splitlines()]
        res.check("renja log --before 100: revisions 99..1", out.returncode == 0 and
                  rows == [str(i) for i in range(99, 0, -1)], out.stderr[-300:])
        out = cli(dm, "--format", "tsv", "log", "riwayat/2024", "--before", "30000", "--limit", "25000")
        rows = [ln.split("\t")[0] for ln in out.stdout.splitlines()]
        res.check("renja log --before 30000 --limit 25000 across pages: 29999..5000", out.returncode == 0 and
                  rows == [str(i) for i in range(29999, 4999, -1)], "%d rows %s" % (len(rows), out.stderr[-300:]))
        out = cli(dm, "--format", "tsv", "log", "riwayat/2024", "2.10")
        rows = [ln.split("\t")[0] for ln in out.stdout.splitlines()]
        revs = [int(x) for x in rows] if out.returncode == 0 else []
        res.check("renja log of one item follows its pages: %d rows" % len(rows), out.returncode == 0 and
                  len(revs) == n_revs // 80 and revs == sorted(set(revs), reverse=True), out.stderr[-300:])
        out = cli(dm, "log", "riwayat/2024", "--before", "x")
        res.check("renja log --before x is a usage error naming the flag",
                  out.returncode == 2 and "before" in out.stderr, out.stderr)

        n_items = 20000
        big_plan(dm, "besar/2024", n_items)
        with grpc.insecure_channel(dm.tcp) as ch:
            for method, req_cls, resp_cls in (("Export", renja_pb2.ExportRequest, renja_pb2.ExportResponse),
                                              ("Show", renja_pb2.ShowRequest, renja_pb2.ShowResponse)):
                fn = stub(ch, method, resp_cls)
                items, pages, biggest, offset, at, stages = [], 0, 0, 0, "", 0
                while True:
                    r = fn(req_cls(plan="besar/2024", paged=True, offset=offset, at=at), metadata=md, timeout=60)
                    pages += 1
                    biggest = max(biggest, r.ByteSize())
                    items.extend(x.kode for x in r.items)
                    if not r.next_offset:
                        break
                    offset, at = r.next_offset, str(r.rev)
                res.check("paged %s of %d items: %d pages, largest %.2f MiB" % (method, n_items, pages,
                                                                            biggest / (1 << 20)),
                          len(items) == n_items and len(set(items)) == n_items and pages > 1 and
                          biggest <= (1 << 20) + 4096)
        out = cli(dm, "export", "besar/2024")
        doc = json.loads(out.stdout) if out.returncode == 0 else {}
        res.check("renja export follows the pages: %d items" % len(doc.get("items", [])),
                  len(doc.get("items", [])) == n_items, out.stderr[-300:])
        out = cli(dm, "--format", "tsv", "show", "besar/2024")
        res.check("renja show follows the pages: %d rows" % len(out.stdout.splitlines()),
                  out.returncode == 0 and len(out.stdout.splitlines()) == n_items, out.stderr[-300:])
        res.check("daemon still running", dm.alive())
        res.check("SIGTERM exits 0", dm.stop() == 0)
    finally:
        if dm.alive():
            dm.proc.kill()
        cleanup()
    res.finish()


main()
