// Writing, signing and verifying a whole bundle from the fixture, and every
// way verify must refuse one: a byte changed in any file, in the manifest or
// in the signature, an extra file, a missing file, another key. The PDF is
// checked by extracting its text with poppler's pdftotext.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "tools/bundle/manifest.h"
#include "tools/bundle/signing.h"
#include "tools/bundle/test_fixture.h"
#include "tools/bundle/verify.h"
#include "tools/bundle/writer.h"

namespace kaizen::bundle {
namespace bundle_test {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
void Write(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// pdftotext's UTF-8 text of `pdf` (one page when `page` > 0).
std::string PdfText(const std::string& pdf, int page = 0) {
  std::string range = page > 0 ? absl::StrCat(" -f ", page, " -l ", page) : "";
  std::string command = absl::StrCat("/usr/bin/pdftotext -enc UTF-8", range, " '", pdf, "' -");
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return "<popen failed>";
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) text.append(buf, n);
  if (pclose(p) != 0) return "<pdftotext failed>";
  return text;
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(getenv("TEST_TMPDIR")) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_);
    key_ = (root_ / "signing.key").string();
    pub_ = (root_ / "signing.pub.pem").string();
    ASSERT_TRUE(GenerateKeyPair(key_, pub_).ok());
    bundle_ = (root_ / "bundle").string();
    WriteOptions options;
    options.out_dir = bundle_;
    options.signing_key_path = key_;
    absl::StatusOr<int> n = WriteBundle(testing::FixtureBundle(), options);
    ASSERT_TRUE(n.ok()) << n.status();
    files_ = *n;
  }

  // A fresh copy of the bundle to damage.
  std::string Copy(const std::string& name) {
    fs::path dst = root_ / name;
    fs::copy(bundle_, dst, fs::copy_options::recursive);
    return dst.string();
  }

  std::string ReasonOf(const std::string& dir, VerifyExpect expect = {"242047", "", ""}) {
    absl::StatusOr<VerifiedBundle> v = VerifyBundle(dir, pub_, expect);
    return v.ok() ? "OK" : errors::Reason(v.status());
  }

  fs::path root_;
  std::string key_, pub_, bundle_;
  int files_ = 0;
};

TEST_F(BundleTest, WritesEveryFileAndVerifies) {
  // bundle.json, 3 CSVs, public_key.pem, 2 PDFs.
  EXPECT_EQ(files_, 7);
  for (const char* f : {"bundle.json", "attendance.csv", "plan_stages.csv", "survey_profiles.csv",
                        "public_key.pem", "manifest.json", "manifest.sig",
                        "pdf/fy2022_hanako.pdf", "pdf/fy2022_taro.pdf"}) {
    EXPECT_TRUE(fs::is_regular_file(fs::path(bundle_) / f)) << f;
  }
  absl::StatusOr<VerifiedBundle> v = VerifyBundle(bundle_, pub_, {"242047", "", ""});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->manifest.files.size(), 7u);
  EXPECT_EQ(v->manifest.bundle_id, "242047-fixture");
  EXPECT_EQ(v->key_fingerprint, *PublicKeyFingerprint(pub_));
  EXPECT_EQ(v->key_fingerprint.size(), 64u);
  EXPECT_EQ(Read(fs::path(bundle_) / "public_key.pem"), Read(pub_));
  std::string manifest = Read(fs::path(bundle_) / "manifest.json");
  EXPECT_TRUE(absl::StrContains(manifest, "\"bundleId\": \"242047-fixture\""));
  EXPECT_TRUE(absl::StrContains(manifest, "\"createTime\": \"2022-07-01T09:00:00+09:00\""));
  EXPECT_TRUE(absl::StrContains(manifest, "\"toolVersion\": \"kaizen_bundle 1.0\""));
  EXPECT_LT(manifest.find("\"path\": \"attendance.csv\""),
            manifest.find("\"path\": \"bundle.json\""));
  // No temporary directory is left next to it.
  for (const auto& e : fs::directory_iterator(root_)) {
    EXPECT_FALSE(absl::StrContains(e.path().filename().string(), ".tmp-")) << e.path();
  }
}

