// The replay driver: the `main` of every <target>_replay test. Runs each file
// of the corpus directories (and files) named on the command line through
// LLVMFuzzerTestOneInput once, in name order, so the default (uninstrumented) build
// checks every corpus on every `bazel test //...`. A crash or a failed
// property aborts the test; an empty corpus fails it (a replay of nothing
// would pass whatever the code does).
//
//   <target>_replay <dir|file>...          replay
//   <target>_replay --write_seeds=<dir>    write KaizenFuzzSeeds() into <dir>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
__attribute__((weak)) std::vector<std::string> KaizenFuzzSeeds();

namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void CollectFiles(const std::string& path, std::vector<std::string>* files) {
  if (!IsDirectory(path)) {
    files->push_back(path);
    return;
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> names;
  while (dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) CollectFiles(path + "/" + name, files);
}

// FNV-1a: stable file names for seeds, so regenerating does not churn.
std::string SeedName(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  char name[32];
  std::snprintf(name, sizeof name, "seed-%016llx", static_cast<unsigned long long>(h));
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::string flag = "--write_seeds=";
    if (arg.rfind(flag, 0) == 0) {
      if (!KaizenFuzzSeeds) {
        std::fprintf(stderr, "this target defines no seeds\n");
        return 2;
      }
      const std::string dir = arg.substr(flag.size());
      int written = 0;
      for (const std::string& seed : KaizenFuzzSeeds()) {
        std::ofstream out(dir + "/" + SeedName(seed), std::ios::binary);
        out << seed;
        if (!out) {
          std::fprintf(stderr, "cannot write into %s\n", dir.c_str());
          return 2;
        }
        ++written;
      }
      std::printf("wrote %d seeds into %s\n", written, dir.c_str());
      return 0;
    }
    CollectFiles(arg, &files);
  }
  if (files.empty()) {
    std::fprintf(stderr, "no corpus files given: nothing would be checked\n");
    return 1;
  }
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", file.c_str());
      return 1;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string bytes = buffer.str();
    // A copy of exactly `size` bytes, so ASan sees reads past the end.
    std::vector<uint8_t> copy(bytes.begin(), bytes.end());
    static uint8_t nothing = 0;
    LLVMFuzzerTestOneInput(copy.empty() ? &nothing : copy.data(), copy.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
