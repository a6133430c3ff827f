#include "common/storage/resource_table.h"

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "common/status/errors.h"
#include "sqlite3.h"

namespace kaizen::storage {

const char kResourcesTableSql[] = R"sql(
CREATE TABLE resources (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  parent TEXT NOT NULL,
  collection TEXT NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX resources_by_parent ON resources (parent, collection, seq);
)sql";

std::string ParentOf(const std::string& name) {
  size_t last = name.rfind('/');
  if (last == std::string::npos) return "";
  size_t before = name.rfind('/', last - 1);
  return before == std::string::npos ? "" : name.substr(0, before);
}

std::string CollectionOf(const std::string& name) {
  size_t last = name.rfind('/');
  if (last == std::string::npos) return "";
  size_t before = name.rfind('/', last - 1);
  size_t start = before == std::string::npos ? 0 : before + 1;
  return name.substr(start, last - start);
}

namespace internal {

absl::StatusOr<RawResource> GetRaw(SQLite::Database& db, const std::string& type,
                                   const std::string& name) {
  SQLite::Statement q(db, "SELECT revision, seq, data FROM resources WHERE name = ?1");
  q.bind(1, name);
  if (!q.executeStep()) return errors::NotFound(type, name);
  SQLite::Column data = q.getColumn(2);
  return RawResource{name, q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                     std::string(static_cast<const char*>(data.getBlob()),
                                 static_cast<size_t>(data.getBytes()))};
}

absl::StatusOr<int64_t> InsertRaw(SQLite::Database& db, const std::string& type,
                                  const std::string& name, const std::string& parent,
                                  const std::string& collection, int64_t revision,
                                  const std::string& data) {
  SQLite::Statement q(db,
                      "INSERT INTO resources (name, parent, collection, revision, data) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)");
  q.bind(1, name);
  q.bind(2, parent);
  q.bind(3, collection);
  q.bind(4, revision);
  q.bind(5, data.data(), static_cast<int>(data.size()));
  try {
    q.exec();
  } catch (const SQLite::Exception& e) {
    if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE) {
      return errors::AlreadyExists(type, name);
    }
    throw;
  }
  return db.getLastInsertRowid();
}

absl::Status UpdateRaw(SQLite::Database& db, const std::string& type,
                       const std::string& name, int64_t revision,
                       const std::string& data) {
  SQLite::Statement q(db, "UPDATE resources SET revision = ?2, data = ?3 WHERE name = ?1");
  q.bind(1, name);
  q.bind(2, revision);
  q.bind(3, data.data(), static_cast<int>(data.size()));
  if (q.exec() == 0) return errors::NotFound(type, name);
  return absl::OkStatus();
}

std::vector<RawResource> ListRaw(SQLite::Database& db, const std::string& parent,
                                 const std::string& collection) {
  SQLite::Statement q(db,
                      "SELECT name, revision, seq, data FROM resources "
                      "WHERE parent = ?1 AND collection = ?2 ORDER BY seq");
  q.bind(1, parent);
  q.bind(2, collection);
  std::vector<RawResource> out;
  while (q.executeStep()) {
    SQLite::Column data = q.getColumn(3);
    out.push_back(RawResource{q.getColumn(0).getString(), q.getColumn(1).getInt64(),
                              q.getColumn(2).getInt64(),
                              std::string(static_cast<const char*>(data.getBlob()),
                                          static_cast<size_t>(data.getBytes()))});
  }
  return out;
}

absl::Status Unreadable(const std::string& name) {
  (void)name;  // never echo stored content
  return errors::Internal("a stored record is unreadable");
}

}  // namespace internal
}  // namespace kaizen::storage
