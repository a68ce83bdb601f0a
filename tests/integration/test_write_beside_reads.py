#!/usr/bin/python3
"""A write does not queue behind reads.

renjad computes reads on its pool of 4 threads. A write goes from the loop
straight to the writer thread (its token is checked there), so a Submit sent
after 32 reads of a 20,000-item plan is answered while most of them are still
being computed: it never waits for a pool thread. Had the write gone through
the pool (first come, first served), it would have waited behind the reads
queued before it, answered only after several pools' worth of them.

Ordering only, no clock: the test records the order in which the answers
arrive on one connection.

Environment: RENJAD, RENJA (the binaries), RENJA_SRC (the source tree).
"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import grpc  # noqa: E402

import renjatest  # noqa: E402

READS = 32

tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
res = renjatest.Results()


stub = renjatest.stub


def big_plan_changes(n):
    changes = [model_pb2.Change(upsert_item=model_pb2.Item(kode="2.17", nama="Koperasi"))]
    p = 0
    while len(changes) < n:
        p += 1
        changes.append(model_pb2.Change(upsert_item=model_pb2.Item(kode="2.17.%02d" % p, nama="Program %d" % p)))
        for k in range(1, 10):
            kg = "2.17.%02d.1.%02d" % (p, k)
            changes.append(model_pb2.Change(upsert_item=model_pb2.Item(kode=kg, nama="Kegiatan %d" % k)))
            for s in range(1, 30):
                changes.append(model_pb2.Change(upsert_item=model_pb2.Item(
                    kode="%s.%04d" % (kg, s), nama="Sub kegiatan %d" % s, bidang="Bidang UKM",
                    has_pagu=True, pagu=1000000 * s, sumber_dana="DAU")))
    return changes


def main():
    dm = renjatest.Daemon(tmp)
    md = [("authorization", "Bearer " + dm.token)]
    opts = [("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)]
    try:
        with grpc.insecure_channel(dm.tcp, options=opts) as ch:
            stub(ch, "CreatePlan", renja_pb2.PlanResponse)(
                renja_pb2.CreatePlanRequest(plan="besar/2024", nama="Dinas Besar"), metadata=md, timeout=30)
            submit = stub(ch, "Submit", renja_pb2.SubmitResponse)
            submit(renja_pb2.SubmitRequest(plan="besar/2024", changes=big_plan_changes(20000)),
                   metadata=md, timeout=300)
            export = stub(ch, "Export", renja_pb2.ExportResponse)
            order, lock = [], threading.Lock()

            def done(name):
                def cb(_f):
                    with lock:
                        order.append(name)
                return cb

            futures = []
            for i in range(READS):
                f = export.future(renja_pb2.ExportRequest(plan="besar/2024"), metadata=md, timeout=600)
                f.add_done_callback(done("read"))
                futures.append(f)
            f = submit.future(renja_pb2.SubmitRequest(plan="besar/2024", message="di sela baca", changes=[
                model_pb2.Change(upsert_item=model_pb2.Item(kode="2.17.01.1.01.0001", nama="Sub kegiatan 1",
                                                            bidang="Bidang UKM", has_pagu=True, pagu=7))]),
                metadata=md, timeout=600)
            f.add_done_callback(done("submit"))
            futures.append(f)
            errors = []
            for x in futures:
                try:
                    x.result()
                except grpc.RpcError as e:
                    errors.append("%s %s" % (e.code(), e.details()))
            res.check("every read and the submit answered", not errors, "; ".join(errors[:3]))
            before = order.index("submit") if "submit" in order else len(order)
            print("note: %d of %d reads answered before the submit" % (before, READS))
            res.check("the submit is answered before 4 (the pool size) of the reads queued ahead of it",
                      before < 4, "order: %s" % order)
        res.check("daemon alive", dm.alive())
        res.check("clean stop", dm.stop() == 0)
    finally:
        if dm.alive():
            dm.stop()
        cleanup()
    res.finish()


main()
