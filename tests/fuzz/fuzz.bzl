"""kaizen_fuzz_target: one libFuzzer target and its corpus replay test.

A target is a plain `LLVMFuzzerTestOneInput` in `<name>.cc`. One call makes:

  <name>_lib     cc_library with the target's code (testonly)
  <name>_replay  cc_test (default build, no sanitizer, `bazel test //...`): runs every
                 file of corpus/<name>/ through the function once
  <name>         cc_binary linked with libFuzzer (tags manual + fuzzer): built
                 only with `--config=fuzz` (ASan + UBSan; .bazelrc), by tools/fuzz.sh

`ci_fuzz = False` keeps a target out of the short libFuzzer run in CI (its
corpus is still replayed by <name>_replay); docs/fuzzing.md lists the split.
"""

def kaizen_fuzz_target(name, deps = [], size = "small", ci_fuzz = True, replay_args = []):
    corpus = "corpus/" + name
    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = [name + ".cc"],
        # Test code, as the *_test.cc files (.bazelrc): -O0 here compiles in ~60 % of
        # the time; the fuzz configurations' own -O0/-O1 come after and win there.
        copts = ["-O0", "-U_FORTIFY_SOURCE"],
        deps = deps + [":fuzz_util"],
        alwayslink = True,
    )
    native.cc_test(
        name = name + "_replay",
        size = size,
        data = native.glob([corpus + "/**"]),
        args = [native.package_name() + "/" + corpus] + replay_args,
        deps = [
            name + "_lib",
            ":replay_main",
        ],
    )
    native.cc_binary(
        name = name,
        testonly = True,
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual", "fuzzer"] + (["ci_fuzz"] if ci_fuzz else []),
        deps = [name + "_lib"],
    )
