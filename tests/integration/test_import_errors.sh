#!/usr/bin/env bash
# Bad imports through the real CLI and daemon: each gets a clear error naming
# the file, line and column (or the item), commits nothing, and the daemon
# keeps serving.
source "$(dirname "$0")/lib.sh"

init_store "$T/data"
start_daemon "$T/data"
P=impor/2024
"$RENJA" plan create $P >/dev/null
cat >"$T/base.csv" <<'CSV'
tipe,kode,nama,bidang,lokasi,sumber_dana,pagu,indikator,satuan,target,tren
item,2.17,"Urusan Koperasi, Usaha Kecil dan Menengah",,,,,,,,
item,2.17.01,Program Penunjang,Sekretariat,Sumsel,PAD,,Persentase penunjang,%,100,positif
item,2.17.01.101,Perencanaan,Sekretariat,Sumsel,PAD,,Persentase dokumen,%,100,
item,2.17.01.101.01,Penyusunan Dokumen,Sekretariat,Sumsel,PAD,188.500.000,Jumlah Dokumen,dokumen,2,
rekening,5,Belanja Daerah,,,,,,,,
rekening,5.1,Belanja Operasi,,,,,,,,
rekening,5.1.01,Belanja Pegawai,,,,8.204.055.000,,,,
CSV
check "a good CSV imports as revision 1" 1 "$("$RENJA" import $P "$T/base.csv" --message "awal")"

# The examples of docs/import-format.md import as they are.
awk '/^```json/{n++; next} /^```/{if (n == 1) exit} n == 1' "$RENJA_SRC/docs/import-format.md" >"$T/doc.json"
awk '/^```csv/{n++; next} /^```/{if (n == 1) exit} n == 1' "$RENJA_SRC/docs/import-format.md" >"$T/doc.csv"
"$RENJA" plan create dok-json/2024 >/dev/null
"$RENJA" plan create dok-csv/2024 >/dev/null
expect_exit "the JSON example of the docs imports" 0 "$RENJA" import dok-json/2024 "$T/doc.json"
expect_exit "the CSV example of the docs imports" 0 "$RENJA" import dok-csv/2024 "$T/doc.csv"

# bad_import NAME EXPECTED_EXIT PATTERN FILE: refused with a message matching
# PATTERN, nothing committed, daemon healthy.
bad_import() {
  local name=$1 code=$2 pattern=$3 file=$4
  expect_exit "$name" "$code" "$RENJA" import $P "$file"
  if grep -Eq -- "$pattern" "$T/err"; then pass "$name: message names the place"
  else fail "$name: message [$(head -c 300 "$T/err")] does not match [$pattern]"; fi
  check "$name: nothing committed" 1 "$("$RENJA" log $P | wc -l)"
  check "$name: daemon still serving" SERVING "$("$RENJA" health)"
}

printf 'tipe,kode,nama,pagu\nitem,2.17.02,Program,100,extra\n' >"$T/columns.csv"
bad_import "wrong column count" 7 "columns.csv:2" "$T/columns.csv"
printf 'tipe,kode,nama,pagu\nitem,2.17.01.10.01,Salah,100\n' >"$T/kode.csv"
bad_import "bad code" 7 "kode.csv:2:.*2\.17\.01\.10\.01" "$T/kode.csv"
printf 'tipe,kode,nama,pagu\nitem,2.17.01.101.02,Baru,1.5\n' >"$T/number.csv"
bad_import "bad number" 7 "number.csv:2:.*1\.5" "$T/number.csv"
printf 'tipe,kode,nama,pagu\nitem,2.17.09.101.01,Yatim,100\n' >"$T/parent.csv"
bad_import "missing parent" 7 "2\.17\.09\.1\.01\.0001" "$T/parent.csv"
: >"$T/empty.csv"
bad_import "empty file" 7 "empty.csv" "$T/empty.csv"
printf '{"items": [{"kode": "2.17.01.101.02", "nama": "Baru", "pagu": 10}\n' >"$T/cut.json"
bad_import "truncated JSON" 7 "cut.json:[0-9]+:[0-9]+" "$T/cut.json"
printf '{"items": [{"kode": "2.17.01.101.02", "pagu": 1}, {"kode": "2.17.01.101.2", "pagu": 2}]}\n' >"$T/dup.json"
bad_import "duplicate kode" 7 "2\.17\.01\.1\.01\.0002" "$T/dup.json"
head -c 10000000 /dev/urandom >"$T/garbage.csv"
start=$(date +%s)
bad_import "10 MB of garbage" 7 "garbage.csv" "$T/garbage.csv"
check "garbage refused within 10 s" 1 "$(( $(date +%s) - start < 10 ? 1 : 0 ))"
# The same garbage sent straight at the daemon's socket.
/usr/bin/python3 - "$SOCK" "$T/garbage.csv" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
try:
    s.sendall(open(sys.argv[2], "rb").read())
except OSError:
    pass
s.close()
PY
check "daemon serves after 10 MB of garbage on its socket" SERVING "$("$RENJA" health)"
check "the good data is intact" 188500000 \
  "$("$RENJA" --format json show $P 2.17.01.1.01.0001 | json 'j["items"][0]["pagu"]')"
finish
