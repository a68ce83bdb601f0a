#!/usr/bin/env bash
# renja report on the loaded seed example, read back with readers we did
# not write: the XLSX with Debian's python3-openpyxl (every rupiah figure of
# Tabel 3.3: pagu sebelum, sesudah and bertambah/(berkurang), every cell of Tabel 3.2, every target, realisasi and capaian of
# Tabel 2-1, checked against expected.json, which is taken from the seed
# document), the HTML printed to PDF by headless Chromium and read with
# pdftotext. Also: no overwrite without --force, the Excel CSV dialect.
source "$(dirname "$0")/lib.sh"

EXPECTED="$RENJA_SRC/examples/diskopukm-sumsel-2024/expected.json"

# docs/cli.md carries renja help and every command's --help as they are.
"$RENJA" help >"$T/help"
/usr/bin/python3 - "$RENJA" "$RENJA_SRC/docs/cli.md" "$T/help" <<'PY'
import re, subprocess, sys
renja, doc, helpf = sys.argv[1:]
doc, help_ = open(doc).read(), open(helpf).read()
ok = "```\n" + help_ + "```\n" in doc
names = re.findall(r"^  (\S+(?: \S+)?)\s{2,}", help_.split("Commands:\n")[1].split("\n\n")[0], re.M)
for n in names:
    words = n.split()
    out = subprocess.run([renja] + words + ["--help"], capture_output=True, text=True).stdout
    if out.startswith("usage: renja " + n.split()[0]) is False or "```\n" + out + "```\n" not in doc:
        print("docs/cli.md lacks the --help of", n)
        ok = False
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] && pass "docs/cli.md equals renja help" || fail "docs/cli.md differs from renja help"

init_store "$T/data"
start_daemon "$T/data"
export RENJA
bash "$RENJA_SRC/examples/diskopukm-sumsel-2024/load.sh" >"$T/load.out" 2>"$T/load.err" \
  || { cat "$T/load.err" >&2; fail "load.sh"; finish; }
P=diskopukm-sumsel/2024

# --tw and --at are left to their defaults: the latest triwulan with
# realisasi (II) and the --from stage (apbd).
expect_exit "report to xlsx" 0 "$RENJA" report $P --from apbd --to apbd-p -o "$T/r.xlsx"
/usr/bin/python3 - "$T/r.xlsx" "$EXPECTED" <<'PY'
import json, sys
import openpyxl
xlsx, expected = sys.argv[1], sys.argv[2]
exp = json.load(open(expected))
wb = openpyxl.load_workbook(xlsx)
passed = failed = 0
def check(name, want, got):
    global passed, failed
    if want == got:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s: expected %r, got %r" % (name, want, got))
MONEY = "#,##0;(#,##0);-"
def is_num(c):
    return c.data_type == "n" and isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
def money(name, cell, want):
    """A rupiah figure: a numeric cell with the rupiah format; a figure the
    seed leaves blank or "-" may be an empty cell or a numeric 0 (shown -)."""
    if want is None:
        check(name + " (blank or -)", True, cell.value is None or (is_num(cell) and cell.value == 0))
    else:
        check(name + " is a number", True, is_num(cell))
        check(name, want, cell.value)
    if cell.value is not None:
        check(name + " format", MONEY, cell.number_format)
def row_of(ws, col, value, first=1):
    for r in range(first, ws.max_row + 1):
        if ws.cell(r, col).value == value:
            return r
    return None

check("sheets", ["Tabel 2-1", "Tabel 2", "Tabel 3.3 (3.1)", "Tabel 3.2", "Temuan Validasi"], wb.sheetnames)

# --- Tabel 3.3 -----------------------------------------------------------------------
ws = wb["Tabel 3.3 (3.1)"]
check("3.3 caption", "Tabel 3.3 Rincian Program, Kegiatan, Sub Kegiatan, Target dan Pagu dan Perubahan RENJA Tahun 2024", ws["A1"].value)
head = {"A3": "Nomor", "B3": "Kode", "C3": "Urusan/ Bidang Urusan/ Program/ Kegiatan/ Sub Kegiatan",
        "D3": "Indikator Kinerja Program/ Kegiatan/ Sub Kegiatan", "E3": "Rencana Kerja Perubahan Tahun 2024",
        "K3": "Bertambah/ (Berkurang)", "L3": "Ket.", "M3": "Catatan Pembahasan", "E4": "Lokasi",
        "F4": "Target Capaian Kinerja", "H4": "Kebutuhan Dana/ Pagu Indikatif", "J4": "Sumber Dana",
        "F5": "Sebelum", "G5": "Sesudah", "H5": "Sebelum", "I5": "Sesudah"}
