// Small helpers every service store uses to move rows between SQLiteCpp and
// protos: for `<svc>_store.cc` files only (like database.h's users, they are
// the only code that includes SQLiteCpp).
#ifndef KAIZEN_COMMON_STORAGE_SQLITE_ROWS_H_
#define KAIZEN_COMMON_STORAGE_SQLITE_ROWS_H_

#include <string>
#include <utility>
#include <vector>

#include "SQLiteCpp/Column.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/status/status_macros.h"
#include "google/protobuf/message_lite.h"

namespace kaizen::storage {

// Binds `data` as a BLOB (not TEXT: serialized protos are bytes).
void BindBlob(SQLite::Statement& statement, int index, const std::string& data);

// SQLite reads a negative LIMIT as "no limit": limit <= 0 means all rows.
int SqlLimit(int limit);

// Parses a BLOB column into `message`; INTERNAL "stored record is
// unreadable" (never the bytes) when it does not parse.
absl::Status Parse(const SQLite::Column& column, google::protobuf::MessageLite* message);

// A UNIQUE or PRIMARY KEY constraint failure.
bool IsDuplicateKey(const SQLite::Exception& e);

// Runs an INSERT. A duplicate key is the caller's error and deserves the
// resource's name: ALREADY_EXISTS (errors::AlreadyExists(type, name)). Any
// other failure propagates (as an exception) to the Database layer, which
// converts it.
absl::Status ExecInsert(SQLite::Statement& insert, absl::string_view type, absl::string_view name);

// Every row of `query`, each read by `read`; the first error stops.
template <typename Record>
absl::StatusOr<std::vector<Record>> ReadAll(SQLite::Statement& query,
                                            absl::StatusOr<Record> (*read)(SQLite::Statement&)) {
  std::vector<Record> records;
  while (query.executeStep()) {
    ASSIGN_OR_RETURN(Record record, read(query));
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_SQLITE_ROWS_H_
