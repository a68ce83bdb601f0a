"""Helpers for the Python tests: a real renjad on a temp data dir, and the
renja protobuf messages generated at test time with Debian's protoc."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("RENJA_SRC") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENJAD = os.environ.get("RENJAD", "renjad")


def raw_h2():
    """The raw HTTP/2 helpers of tests/fault/test_transport_fault.py (frames,
    HPACK literals, a frame reader) as a module."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("renja_transport_fault",
                                                  os.path.join(SRC, "tests", "fault", "test_transport_fault.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def varint(n):
    """n as a protobuf varint."""
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def load_protos(tmp):
    """Generate the Python message modules into tmp and import them."""
    out = os.path.join(tmp, "py")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["protoc", "-I", os.path.join(SRC, "proto"), "--python_out", out,
                    "renja/v1/model.proto", "renja/v1/renja.proto"], check=True)
    # grpc/health/v1 would shadow the grpc package itself: generate the
    # health messages as a top-level module instead.
    hdir = os.path.join(tmp, "health")
    os.makedirs(hdir, exist_ok=True)
    shutil.copy(os.path.join(SRC, "proto", "grpc", "health", "v1", "health.proto"), hdir)
    subprocess.run(["protoc", "-I", hdir, "--python_out", out, "health.proto"], check=True)
    sys.path.insert(0, out)
    from renja.v1 import model_pb2, renja_pb2  # noqa: E402
    import health_pb2  # noqa: E402
    return model_pb2, renja_pb2, health_pb2


def init_store(data_dir):
    """`renjad init` a new store in data_dir; returns the admin token, also
    kept in data_dir/admin.token for a later Daemon on the same dir."""
    os.makedirs(data_dir, exist_ok=True)
    r = subprocess.run([RENJAD, "init", "--data-dir", data_dir], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        raise RuntimeError("renjad init failed: " + r.stderr.decode(errors="replace"))
    token = r.stdout.decode().strip()
    with open(os.path.join(data_dir, "admin.token"), "w") as f:
        f.write(token + "\n")
    return token


def stub(ch, method, resp_cls):
    """A unary call of renja.v1.Renja/method on the grpc channel ch, whose
    answer is a resp_cls (a class of load_protos' renja_pb2)."""
    return ch.unary_unary("/renja.v1.Renja/" + method, request_serializer=lambda m: m.SerializeToString(),
                          response_deserializer=resp_cls.FromString)


class Daemon:
    """renjad on tmp/data: initialised with `renjad init` first unless the
    dir already holds a store (a restart)."""

    def __init__(self, tmp, extra=()):
        self.dir = os.path.join(tmp, "data")
        if not os.path.exists(os.path.join(self.dir, "data.mdb")):
            init_store(self.dir)
        self.sock = os.path.join(self.dir, "renjad.sock")
        self.log = open(os.path.join(self.dir, "renjad.log"), "ab")
        self.proc = subprocess.Popen([RENJAD, "--data-dir", self.dir, "--listen", "unix:" + self.sock,
                                      "--listen", "127.0.0.1:0", *extra], stderr=self.log)
        deadline = time.time() + 10
        self.tcp = None
        while time.time() < deadline:
            text = open(os.path.join(self.dir, "renjad.log")).read()
            m = re.search(r"listening on (127\.0\.0\.1:\d+)", text)
            if m and "serving" in text:
                self.tcp = m.group(1)
                break
            if self.proc.poll() is not None:
                raise RuntimeError("renjad exited at start:\n" + text)
            time.sleep(0.05)
        if not self.tcp:
            raise RuntimeError("renjad did not start")
        self.token = open(os.path.join(self.dir, "admin.token")).read().strip()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        self.log.close()
        return rc


def tls_ca(d, name, cn):
    """A self-signed CA in d: (d/name.pem, d/name.key)."""
    crt, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "30", "-subj", "/CN=" + cn,
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                   check=True, capture_output=True)
    return crt, key


