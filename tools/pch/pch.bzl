"""clang precompiled headers of the system headers, and cc_test / cc_library with them.

Most of a file's compile time is parsing the same system headers (gtest,
gmock, Abseil, protobuf, gRPC): ~55% of services/survey/lenses_test.cc, for
example (clang -ftime-trace). `kaizen_cc_test` compiles its sources (all
*_test.cc) with `-include-pch` of //tools/pch:test_pch, `kaizen_cc_library`
its sources with //tools/pch:lib_pch; each is precompiled once per build. The
test sources' compile actions took 471 s without and 331 s with it (one
cold build, Bazel's profile; the repository's README.md, test times).

clang refuses a PCH built with some different flags (-O0 against -O2, a
conflicting _FORTIFY_SOURCE, -fsanitize=address on one side only) but accepts
others without a word (NDEBUG, -O1 against -O2, -fsanitize=undefined, a -D
added on the user's side, which then comes after the PCH's headers). So
`cc_pch` builds with the toolchain's own compile command for the configuration
in force (its features: -c opt or --config=dbg, --copt, --cxxopt) plus `copts`,
which must repeat what .bazelrc's `--per_file_copt` adds to the files using it
(a rule cannot read per-file options); pch_flags_test checks the copies. The
fuzz configurations give every one of our sources the same sanitizer flags:
.bazelrc sets `--define=kaizen_pch=fuzz` (or `fuzz_quick`), under which lib_pch
repeats those flags and the test sources (not built there) use none.
`--define=kaizen_pch=off` turns both off.

Each service's sources use a PCH that also holds the service's generated
protobuf and gRPC headers (<service>_lib_pch, chosen by package; its tests had
one too until they became one translation unit, `_unity`), and the HTTP
sources one with Boost.Beast (http_lib_pch); every PCH instantiates its
templates once (-fpch-instantiate-templates). On a cold build of //... that
took the compile actions from 1,343 s to 1,068 s of CPU (-20 %;
services/enrollment's sources -33 %, its tests -30 %). Generated
headers are recorded in a PCH by absolute path, so those PCHs are built
unsandboxed (the path is then this output base's execroot, which every user
sees and Bazel maps back to the declared input when a .d file names it) and
kept out of the disk cache (another checkout's PCH would name its paths).

Users compile with `-Xclang -module-file-deps`, so their .d files list the PCH
and Bazel recompiles them when it changes (it prunes a compile's inputs to
its .d file). The PCH records no timestamps (`-fno-pch-timestamp`), so one
built in another checkout (the disk cache) stays valid, and users compile with
`-fmodules-validate-system-headers`, so a system header whose size changed
since the PCH was built is an error, not stale code. Bazel tracks no system
header for any compile action, PCH or not: after upgrading Debian's -dev
packages, `bazel clean` and delete the disk cache (~/.cache/kaizen-bazel-disk).
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "CPP_COMPILE_ACTION_NAME")
load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

def _cc_pch_impl(ctx):
    cc_toolchain = find_cpp_toolchain(ctx)
    feature_configuration = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    pch = ctx.actions.declare_file(ctx.label.name + ".pch")
    deps_info = cc_common.merge_cc_infos(cc_infos = [d[CcInfo] for d in ctx.attr.deps])
    deps = deps_info.compilation_context
    variables = cc_common.create_compile_variables(
        cc_toolchain = cc_toolchain,
        feature_configuration = feature_configuration,
        # From standard input: a named file would be recorded in the PCH by
        # its absolute path, the sandbox of this one action, and every user
        # would then refuse it as missing.
        source_file = "-",
        output_file = pch.path,
        # -fpch-instantiate-templates: the templates the headers instantiate
        # are instantiated once here, not again in every user (-20 to -50 %
        # of a user's compile time with the protobuf headers below).
        user_compile_flags = ctx.fragments.cpp.copts + ctx.fragments.cpp.cxxopts + ctx.attr.copts +
                             ["-Xclang", "-fno-pch-timestamp", "-fpch-instantiate-templates",
                              "-x", "c++-header"],
        include_directories = deps.includes,
        quote_include_directories = deps.quote_includes,
        system_include_directories = deps.system_includes,
        preprocessor_defines = deps.defines,
        # Every object is PIC here (.bazelrc: --force_pic); without it the
        # non-PIC objects of binaries would refuse this PCH (an error).
        use_pic = True,
    )
    command_line = cc_common.get_memory_inefficient_command_line(
        feature_configuration = feature_configuration,
        action_name = CPP_COMPILE_ACTION_NAME,
        variables = variables,
    )
    env = cc_common.get_environment_variables(
        feature_configuration = feature_configuration,
        action_name = CPP_COMPILE_ACTION_NAME,
        variables = variables,
    )
    compiler = cc_common.get_tool_for_action(
        feature_configuration = feature_configuration,
        action_name = CPP_COMPILE_ACTION_NAME,
    )
    includes = "".join(["#include \\\"%s\\\"\\n" % i for i in ctx.attr.includes])
    execution_requirements = {}
    if ctx.attr.deps:
        # Generated headers (bazel-out/...) are recorded by absolute path:
        # unsandboxed, that is this output base's execroot, which exists for
        # every user and which Bazel maps back to the declared input when a
        # user's .d file lists it. The PCH is then specific to this output
        # base, so it is not shared through the disk cache either.
        execution_requirements = {"no-sandbox": "1", "no-remote": "1"}
    ctx.actions.run_shell(
        # The headers one after the other, as one translation unit.
        command = '{ cat %s; printf "%s"; } | "$@"' % (
            " ".join([h.path for h in ctx.files.hdrs]),
            includes,
        ),
        arguments = [compiler] + command_line,
        env = env,
        inputs = depset(ctx.files.hdrs, transitive = [cc_toolchain.all_files, deps.headers]),
        outputs = [pch],
        mnemonic = "CppPch",
        progress_message = "Precompiling %s" % ctx.label,
        execution_requirements = execution_requirements,
    )
    return [
        DefaultInfo(files = depset([pch])),
        # Every compile of a dependent target gets the PCH as an input, and
        # the headers precompiled in it from `deps` (a user's .d file names them).
        cc_common.merge_cc_infos(cc_infos = [
            CcInfo(compilation_context = cc_common.create_compilation_context(
                headers = depset([pch]),
            )),
            CcInfo(compilation_context = deps),
        ]),
    ]

cc_pch = rule(
    implementation = _cc_pch_impl,
    attrs = {
        # Precompiled in this order, as if #included one after the other.
        "hdrs": attr.label_list(allow_files = [".h"], mandatory = True),
        # Then these, as `#include "<each>"`, found through `deps`.
        "includes": attr.string_list(),
        # Libraries whose (generated) headers `includes` names.
        "deps": attr.label_list(providers = [CcInfo]),
        "copts": attr.string_list(),
        "_cc_toolchain": attr.label(default = Label("@bazel_tools//tools/cpp:current_cc_toolchain")),
    },
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)

_OFF_FOR_TESTS = ["//tools/pch:off", "//tools/pch:fuzz", "//tools/pch:fuzz_quick"]

def _with_pch(pch, off, deps, copts):
    """deps and copts of a target whose sources are compiled with `pch`."""
    extra_deps = {setting: [] for setting in off}
    extra_deps["//conditions:default"] = ["//tools/pch:" + pch]
    extra_copts = {setting: [] for setting in off}
    extra_copts["//conditions:default"] = [
        "-include-pch",
        "$(GENDIR)/tools/pch/%s.pch" % pch,
        "-Xclang",
        "-module-file-deps",
        "-fmodules-validate-system-headers",
    ]
    return deps + select(extra_deps), copts + select(extra_copts)

# The services whose package (services/<service>) compiles its libraries with
# the service's own PCH: the system headers and its generated protobuf and gRPC
# headers (tools/pch/BUILD defines <service>_lib_pch). Its tests, one
# translation unit, use test_pch: a PCH with one user only costs.
SERVICES_WITH_PCH = ["enrollment", "plans", "scheduling", "survey"]

def _pch_for(kind, pch):
    """The PCH of a `kind` ("lib" or "test") target: `pch` if given, else its package's."""
    package = native.package_name()
    if (not pch and kind == "lib" and package.startswith("services/") and
        package[len("services/"):] in SERVICES_WITH_PCH):
        pch = package[len("services/"):]
    return (pch + "_" if pch else "") + kind + "_pch"