for ref, text in head.items():
    check("3.3 header " + ref, text, ws[ref].value)
check("3.3 numbering row", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11=9-8", "12", "13"],
      [ws.cell(6, c).value for c in range(1, 14)])
merged = {str(m) for m in ws.merged_cells.ranges}
for m in ("A3:A5", "B3:B5", "C3:C5", "D3:D5", "E3:J3", "K3:K5", "L3:L5", "M3:M5", "E4:E5", "F4:G4", "H4:I4", "J4:J5"):
    check("3.3 merged " + m, True, m in merged)
check("3.3 frozen header", "A7", ws.freeze_panes)
check("3.3 header rows repeated", "$3:$6", ws.print_title_rows)
check("3.3 landscape", "landscape", ws.page_setup.orientation)
check("3.3 fit to page", True, ws.sheet_properties.pageSetUpPr.fitToPage)
check("3.3 one page wide, any number tall", (True, 0), (ws.page_setup.fitToWidth in (None, 1), ws.page_setup.fitToHeight))
check("3.3 page header names the plan", True, "Dinas Koperasi dan UKM" in (ws.oddHeader.left.text or ""))
check("3.3 page header names the stages", True, "apbd" in (ws.oddHeader.right.text or "") and "apbd-p" in (ws.oddHeader.right.text or ""))
for kode, (before, after) in exp["tabel_3_3_pagu"].items():
    r = row_of(ws, 2, kode, 7)
    if r is None:
        check("3.3 row " + kode, "present", "missing")
        continue
    money("3.3 %s sebelum" % kode, ws.cell(r, 8), before)
    money("3.3 %s sesudah" % kode, ws.cell(r, 9), after)
    money("3.3 %s bertambah/(berkurang)" % kode, ws.cell(r, 11), exp["tabel_3_3_bertambah"][kode])
    level = kode.count(".")
    bold = bool(ws.cell(r, 3).font.b)
    check("3.3 %s bold" % kode, level < 5, bold)
    check("3.3 %s indent" % kode, {2: 1, 4: 2, 5: 3}[level], int(ws.cell(r, 3).alignment.indent))
r = row_of(ws, 1, "Jumlah", 7)
check("3.3 Jumlah row", True, r is not None)
if r:
    for col, want, name in zip((8, 9, 11), exp["tabel_3_3_jumlah"], ("sebelum", "sesudah", "bertambah/(berkurang)")):
        money("3.3 Jumlah " + name, ws.cell(r, col), want)
    check("3.3 Jumlah bold", True, bool(ws.cell(r, 8).font.b))
check("3.3 the urusan row is bold, not indented", (True, 0),
      (bool(ws.cell(7, 3).font.b), int(ws.cell(7, 3).alignment.indent)))

# --- Tabel 3.2 ------------------------------------------------------------------------
ws = wb["Tabel 3.2"]
check("3.2 caption", "Tabel 3.2 Rincian Program, Kegiatan, Sub Kegiatan, Target dan Pagu dan Perubahan RENJA Tahun 2024", ws["A1"].value)
check("3.2 header", ["NO", "URUSAN / OPD", "RANCANGAN APBD 2024", "APBD 2024", "PERKADA 1 TAHUN 2024 05 FEB 2024",
                     "PERKADA 8 TAHUN 2024 06 JUNI 2024", "RANCANGAN PERUBAHAN 2024", "PENAMBAHAN BANGGAR 16-08-2024",
                     "PAGU ANGGARAN APBD-P 2024"], [ws.cell(3, c).value for c in range(1, 10)])
