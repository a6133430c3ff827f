#include "common/storage/sqlite_rows.h"

#include <sqlite3.h>

#include "common/status/errors.h"

namespace kaizen::storage {

void BindBlob(SQLite::Statement& statement, int index, const std::string& data) {
  statement.bind(index, data.data(), static_cast<int>(data.size()));
}

int SqlLimit(int limit) { return limit > 0 ? limit : -1; }

absl::Status Parse(const SQLite::Column& column, google::protobuf::MessageLite* message) {
  if (!message->ParseFromArray(column.getBlob(), column.getBytes())) {
    return errors::Internal("stored record is unreadable");
  }
  return absl::OkStatus();
}

bool IsDuplicateKey(const SQLite::Exception& e) {
  const int code = e.getExtendedErrorCode();
  return code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY;
}

absl::Status ExecInsert(SQLite::Statement& insert, absl::string_view type, absl::string_view name) {
  try {
    insert.exec();
  } catch (const SQLite::Exception& e) {
    if (IsDuplicateKey(e)) return errors::AlreadyExists(type, name);
    throw;
  }
  return absl::OkStatus();
}

}  // namespace kaizen::storage