TEST_F(BundleTest, OneChangedByteAnywhereIsRefused) {
  std::vector<std::string> targets = {"bundle.json", "attendance.csv", "plan_stages.csv",
                                      "survey_profiles.csv", "public_key.pem",
                                      "pdf/fy2022_hanako.pdf", "pdf/fy2022_taro.pdf"};
  for (const std::string& t : targets) {
    std::string dir = Copy("tamper-" + std::to_string(&t - &targets[0]));
    fs::path p = fs::path(dir) / t;
    std::string bytes = Read(p);
    bytes[bytes.size() / 2] ^= 0x01;
    Write(p, bytes);
    EXPECT_EQ(ReasonOf(dir), "FILE_HASH_MISMATCH") << t;
  }
  std::string dir = Copy("tamper-manifest");
  std::string manifest = Read(fs::path(dir) / "manifest.json");
  manifest[manifest.find("242047")] = '3';
  Write(fs::path(dir) / "manifest.json", manifest);
  EXPECT_EQ(ReasonOf(dir), "SIGNATURE_INVALID");

  dir = Copy("tamper-sig");
  std::string sig = Read(fs::path(dir) / "manifest.sig");
  sig[10] = sig[10] == 'A' ? 'B' : 'A';
  Write(fs::path(dir) / "manifest.sig", sig);
  EXPECT_EQ(ReasonOf(dir), "SIGNATURE_INVALID");

  dir = Copy("tamper-size");
  Write(fs::path(dir) / "bundle.json", Read(fs::path(dir) / "bundle.json") + " ");
  EXPECT_EQ(ReasonOf(dir), "FILE_SIZE_MISMATCH");
}

TEST_F(BundleTest, ExtraMissingOrReplacedFilesAreRefused) {
  std::string dir = Copy("extra");
  Write(fs::path(dir) / "pdf" / "extra.pdf", "%PDF-1.5");
  EXPECT_EQ(ReasonOf(dir), "FILE_UNLISTED");
  dir = Copy("extra-top");
  Write(fs::path(dir) / "notes.txt", "x");
  EXPECT_EQ(ReasonOf(dir), "FILE_UNLISTED");
  dir = Copy("missing");
  fs::remove(fs::path(dir) / "survey_profiles.csv");
  EXPECT_EQ(ReasonOf(dir), "FILE_MISSING");
  dir = Copy("symlink");
  fs::path csv = fs::path(dir) / "attendance.csv";
  fs::rename(csv, fs::path(dir) / "elsewhere.csv");
  fs::create_symlink("elsewhere.csv", csv);
  EXPECT_EQ(ReasonOf(dir), "FILE_MISSING");
  dir = Copy("dangling");
  fs::create_symlink("nowhere", fs::path(dir) / "pdf" / "dangling.pdf");
  EXPECT_EQ(ReasonOf(dir), "FILE_UNLISTED");
  dir = Copy("dir-symlink");  // pdf/ swapped for a link to a copy elsewhere
  fs::rename(fs::path(dir) / "pdf", root_ / "pdf-elsewhere");
  fs::create_directory_symlink(root_ / "pdf-elsewhere", fs::path(dir) / "pdf");
  EXPECT_EQ(ReasonOf(dir), "FILE_UNLISTED");
  dir = Copy("no-sig");
  fs::remove(fs::path(dir) / "manifest.sig");
  EXPECT_EQ(ReasonOf(dir), "SIGNATURE_INVALID");
  dir = Copy("no-manifest");
  fs::remove(fs::path(dir) / "manifest.json");
  EXPECT_EQ(ReasonOf(dir), "MANIFEST_INVALID");
}