check("3.2 frozen header", "A4", ws.freeze_panes)
body = [r for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value]
check("3.2 one row per rekening, in the seed's order", len(exp["tabel_3_2"]), len(body))
check("3.2 first row", ("", "TOTAL BELANJA"), (ws.cell(4, 1).value or "", ws.cell(4, 2).value))
for r, (kode, values) in zip(body, exp["tabel_3_2"].items()):
    for k, want in enumerate(values):
        c = ws.cell(r, 3 + k)
        check("3.2 %s column %d is a number" % (kode, k + 1), True, is_num(c))
        check("3.2 %s column %d" % (kode, k + 1), want, c.value)
        check("3.2 %s column %d format" % (kode, k + 1), MONEY, c.number_format)
check("3.2 numbering", ["", "1.", "a.", "1).", "2).", "", "", "b.", "2.", "a."],
      [ws.cell(r, 1).value or "" for r in body[:10]])

# --- Tabel 2-1 ------------------------------------------------------------------------
ws = wb["Tabel 2-1"]
check("2-1 caption", "Tabel 2-1", ws["A1"].value)
check("2-1 caption line 2", "Rekapitulasi Hasil Evaluasi Pelaksanaan Renja Dinas Koperasi dan UKM Provinsi Sumatera Selatan 2024 Sampai Dengan Triwulan II Tahun 2024", ws["A2"].value)
check("2-1 header", ["Kode", "Urusan/ Bidang Urusan Pemerintahan Daerah/ Program/ Kegiatan/ Sub Kegiatan",
                     "Indikator Kinerja Program/ Kegiatan/ Sub Kegiatan", "Lokasi", "Satuan", "Target Kinerja",
                     "Realisasi Kinerja (s.d TW II 2024)", "Capaian Kinerja (%)"],
      [ws.cell(4, c).value for c in range(1, 9)])
check("2-1 numbering row", ["1", "2", "3", "4", "5", "6", "7", "8=(7/6)*100"], [ws.cell(5, c).value for c in range(1, 9)])
check("2-1 frozen header", "A6", ws.freeze_panes)
check("2-1 header rows repeated", "$4:$5", ws.print_title_rows)
# kode#n -> row: continuation rows (no kode) carry the next indikator.
rows, kode, n = {}, None, 0
for r in range(6, ws.max_row + 1):
    if ws.cell(r, 1).value:
        kode, n = ws.cell(r, 1).value, 0
    if ws.cell(r, 3).value:
        n += 1
        rows["%s#%d" % (kode, n)] = r
for key, (target, real) in exp["tabel_2_1_target_realisasi"].items():
    r = rows.get(key)
    if r is None:
        check("2-1 row " + key, "present", "missing")
        continue
    t, v, c = ws.cell(r, 6), ws.cell(r, 7), ws.cell(r, 8)
    check("2-1 %s target is a number" % key, True, is_num(t))
    check("2-1 %s target" % key, target, t.value)
    places = len(str(target).split(".")[1]) if isinstance(target, float) else 0
    check("2-1 %s target format" % key, "#,##0" + ("." + "0" * places if places else ""), t.number_format)
    if real is None:
        check("2-1 %s realisasi blank" % key, None, v.value)
    else:
        check("2-1 %s realisasi is a number" % key, True, is_num(v))
        check("2-1 %s realisasi" % key, real, v.value)
    if key in exp["tabel_2_1_capaian"]:
        prec = exp["tabel_2_1_precision"].get(key, 2)
        check("2-1 %s capaian is a number" % key, True, is_num(c))
        check("2-1 %s capaian" % key, exp["tabel_2_1_capaian"][key], round(c.value, prec) if is_num(c) else c.value)
        check("2-1 %s capaian format" % key, "#,##0.00", c.number_format)
r = row_of(ws, 1, "2.17.01", 6)
check("2-1 program row bold", True, bool(ws.cell(r, 2).font.b))
r = row_of(ws, 1, "2.17.01.1.01.0001", 6)
check("2-1 sub kegiatan row plain", False, bool(ws.cell(r, 2).font.b))
check("2-1 sub kegiatan named as in the seed", "Sub Kegiatan Penyusunan Dokumen Perencanaan Perangkat Daerah", ws.cell(r, 2).value)

