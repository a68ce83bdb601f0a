"""systemd integration without systemd: renjad sends READY=1 and STOPPING=1
to $NOTIFY_SOCKET, and serves a listening socket passed as fd 3 with
LISTEN_PID/LISTEN_FDS (socket activation)."""
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import grpc  # noqa: E402

import renjatest  # noqa: E402

tmp, cleanup = renjatest.tempdir()
model_pb2, renja_pb2, health_pb2 = renjatest.load_protos(tmp)
res = renjatest.Results()
proc = None
try:
    notify_path = os.path.join(tmp, "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(10)

    lsock_path = os.path.join(tmp, "activated.sock")
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(lsock_path)
    lsock.listen(16)

    data = os.path.join(tmp, "data")
    renjatest.init_store(data)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path, LISTEN_FDS="1")
    # LISTEN_PID must name renjad itself: let the shell exec it.
    # and the socket must arrive as fd 3.
    lfd = lsock.fileno()
    proc = subprocess.Popen(["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$0" --data-dir "$1" 3<&%d' % lfd,
                             renjatest.RENJAD, data], env=env, pass_fds=(lfd,),
                            stderr=open(os.path.join(tmp, "renjad.log"), "wb"))
    msg = notify.recv(256).decode()
    res.check("READY=1 on NOTIFY_SOCKET", msg == "READY=1", repr(msg))
    with grpc.insecure_channel("unix:" + lsock_path) as ch:
        check = ch.unary_unary("/grpc.health.v1.Health/Check",
                               request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=health_pb2.HealthCheckResponse.FromString)
        r = check(health_pb2.HealthCheckRequest(), timeout=10)
        res.check("serves the socket systemd passed", r.status == health_pb2.HealthCheckResponse.SERVING)
    log = open(os.path.join(tmp, "renjad.log")).read()
    res.check("no default listeners when sockets are passed", "7024" not in log, log)
    # The unit's ExecReload sends SIGHUP: the service reloads and goes on.
    proc.send_signal(signal.SIGHUP)
    msgs = [notify.recv(256).decode(), notify.recv(256).decode()]
    res.check("SIGHUP: RELOADING=1 then READY=1", msgs == ["RELOADING=1", "READY=1"], repr(msgs))
    with grpc.insecure_channel("unix:" + lsock_path) as ch:
        check = ch.unary_unary("/grpc.health.v1.Health/Check",
                               request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=health_pb2.HealthCheckResponse.FromString)
        r = check(health_pb2.HealthCheckRequest(), timeout=10)
        res.check("still SERVING after SIGHUP", proc.poll() is None and
                  r.status == health_pb2.HealthCheckResponse.SERVING)
    unit = open(os.path.join(renjatest.SRC, "systemd", "renjad.service")).read()
    res.check("the unit reloads with SIGHUP, not a stop",
              "ExecReload=/bin/kill -HUP $MAINPID" in unit and "-TERM" not in unit.split("ExecReload=")[1].split("\n")[0],
              unit)
    proc.send_signal(signal.SIGTERM)
    msg = notify.recv(256).decode()
    res.check("STOPPING=1 on SIGTERM", msg == "STOPPING=1", repr(msg))
    res.check("exit 0 after SIGTERM", proc.wait(timeout=30) == 0)
finally:
    if proc and proc.poll() is None:
        proc.kill()
    cleanup()
res.finish()
