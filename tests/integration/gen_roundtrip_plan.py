#!/usr/bin/python3
"""Print a generated Renja of about N items (argv[1]) as a JSON import file.

Deterministic. It has what a round trip must carry: targets with a text
that is more than the value ("12 Bulan 3 dok"), with a text in Indonesian
form ("66,20"), with no text (a JSON number), text-only targets, negatif
tren, names with commas, quotes, a newline and non-ASCII letters, items
without pagu, budget lines, realisasi kinerja (value and text) and
realisasi anggaran. Used by test_roundtrip.sh (ROUNDTRIP_ITEMS).
"""
import json
import sys

n_items = int(sys.argv[1])
# Short texts: 26,000 items must stay under renjad's default 4 MiB message.
BIDANG = ["Sekretariat", "Bidang UKM", "Bidang Koperasi", "Bidang Usaha Kecil"]
LOKASI = ["Sumsel", "Palembang", "Kab. OKI", ""]
SUMBER = ["PAD", "DAK", "APBN", ""]
PROGRAMS, KEGIATAN = 20, 10
subs = max(1, -(-(n_items - 1 - PROGRAMS - PROGRAMS * KEGIATAN) // (PROGRAMS * KEGIATAN)))
items, real = [], []


def indikator(seq):
    kind = seq % 6
    k = {"nama": "Ind %d" % seq, "satuan": ["dok", "%", "unit"][seq % 3]}
    if kind == 0:
        k["target"], k["target_text"] = 12, "12 Bulan 3 dok"
    elif kind == 1:
        k["target"] = "%d,%02d" % (seq % 100, seq % 7 * 10)  # "66,20": text as written
    elif kind == 2:
        k["target"] = seq % 1000 + 0.125  # a JSON number, plain: no text
    elif kind == 3:
        k["target_text"] = "sesuai kebutuhan"  # not a number
    elif kind == 4:
        k["target"], k["target_text"], k["tren"] = "4,14", "4,14", "negatif"
    else:
        k["target"] = str(seq % 50 + 1)
    return k


items.append({"kode": "2.17", "nama": "Urusan Koperasi, Usaha Kecil dan Menengah",
              "bidang": "Sekretariat"})
seq = 0
for p in range(1, PROGRAMS + 1):
    pk = "2.17.%02d" % p
    items.append({"kode": pk, "nama": "Program %d \"Penunjang\"" % p, "bidang": BIDANG[p % 4],
                  "indikator": [indikator(p)]})
    for k in range(1, KEGIATAN + 1):
        kk = "%s.1.%02d" % (pk, k)
        items.append({"kode": kk, "nama": "Kegiatan %d.%d, Perencanaan\nbaris kedua" % (p, k),
                      "bidang": BIDANG[p % 4], "lokasi": LOKASI[k % 4],
                      "indikator": [indikator(p * 100 + k), indikator(p * 100 + k + 1)]})
        for s in range(1, subs + 1):
            seq += 1
            sk = "%s.%04d" % (kk, s)
            it = {"kode": sk, "nama": "Sub %d — Usaha Mikro" % seq,
                  "bidang": BIDANG[p % 4], "lokasi": LOKASI[seq % 4],
                  "sumber_dana": SUMBER[seq % 4], "indikator": [indikator(seq)]}
            if seq % 9:
                it["pagu"] = seq * 1000 + 500
            items.append(it)
            if seq % 6 == 0:
                real.append({"kode": sk, "tw": 2, "indikator": 1,
                             "value": "%d,5" % (seq % 40), "text": "%d,50" % (seq % 40)})
            if seq % 10 == 5:
                real.append({"kode": sk, "tw": 1 + seq % 4, "anggaran": seq * 300})
lines = [{"kode": "5", "nama": "Belanja Daerah"}, {"kode": "5.1", "nama": "Belanja Operasi"}]
for i in range(1, 60):
    lines.append({"kode": "5.1.%02d" % i, "nama": "Belanja, jenis %d" % i, "pagu": i * 1000000})
json.dump({"items": items, "lines": lines, "realisasi": real}, sys.stdout, ensure_ascii=False)
print()