# --- Tabel 2, the findings ----------------------------------------------------------------
ws = wb["Tabel 2"]
check("2 header", ["No.", "Indikator Kinerja", "Target Kinerja", "Realisasi/ Proyeksi Capaian Kinerja Renstra", "Catatan Analisis"],
      [ws.cell(4, c).value for c in range(1, 6)])
check("2 capaian column", "Capaian Kinerja (%)", ws.cell(4, 6).value)
# Each goal is a row "Tujuan T1: ..." / "Sasaran T1.S2: ..."; its indikator
# are numbered under it.
t2, goal, n = {}, None, 0
for r in range(5, ws.max_row + 1):
    name = ws.cell(r, 2).value or ""
    if name.startswith("Tujuan ") or name.startswith("Sasaran "):
        goal, n = name.split(" ")[1].rstrip(":"), 0
        check("2 goal row %s bold" % goal, True, bool(ws.cell(r, 2).font.b))
    elif ws.cell(r, 1).value:
        n += 1
        t2["%s#%d" % (goal, n)] = r
check("2 indikator rows", sorted(exp["tabel_2"]), sorted(t2))
check("2 numbered 1..n", [str(i + 1) for i in range(len(t2))], [ws.cell(r, 1).value for r in sorted(t2.values())])
for key, want in exp["tabel_2"].items():
    r = t2.get(key)
    if r is None:
        continue
    for col, what in ((3, "target"), (4, "realisasi"), (6, "capaian")):
        c = ws.cell(r, col)
        check("2 %s %s is a number" % (key, what), True, is_num(c))
        check("2 %s %s" % (key, what), want[what], round(c.value, 2) if is_num(c) else c.value)
ws = wb["Temuan Validasi"]
check("findings header", ["Tahapan", "Tingkat", "Kode", "Aturan", "Pesan"], [ws.cell(4, c).value for c in range(1, 6)])
got = sorted(ws.cell(r, 3).value for r in range(5, ws.max_row + 1)
             if ws.cell(r, 1).value == "apbd" and ws.cell(r, 4).value == "rollup-mismatch")
check("findings: the roll-up mismatches at apbd", sorted(exp["rollup_mismatch_apbd"]), got)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
[ $? -eq 0 ] && pass "xlsx read back with openpyxl holds the seed's figures" || fail "xlsx figures"

# Never overwrite without --force; the file is left as it was.
sum1=$(sha256sum "$T/r.xlsx")
expect_exit "report refuses to overwrite" 1 "$RENJA" report $P --from apbd --to apbd-p -o "$T/r.xlsx"
check "the refusal says why" 1 "$(grep -c 'exists; give --force' "$T/err")"
check "the file is untouched" "$sum1" "$(sha256sum "$T/r.xlsx")"
expect_exit "report --force overwrites" 0 "$RENJA" report $P --from apbd --to apbd-p -o "$T/r.xlsx" --force
check "no temporary file is left" "r.xlsx" "$(cd "$T" && ls r.xlsx*)"
expect_exit "report: unknown extension" 2 "$RENJA" report $P -o "$T/r.pdf"
expect_exit "report: -o is required" 2 "$RENJA" report $P
expect_exit "report: unknown stage" 4 "$RENJA" report $P --from nosuch -o "$T/x.xlsx"
check "nothing written on failure" "" "$(cd "$T" && ls x.xlsx* 2>/dev/null)"
# The defaults: first and last stage, all stages.
expect_exit "report with every default" 0 "$RENJA" report $P -o "$T/d.xlsx"
expect_exit "report with --stages, --tw and --at" 0 "$RENJA" report $P --from apbd --to apbd-p \
  --stages apbd,perkada-1,apbd-p --tw 2 --at apbd-p -o "$T/s.xlsx"
check "--stages, --tw, --at and the defaults reach the sheets" \
  "d: RANCANGAN APBD 2024|PAGU ANGGARAN APBD-P 2024|sebelum: Rancangan APBD 2024 (rancangan-apbd), sesudah: Pagu Anggaran APBD-P 2024 (apbd-p) s: APBD 2024|PERKADA 1 TAHUN 2024 05 FEB 2024|PAGU ANGGARAN APBD-P 2024|s.d. TW II 2024, target: Pagu Anggaran APBD-P 2024 (apbd-p)" \
  "$(/usr/bin/python3 -c '
