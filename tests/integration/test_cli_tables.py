"""Human tables on a terminal: under a pseudo-terminal of 80 and of 200
columns every table of the seed plan fits (no line wider than the
terminal) and every number of it is printed whole, as many times as the
machine formats have it; --wide and output to a pipe are not fitted; the
diff marks added and removed rows; the compare table names the stages its
percentage compares."""
import collections
import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import renjatest  # noqa: E402

RENJA = os.environ.get("RENJA", "renja")
P = "diskopukm-sumsel/2024"


def on_tty(env, cols, args):
    """Run renja with stdout on a pseudo-terminal of cols columns; its text."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    proc = subprocess.Popen([RENJA, *args], stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 30)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    err = proc.stderr.read().decode()
    proc.wait(timeout=30)
    return proc.returncode, out.decode("utf-8").replace("\r\n", "\n"), err


def piped(env, args):
    r = subprocess.run([RENJA, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout.decode("utf-8")


def money(v):
    """A rupiah amount as the tables write it; None for zero (written "-")."""
    if v is None or v == 0:
        return None
    s = "{:,}".format(abs(v)).replace(",", ".")
    return "(" + s + ")" if v < 0 else s


def pct(v):
    if v is None:
        return None
    return ("%.2f" % v).replace(".", ",") + "%"


def tokens(text):
    return collections.Counter(re.findall(r"\(?-?[0-9][0-9.]*(?:,[0-9]+)?\)?%?", text))


def expected_numbers(cmd, doc):
    """The money and percentages of a JSON document, as the table writes them."""
    vals = []
    if cmd == "diff":
        for r in doc["rows"]:
            vals += [money(r["pagu_from"]), money(r["pagu_to"]), money(r["delta"]), pct(r["pct"])]
        t = doc["total"]
        vals += [money(t["pagu_from"]), money(t["pagu_to"]), money(t["delta"]), pct(t["pct"])]
    elif cmd == "compare":
        for r in doc["rows"]:
            vals += [money(v) for v in r["values"]] + [pct(r.get("pct"))]
    elif cmd == "show":
        for r in doc["items"]:
            vals += [money(r["pagu"]), money(r["pagu_rollup"])]
    elif cmd == "eval":
        for r in doc["rows"]:
            vals.append(pct(r["capaian"]))
    return collections.Counter(v for v in vals if v is not None)


tmp, cleanup = renjatest.tempdir()
res = renjatest.Results()
d = None
try:
    d = renjatest.Daemon(tmp)
    env = dict(os.environ, RENJA_SERVER="unix:" + d.sock, RENJA_TOKEN=d.token, TZ="UTC")
    env.pop("RENJA_FORMAT", None)
    load = subprocess.run(["bash", os.path.join(renjatest.SRC, "examples", "diskopukm-sumsel-2024",
                                                 "load.sh")],
                          env=dict(env, RENJA=RENJA), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    res.check("the seed plan loads", load.returncode == 0, load.stderr.decode()[-500:])

    tables = [
        ("diff", ["diff", P, "apbd", "apbd-p"]),
        ("diff", ["diff", P, "apbd", "apbd-p", "--all"]),
        ("compare", ["compare", P, "apbd", "perkada-1", "apbd-p"]),
        ("compare", ["compare", P, "apbd", "perkada-1", "perkada-8", "apbd-p"]),
        ("compare", ["compare", P, "apbd", "apbd-p", "--items"]),
        ("eval", ["eval", P, "--tw", "2", "--at", "apbd"]),
        ("show", ["show", P, "--at", "apbd-p"]),
        ("other", ["diff", P, "apbd", "apbd-p", "--by", "bidang"]),
        ("other", ["show", P, "--lines"]),
        ("other", ["log", P]),
        ("other", ["log", P, "2.17.01.1.06.0009"]),
        ("other", ["validate", P]),
        ("other", ["stage", "list", P]),
        ("other", ["plan", "list"]),
        ("other", ["info"]),
    ]
    for cols in (80, 200):
        for kind, args in tables:
            name = "%d columns: renja %s" % (cols, " ".join(args))
            rc, text, err = on_tty(env, cols, args)
            res.check(name + ": exit 0", rc in (0, 7), "exit %d: %s" % (rc, err[-300:]))
            lines = text.split("\n")
            widest = max(len(line) for line in lines)
            res.check(name + ": no line wider than %d" % cols, widest <= cols,
                      "a line of %d: %r" % (widest, max(lines, key=len)))
            if kind != "other":
                _, js = piped(env, ["--format", "json", *args])
                want = expected_numbers(kind, json.loads(js))
                have = tokens(text)
                missing = want - have
                res.check(name + ": every number whole (%d of them)" % sum(want.values()),
                          not missing and sum(want.values()) > 0,
                          "missing or cut: %s" % list(missing.items())[:8])

    # Output to a pipe is never fitted; --wide on a terminal is the same table.
    _, wide = piped(env, ["--format", "table", "diff", P, "apbd", "apbd-p"])
    res.check("a piped table is not fitted", max(len(x) for x in wide.split("\n")) > 200)
    _, text, _ = on_tty(env, 80, ["diff", P, "apbd", "apbd-p", "--wide"])
    res.check("--wide on a terminal prints the table unfitted", text == wide,
              "%d vs %d bytes" % (len(text), len(wide)))
    res.check("--wide shows the columns the fitted table leaves out",
              "Target Sebelum" in text and "Indikator" in text)
    _, fitted, _ = on_tty(env, 80, ["diff", P, "apbd", "apbd-p"])
    res.check("the fitted table says which columns it left out",
              "Kolom yang tidak muat: Indikator, Target Sebelum, Target Sesudah" in fitted)
    _, tsv1 = piped(env, ["diff", P, "apbd", "apbd-p"])
    _, tsv2 = piped(dict(env, COLUMNS="80"), ["diff", P, "apbd", "apbd-p"])
    res.check("tsv does not depend on the terminal", tsv1 == tsv2 and "\t" in tsv1)

    # The diff marks added and removed rows; machine formats are unchanged.
    _, text, _ = on_tty(env, 200, ["diff", P, "apbd", "apbd-p"])
    removed = [x for x in text.split("\n") if x.startswith("-  2.17.01.1.05.0002")]
    res.check("a removed row is marked with -", len(removed) == 1, text[:600])
    _, js = piped(env, ["--format", "json", "diff", P, "apbd", "apbd-p"])
    kinds = {r["kode"]: r["change"] for r in json.loads(js)["rows"]}
    res.check("json still says removed", kinds.get("2.17.01.1.05.0002") == "removed")
    added = [k for k, c in kinds.items() if c == "added"]
    if added:
        res.check("an added row is marked with +",
                  any(x.startswith("+  " + added[0]) for x in text.split("\n")))
    res.check("the legend of the marks", "+ baru, - dihapus" in text)
    res.check("tsv has no mark column", tsv1.split("\n")[0].split("\t")[0] == "2.17")

    # The compare table names the stages of its percentage.
    _, text, _ = on_tty(env, 200, ["compare", P, "apbd", "perkada-1", "apbd-p"])
    res.check("compare labels its percentage with the stages", "% apbd\u2192apbd-p" in text,
              text.split("\n")[0])
    _, csv = piped(env, ["--format", "csv", "compare", P, "apbd", "apbd-p"])
    res.check("compare csv keeps the key pct", csv.split("\n")[0].endswith(",pct"),
              csv.split("\n")[0])
finally:
    if d:
        d.stop()
    cleanup()
res.finish()
