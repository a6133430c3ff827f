"""A clang precompiled header for the test sources, and cc_test with it.

Most of a test file's compile time is parsing the same system headers (gtest,
gmock, Abseil, protobuf, gRPC): ~55% of services/survey/lenses_test.cc, for
example (clang -ftime-trace). `kaizen_cc_test` is a cc_test whose sources are
compiled with `-include-pch` of one header precompiled once per build
(//tools/pch:test_pch), which saves 0.5-1.5 s of the 2-7 s each test file took.

clang reads a PCH only when it was built with the flags of the file that uses it
(the same predefined macros: optimisation level, _FORTIFY_SOURCE, NDEBUG, PIC,
language standard); otherwise it stops with an error naming the difference, so
a mismatch is loud, never a silent miscompile. `cc_pch` therefore builds with
the toolchain's own compile command for the configuration in force (its
features: -c opt or --config=dbg, --copt, --cxxopt, PIC) plus `copts`, which
must repeat what .bazelrc's `--per_file_copt` adds to `*_test.cc` files (a
rule cannot read per-file options). Configurations that instrument every file
(--config=fuzz) turn it off with `--define=kaizen_pch=off`.

The PCH records no timestamps (`-fno-pch-timestamp`), so one built in another
checkout (the disk cache) stays valid: clang checks the system headers' sizes.
Like every compile action here, it does not track the system headers
themselves: after upgrading Debian's -dev packages, `bazel clean`.
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
    variables = cc_common.create_compile_variables(
        cc_toolchain = cc_toolchain,
        feature_configuration = feature_configuration,
        # From standard input: a named file would be recorded in the PCH by
        # its absolute path, the sandbox of this one action, and every user
        # would then refuse it as missing.
        source_file = "-",
        output_file = pch.path,
        user_compile_flags = ctx.fragments.cpp.copts + ctx.fragments.cpp.cxxopts + ctx.attr.copts +
                             ["-Xclang", "-fno-pch-timestamp", "-x", "c++-header"],
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
    ctx.actions.run_shell(
        command = '"$@" < %s' % ctx.file.hdr.path,
        arguments = [compiler] + command_line,
        env = env,
        inputs = depset([ctx.file.hdr], transitive = [cc_toolchain.all_files]),
        outputs = [pch],
        mnemonic = "CppPch",
        progress_message = "Precompiling %s" % ctx.file.hdr.short_path,
    )
    return [
        DefaultInfo(files = depset([pch])),
        # Every compile of a dependent target gets the PCH as an input.
        CcInfo(compilation_context = cc_common.create_compilation_context(
            headers = depset([pch]),
        )),
    ]

cc_pch = rule(
    implementation = _cc_pch_impl,
    attrs = {
        "hdr": attr.label(allow_single_file = [".h"], mandatory = True),
        "copts": attr.string_list(),
        "_cc_toolchain": attr.label(default = Label("@bazel_tools//tools/cpp:current_cc_toolchain")),
    },
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)

def kaizen_cc_test(name, deps = [], copts = [], **kwargs):
    """cc_test whose sources (all *_test.cc) are compiled with //tools/pch:test_pch."""
    native.cc_test(
        name = name,
        deps = deps + select({
            "//tools/pch:off": [],
            "//conditions:default": ["//tools/pch:test_pch"],
        }),
        copts = copts + select({
            "//tools/pch:off": [],
            "//conditions:default": ["-include-pch", "$(GENDIR)/tools/pch/test_pch.pch"],
        }),
        **kwargs
    )