import sys, openpyxl
for n in ("d", "s"):
    wb = openpyxl.load_workbook(sys.argv[1] + "/" + n + ".xlsx")
    ws = wb["Tabel 3.2"]
    heads = [c.value for c in ws[3][2:] if c.value]
    if n == "d":
        print("d:", "|".join([heads[0], heads[-1], wb["Tabel 3.3 (3.1)"].oddHeader.right.text]), end=" ")
    else:
        print("s:", "|".join(heads + [wb["Tabel 2-1"].oddHeader.right.text]))' "$T")"
expect_exit "report: --tw out of range" 2 "$RENJA" report $P --tw 5 -o "$T/x.xlsx"
expect_exit "report: an unknown stage in --stages" 4 "$RENJA" report $P --stages apbd,nosuch -o "$T/x.xlsx"
"$RENJA" plan create empty/2024 >/dev/null
expect_exit "report: a plan without stages needs --from and --to" 1 "$RENJA" report empty/2024 -o "$T/x.xlsx"
check "it says so" 1 "$(grep -c 'give --from REF and --to REF' "$T/err")"
expect_exit "report: a plan without stages, with --from and --to" 0 \
  "$RENJA" report empty/2024 --from head --to head -o "$T/e.html"
expect_exit "report: a plan that does not exist" 4 "$RENJA" report nosuch/2024 -o "$T/x.xlsx"
expect_exit "report: a directory that does not exist" 1 "$RENJA" report $P -o "$T/no/such/dir/r.xlsx"
check "nothing written by the refusals" "" "$(cd "$T" && ls x.xlsx* 2>/dev/null)"

# --- HTML, printed by a real browser ----------------------------------------------------
expect_exit "report to html" 0 "$RENJA" report $P --from apbd --to apbd-p -o "$T/r.html"
check "html is self-contained (no scripts, no links out)" 0 \
  "$(grep -ciE '<script|src=|href=|@import|url\(' "$T/r.html" || true)"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$T/chromium" --print-to-pdf="$T/r.pdf" "file://$T/r.html" >"$T/chromium.log" 2>&1 \
  || { tail -5 "$T/chromium.log" >&2; fail "chromium --print-to-pdf"; }
pdftotext -layout "$T/r.pdf" "$T/r.txt"
for fig in 15.320.055.480 15.206.848.747 '(113.206.733)' 19.962.455.800 10.852.412.480; do
  check "the printed page shows $fig" 1 "$([ "$(grep -cF -- "$fig" "$T/r.txt")" -ge 1 ] && echo 1 || echo 0)"
done
/usr/bin/python3 - "$T/r.txt" <<'PY'
import sys
pages = open(sys.argv[1]).read().split("\f")
pages = [p for p in pages if p.strip()]
titles = ["Tabel 2-1", "Tabel 2 Pencapaian", "Tabel 3.3 Rincian", "Tabel 3.2 Rincian", "Temuan Validasi"]
# Each table starts a page: its caption is among the first lines of a page,
# the tables come in order, each on a page of its own.
starts = []
for t in titles:
    found = [i for i, p in enumerate(pages) if any(l.strip().startswith(t) for l in p.splitlines()[:8])]
    starts.append(found[0] if found else None)
ok = all(s is not None for s in starts) and starts == sorted(set(starts))
print("pages:", len(pages), "tables start on pages", [s + 1 if s is not None else None for s in starts])
# The seed's example fills 8 to 20 A4 landscape pages.
sys.exit(0 if ok and 5 <= len(pages) <= 20 else 1)
PY
[ $? -eq 0 ] && pass "each table starts a page, page count plausible" || fail "html page layout"

# --- CSV for an Indonesian Excel --------------------------------------------------------
"$RENJA" --format csv --excel compare $P apbd apbd-p >"$T/x.csv"
check "excel csv starts with a BOM" "efbbbf" "$(head -c 3 "$T/x.csv" | od -An -tx1 | tr -d ' \n')"
check "excel csv: every line ends CRLF" "$(wc -l <"$T/x.csv")" "$(grep -c $'\r$' "$T/x.csv")"
check "excel csv: ';' separated, decimal comma" '5;TOTAL BELANJA;15320055480;15206848747;-0,74' \
  "$(sed -n 2p "$T/x.csv" | tr -d '\r')"
