#!/usr/bin/env python3
"""Write a generated plan as three import files (docs/import-format.md):

  gen_plan.py N DIR

DIR/1-induk.json     one urusan, programs of 25 kegiatan of 20 sub kegiatan
                     each, N sub kegiatan in all, every item with lokasi,
                     sumber dana, one indikator and a pagu at the leaves;
                     budget lines 5, 5.1, 5.1.02
DIR/2-perubahan.json every third sub kegiatan with a new pagu and target,
                     every seventh removed
DIR/3-realisasi.json realisasi of TW II for every remaining sub kegiatan

The figures are a function of the position, so runs are repeatable."""
import json, os, sys

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
PER_KEG, PER_PROG = 20, 25
items = [{"kode": "2.17", "nama": "Urusan Pemerintah Bidang Koperasi, Usaha Kecil dan Menengah"}]
subs = []
count = 0
p = 0
while count < n:
    p += 1
    items.append({"kode": "2.17.%02d" % p, "nama": "Program Uji %d" % p, "bidang": "Bidang %d" % (p % 5 + 1),
                  "indikator": [{"nama": "Persentase capaian program %d" % p, "satuan": "%", "target": 100}]})
    for k in range(1, PER_PROG + 1):
        if count >= n:
            break
        kk = "2.17.%02d.1.%02d" % (p, k)
        items.append({"kode": kk, "nama": "Kegiatan Uji %d.%d" % (p, k), "bidang": "Bidang %d" % (p % 5 + 1),
                      "lokasi": "Sumsel",
                      "indikator": [{"nama": "Persentase capaian kegiatan", "satuan": "%", "target": 100}]})
        for s in range(1, PER_KEG + 1):
            if count >= n:
                break
            count += 1
            sk = "%s.%04d" % (kk, s)
            subs.append(sk)
            items.append({"kode": sk, "nama": "Sub Kegiatan Uji %d dengan nama yang cukup panjang seperti aslinya" % count,
                          "bidang": "Bidang %d" % (p % 5 + 1), "lokasi": "Sumsel", "sumber_dana": "PAD",
                          "pagu": 1000000 * (count % 97 + 1) + 500 * (count % 13),
                          "indikator": [{"nama": "Jumlah dokumen yang disusun", "satuan": "dokumen",
                                         "target": count % 40 + 2}]})
total = sum(i.get("pagu", 0) for i in items)
lines = [{"kode": "5", "nama": "TOTAL BELANJA"}, {"kode": "5.1", "nama": "BELANJA OPERASI"},
         {"kode": "5.1.02", "nama": "Belanja Barang dan Jasa", "pagu": total}]
json.dump({"items": items, "lines": lines}, open(os.path.join(out, "1-induk.json"), "w"))

byk = {i["kode"]: i for i in items}
changed, removed = [], []
for idx, sk in enumerate(subs):
    if idx % 7 == 6:
        removed.append({"kode": sk})
    elif idx % 3 == 0:
        it = dict(byk[sk])
        it["pagu"] = it["pagu"] + 250000
        it["indikator"] = [dict(it["indikator"][0], target=it["indikator"][0]["target"] + 1)]
        changed.append(it)
json.dump({"items": changed, "remove": removed}, open(os.path.join(out, "2-perubahan.json"), "w"))

gone = {r["kode"] for r in removed}
real = [{"kode": sk, "tw": 2, "indikator": 1, "value": (idx % 40 + 2) // 2} for idx, sk in enumerate(subs) if sk not in gone]
json.dump({"realisasi": real}, open(os.path.join(out, "3-realisasi.json"), "w"))
print("%d items, %d sub kegiatan, %d changed, %d removed" % (len(items), len(subs), len(changed), len(removed)))
