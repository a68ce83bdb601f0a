#!/usr/bin/python3
"""Every documented command runs as written.

The command lines are taken from the fenced code blocks of README.md,
docs/*.md and examples/*/README.md, so this test follows the docs. By the
fence's info string:

  ```sh install   the README's install step. Its `cmake --install build
                  --prefix P` line is run into a temp prefix, from the build
                  CTest made of this tree (the configure/build line is not run
                  again: it would rebuild the directory the other tests use;
                  the test checks that the build is of this source tree).
  ```sh           run in a fresh bash (set -euo pipefail) from the markdown
                  file's directory (in a copy of the tree), with only the
                  installed renjad and renja on PATH and RENJA, RENJAD,
                  RENJA_SERVER, RENJA_TOKEN, RENJA_TOKEN_FILE, RENJA_CACERT unset. Every line must exit 0,
                  except one ending in "# exit N", which must exit N. Programs
                  a block leaves running in the background must exit 0 on
                  SIGTERM at its end.
  ```sh server    the same, with a fresh renjad serving and RENJA_SERVER and
                  RENJA_TOKEN (an admin token) exported: what its text says it
                  needs.
  ```sh host      needs a real host (root, apt, systemd, the whole build): not
                  run. The files its install lines name must exist, and the
                  unit's ExecStart must be the installed renjad.

The only rewrites, applied to every block that runs: the data dir /srv/renja
and the install prefix /usr/local go under the test's temp dir, and the TCP
port 127.0.0.1:7024 becomes a free port (other daemons may hold 7024).
FUNCNEST bounds shell function nesting, so a function that calls itself
fails instead of exhausting memory.

Beside the shell blocks, the JSON and CSV examples of docs/import-format.md
must import into an empty plan as the text says (that docs/cli.md is what
`renja help` prints is test_cli_doc's).

Environment: RENJA_SRC, RENJA_BUILD (the CMake build of RENJA_SRC).
"""
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import renjatest  # noqa: E402

SRC = renjatest.SRC
BUILD = os.environ.get("RENJA_BUILD") or os.path.join(SRC, "build")
BLOCK_TIMEOUT = 300

tmp, cleanup = renjatest.tempdir()
res = renjatest.Results()


def check(name, cond, detail=""):
    """res.check, returning cond."""
    res.check(name, cond, detail)
    return bool(cond)


def fences(path):
    """(info words, body, line number) of each fenced block of a markdown file."""
    out = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```(.*)$", lines[i])
        if m:
            start = i + 1
            j = start
            while j < len(lines) and lines[j] != "```":
                j += 1
            out.append((m.group(1).split(), "\n".join(lines[start:j]) + "\n", start))
            i = j + 1
        else:
            i += 1
    return out


def docs():
    files = [os.path.join(SRC, "README.md")]
    files += sorted(glob.glob(os.path.join(SRC, "docs", "*.md")))
    files += sorted(glob.glob(os.path.join(SRC, "examples", "*", "README.md")))
    return files


def rel(path):
    return os.path.relpath(path, SRC)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def command_lines(body):
    """Logical lines: backslash continuations joined, blank lines dropped."""
    out, cur = [], ""
    for line in body.split("\n"):
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        if cur.strip():
            out.append(cur)
        cur = ""
    return out


PREFIX = os.path.join(tmp, "prefix")


def rewrite(text, root, port):
    text = text.replace("/srv/renja", os.path.join(root, "srv", "renja"))
    text = text.replace("/usr/local", PREFIX)
    return text.replace("127.0.0.1:7024", "127.0.0.1:%d" % port)


def checked(line):
    """A line ending in '# exit N' must exit N; the others exit 0 (set -e)."""
    m = re.match(r"^(.*?)\s+#\s*exit (\d+)\b", line)
    if not m:
        return line
    cmd, code = m.group(1), m.group(2)
    return ('rc=0; %s || rc=$?; [ "$rc" -eq %s ] || { echo "expected exit %s, got $rc: %s" >&2; '
            "exit 1; }" % (cmd, code, code, cmd.replace('"', '\\"').replace("$", "\\$")))