check "--csv-dialect excel-id is the same" "$(sha256sum <"$T/x.csv")" \
  "$("$RENJA" --csv-dialect excel-id compare $P apbd apbd-p | sha256sum)"
"$RENJA" --format csv compare $P apbd apbd-p >"$T/p.csv"
check "default csv stays as it was" '5,TOTAL BELANJA,15320055480,15206848747,-0.74' "$(sed -n 2p "$T/p.csv")"
check "default csv has no BOM and no CR" "0" "$(grep -c $'\r\|\xef\xbb\xbf' "$T/p.csv" || true)"
expect_exit "--excel with another format is a usage error" 2 "$RENJA" --format json --excel compare $P apbd

# The report is an ordinary file: its mode follows the umask.
(umask 022 && "$RENJA" report $P -o "$T/m.html")
check "the file mode follows the umask" 644 "$(stat -c %a "$T/m.html")"

# --- progress: on a terminal, for a large plan only ----------------------------------------
# 6,000 sub kegiatan: Show answers such a plan in several pages of about 1 MiB.
/usr/bin/python3 "$RENJA_SRC/tests/bench/gen_plan.py" 6000 "$T/big" >/dev/null
B=bench/2024
"$RENJA" plan create $B >/dev/null
rev=$("$RENJA" --format tsv import $B "$T/big/1-induk.json")
"$RENJA" stage set $B apbd --rev "$rev" --order 1 >/dev/null
rev=$("$RENJA" --format tsv import $B "$T/big/2-perubahan.json")
"$RENJA" stage set $B apbd-p --rev "$rev" --order 2 >/dev/null
"$RENJA" import $B "$T/big/3-realisasi.json" >/dev/null
# on_tty PLAN FILE: run renja report with stderr on a pseudo terminal,
# print what it wrote there (escaped) and its exit code.
on_tty() {
  /usr/bin/python3 - "$RENJA" "$1" "$2" <<'PY'
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.Popen([sys.argv[1], "report", sys.argv[2], "-o", sys.argv[3]],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
data = b""
while True:
    try:
        chunk = os.read(m, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
print(repr(data), p.wait())
PY
}
out=$(on_tty $B "$T/big.xlsx")
check "progress on a terminal for a large plan" 1 "$(grep -c 'report: writing rows 2000 of' <<<"$out")"
check "the progress line is cleared at the end, exit 0" 1 "$(grep -cF "\\r\\x1b[K' 0" <<<"$out")"
out=$(on_tty $P "$T/small.xlsx")
check "no progress for a small plan" "b'' 0" "$out"
"$RENJA" report $B -o "$T/big2.xlsx" 2>"$T/big.err"
check "no progress when stderr is not a terminal" 0 "$(stat -c %s "$T/big.err")"
check "a plan read in pages is whole in the report: every item, every pagu at both stages" ok \
  "$(/usr/bin/python3 -c '
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1] + "/big2.xlsx", read_only=True)
ld = lambda n: json.load(open(sys.argv[1] + "/big/" + n))
induk, per = ld("1-induk.json")["items"], ld("2-perubahan.json")
pagu = {i["kode"]: i.get("pagu", 0) for i in induk}
before = sum(pagu.values())
for i in per["items"]:
    pagu[i["kode"]] = i["pagu"]
for r in per["remove"]:
    del pagu[r["kode"]]
want = (len(induk), len(induk), before, sum(pagu.values()))
t33 = [r for r in wb["Tabel 3.3 (3.1)"].iter_rows(min_row=7, values_only=True) if r[1]]
t21 = [r for r in wb["Tabel 2-1"].iter_rows(min_row=6, values_only=True) if r[0]]
subs = [r for r in t33 if r[1].count(".") == 5]
got = (len(t33), len(t21), sum(r[7] or 0 for r in subs), sum(r[8] or 0 for r in subs))
print("ok" if got == want else "expected %r, got %r" % (want, got))' "$T")"
finish
