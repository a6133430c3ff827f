#include "common/storage/statement_cache.h"

#include <sqlite3.h>

#include <cstring>
#include <string>
#include <utility>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "common/storage/connection.h"

namespace kaizen::storage {
namespace internal {

StatementCache::Entry* StatementCache::TryBorrow(absl::string_view sql, bool reading) {
  auto it = entries_.find(sql);
  if (it == entries_.end() || it->second->in_use) return nullptr;
  Entry* entry = it->second.get();
  // Prepared while writing, borrowed while reading: the authorizer only
  // sees SQL when it is prepared, so check here what it would have refused.
  if (reading && !sqlite3_stmt_readonly(entry->raw)) {
    throw SQLite::Exception("attempt to write a readonly database", SQLITE_READONLY);
  }
  entry->in_use = true;
  return entry;
}

StatementCache::Entry* StatementCache::Adopt(std::unique_ptr<SQLite::Statement>& statement) {
  if (entries_.size() >= static_cast<size_t>(kMaxCachedStatements)) return nullptr;
  // SQLiteCpp keeps the sqlite3_stmt* private. SQLite lists a connection's
  // statements newest first, and this thread just prepared `statement` on
  // this connection (one thread per connection), so it is the head; the SQL
  // text confirms it.
  sqlite3_stmt* raw = sqlite3_next_stmt(db_, nullptr);
  if (raw == nullptr || std::strcmp(sqlite3_sql(raw), statement->getQuery().c_str()) != 0) {
    return nullptr;
  }
  auto [it, inserted] = entries_.try_emplace(statement->getQuery());
  if (!inserted) return nullptr;  // the same SQL is borrowed by an outer scope
  it->second = std::make_unique<Entry>();
  Entry* entry = it->second.get();
  entry->statement = std::move(statement);
  entry->raw = raw;
  entry->in_use = true;
  entry->cache = this;
  return entry;
}

void StatementCache::Return(Entry* entry) noexcept {
  entry->statement->tryReset();  // also clears SQLiteCpp's row flags
  sqlite3_clear_bindings(entry->raw);
  entry->in_use = false;
  if (sqlite3_column_count(entry->raw) != entry->statement->getColumnCount()) {
    entries_.erase(entry->statement->getQuery());  // finalizes it
  }
}

}  // namespace internal

CachedStatement::CachedStatement(SQLite::Database& db, absl::string_view sql) {
  internal::Connection* connection = internal::ActiveConnection::Get();
  internal::StatementCache* cache = nullptr;
  if (connection != nullptr && static_cast<SQLite::Database*>(connection) == &db) {
    cache = &connection->cache();
    if (auto* entry = cache->TryBorrow(sql, connection->reading())) {
      slot_ = entry;
      statement_ = entry->statement.get();
      return;
    }
  }
  owned_ = std::make_unique<SQLite::Statement>(db, std::string(sql));
  if (cache != nullptr) {
    if (auto* entry = cache->Adopt(owned_)) {
      slot_ = entry;
      statement_ = entry->statement.get();
      return;
    }
  }
  statement_ = owned_.get();
}

CachedStatement::~CachedStatement() {
  if (slot_ != nullptr) {
    auto* entry = static_cast<internal::StatementCache::Entry*>(slot_);
    entry->cache->Return(entry);
  }
  // An own statement is finalized by owned_.
}

}  // namespace kaizen::storage