def tls_cert(d, name, ca, sans, serial, days=10, cn=None):
    """A server certificate signed by ca (a tls_ca pair) for the subjectAltName
    entries sans ("DNS:localhost", "IP:127.0.0.1"), with the serial number
    serial; days < 0 makes one that has expired. (d/name.pem, d/name.key)."""
    crt, key, csr = (os.path.join(d, name + e) for e in (".pem", ".key", ".csr"))
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=%s\nextendedKeyUsage=serverAuth\n" % ",".join(sans))
    subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", csr, "-subj", "/CN=" + (cn or sans[0].split(":", 1)[1])],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
                    "-set_serial", str(serial), "-days", str(days), "-extfile", ext, "-out", crt],
                   check=True, capture_output=True)
    return crt, key


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok:", name)
        else:
            self.failed += 1
            print("FAIL:", name, detail)

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def tempdir():
    d = tempfile.mkdtemp(prefix="renja-py.")
    return d, lambda: shutil.rmtree(d, ignore_errors=True)


def plan_changes(model_pb2, n, variant=0, indikator=False, lines=0, realisasi=False):
    """The changes of a generated plan of n program-tree items (one urusan,
    programs of 9 kegiatan of 29 sub kegiatan each, every sub kegiatan with
    a pagu). variant > 0 shifts every sub kegiatan's pagu (a second stage
    that differs everywhere). With indikator, each sub kegiatan has one
    indikator (every third a target that is not a number) and each
    kegiatan a declared pagu that is not its roll-up (a validate error
    each); lines adds that many budget lines; realisasi reports tw 1 of
    every sub kegiatan (kinerja and anggaran, every fifth 0)."""
    def item(**kw):
        return model_pb2.Change(upsert_item=model_pb2.Item(**kw))
    changes = [item(kode="2.17", nama="Koperasi, Usaha Kecil dan Menengah")]
    p = 0
    while len(changes) < n:
        p += 1
        changes.append(item(kode="2.17.%02d" % p, nama="Program %d" % p))
        for k in range(1, 10):
            if len(changes) >= n:
                break
            kg = "2.17.%02d.1.%02d" % (p, k)
            extra = dict(has_pagu=True, pagu=1000 + k) if indikator else {}
            changes.append(item(kode=kg, nama="Kegiatan %d" % k, **extra))
            for s in range(1, 30):
                if len(changes) >= n:
                    break
                kw = dict(kode="%s.%04d" % (kg, s), nama="Sub kegiatan pelatihan dan pendampingan koperasi %d" % s,
                          has_pagu=True, pagu=1000000 * s + 5000 * variant, sumber_dana="DAU",
                          lokasi="Kota Palembang")
                if indikator:
                    num = s % 3 != 0
                    kw["indikator"] = [model_pb2.Indikator(
                        nama="Jumlah koperasi yang didampingi", satuan="Koperasi", has_target=num,
                        target_e4=(10 + s + variant) * 10000 if num else 0,
                        target_text=str(10 + s + variant) if num else "sesuai kebutuhan")]
                changes.append(item(**kw))
                if realisasi:
                    v = 0 if s % 5 == 0 else s
                    changes.append(model_pb2.Change(realisasi=model_pb2.Realisasi(
                        kode=kw["kode"], tw=1, indikator=1, value_e4=v * 10000, text=str(v))))
                    changes.append(model_pb2.Change(realisasi=model_pb2.Realisasi(
                        kode=kw["kode"], tw=1, indikator=0, anggaran=v * 1000)))
    seen = set()
    for i in range(lines):
        kode = "5.1.02.%02d.%02d.%04d" % (1 + i // 10000 % 99, 1 + i // 100 % 99, 1 + i % 100)
        parts = kode.split(".")
        for d in range(1, len(parts)):
            up = ".".join(parts[:d])
            if up not in seen:
                seen.add(up)
                changes.append(model_pb2.Change(upsert_line=model_pb2.BudgetLine(kode=up, nama="Belanja " + up)))
        changes.append(model_pb2.Change(upsert_line=model_pb2.BudgetLine(
            kode=kode, nama="Belanja barang dan jasa %d" % i, has_pagu=True, pagu=100000 * (i + 1) + 700 * variant)))
    return changes
