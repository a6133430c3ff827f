#!/usr/bin/env python3
"""Tests of unity_names.py: what it must refuse and what it must let through."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unity_names  # noqa: E402


def names(text):
    return set(unity_names.local_names(text))


class LocalNamesTest(unittest.TestCase):
    def test_anonymous_namespace_functions_constants_types(self):
        self.assertEqual(names('''
namespace kaizen::x {
namespace {
constexpr size_t kMax = 200;
const char* const kNames[] = {"a", "b"};
bool Has(const std::string& s) { return !s.empty(); }
template <typename T>
T Twice(T t) { return t + t; }
struct Row { int a; };
enum class Kind { kA, kB };
using Rows = std::vector<Row>;
absl::Status Check(int);
}  // namespace
}  // namespace kaizen::x
'''), {'kMax', 'kNames', 'Has', 'Twice', 'Row', 'Kind', 'Rows', 'Check'})

    def test_static_at_namespace_scope_is_file_local(self):
        self.assertEqual(names('namespace a {\nstatic int Count() { return 1; }\n}\n'), {'Count'})

    def test_public_and_member_definitions_are_not(self):
        self.assertEqual(names('''
namespace kaizen::x {
namespace {
int Helper() { return 1; }
}  // namespace
int Public() { return Helper(); }
absl::Status Service::Do(int a) { return absl::OkStatus(); }
bool operator==(const A& a, const A& b) { return true; }
}  // namespace kaizen::x
'''), {'Helper'})

    def test_comments_strings_bodies_and_preprocessor_are_skipped(self):
        self.assertEqual(names('''
#define X(a) int a;
namespace {
// int Commented() {}
/* int Block() {} */
const char* kText = "namespace { int InString(); }";
int Outer() {
  int inner = 0;
  auto lambda = [] { return 2; };
  return inner;
}
}  // namespace
'''), {'kText', 'Outer'})

    def test_using_declarations_are_read_apart(self):
        text = 'namespace {\nusing ::a::B;\n}\nusing storage::ReadAll;\nusing Code = absl::StatusCode;\n'
        self.assertEqual(set(unity_names.using_names(text)), {'B', 'ReadAll'})
        # (An alias outside an anonymous namespace is not file-local: declared
        # again for another type, the compiler refuses it.)
        self.assertEqual(names(text), set())

    def test_namespace_alias_and_using_declarations_are_left_to_the_compiler(self):
        self.assertEqual(names('namespace {\nnamespace v1 = ::kaizen::v1;\nusing ::a::B;\n'
                               'using namespace std;\n}\n'), set())


class MainTest(unittest.TestCase):
    def run_on(self, *texts):
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for i, t in enumerate(texts):
                paths.append(os.path.join(d, 'f%d.cc' % i))
                with open(paths[-1], 'w') as f:
                    f.write(t)
            return subprocess.run([sys.executable, unity_names.__file__] + paths,
                                  capture_output=True, text=True)

    def test_an_overload_in_two_files_is_refused(self):
        r = self.run_on('namespace {\nbool HasAction(int a) { return a; }\n}\n',
                        'namespace {\nbool HasAction(long a) { return a; }\n}\n')
        self.assertEqual(r.returncode, 1)
        self.assertIn('HasAction is defined file-locally in', r.stdout)
        self.assertIn('f0.cc:2', r.stdout)
        self.assertIn('f1.cc:2', r.stdout)

    def test_a_helper_named_as_another_files_using_declaration_is_refused(self):
        r = self.run_on('namespace a {\nusing storage::Parse;\n}\n',
                        'namespace a {\nnamespace {\nint Parse(const char* s) { return 0; }\n}\n}\n')
        self.assertEqual(r.returncode, 1)
        self.assertIn('Parse is defined file-locally in', r.stdout)
        self.assertIn('f0.cc:2 (using)', r.stdout)

    def test_the_same_using_declaration_in_two_files_passes(self):
        r = self.run_on('namespace a {\nusing storage::Parse;\n}\n',
                        'namespace a {\nusing storage::Parse;\n}\n')
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_distinct_names_pass(self):
        r = self.run_on('namespace {\nint A() { return 1; }\n}\n',
                        'namespace {\nint B() { return 2; }\n}\nint A();\n')
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(r.stdout, '')


if __name__ == '__main__':
    unittest.main()
