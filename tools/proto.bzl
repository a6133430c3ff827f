"""kaizen_proto_library: one way to turn .proto files into C++.

Runs the system protoc (and grpc_cpp_plugin when grpc = True) in a genrule and
wraps the output in a cc_library. Generates, per foo.proto:
  foo.pb.h/.cc                      messages
  foo.grpc.pb.h/.cc, foo_mock.grpc.pb.h  gRPC stubs and gMock stubs (grpc = True)

Import paths: files under `import_root` (relative to the repository root) are
imported by their path below it, e.g. proto/kaizen/enrollment/v1/enrollment.proto
is imported as "kaizen/enrollment/v1/enrollment.proto" and its header included
as "kaizen/enrollment/v1/enrollment.pb.h".

`deps` are other kaizen_proto_library targets, as full labels ("//x:y").
"""

def _repo_prefix():
    repo = native.repository_name()
    if repo == "@":
        return ""
    return "external/" + repo[1:] + "/"

def kaizen_proto_library(name, srcs, deps = [], grpc = False, import_root = "proto", visibility = None):
    prefix = _repo_prefix()
    root = prefix + import_root if import_root else prefix.rstrip("/")


    outs_h = []
    outs_cc = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs_h.append(base + ".pb.h")
        outs_cc.append(base + ".pb.cc")
        if grpc:
            outs_h.append(base + ".grpc.pb.h")
            outs_h.append(base + "_mock.grpc.pb.h")
            outs_cc.append(base + ".grpc.pb.cc")

    native.filegroup(
        name = name + "_protos",
        srcs = srcs + [d + "_protos" for d in deps],
        visibility = visibility,
    )

    roots = [root]
    if prefix == "" and [d for d in deps if d.startswith("@googleapis")]:
        roots.append("external/googleapis")
    include_flags = " ".join(["-I" + r for r in roots])
    out_dir = "$(GENDIR)/" + root
    grpc_flags = ""
    tools = []
    if grpc:
        grpc_flags = "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin --grpc_out=generate_mock_code=true:" + out_dir
    files = " ".join(["$(location " + s + ")" for s in srcs])
    native.genrule(
        name = name + "_codegen",
        srcs = srcs + [name + "_protos"],
        outs = outs_h + outs_cc,
        cmd = "/usr/bin/protoc {inc} -I/usr/include --cpp_out={out} {grpc} {files}".format(
            inc = include_flags,
            out = out_dir,
            grpc = grpc_flags,
            files = files,
        ),
        message = "protoc " + name,
    )

    cc_deps = list(deps) + ["@//third_party:protobuf"]
    if grpc:
        cc_deps.append("@//third_party:grpc")
    native.cc_library(
        name = name,
        srcs = outs_cc,
        hdrs = outs_h,
        strip_include_prefix = ("/" + import_root) if import_root else None,
        includes = [] if import_root else ["."],
        deps = cc_deps,
        visibility = visibility,
    )
