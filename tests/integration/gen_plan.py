#!/usr/bin/env python3
"""Print a synthetic plan of about N items as CSV (docs/import-format.md) on
stdout: one urusan, programs, kegiatan and sub kegiatan, each sub kegiatan
with a pagu and one indikator. Deterministic for a given N.

    gen_plan.py N
"""
import csv
import sys


def main():
    n = int(sys.argv[1])
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["tipe", "kode", "nama", "bidang", "lokasi", "sumber_dana", "pagu",
                "indikator", "satuan", "target", "tren"])
    bidang = ["Sekretariat", "Bidang Kelembagaan", "Bidang Pemberdayaan Usaha Kecil"]
    w.writerow(["item", "2.17", "Urusan Koperasi, Usaha Kecil dan Menengah",
                "", "", "", "", "", "", "", ""])
    programs, kegiatan = 10, 10
    per_keg = max(1, -(-(n - 1 - programs - programs * kegiatan) // (programs * kegiatan)))
    made = 1
    for p in range(1, programs + 1):
        b = bidang[p % len(bidang)]
        pk = "2.17.%02d" % p
        w.writerow(["item", pk, "Program %d" % p, b, "", "", "", "", "", "", ""])
        made += 1
        for k in range(1, kegiatan + 1):
            kk = "%s.1.%02d" % (pk, k)
            w.writerow(["item", kk, "Kegiatan %d.%d" % (p, k), b, "", "", "", "", "", "", ""])
            made += 1
            for s in range(1, per_keg + 1):
                if made >= n:
                    break
                sk = "%s.%04d" % (kk, s)
                pagu = 1000000 * ((p * 7 + k * 3 + s) % 97 + 1)
                w.writerow(["item", sk, "Sub kegiatan %d.%d.%d penyusunan dokumen" % (p, k, s),
                            b, "Sumsel", "PAD", "{:,}".format(pagu).replace(",", "."),
                            "Jumlah dokumen %d" % s, "dokumen", str(s % 12 + 1), "positif"])
                made += 1


if __name__ == "__main__":
    main()
