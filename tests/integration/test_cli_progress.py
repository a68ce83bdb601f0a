"""A progress line on stderr for imports and exports that take over a
second, when stderr is a terminal: shown while the call waits (the daemon
is stopped with SIGSTOP for two seconds), erased when it ends; nothing on a
stderr that is not a terminal, and nothing for a quick call."""
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import renjatest  # noqa: E402

RENJA = os.environ.get("RENJA", "renja")
P = "contoh/2024"


def run(env, args, tty, pause=None):
    """Run renja with stderr on a terminal (tty) or a pipe; if pause is a
    Daemon, stop it for two seconds meanwhile. (rc, stdout, stderr)."""
    if tty:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        err = slave
    else:
        err = subprocess.PIPE
    if pause:
        pause.proc.send_signal(signal.SIGSTOP)
    proc = subprocess.Popen([RENJA, *args], env=env, stdout=subprocess.PIPE, stderr=err)
    if pause:
        time.sleep(2.0)
        pause.proc.send_signal(signal.SIGCONT)
    out = proc.stdout.read().decode()
    text = b""
    if tty:
        os.close(slave)
        while True:
            r, _, _ = select.select([master], [], [], 30)
            if not r:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            text += chunk
        os.close(master)
    else:
        text = proc.stderr.read()
    proc.wait(timeout=60)
    return proc.returncode, out, text.decode()


tmp, cleanup = renjatest.tempdir()
res = renjatest.Results()
d = None
try:
    d = renjatest.Daemon(tmp)
    env = dict(os.environ, RENJA_SERVER="unix:" + d.sock, RENJA_TOKEN=d.token)
    subprocess.run([RENJA, "plan", "create", P], env=env, check=True, stdout=subprocess.DEVNULL)
    f = os.path.join(tmp, "plan.json")
    with open(f, "w") as fh:
        fh.write('{"items": [{"kode": "2.17", "nama": "Urusan Koperasi"}]}\n')

    rc, out, err = run(env, ["import", P, f], tty=True, pause=d)
    res.check("slow import succeeds", rc == 0 and out.strip() == "1", "rc %d out %r err %r" % (rc, out, err))
    res.check("slow import shows a progress line on a terminal",
              "renja import: %s into %s ... 1 s" % (f, P) in err, repr(err))
    res.check("the progress line is erased at the end", err.endswith("\r\033[K"), repr(err[-40:]))

    rc, out, err = run(env, ["export", P], tty=True, pause=d)
    res.check("slow export succeeds", rc == 0 and '"kode": "2.17"' in out, err)
    res.check("slow export shows a progress line", "renja export: %s ... " % P in err, repr(err))
    res.check("the export's progress line is erased", err.endswith("\r\033[K"), repr(err[-40:]))

    rc, out, err = run(env, ["export", P], tty=False, pause=d)
    res.check("no progress line when stderr is not a terminal", rc == 0 and err == "", repr(err))

    rc, out, err = run(env, ["export", P], tty=True)
    res.check("no progress line for a quick call", rc == 0 and err == "", repr(err))

    # An error after the progress line starts on a clean line.
    d.proc.send_signal(signal.SIGSTOP)
    rc, out, err = run(env, ["--timeout", "2", "export", P], tty=True)
    d.proc.send_signal(signal.SIGCONT)
    res.check("a timeout still exits 6", rc == 6, "rc %d %r" % (rc, err))
    res.check("its message follows an erased progress line",
              "\r\033[Krenja export: " in err and err.rstrip().count("\n") == 0, repr(err))
finally:
    if d:
        try:
            d.proc.send_signal(signal.SIGCONT)
        except ProcessLookupError:
            pass
        d.stop()
    cleanup()
res.finish()
