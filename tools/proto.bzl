"""kaizen_proto_library: one way to turn .proto files into C++.

Runs the system protoc (and grpc_cpp_plugin when grpc = True) in a genrule and
wraps the output in a cc_library. Generates, per foo.proto:
  foo.pb.h/.cc                      messages
  foo.grpc.pb.h/.cc, foo_mock.grpc.pb.h  gRPC stubs and gMock stubs (grpc = True)
and, per target, <name>.descriptor_set.pb: a FileDescriptorSet of srcs and
everything they import, with source info (the comments), for tools that
document the API (the gateway's OpenAPI, services/gateway/linked_apis.bzl);
the C++ descriptors linked into binaries carry no comments.

Vendored googleapis protos (third_party/googleapis_vendored, e.g.
google/api/field_behavior.proto) are importable from every Kaizen proto.

Import paths: files under `import_root` (relative to the repository root) are
imported by their path below it, e.g. proto/kaizen/enrollment/v1/enrollment.proto
is imported as "kaizen/enrollment/v1/enrollment.proto" and its header included
as "kaizen/enrollment/v1/enrollment.pb.h".

`deps` are other kaizen_proto_library targets, as full labels ("//x:y").
"""

_VENDORED = "third_party/googleapis_vendored"

def _repo_prefix():
    repo = native.repository_name()
    if repo == "@":
        return ""
    return "external/" + repo[1:] + "/"

def kaizen_proto_library(name, srcs, deps = [], grpc = False, import_root = "proto", visibility = None,
                         testonly = False):
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
        testonly = testonly,
    )

    roots = [root]
    if prefix == "" and import_root not in ("proto", "") and [d for d in deps if d.startswith("//proto/")]:
        roots.append("proto")  # e.g. test protos elsewhere that import kaizen/
    if prefix == "" and [d for d in deps if d.startswith("@googleapis")]:
        roots.append("external/googleapis")
    include_flags = " ".join(["-I" + r for r in roots])
    if prefix == "" and root != _VENDORED:
        # Only when a dependency brought the vendored files into the sandbox
        # (protoc warns about import directories that do not exist).
        include_flags += " $$([ -d {v} ] && echo -I{v})".format(v = _VENDORED)
    descriptor_set = name + ".descriptor_set.pb"
    out_dir = "$(GENDIR)/" + root
    grpc_flags = ""
    tools = []
    if grpc:
        grpc_flags = "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin --grpc_out=generate_mock_code=true:" + out_dir
    files = " ".join(["$(location " + s + ")" for s in srcs])
    native.genrule(
        name = name + "_codegen",
        srcs = srcs + [name + "_protos"],
        outs = outs_h + outs_cc + [descriptor_set],
        cmd = ("/usr/bin/protoc {inc} -I/usr/include --cpp_out={out} {grpc} " +
               "--include_imports --include_source_info --descriptor_set_out=$(RULEDIR)/{ds} " +
               "{files}").format(
            inc = include_flags,
            out = out_dir,
            grpc = grpc_flags,
            ds = descriptor_set,
            files = files,
        ),
        message = "protoc " + name,
        testonly = testonly,
        visibility = visibility,  # also of <name>.descriptor_set.pb
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
        testonly = testonly,
    )
