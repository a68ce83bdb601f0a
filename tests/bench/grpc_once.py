#!/usr/bin/env python3
"""One unary gRPC call with a raw protobuf body: compare.sh's check that a
request body h2load is about to send is answered with status OK.

    grpc_once.py HOST:PORT /pkg.Service/Method BODY_FILE [TOKEN]

Writes the raw response message to stdout; exits 1 with the status on
stderr when the call fails."""
import sys

import grpc


def main():
    target, path, body = sys.argv[1], sys.argv[2], sys.argv[3]
    token = sys.argv[4] if len(sys.argv) > 4 else ""
    with open(body, "rb") as f:
        request = f.read()
    meta = [("authorization", "Bearer " + token)] if token else []
    with grpc.insecure_channel(target) as ch:
        call = ch.unary_unary(path)
        try:
            resp = call(request, metadata=meta, timeout=30)
        except grpc.RpcError as e:
            sys.stderr.write("%s: %s %s\n" % (path, e.code(), e.details()))
            sys.exit(1)
    sys.stdout.buffer.write(resp)


if __name__ == "__main__":
    main()