def clean_env(path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("RENJA", "RENJAD", "RENJA_SERVER", "RENJA_TOKEN", "RENJA_TOKEN_FILE",
                         "RENJA_CACERT", "RENJA_BUILD")}
    env["PATH"] = path
    env["FUNCNEST"] = "100"
    return env


# --- the install step -------------------------------------------------------------
def install():
    blocks = [(f, b, n) for f in docs() for (info, b, n) in fences(f) if info[:2] == ["sh", "install"]]
    if not check("the README has one install step", len(blocks) == 1, repr(blocks)):
        return False
    f, body, n = blocks[0]
    cache = open(os.path.join(BUILD, "CMakeCache.txt")).read()
    home = re.search(r"^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$", cache, re.M)
    res.check("the build under test is of this source tree",
              home and os.path.realpath(home.group(1)) == os.path.realpath(SRC), home and home.group(1))
    ran = 0
    for line in command_lines(body):
        cmd = line.split("#")[0].strip()
        if re.match(r"^cmake (-S|--build)\b", cmd):
            continue  # CTest built BUILD from this tree already
        cmd = re.sub(r"(--install) build\b", r"\1 " + BUILD, cmd)
        cmd = rewrite(cmd, tmp, 0)
        p = subprocess.run(["bash", "-euo", "pipefail", "-c", cmd], cwd=SRC, capture_output=True,
                           text=True, timeout=BLOCK_TIMEOUT)
        res.check("%s:%d: %s" % (rel(f), n, line.strip()), p.returncode == 0, p.stderr[-2000:])
        ran += 1
    res.check("the install step has a command besides the build", ran > 0)
    for prog in ("renjad", "renja"):
        exe = os.path.join(PREFIX, "bin", prog)
        res.check("%s is installed in PREFIX/bin" % prog, os.access(exe, os.X_OK), exe)
    return all(os.access(os.path.join(PREFIX, "bin", p), os.X_OK) for p in ("renjad", "renja"))


# --- blocks that need a real host ---------------------------------------------------
def check_host(f, body, n):
    for line in command_lines(body):
        words = line.split("#")[0].split()
        if words[:1] == ["install"]:
            srcs = [w for w in words[1:-1] if not w.startswith("-") and not re.match(r"^0[0-7]{3}$", w)]
            for s in srcs:
                res.check("%s:%d: install names %s, which exists" % (rel(f), n, s),
                          os.path.exists(os.path.join(SRC, s)))
        for w in words:
            if w.startswith("scripts/") or w.startswith("systemd/"):
                res.check("%s:%d: %s exists" % (rel(f), n, w), os.path.exists(os.path.join(SRC, w)))
    unit = open(os.path.join(SRC, "systemd", "renjad.service")).read()
    m = re.search(r"^ExecStart=(\S+)", unit, re.M)
    res.check("the unit runs the renjad the install step installs (/usr/local/bin/renjad)",
              m and m.group(1) == "/usr/local/bin/renjad", m and m.group(1))


