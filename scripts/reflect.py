#!/usr/bin/python3
"""A generic gRPC client that knows no .proto: it asks the server's
reflection service (grpc.reflection.v1) what it serves and builds every
message from the answers. Needs python3-grpcio and python3-protobuf only.

  reflect.py SERVER list                      services and their methods
  reflect.py SERVER describe SYMBOL           the file declaring SYMBOL, as text
  reflect.py SERVER call SERVICE/METHOD JSON  call a unary method, print the answer as JSON

SERVER is unix:/path/renjad.sock or HOST:PORT (plaintext). A call sends
"authorization: Bearer TOKEN" from $RENJA_TOKEN or the file $RENJA_TOKEN_FILE."""
import json
import os
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

# The reflection messages, declared here field by field (the numbers of
# grpc/reflection/v1/reflection.proto), so that no .proto is needed at all.
F = descriptor_pb2.FieldDescriptorProto
spec = descriptor_pb2.FileDescriptorProto(name="reflect_client.proto", package="grpc.reflection.v1",
                                          syntax="proto3")


def message(name, *fields):
    m = spec.message_type.add(name=name)
    for fname, num, ftype, extra in fields:
        m.field.add(name=fname, number=num, type=ftype, label=F.LABEL_OPTIONAL, **extra)
    return m


S, B, I, M = F.TYPE_STRING, F.TYPE_BYTES, F.TYPE_INT32, F.TYPE_MESSAGE
req = message("ServerReflectionRequest", ("host", 1, S, {}), ("file_by_filename", 3, S, {}),
              ("file_containing_symbol", 4, S, {}), ("list_services", 7, S, {}))
req.oneof_decl.add(name="message_request")
for f in req.field[1:]:
    f.oneof_index = 0
message("FileDescriptorResponse", ("file_descriptor_proto", 1, B, {}))
spec.message_type[-1].field[0].label = F.LABEL_REPEATED
message("ServiceResponse", ("name", 1, S, {}))
message("ListServiceResponse", ("service", 1, M, {"type_name": ".grpc.reflection.v1.ServiceResponse"}))
spec.message_type[-1].field[0].label = F.LABEL_REPEATED
message("ErrorResponse", ("error_code", 1, I, {}), ("error_message", 2, S, {}))
message("ServerReflectionResponse",
        ("file_descriptor_response", 4, M, {"type_name": ".grpc.reflection.v1.FileDescriptorResponse"}),
        ("list_services_response", 6, M, {"type_name": ".grpc.reflection.v1.ListServiceResponse"}),
        ("error_response", 7, M, {"type_name": ".grpc.reflection.v1.ErrorResponse"}))
own = descriptor_pool.DescriptorPool()
own.Add(spec)
own_factory = message_factory.MessageFactory(own)
Req = own_factory.GetPrototype(own.FindMessageTypeByName("grpc.reflection.v1.ServerReflectionRequest"))
Resp = own_factory.GetPrototype(own.FindMessageTypeByName("grpc.reflection.v1.ServerReflectionResponse"))


def ask(ch, requests):
    """One reflection stream: the answers to requests, in order."""
    call = ch.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                            request_serializer=lambda m: m.SerializeToString(),
                            response_deserializer=Resp.FromString)
    answers = list(call(iter(requests), timeout=30))
    for a in answers:
        if a.HasField("error_response"):
            sys.exit("reflect: %s" % a.error_response.error_message)
    return answers


def pool_for(ch, symbols):
    """A descriptor pool holding the files that declare symbols, and their imports."""
    protos = {}
    for a in ask(ch, [Req(file_containing_symbol=s) for s in symbols]):
        for b in a.file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto.FromString(b)
            protos[fd.name] = fd
    pool, added = descriptor_pool.DescriptorPool(), set()
    while len(added) < len(protos):
        for fd in protos.values():
            if fd.name not in added and set(fd.dependency) <= added:
                pool.Add(fd)
                added.add(fd.name)
    return pool, protos


def main(argv):
    if len(argv) < 3 or argv[2] not in ("list", "describe", "call"):
        sys.exit(__doc__)
    with grpc.insecure_channel(argv[1]) as ch:
        if argv[2] == "list":
            names = [s.name for s in ask(ch, [Req(list_services="")])[0].list_services_response.service]
            pool, _ = pool_for(ch, names)
            for n in names:
                svc = pool.FindServiceByName(n)
                for m in svc.methods:
                    print("%s/%s\t%s -> %s" % (n, m.name, m.input_type.full_name, m.output_type.full_name))
        elif argv[2] == "describe":
            _, protos = pool_for(ch, [argv[3]])
            for fd in protos.values():
                print("# %s\n%s" % (fd.name, fd))
        else:
            service, method = argv[3].rsplit("/", 1)
            pool, _ = pool_for(ch, [service])
            m = pool.FindServiceByName(service).methods_by_name[method]
            factory = message_factory.MessageFactory(pool)
            cin, cout = factory.GetPrototype(m.input_type), factory.GetPrototype(m.output_type)
            token = os.environ.get("RENJA_TOKEN")
            if not token and os.environ.get("RENJA_TOKEN_FILE"):
                token = open(os.environ["RENJA_TOKEN_FILE"]).read().strip()
            call = ch.unary_unary("/%s/%s" % (service, method),
                                  request_serializer=lambda x: x.SerializeToString(),
                                  response_deserializer=cout.FromString)
            try:
                r = call(json_format.Parse(argv[4] if len(argv) > 4 else "{}", cin()),
                         metadata=[("authorization", "Bearer " + token)] if token else None, timeout=30)
            except grpc.RpcError as e:
                sys.exit("reflect: %s: %s" % (e.code().name, e.details()))
            print(json.dumps(json_format.MessageToDict(r), indent=2, ensure_ascii=False))


main(sys.argv)