TEST_F(BundleTest, AnotherKeyIsRefusedAndTheBundlesOwnKeyIsNotTrusted) {
  std::string other_key = (root_ / "other.key").string();
  std::string other_pub = (root_ / "other.pub.pem").string();
  ASSERT_TRUE(GenerateKeyPair(other_key, other_pub).ok());
  absl::StatusOr<VerifiedBundle> v = VerifyBundle(bundle_, other_pub, {"242047", "", ""});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(errors::Reason(v.status()), "SIGNATURE_INVALID");
  // A forger re-signs with their key and ships their public_key.pem: the
  // municipality's own copy of our key still refuses it.
  std::string dir = Copy("forged");
  std::string manifest = Read(fs::path(dir) / "manifest.json");
  absl::StatusOr<std::string> sig = Sign(other_key, manifest);
  ASSERT_TRUE(sig.ok());
  Write(fs::path(dir) / "manifest.sig", *sig + "\n");
  EXPECT_EQ(ReasonOf(dir), "SIGNATURE_INVALID");
}

TEST_F(BundleTest, RefusesAnExistingOutputAndLeavesNothingOnFailure) {
  WriteOptions options;
  options.out_dir = bundle_;
  options.signing_key_path = key_;
  absl::StatusOr<int> n = WriteBundle(testing::FixtureBundle(), options);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(errors::Reason(n.status()), "OUTPUT_EXISTS");

  // A failure after the temporary directory exists (the "signing key" is
  // a public key): nothing is left behind.
  options.out_dir = (root_ / "bad-key").string();
  options.signing_key_path = pub_;
  n = WriteBundle(testing::FixtureBundle(), options);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(errors::Reason(n.status()), "KEY_INVALID");
  EXPECT_FALSE(fs::exists(options.out_dir));
  for (const auto& e : fs::directory_iterator(root_)) {
    EXPECT_FALSE(absl::StrContains(e.path().filename().string(), ".tmp-")) << e.path();
  }
  // A font without Japanese glyphs is refused rather than printing boxes
  // (DejaVu Sans comes with every fontconfig; it has no kanji).
  options.out_dir = (root_ / "bad-font").string();
  options.signing_key_path = key_;
  options.font_family = "DejaVu Sans";
  n = WriteBundle(testing::FixtureBundle(), options);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(errors::Reason(n.status()), "FONT_MISSING");
  EXPECT_FALSE(fs::exists(options.out_dir));
}

TEST_F(BundleTest, PdfTextHasTheJapaneseNameAndResults) {
  std::string pdf = (fs::path(bundle_) / "pdf/fy2022_hanako.pdf").string();
  ASSERT_TRUE(absl::StartsWith(Read(pdf), "%PDF-"));
  std::string text = PdfText(pdf);
  for (const char* want : {"松阪 花子", "松阪市", "出席率 100%", "第2回 壁の分析", "遅刻",
                           "職員提案を人事評価に", "改善が当たり前に評価される職場",
                           "窓口の待ち時間を半分に", "経営幹部の壁", "人事評価に反映される",
                           "窓口の雰囲気"}) {
    EXPECT_TRUE(absl::StrContains(text, want)) << want << "\n---\n" << text;
  }
  EXPECT_FALSE(absl::StrContains(text, "期間外の完成版")) << text;
}

mode_t Mode(const fs::path& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0 ? (st.st_mode & 0777) : 07777;
}

TEST_F(BundleTest, TheBundleIsPrivateToItsOwner) {
  // Personal data: the operator widens access on purpose, never the tool.
  EXPECT_EQ(Mode(bundle_), 0700u);
  EXPECT_EQ(Mode(fs::path(bundle_) / "pdf"), 0700u);
  for (const auto& e : fs::recursive_directory_iterator(bundle_)) {
    if (e.is_regular_file()) EXPECT_EQ(Mode(e.path()), 0600u) << e.path();
  }
}