# --- blocks that run ----------------------------------------------------------------
def start_server(root, env):
    data = os.path.join(root, "server")
    tok = subprocess.run(["renjad", "init", "--data-dir", data], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    sock = os.path.join(data, "renjad.sock")
    log = open(os.path.join(root, "server.log"), "wb")
    proc = subprocess.Popen(["renjad", "--data-dir", data, "--listen", "unix:" + sock], env=env,
                            stderr=log)
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return proc, {"RENJA_SERVER": "unix:" + sock, "RENJA_TOKEN": tok}


def run_block(f, info, body, n, k, path):
    root = os.path.join(tmp, "b%d" % k)
    os.makedirs(os.path.join(root, "srv"))
    # The block runs in a copy of the tree, so nothing it writes lands in it.
    tree = os.path.join(root, "tree")
    os.makedirs(tree)
    shutil.copy(os.path.join(SRC, "README.md"), tree)
    for d in ("docs", "examples", "systemd", "scripts", "proto"):
        shutil.copytree(os.path.join(SRC, d), os.path.join(tree, d))
    cwd = os.path.join(tree, os.path.dirname(rel(f)))
    env = clean_env(path)
    server = None
    if "server" in info:
        server, extra = start_server(root, env)
        env.update(extra)
    port = free_port()
    lines = [checked(rewrite(line, root, port)) for line in command_lines(body)]
    script = "\n".join(["set -euo pipefail"] + lines + [
        # what the block left running must stop cleanly
        'for p in $(jobs -p); do kill -TERM "$p"; rc=0; wait "$p" || rc=$?; '
        '[ "$rc" -eq 0 ] || { echo "background job $p exited $rc on SIGTERM" >&2; exit 1; }; done',
    ]) + "\n"
    open(os.path.join(root, "block.sh"), "w").write(script)
    name = "%s:%d: ```%s``` block (%s...)" % (rel(f), n, " ".join(info), command_lines(body)[0][:40])
    t0 = time.monotonic()
    err = open(os.path.join(root, "block.err"), "w+")
    p = subprocess.Popen(["bash", os.path.join(root, "block.sh")], cwd=cwd, env=env,
                         stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        rc = p.wait(timeout=BLOCK_TIMEOUT)
        ok, why = rc == 0, "exit %d" % rc
    except subprocess.TimeoutExpired:
        ok, why = False, "no end within %d s" % BLOCK_TIMEOUT
    # Whatever the block started and left behind goes with it.
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()
    err.seek(0)
    detail = "%s\n%s" % (why, err.read()[-3000:])
    res.check("%s runs as written (%.1f s)" % (name, time.monotonic() - t0), ok, detail)
    if server:
        server.send_signal(signal.SIGTERM)
        res.check("%s: its renjad exits 0" % name, server.wait(timeout=60) == 0)


# --- the format examples import as the text says ------------------------------------------
def check_import_examples(path):
    env = clean_env(path)
    root = os.path.join(tmp, "formats")
    os.makedirs(root)
    server, extra = start_server(root, env)
    env.update(extra)
    blocks = [(info, b, n) for info, b, n in fences(os.path.join(SRC, "docs", "import-format.md"))
              if info and info[0] in ("json", "csv")]
    plan_no = 0
    plan = None
    for info, body, n in blocks:
        fmt = info[0]
        f = os.path.join(root, "example-%d.%s" % (n, fmt))
        open(f, "w").write(body)
        removal = fmt == "json" and '"remove"' in body and '"items"' not in body
        if not removal or plan is None:
            plan_no += 1
            plan = "contoh-%d/2024" % plan_no
            subprocess.run(["renja", "plan", "create", plan], env=env, capture_output=True, check=True)
        p = subprocess.run(["renja", "import", plan, f], env=env, capture_output=True, text=True)
        what = "a later import (removals)" if removal else "an empty plan"
        res.check("docs/import-format.md:%d: the %s example imports into %s" % (n, fmt, what),
                  p.returncode == 0, p.stderr[-1000:])
    res.check("docs/import-format.md has JSON and CSV examples",
              {i[0] for i, _, _ in blocks} == {"json", "csv"})
    server.send_signal(signal.SIGTERM)
    res.check("the format examples' renjad exits 0", server.wait(timeout=60) == 0)


try:
    if install():
        path = os.path.join(PREFIX, "bin") + ":/usr/sbin:/usr/bin:/sbin:/bin"
        k = 0
        for f in docs():
            for info, body, n in fences(f):
                if info[:1] != ["sh"] or "install" in info:
                    continue
                k += 1
                if "host" in info:
                    check_host(f, body, n)
                else:
                    run_block(f, info, body, n, k, path)
        res.check("the docs have blocks that run", k > 0)
        check_import_examples(path)
finally:
    if os.environ.get("KEEP"):
        print("kept", tmp)
    else:
        cleanup()
res.finish()
