"""TLS on renjad's TCP listeners, through the real renjad and renja and
Debian's python3-grpcio, with a CA and server certificates made by the
openssl command line:

- renja with --cacert (and $RENJA_CACERT) over TLS: health, a plan, an
  import, a stage, a set (submits) and a diff;
- a certificate from another CA, an expired one and one for another host
  are refused, each with its own words and exit 6;
- plaintext to a TLS port, TLS to a plaintext port and a client offering no
  h2 get clear errors (client and log) and the daemon serves on;
- grpcio with ssl_channel_credentials calls Health/Check and ServerInfo;
- plaintext TCP beyond loopback only with --insecure-listen (and a
  warning), loopback without it;
- SIGHUP under load: client processes calling all along while the
  certificate files are replaced and SIGHUP sent lose no call, a new
  connection sees the new serial, open connections go on, and a broken
  replacement keeps the old certificate and is logged."""
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import grpc  # noqa: E402

import renjatest  # noqa: E402

RENJA = os.environ.get("RENJA", "renja")
tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
res = renjatest.Results()
pki = os.path.join(tmp, "pki")
os.makedirs(pki)
ca = renjatest.tls_ca(pki, "ca", "renja test CA")
other_ca = renjatest.tls_ca(pki, "other-ca", "another CA")
SANS = ["DNS:localhost", "IP:127.0.0.1"]
good = renjatest.tls_cert(pki, "server", ca, SANS, 0x1001)
fresh = renjatest.tls_cert(pki, "server2", ca, SANS, 0x2002)
expired = renjatest.tls_cert(pki, "expired", ca, SANS, 0x3003, days=-1)
wronghost = renjatest.tls_cert(pki, "wronghost", ca, ["DNS:other.example"], 0x4004)
foreign = renjatest.tls_cert(pki, "foreign", other_ca, SANS, 0x5005)
# The daemon reads its certificate from these paths; the reload test
# replaces what is in them.
live_crt, live_key = os.path.join(pki, "live.pem"), os.path.join(pki, "live.key")
for src, dst in ((good[0], live_crt), (good[1], live_key)):
    with open(src, "rb") as f, open(dst, "wb") as g:
        g.write(f.read())
ENV = {k: v for k, v in os.environ.items() if not k.startswith("RENJA_") or k in ("RENJA_SRC",)}


def daemon(name, cert=None, extra=()):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    args = list(extra) + (["--tls-cert", cert[0], "--tls-key", cert[1]] if cert else [])
    return renjatest.Daemon(d, extra=args)


def renja(*args, env=None):
    e = dict(ENV)
    e.update(env or {})
    r = subprocess.run([RENJA, *args], capture_output=True, text=True, env=e, timeout=60)
    return r.returncode, r.stdout, r.stderr


def log_of(d):
    with open(os.path.join(d.dir, "renjad.log")) as f:
        return f.read()


def wait_log(d, pattern, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, log_of(d))
        if m:
            return m
        time.sleep(0.05)
    return None


def token_file(d, name="admin"):
    p = os.path.join(tmp, name + "-" + os.path.basename(os.path.dirname(d.dir)) + ".token")
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, (d.token + "\n").encode())
    os.close(fd)
    return p


def serial_of(addr, host="localhost"):
    """The serial of the certificate a new TLS connection to addr gets."""
    h, p = addr.rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=ca[0])
    ctx.set_alpn_protocols(["h2"])
    with socket.create_connection((h, int(p)), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname=host) as t:
            return int(t.getpeercert()["serialNumber"], 16), t.selected_alpn_protocol(), t.version()


def health_ok(addr, *flags):
    rc, out, err = renja("--server", addr, *flags, "health")
    return rc == 0 and out.strip() == "SERVING"