def _with_lib_pch(srcs, deps, copts, pch):
    """deps and copts of a library or binary: its library PCH if it compiles a .cc."""
    if any([s.endswith(".cc") for s in srcs]):
        return _with_pch(_pch_for("lib", pch), ["//tools/pch:off"], deps, copts)
    return deps, copts

def _unity(name, srcs, suffix, testonly):
    """srcs with their .cc files replaced by one generated .cc that includes them all.

    A unity build: the sources are compiled as one translation unit, so what
    they share (the inline functions and templates of gtest, gmock, protobuf,
    Abseil, gRPC) is compiled once instead of once per file. The .cc files
    become textual headers of a helper library (inputs of the one compile).
    Measured on services/enrollment (clang, one file after the other): its 41
    test sources 69.8 s separately, 15.1 s as one unit; its 42 library
    sources 71.9 s and 32.7 s. The files share one namespace scope then: two
    helpers of the same name in two files' anonymous namespaces would collide
    (a compile error) or, as overloads, mix silently; tools/pch/unity_names.py
    refuses both before the unit is made. Test files name their namespace
    after the file (`namespace decisions_test {`) instead of leaving it
    anonymous, so their helpers never meet.
    """
    ccs = [s for s in srcs if s.endswith(".cc")]
    if len(ccs) < 2:
        return srcs, []
    out = name + suffix
    native.genrule(
        name = name + "_unity_cc",
        srcs = ccs,
        outs = [out],
        # The generated unit is refused (the build fails) while two of the
        # files define a file-local name that is the same (unity_names.py).
        cmd = ("/usr/bin/python3 $(location //tools/pch:unity_names.py) $(SRCS) >&2 && " +
               "for f in $(SRCS); do echo \"#include \\\"$$f\\\"\"; done >$@"),
        tools = ["//tools/pch:unity_names.py"],
        testonly = testonly,
        visibility = ["//visibility:private"],
    )
    native.cc_library(
        name = name + "_unity_sources",
        textual_hdrs = ccs,
        testonly = testonly,
        visibility = ["//visibility:private"],
    )
    return [s for s in srcs if not s.endswith(".cc")] + [out], [":" + name + "_unity_sources"]