TEST_F(BundleTest, VerifyChecksWhichBundleItIs) {
  // A genuine bundle of another town or period (substituted, replayed).
  EXPECT_EQ(ReasonOf(bundle_, {"242012", "", ""}), "BUNDLE_MISMATCH");
  EXPECT_EQ(ReasonOf(bundle_, {"242047", "2023-04-01", ""}), "BUNDLE_MISMATCH");
  EXPECT_EQ(ReasonOf(bundle_, {"242047", "", "2024-03-31"}), "BUNDLE_MISMATCH");
  EXPECT_EQ(ReasonOf(bundle_, {"242047", "2022-04-01", "2023-03-31"}), "OK");
  // The bundle's own key proves nothing, also through a link from outside.
  absl::StatusOr<VerifiedBundle> v =
      VerifyBundle(bundle_, (fs::path(bundle_) / "public_key.pem").string(), {"242047", "", ""});
  EXPECT_EQ(errors::Reason(v.status()), "INVALID_FLAG");
  fs::create_symlink(fs::path(bundle_) / "public_key.pem", root_ / "looks-outside.pem");
  v = VerifyBundle(bundle_ + "/", (root_ / "looks-outside.pem").string(), {"242047", "", ""});
  EXPECT_EQ(errors::Reason(v.status()), "INVALID_FLAG");
}

TEST_F(BundleTest, ExtraDirectoriesAndHugeManifestsAreRefused) {
  std::string dir = Copy("empty-dir");
  fs::create_directory(fs::path(dir) / "notes");
  EXPECT_EQ(ReasonOf(dir), "FILE_UNLISTED");
  dir = Copy("empty-subdir");
  fs::create_directory(fs::path(dir) / "pdf" / "old");
  EXPECT_EQ(ReasonOf(dir), "FILE_UNLISTED");
  dir = Copy("nested-manifest");  // not the top-level one: an extra file
  Write(fs::path(dir) / "pdf" / "manifest.json", Read(fs::path(dir) / "manifest.json"));
  EXPECT_EQ(ReasonOf(dir), "FILE_UNLISTED");
  dir = Copy("huge-manifest");  // refused by size, before reading (sparse)
  fs::resize_file(fs::path(dir) / "manifest.json", (16 << 20) + 1);
  absl::StatusOr<VerifiedBundle> v = VerifyBundle(dir, pub_, {"242047", "", ""});
  EXPECT_EQ(errors::Reason(v.status()), "MANIFEST_INVALID");
  EXPECT_TRUE(absl::StrContains(v.status().message(), "16 MiB")) << v.status();
}

TEST_F(BundleTest, CheckBeforeFetchCatchesWhatMakeWouldFailOnLater) {
  WriteOptions options;
  options.signing_key_path = key_;
  options.out_dir = (root_ / "fresh").string();
  EXPECT_TRUE(CheckBeforeFetch(options).ok());
  EXPECT_FALSE(fs::exists(options.out_dir));
  for (const auto& e : fs::directory_iterator(root_)) {
    EXPECT_FALSE(absl::StrContains(e.path().filename().string(), ".tmp-")) << e.path();
  }
  fs::create_symlink(root_ / "nowhere", root_ / "dangling");
  options.out_dir = (root_ / "dangling").string();
  EXPECT_EQ(errors::Reason(CheckBeforeFetch(options)), "OUTPUT_EXISTS");
  options.out_dir = (root_ / "no-such-parent" / "out").string();
  EXPECT_EQ(errors::Reason(CheckBeforeFetch(options)), "IO_ERROR");
  options.out_dir = (root_ / "fresh").string();
  options.font_family = "DejaVu Sans";
  EXPECT_EQ(errors::Reason(CheckBeforeFetch(options)), "FONT_MISSING");
  options.font_family = "IPAexGothic";
  options.signing_key_path = pub_;
  EXPECT_EQ(errors::Reason(CheckBeforeFetch(options)), "KEY_INVALID");
}