main = daemon("main", (live_crt, live_key))
plain = daemon("plain")
try:
    A = main.tcp
    tok = token_file(main)
    res.check("the log says the TCP listener serves TLS", "listening on %s (TLS)" % A in log_of(main),
              log_of(main))
    res.check("the log names the certificate and its serial",
              re.search(r"TCP listeners serve TLS: certificate .*serial 1001", log_of(main)) is not None)

    # --- renja over TLS ---------------------------------------------------
    t0 = time.time()
    rc, out, err = renja("--server", A, "--cacert", ca[0], "health")
    handshake_s = time.time() - t0
    res.check("renja --cacert health over TLS: SERVING", rc == 0 and out.strip() == "SERVING", err)
    P = "diskopukm-sumsel/2024"
    g = ["--server", A, "--cacert", ca[0], "--token-file", tok]
    ex = os.path.join(renjatest.SRC, "examples", "diskopukm-sumsel-2024", "02-apbd.json")
    steps = [
        ("plan create", ["plan", "create", P, "--nama", "Dinas Koperasi dan UKM"]),
        ("import", ["import", P, ex, "--message", "APBD induk"]),
        ("stage set", ["stage", "set", P, "apbd", "--rev", "1", "--title", "APBD 2024", "--basis",
                       "Perda APBD 2024"]),
        ("set (a submit)", ["set", P, "2.17.08.1.01.02", "pagu=250.000.000", "--message", "pergeseran"]),
    ]
    for what, args in steps:
        rc, out, err = renja(*g, *args)
        res.check("renja --cacert %s over TLS" % what, rc == 0, err)
    rc, out, err = renja(*g, "--format", "json", "diff", P, "apbd", "head")
    res.check("renja --cacert diff over TLS shows the change",
              rc == 0 and "2.17.08.1.01.0002" in out and "\"pagu_to\": 250000000" in out, out[:300] + err)
    rc, out, err = renja("--server", A, "--token-file", tok, "info", env={"RENJA_CACERT": ca[0]})
    res.check("$RENJA_CACERT works like --cacert", rc == 0 and "admin" in out, err)
    rc, out, err = renja("--server", "localhost:" + A.rsplit(":", 1)[1], "--cacert", ca[0], "health")
    res.check("a host name (SNI, name verified) works too", rc == 0 and "SERVING" in out, err)
    rc, out, err = renja("--server", "unix:" + main.sock, "--token-file", tok, "info",
                         env={"RENJA_CACERT": ca[0]})
    res.check("$RENJA_CACERT leaves the Unix socket plaintext", rc == 0 and "admin" in out, err)
    rc, out, err = renja("--server", "unix:" + main.sock, "--cacert", ca[0], "health")
    res.check("--cacert with a unix: server is a usage error (exit 2)",
              rc == 2 and "Unix socket" in err, "%d %s" % (rc, err))
    rc, out, err = renja("--server", A, "--cacert", os.path.join(tmp, "nope.pem"), "health")
    res.check("a missing --cacert file is a usage error naming it (exit 2)",
              rc == 2 and "nope.pem" in err, "%d %s" % (rc, err))

    # --- refusals -----------------------------------------------------------
    rc, out, err = renja("--server", A, "--cacert", other_ca[0], "--token-file", tok, "info")
    res.check("wrong CA: exit 6", rc == 6, "%d %s" % (rc, err))
    res.check("wrong CA: 'certificate verify failed', the server and the CA file named",
              "certificate verify failed" in err and A in err and ("CA " + other_ca[0]) in err
              and "unable to get local issuer certificate" in err, err)
    res.check("wrong CA: the daemon logs the peer and the reason",
              wait_log(main, r"connection \d+ \(127\.0\.0\.1:\d+\) closed: TLS handshake failed: tlsv1 "
                       r"alert unknown ca \(the client refused this server's certificate\)") is not None,
              log_of(main)[-500:])
    rc, out, err = renja("--server", A, "--tls", "health")
    res.check("--tls (system roots) refuses a private CA's certificate: exit 6",
              rc == 6 and "certificate verify failed" in err and "system's CA" in err, err)

    exp = daemon("expired", expired, extra=["--first-call-timeout", "1"])
    with socket.create_connection(("127.0.0.1", int(exp.tcp.rsplit(":", 1)[1])), timeout=10) as s:
        t0 = time.time()
        got = s.recv(100)  # nothing sent: the server gives up
        waited = time.time() - t0
    res.check("a TCP client that never starts TLS is closed within the handshake timeout",
              got == b"" and waited < 5, "%r after %.1f s" % (got, waited))
    res.check("... and the log says so",
              wait_log(exp, r"closed: no TLS handshake within the handshake timeout") is not None,
              log_of(exp)[-400:])
    res.check("an expired certificate is logged as EXPIRED at start",
              re.search(r"warn: TCP listeners serve TLS: .*EXPIRED on", log_of(exp)) is not None)
    rc, out, err = renja("--server", exp.tcp, "--cacert", ca[0], "health")
    res.check("expired certificate: exit 6 'certificate has expired'",
              rc == 6 and "certificate verify failed: certificate has expired" in err and exp.tcp in err,
              "%d %s" % (rc, err))
    exp.stop()

    wh = daemon("wronghost", wronghost)
    rc, out, err = renja("--server", wh.tcp, "--cacert", ca[0], "health")
    res.check("certificate for another host, by IP: exit 6 'IP address mismatch'",
              rc == 6 and "IP address mismatch" in err and "127.0.0.1" in err, "%d %s" % (rc, err))
    port = wh.tcp.rsplit(":", 1)[1]
    rc, out, err = renja("--server", "localhost:" + port, "--cacert", ca[0], "health")
    res.check("certificate for another host, by name: exit 6 'host name mismatch'",
              rc == 6 and "host name mismatch" in err and "not for localhost" in err, "%d %s" % (rc, err))
    wh.stop()

    rc, out, err = renja("--server", A, "--cacert", foreign[0], "health")
    res.check("a CA file that is a server certificate of another CA: refused (exit 6)", rc == 6, err)

    rc, out, err = renja("--server", A, "--token-file", tok, "info")
    res.check("plaintext to a TLS port: exit 6", rc == 6, "%d %s" % (rc, err))
    res.check("plaintext to a TLS port: 'did not speak HTTP/2 in clear; does it need --cacert/--tls?'",
              ("the server at %s did not speak HTTP/2 in clear; does it need --cacert/--tls?" % A) in err, err)
    res.check("plaintext to a TLS port: logged with the peer",
              wait_log(main, r"connection \d+ \(127\.0\.0\.1:\d+\) closed: plaintext HTTP/2 on a TLS port")
              is not None, log_of(main)[-800:])
    res.check("the TLS daemon serves on after plaintext", health_ok(A, "--cacert", ca[0]))

    rc, out, err = renja("--server", plain.tcp, "--cacert", ca[0], "health")
    res.check("TLS to a plaintext port: exit 6 'the server does not speak TLS'",
              rc == 6 and ("TLS handshake with %s failed: the server does not speak TLS" % plain.tcp) in err,
              "%d %s" % (rc, err))
    res.check("TLS to a plaintext port: logged as a TLS client on a plaintext port",
              wait_log(plain, r"closed: a TLS client on a plaintext port") is not None, log_of(plain)[-500:])
    res.check("the plaintext daemon serves on after TLS", health_ok(plain.tcp))

    h, p = A.rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=ca[0])
    ctx.set_alpn_protocols(["http/1.1"])
    try:
        with ctx.wrap_socket(socket.create_connection((h, int(p)), timeout=10), server_hostname="localhost"):
            pass
        res.check("a client offering no h2 is refused", False, "handshake succeeded")
    except ssl.SSLError as e:
        res.check("a client offering no h2 is refused (no_application_protocol)",
                  "no application protocol" in str(e), str(e))
    res.check("a client offering no h2: the log says so",
              wait_log(main, r"closed: TLS handshake failed: the client offers no h2 in ALPN \(offers: "
                       r"http/1\.1\)") is not None, log_of(main)[-500:])
    ctx = ssl.create_default_context(cafile=ca[0])
    ctx.set_alpn_protocols(["h2"])
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with ctx.wrap_socket(socket.create_connection((h, int(p)), timeout=10), server_hostname="localhost") as t:
        res.check("TLS 1.2 with h2 is accepted", t.version() == "TLSv1.2" and t.selected_alpn_protocol() == "h2",
                  str(t.version()))
    # TLS 1.1 (allowed on our side only for this check) is refused by renjad.
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname = False
        old.verify_mode = ssl.CERT_NONE
        old.set_ciphers("DEFAULT@SECLEVEL=0")
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_alpn_protocols(["h2"])
    try:
        with old.wrap_socket(socket.create_connection((h, int(p)), timeout=10)):
            pass
        res.check("TLS 1.1 is refused", False, "handshake succeeded")
    except ssl.SSLError as e:
        res.check("TLS 1.1 is refused (protocol version alert)", "protocol version" in str(e), str(e))
    res.check("TLS 1.1: the log says the client offers only TLS below 1.2",
              wait_log(main, r"closed: TLS handshake failed: unsupported protocol \(the client offers only TLS "
                       r"below 1\.2\)") is not None, log_of(main)[-400:])
    res.check("the daemon serves on after the refusals", health_ok(A, "--cacert", ca[0]) and main.alive())

    # --- grpcio over TLS ----------------------------------------------------
    creds = grpc.ssl_channel_credentials(root_certificates=open(ca[0], "rb").read())
    with grpc.secure_channel(A, creds) as ch:
        r = ch.unary_unary("/grpc.health.v1.Health/Check",
                           request_serializer=lambda m: m.SerializeToString(),
                           response_deserializer=health_pb2.HealthCheckResponse.FromString)(
            health_pb2.HealthCheckRequest(), timeout=10)
        res.check("grpcio ssl_channel_credentials: Health/Check SERVING",
                  r.status == health_pb2.HealthCheckResponse.SERVING)
        r = ch.unary_unary("/renja.v1.Renja/ServerInfo",
                           request_serializer=lambda m: m.SerializeToString(),
                           response_deserializer=renja_pb2.ServerInfoResponse.FromString)(
            renja_pb2.ServerInfoRequest(), metadata=[("authorization", "Bearer " + main.token)], timeout=10)
        res.check("grpcio over TLS: ServerInfo as admin", r.identity.name == "admin", str(r))

    # --- --insecure-listen ----------------------------------------------------
    ins = os.path.join(tmp, "insecure")
    renjatest.init_store(ins)
    r = subprocess.run([renjatest.RENJAD, "--data-dir", ins, "--listen", "unix:" + ins + "/s.sock",
                        "--listen", "0.0.0.0:0"], capture_output=True, text=True, timeout=30)
    res.check("plaintext on 0.0.0.0 without --insecure-listen: renjad refuses to start (exit 1)",
              r.returncode == 1, "%d %s" % (r.returncode, r.stderr))
    res.check("the refusal names the address and both ways out",
              "0.0.0.0:0" in r.stderr and "--tls-cert FILE --tls-key FILE" in r.stderr
              and "--insecure-listen" in r.stderr, r.stderr)
    res.check("the refusal comes before any listener", "listening on" not in r.stderr, r.stderr)
    lg = open(os.path.join(ins, "log"), "wb")
    pr = subprocess.Popen([renjatest.RENJAD, "--data-dir", ins, "--listen", "0.0.0.0:0", "--insecure-listen"],
                          stderr=lg)
    ok = False
    deadline = time.time() + 10
    while time.time() < deadline and not ok:
        ok = "serving" in open(os.path.join(ins, "log")).read()
        time.sleep(0.05)
    text = open(os.path.join(ins, "log")).read()
    res.check("with --insecure-listen it starts", ok and pr.poll() is None, text)
    res.check("with --insecure-listen it warns",
              re.search(r"warn: plaintext TCP on 0\.0\.0\.0:0 \(--insecure-listen\): tokens and data cross "
                        r"the network in clear", text) is not None, text)
    m = re.search(r"listening on 0\.0\.0\.0:(\d+)", text)
    res.check("with --insecure-listen it serves", m is not None and health_ok("127.0.0.1:" + m.group(1)))
    pr.send_signal(signal.SIGTERM)
    pr.wait(timeout=30)
    lg.close()
    tlsany = subprocess.Popen([renjatest.RENJAD, "--data-dir", ins, "--listen", "0.0.0.0:0",
                               "--tls-cert", good[0], "--tls-key", good[1]], stderr=subprocess.PIPE, text=True)
    time.sleep(0.1)
    deadline = time.time() + 10
    got = ""
    while time.time() < deadline and "serving" not in got:
        got += tlsany.stderr.readline()
    res.check("0.0.0.0 with TLS starts without --insecure-listen or a warning",
              "serving" in got and "warn" not in got, got)
    tlsany.send_signal(signal.SIGTERM)
    tlsany.communicate(timeout=30)
    res.check("127.0.0.1 plaintext without --insecure-listen is fine (no warning)",
              plain.alive() and "warn: plaintext" not in log_of(plain))
    rc = subprocess.run([renjatest.RENJAD, "--data-dir", ins, "--tls-cert", good[0]], capture_output=True,
                        text=True, timeout=30)
    res.check("--tls-cert without --tls-key is a usage error",
              rc.returncode == 2 and "--tls-key" in rc.stderr, rc.stderr)
    missing = os.path.join(pki, "missing.pem")
    rc = subprocess.run([renjatest.RENJAD, "--data-dir", ins, "--listen", "127.0.0.1:0", "--tls-cert", missing,
                         "--tls-key", good[1]], capture_output=True, text=True, timeout=30)
    res.check("a missing certificate file: renjad does not start, naming it",
              rc.returncode == 1 and ("TLS certificate %s: No such file or directory" % missing) in rc.stderr,
              rc.stderr)
    rc = subprocess.run([renjatest.RENJAD, "--data-dir", ins, "--listen", "127.0.0.1:0", "--tls-cert", good[0],
                         "--tls-key", fresh[1]], capture_output=True, text=True, timeout=30)
    res.check("a key of another certificate: renjad does not start, saying so",
              rc.returncode == 1 and ("TLS key %s does not belong to the certificate in %s" % (fresh[1], good[0]))
              in rc.stderr, rc.stderr)

    # Sockets from systemd (LISTEN_FDS) follow the same rules.
    def activated(host, extra):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.bind((host, 0))
        ls.listen(16)
        lfd = ls.fileno()
        env = dict(os.environ, LISTEN_FDS="1")
        env.pop("NOTIFY_SOCKET", None)
        log = open(os.path.join(tmp, "activated.log"), "w+")
        pr = subprocess.Popen(["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$0" "$@" 3<&%d' % lfd,
                               renjatest.RENJAD, "--data-dir", ins, *extra], env=env, pass_fds=(lfd,),
                              stderr=log)
        return ls, pr, log

    ls, pr, log = activated("0.0.0.0", [])
    rc = pr.wait(timeout=30)
    log.seek(0)
    text = log.read()
    res.check("a 0.0.0.0 socket from systemd without TLS is refused, naming it",
              rc == 1 and "refusing plaintext TCP on the socket from systemd (fd 3)" in text, text)
    ls.close()
    ls, pr, log = activated("127.0.0.1", ["--tls-cert", good[0], "--tls-key", good[1]])
    port = ls.getsockname()[1]
    ok = False
    deadline = time.time() + 10
    while time.time() < deadline and not ok:
        ok = health_ok("127.0.0.1:%d" % port, "--cacert", ca[0])
        if not ok:
            time.sleep(0.1)
    res.check("a socket from systemd serves TLS with --tls-cert", ok)
    pr.send_signal(signal.SIGTERM)
    res.check("... and stops cleanly", pr.wait(timeout=30) == 0)
    ls.close()

    # --- SIGHUP under load ----------------------------------------------------
    res.check("before the reload a new connection gets serial 0x1001", serial_of(A)[0] == 0x1001)
    stop = os.path.join(tmp, "stop")
    loop = ('n=0; while [ ! -e "$STOP" ]; do "$RENJA" --server "$A" --cacert "$CA" --token-file "$TOK" '
            'info >/dev/null 2>>"$ERR" && echo ok || echo "FAIL $?"; done')
    workers = []
    for i in range(3):
        e = dict(ENV, STOP=stop, RENJA=RENJA, A=A, CA=ca[0], TOK=tok, ERR=os.path.join(tmp, "w%d.err" % i))
        workers.append(subprocess.Popen(["bash", "-c", loop], stdout=subprocess.PIPE, text=True, env=e))
    # And one long-lived connection calling all along (it must not be dropped).
    kept = {"ok": 0, "fail": [], "stop": False}

    def keep():
        with grpc.secure_channel(A, creds) as ch:
            call = ch.unary_unary("/renja.v1.Renja/ServerInfo",
                                  request_serializer=lambda m: m.SerializeToString(),
                                  response_deserializer=renja_pb2.ServerInfoResponse.FromString)
            while not kept["stop"]:
                try:
                    call(renja_pb2.ServerInfoRequest(), metadata=[("authorization", "Bearer " + main.token)],
                         timeout=10)
                    kept["ok"] += 1
                except grpc.RpcError as e:
                    kept["fail"].append(str(e.code()))
                time.sleep(0.005)

    th = threading.Thread(target=keep)
    th.start()
    time.sleep(1.0)
    # Replace the files as an operator would (rename over them), then SIGHUP.
    for src, dst in ((fresh[0], live_crt), (fresh[1], live_key)):
        with open(src, "rb") as f, open(dst + ".new", "wb") as g:
            g.write(f.read())
        os.rename(dst + ".new", dst)
    main.proc.send_signal(signal.SIGHUP)
    m = wait_log(main, r"SIGHUP: reloaded TLS certificate .*serial 2002")
    res.check("SIGHUP: the log says the new certificate is loaded (serial 2002)", m is not None,
              log_of(main)[-600:])
    time.sleep(1.0)
    res.check("after SIGHUP a new connection gets the new certificate (serial 0x2002)",
              serial_of(A)[0] == 0x2002)
    # A broken replacement: the old certificate stays and the log says why.
    with open(live_crt, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    main.proc.send_signal(signal.SIGHUP)
    m = wait_log(main, r"error: SIGHUP: TLS certificate %s: .*\n.*SIGHUP: reload failed; new connections keep "
                 r"the certificate loaded before" % re.escape(live_crt))
    res.check("a broken certificate on SIGHUP is logged, naming the file", m is not None, log_of(main)[-600:])
    time.sleep(0.5)
    res.check("after a broken SIGHUP new connections keep serial 0x2002", serial_of(A)[0] == 0x2002)
    # A key that does not belong to the certificate.
    with open(fresh[0], "rb") as f, open(live_crt, "wb") as g:
        g.write(f.read())
    with open(good[1], "rb") as f, open(live_key, "wb") as g:
        g.write(f.read())
    main.proc.send_signal(signal.SIGHUP)
    res.check("a key that does not match on SIGHUP is logged",
              wait_log(main, r"SIGHUP: TLS key %s does not belong to the certificate" % re.escape(live_key))
              is not None, log_of(main)[-600:])
    time.sleep(0.5)
    open(stop, "w").close()
    outs = [w.communicate(timeout=60)[0].split() for w in workers]
    kept["stop"] = True
    th.join(timeout=30)
    calls = sum(o.count("ok") for o in outs)
    fails = sum(1 for o in outs for x in o if x == "FAIL")
    errs = "".join(open(os.path.join(tmp, "w%d.err" % i)).read() for i in range(3))
    print("figures: %d CLI calls (each a new TLS connection) and %d calls on one kept connection during the "
          "reloads; first renja health over TLS took %.3f s" % (calls, kept["ok"], handshake_s))
    res.check("SIGHUP under load: the CLI processes made calls all along", calls >= 20, str(calls))
    res.check("SIGHUP under load: no CLI call failed", fails == 0, "%d failed: %s" % (fails, errs[:500]))
    res.check("SIGHUP under load: the kept connection lost no call and was not dropped",
              kept["ok"] > 20 and not kept["fail"], "%d ok, failures %s" % (kept["ok"], kept["fail"][:5]))
    res.check("the daemon is alive after the reloads", main.alive() and health_ok(A, "--cacert", ca[0]))
    res.check("no token in the log", main.token not in log_of(main))
finally:
    for d in (main, plain):
        if d.alive():
            res.check("daemon %s stops cleanly" % os.path.basename(os.path.dirname(d.dir)), d.stop() == 0)
    cleanup()
res.finish()