def kaizen_cc_test(name, srcs = [], deps = [], copts = [], pch = None, **kwargs):
    """cc_test whose sources (all *_test.cc) are compiled with a test PCH, as one unit.

    //tools/pch:test_pch; `pch = "<prefix>"` picks <prefix>_test_pch. Several
    sources are compiled as one translation unit (`_unity`): a package's tests
    are one target, `tests` (run one file's with --test_filter=<Suite>.*).
    """
    # Named *_test.cc, so .bazelrc's --per_file_copt for test sources (-O0) applies.
    srcs, unity_deps = _unity(name, srcs, "_unity_test.cc", True)
    deps, copts = _with_pch(_pch_for("test", pch), _OFF_FOR_TESTS, deps + unity_deps, copts)
    native.cc_test(name = name, srcs = srcs, deps = deps, copts = copts, **kwargs)

def kaizen_cc_library(name, srcs = [], deps = [], copts = [], pch = None, unity = False, **kwargs):
    """cc_library whose sources are compiled with a library PCH.

    //tools/pch:lib_pch, or in a service's package that service's
    (<service>_lib_pch); `pch = "<prefix>"` picks <prefix>_lib_pch (e.g.
    "http": Boost.Beast and Asio). Not for the sources .bazelrc compiles at
    -O0 (*_test.cc: kaizen_cc_test) nor for *.pb.cc: clang would refuse the
    PCH. `unity = True` compiles its .cc files as one unit (`_unity`); no two
    of them may then define a file-local name that is the same (the build runs
    tools/pch/unity_names.py on them first).
    """
    if unity:
        srcs, unity_deps = _unity(name, srcs, "_unity.cc", kwargs.get("testonly", False))
        deps = deps + unity_deps
    deps, copts = _with_lib_pch(srcs, deps, copts, pch)
    native.cc_library(name = name, srcs = srcs, deps = deps, copts = copts, **kwargs)

def kaizen_cc_binary(name, srcs = [], deps = [], copts = [], pch = None, **kwargs):
    """cc_binary whose sources are compiled with a library PCH (as kaizen_cc_library).

    Also for the sources .bazelrc compiles at -O1 (services/*/main.cc,
    tools/demo): clang accepts an -O2 PCH there (both define __OPTIMIZE__;
    the PCH holds no code), unlike -O0 against -O2.
    """
    deps, copts = _with_lib_pch(srcs, deps, copts, pch)
    native.cc_binary(name = name, srcs = srcs, deps = deps, copts = copts, **kwargs)