TEST_F(BundleTest, LongPdfsNameThePersonOnEveryPageAndSplitTallRows) {
  BundleData data = testing::FixtureBundle();
  PersonResults& hanako = data.people[0];
  // A title taller than a page, its end marked, then enough rows for more pages.
  auto* tall = hanako.attendance->mutable_meetings(0);
  std::string title;
  for (int i = 0; i < 400; ++i) absl::StrAppend(&title, "長い題名の行", i, "\n");
  tall->set_title(title + "題名の終わり");
  for (int i = 0; i < 120; ++i) *hanako.attendance->add_meetings() = hanako.attendance->meetings(1);
  WriteOptions options;
  options.out_dir = (root_ / "long").string();
  options.signing_key_path = key_;
  ASSERT_TRUE(WriteBundle(data, options).ok());
  std::string pdf = (root_ / "long" / "pdf" / "fy2022_hanako.pdf").string();
  EXPECT_TRUE(absl::StrContains(PdfText(pdf), "題名の終わり"));
  FILE* info = popen(absl::StrCat("/usr/bin/pdfinfo '", pdf, "'").c_str(), "r");
  ASSERT_NE(info, nullptr);
  int pages = 0;
  char line[512];
  while (fgets(line, sizeof(line), info) != nullptr) {
    if (absl::StartsWith(line, "Pages:")) pages = atoi(line + 6);
  }
  pclose(info);
  EXPECT_GE(pages, 6);
  for (int page = 1; page <= pages; ++page) {
    std::string text = PdfText(pdf, page);
    EXPECT_TRUE(absl::StrContains(text, "松阪 花子")) << "page " << page << ": " << text;
  }
}

TEST(Keys, KeygenWritesAPrivateFileAndRefusesToOverwrite) {
  fs::path dir = fs::path(getenv("TEST_TMPDIR")) / "keys";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string key = (dir / "k").string(), pub = (dir / "k.pub").string();
  ASSERT_TRUE(GenerateKeyPair(key, pub).ok());
  struct stat st;
  ASSERT_EQ(stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_TRUE(absl::StartsWith(Read(key), "-----BEGIN PRIVATE KEY-----"));
  EXPECT_TRUE(absl::StartsWith(Read(pub), "-----BEGIN PUBLIC KEY-----"));
  absl::Status again = GenerateKeyPair(key, (dir / "new.pub").string());
  EXPECT_EQ(errors::Reason(again), "OUTPUT_EXISTS");
  EXPECT_FALSE(fs::exists(dir / "new.pub"));

  absl::StatusOr<std::string> sig = Sign(key, "manifest bytes");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifySignature(pub, "manifest bytes", *sig).ok());
  EXPECT_EQ(errors::Reason(VerifySignature(pub, "manifest bytez", *sig)), "SIGNATURE_INVALID");
  EXPECT_EQ(errors::Reason(VerifySignature(pub, "manifest bytes", "not base64!")),
            "SIGNATURE_INVALID");
  Write(dir / "junk.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  EXPECT_EQ(errors::Reason(VerifySignature((dir / "junk.pem").string(), "x", *sig)),
            "KEY_INVALID");
  EXPECT_EQ(errors::Reason(Sign(pub, "x").status()), "KEY_INVALID");  // a public key
}

TEST(Manifest, RefusesUnsafePathsAndDuplicates) {
  EXPECT_TRUE(IsSafeRelativePath("pdf/fy2022_hanako.pdf"));
  for (const char* bad : {"", "/etc/passwd", "../x", "pdf/../../x", "a//b", "a/./b", "a b",
                          "ä.csv"}) {
    EXPECT_FALSE(IsSafeRelativePath(bad)) << bad;
  }
  Manifest m;
  m.files = {{"a.csv", 1, std::string(64, 'a')}};
  std::string json = RenderManifest(m);
  EXPECT_TRUE(ParseManifest(json).ok());
  std::string dup = json;
  dup.replace(dup.find("    {\"sha256\""), 0,
              absl::StrCat("    {\"sha256\": \"", std::string(64, 'b'),
                           "\", \"size\": 1, \"path\": \"a.csv\"},\n"));
  EXPECT_EQ(errors::Reason(ParseManifest(dup).status()), "MANIFEST_INVALID");
  std::string traversal = json;
  traversal.replace(traversal.find("a.csv"), 5, "../a.csv");
  EXPECT_EQ(errors::Reason(ParseManifest(traversal).status()), "MANIFEST_INVALID");
  EXPECT_EQ(errors::Reason(ParseManifest("[]").status()), "MANIFEST_INVALID");
}

}  // namespace
}  // namespace kaizen::bundle
