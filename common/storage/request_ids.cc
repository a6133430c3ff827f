#include "common/storage/request_ids.h"

#include <utility>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "common/status/errors.h"
#include "common/storage/statement_cache.h"
#include "common/util/crypto.h"

namespace kaizen::storage {

const char kRequestIdsTableSql[] = R"sql(
CREATE TABLE request_ids (
  scope TEXT NOT NULL,
  request_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  resource_name TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (scope, request_id)
);
)sql";

std::string RequestFingerprint(const google::protobuf::Message& request) {
  return crypto::Hex(crypto::Sha256(request.SerializeAsString()));
}

std::optional<RequestIdRecord> LookupRequestId(SQLite::Database& db,
                                               const std::string& scope,
                                               const std::string& request_id) {
  storage::CachedStatement query(db,
                          "SELECT fingerprint, resource_name FROM request_ids "
                          "WHERE scope = ?1 AND request_id = ?2");
  query->bind(1, scope);
  query->bind(2, request_id);
  if (!query->executeStep()) return std::nullopt;
  return RequestIdRecord{query->getColumn(0).getString(),
                         query->getColumn(1).getString()};
}

void SaveRequestId(SQLite::Database& db, const std::string& scope,
                   const std::string& request_id, const RequestIdRecord& record,
                   absl::Time now) {
  storage::CachedStatement insert(
      db,
      "INSERT INTO request_ids (scope, request_id, fingerprint, resource_name, "
      "create_time) VALUES (?1, ?2, ?3, ?4, ?5)");
  insert->bind(1, scope);
  insert->bind(2, request_id);
  insert->bind(3, record.fingerprint);
  insert->bind(4, record.resource_name);
  insert->bind(5, absl::ToUnixMicros(now));
  insert->exec();
}

absl::StatusOr<std::optional<std::string>> ResolveReplay(
    const std::optional<RequestIdRecord>& prior,
    const google::protobuf::Message& request) {
  if (!prior.has_value()) return std::optional<std::string>();
  if (prior->fingerprint != RequestFingerprint(request)) {
    return errors::InvalidField("request_id",
                                "was already used for a different request",
                                "REQUEST_ID_REUSED");
  }
  return std::optional<std::string>(prior->resource_name);
}

int64_t DeleteRequestIds(SQLite::Database& db, const std::string& resource_prefix,
                         const std::function<bool(const std::string& scope,
                                                  const std::string& resource)>& select) {
  SQLite::Statement query(db,
                          "SELECT scope, request_id, resource_name FROM request_ids "
                          "WHERE substr(resource_name, 1, length(?1)) = ?1");
  query.bind(1, resource_prefix);
  std::vector<std::pair<std::string, std::string>> keys;
  while (query.executeStep()) {
    const std::string scope = query.getColumn(0).getString();
    if (select(scope, query.getColumn(2).getString())) {
      keys.emplace_back(scope, query.getColumn(1).getString());
    }
  }
  SQLite::Statement remove(db, "DELETE FROM request_ids WHERE scope = ?1 AND request_id = ?2");
  for (const auto& [scope, id] : keys) {
    remove.bind(1, scope);
    remove.bind(2, id);
    remove.exec();
    remove.reset();
  }
  return static_cast<int64_t>(keys.size());
}

}  // namespace kaizen::storage
