// Request ids (AIP-155): a create retried with the same request_id returns
// the first result instead of creating twice.
//
// A service keeps a `request_ids` table (kRequestIdsTableSql in one of its
// migrations) and, inside the write transaction of a create:
//   1. LookupRequestId(db, scope, id) and ResolveReplay(prior, request):
//      - nullopt: a new request, go on;
//      - a resource name: a replay, return that resource as it is now;
//      - INVALID_ARGUMENT (field request_id, reason REQUEST_ID_REUSED): the id
//        was used for a different request.
//   2. after creating, SaveRequestId(db, scope, id, {fingerprint, name}).
// `scope` separates methods and callers (e.g. "CreateCohort\x1f<subject>"),
// so one caller's id never replays another caller's resource.
#ifndef KAIZEN_COMMON_STORAGE_REQUEST_IDS_H_
#define KAIZEN_COMMON_STORAGE_REQUEST_IDS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/storage/database.h"  // declares SQLite::Database
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace kaizen::storage {

// CREATE TABLE for a service's migrations.
extern const char kRequestIdsTableSql[];

struct RequestIdRecord {
  std::string fingerprint;    // RequestFingerprint of the first request
  std::string resource_name;  // what it created
};

// Hex SHA-256 of the request's serialization.
std::string RequestFingerprint(const google::protobuf::Message& request);

// Throws SQLiteCpp exceptions (call inside Database::RunInTransaction).
std::optional<RequestIdRecord> LookupRequestId(SQLite::Database& db,
                                               const std::string& scope,
                                               const std::string& request_id);
void SaveRequestId(SQLite::Database& db, const std::string& scope,
                   const std::string& request_id, const RequestIdRecord& record,
                   absl::Time now);

// Deletes the request ids whose resource name starts with `resource_prefix`
// (e.g. "cohorts/c1/") and that `select(scope, resource_name)` picks (a
// personal-data purge); returns how many. Throws SQLiteCpp exceptions.
int64_t DeleteRequestIds(SQLite::Database& db, const std::string& resource_prefix,
                         const std::function<bool(const std::string& scope,
                                                  const std::string& resource)>& select);

// See the header comment.
absl::StatusOr<std::optional<std::string>> ResolveReplay(
    const std::optional<RequestIdRecord>& prior,
    const google::protobuf::Message& request);

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_REQUEST_IDS_H_
