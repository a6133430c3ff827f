// kaizen_backup: online backup, restore and verification of one service's
// SQLite database (tools/backup/README.md). The work is done by
// common/storage/backup.h; this file reads flags and prints one JSON line.
//
//   kaizen_backup --db /data/enrollment.db --out_dir /backup
//   kaizen_backup --db /data/enrollment.db --out /backup/enrollment-1.db
//   kaizen_backup --restore --from /backup/enrollment-20261129T101500Z.db --db /data/enrollment.db
//   kaizen_backup --verify /backup/enrollment-20261129T101500Z.db
//
// Exit codes: 0 done; 1 the operation failed (JSON with code, reason and
// message on stderr); 2 bad flags.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/storage/backup.h"

ABSL_FLAG(std::string, db, "", "the service's database file (backup: source; restore: target)");
ABSL_FLAG(std::string, out, "", "backup: the file to write (never overwritten)");
ABSL_FLAG(std::string, out_dir, "",
          "backup: write <db name>-<UTC time>.db into this existing directory");
ABSL_FLAG(bool, restore, false, "restore --from onto --db (the service must be stopped)");
ABSL_FLAG(std::string, from, "", "restore: the backup file to restore");
ABSL_FLAG(bool, force, false, "restore: delete the replaced database instead of keeping it");
ABSL_FLAG(std::string, verify, "", "integrity-check this file and print its tables' row counts");
ABSL_FLAG(int, pages_per_step, 1024, "backup: pages copied per step (at least 1)");

namespace {

using kaizen::storage::BackupResult;
using kaizen::storage::RestoreResult;
using kaizen::storage::VerifyResult;

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string Tables(const VerifyResult& v) {
  std::string out = "{";
  for (const auto& [name, rows] : v.table_rows) {
    absl::StrAppend(&out, out.size() > 1 ? "," : "", Quote(name), ":", rows);
  }
  return out + "}";
}

const char* CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case absl::StatusCode::kNotFound: return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case absl::StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case absl::StatusCode::kUnavailable: return "UNAVAILABLE";
    case absl::StatusCode::kDataLoss: return "DATA_LOSS";
    case absl::StatusCode::kInternal: return "INTERNAL";
    default: return "UNKNOWN";
  }
}

int Fail(const char* event, const absl::Status& status, int exit_code = 1) {
  std::fprintf(stderr, "{\"event\":\"%s\",\"error\":{\"code\":\"%s\",\"reason\":%s,\"message\":%s}}\n",
               event, CodeName(status.code()), Quote(kaizen::errors::Reason(status)).c_str(),
               Quote(std::string(status.message())).c_str());
  return exit_code;
}

int Usage(const char* event, const std::string& flag, const std::string& what) {
  return Fail(event, kaizen::errors::InvalidField(flag, what, "INVALID_FLAG"), 2);
}

int Verify(const std::string& path) {
  absl::StatusOr<VerifyResult> v = kaizen::storage::VerifyDatabase(path);
  if (!v.ok()) return Fail("verify", v.status());
  std::printf("{\"event\":\"verify\",\"path\":%s,\"integrity\":\"ok\",\"bytes\":%lld,"
              "\"user_version\":%d,\"tables\":%s}\n",
              Quote(path).c_str(), static_cast<long long>(v->bytes), v->user_version,
              Tables(*v).c_str());
  return 0;
}

int Backup(const std::string& db, std::string out, const std::string& out_dir, int pages) {
  if (!out_dir.empty()) {
    out = absl::StrCat(out_dir, out_dir.back() == '/' ? "" : "/",
                       kaizen::storage::BackupFileName(db, absl::Now()));
  }
  kaizen::storage::BackupOptions options;
  options.pages_per_step = pages;
  const absl::Time start = absl::Now();
  absl::StatusOr<BackupResult> r = kaizen::storage::BackupDatabase(db, out, options);
  if (!r.ok()) return Fail("backup", r.status());
  std::printf("{\"event\":\"backup\",\"db\":%s,\"out\":%s,\"integrity\":\"ok\",\"bytes\":%lld,"
              "\"pages\":%d,\"steps\":%d,\"user_version\":%d,\"seconds\":%.3f}\n",
              Quote(db).c_str(), Quote(r->path).c_str(), static_cast<long long>(r->bytes),
              r->pages, r->steps, r->user_version, absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}

int Restore(const std::string& from, const std::string& db, bool force) {
  kaizen::storage::RestoreOptions options;
  options.force = force;
  options.now = absl::Now();
  absl::StatusOr<RestoreResult> r = kaizen::storage::RestoreDatabase(from, db, options);
  if (!r.ok()) return Fail("restore", r.status());
  std::printf("{\"event\":\"restore\",\"db\":%s,\"from\":%s,\"replaced\":%s,\"integrity\":\"ok\","
              "\"bytes\":%lld,\"user_version\":%d,\"tables\":%s}\n",
              Quote(db).c_str(), Quote(from).c_str(),
              r->replaced_path.empty() ? "null" : Quote(r->replaced_path).c_str(),
              static_cast<long long>(r->verified.bytes), r->verified.user_version,
              Tables(r->verified).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "online backup and restore of a Kaizen service's SQLite database\n"
      "  kaizen_backup --db DB (--out FILE | --out_dir DIR)\n"
      "  kaizen_backup --restore --from BACKUP --db DB [--force]   (service stopped)\n"
      "  kaizen_backup --verify FILE");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) return Usage("backup", "args", "unexpected argument; see --help");
  const std::string db = absl::GetFlag(FLAGS_db);
  const std::string out = absl::GetFlag(FLAGS_out);
  const std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  const std::string from = absl::GetFlag(FLAGS_from);
  const std::string verify = absl::GetFlag(FLAGS_verify);
  const bool restore = absl::GetFlag(FLAGS_restore);

  if (!verify.empty()) {
    if (restore || !db.empty() || !out.empty() || !out_dir.empty() || !from.empty()) {
      return Usage("verify", "verify", "--verify takes no other flag");
    }
    return Verify(verify);
  }
  if (restore) {
    if (from.empty()) return Usage("restore", "from", "--restore needs --from (the backup)");
    if (db.empty()) return Usage("restore", "db", "--restore needs --db (the database to replace)");
    if (!out.empty() || !out_dir.empty()) {
      return Usage("restore", "out", "--out and --out_dir are for backups");
    }
    return Restore(from, db, absl::GetFlag(FLAGS_force));
  }
  if (db.empty()) return Usage("backup", "db", "--db is required");
  if (out.empty() == out_dir.empty()) {
    return Usage("backup", "out", "give exactly one of --out and --out_dir");
  }
  if (!from.empty() || absl::GetFlag(FLAGS_force)) {
    return Usage("backup", "from", "--from and --force are for --restore");
  }
  if (absl::GetFlag(FLAGS_pages_per_step) < 1) {
    return Usage("backup", "pages_per_step", "must be at least 1");
  }
  return Backup(db, out, out_dir, absl::GetFlag(FLAGS_pages_per_step));
}
