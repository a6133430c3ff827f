// A table of protobuf resources keyed by their resource name, for services
// whose queries are all "get by name" and "list the children of a parent"
// (AIP-style names such as "cohorts/c/meetings/m1").
//
// Each row holds the serialized message, its parent's name, the collection
// it belongs to (e.g. "meetings"), a revision (for etags) and a creation
// sequence (for stable listing order). Use inside Database transactions;
// these functions throw SQLiteCpp exceptions, which Database converts.
//
//   Add kResourcesTableSql to a migration, then:
//   ASSIGN_OR_RETURN(auto meeting, GetResource<Meeting>(db, "Meeting", name));
//   meeting.message.set_theme("..."); ++meeting.revision;
//   RETURN_IF_ERROR(UpdateResource(db, "Meeting", meeting));
#ifndef KAIZEN_COMMON_STORAGE_RESOURCE_TABLE_H_
#define KAIZEN_COMMON_STORAGE_RESOURCE_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/storage/database.h"  // declares SQLite::Database
#include "google/protobuf/message.h"

namespace kaizen::storage {

// CREATE TABLE for a service's migrations.
extern const char kResourcesTableSql[];

template <typename Message>
struct Resource {
  std::string name;
  int64_t revision = 1;
  int64_t seq = 0;  // set on insert; increases with creation order
  Message message;
};

namespace internal {
struct RawResource {
  std::string name;
  int64_t revision = 0;
  int64_t seq = 0;
  std::string data;
};
// NOT_FOUND (errors::NotFound(type, name)) when absent.
absl::StatusOr<RawResource> GetRaw(SQLite::Database& db, const std::string& type,
                                   const std::string& name);
// ALREADY_EXISTS when the name is taken. Returns the new seq.
absl::StatusOr<int64_t> InsertRaw(SQLite::Database& db, const std::string& type,
                                  const std::string& name, const std::string& parent,
                                  const std::string& collection, int64_t revision,
                                  const std::string& data);
// NOT_FOUND when absent.
absl::Status UpdateRaw(SQLite::Database& db, const std::string& type,
                       const std::string& name, int64_t revision,
                       const std::string& data);
std::vector<RawResource> ListRaw(SQLite::Database& db, const std::string& parent,
                                 const std::string& collection);
absl::Status Unreadable(const std::string& name);
}  // namespace internal

// The parent of "a/b/c/d" is "a/b"; of "a/b" it is "".
std::string ParentOf(const std::string& name);
// The collection of "a/b/c/d" is "c".
std::string CollectionOf(const std::string& name);

template <typename Message>
absl::StatusOr<Resource<Message>> GetResource(SQLite::Database& db,
                                              const std::string& type,
                                              const std::string& name) {
  absl::StatusOr<internal::RawResource> raw = internal::GetRaw(db, type, name);
  if (!raw.ok()) return raw.status();
  Resource<Message> out{raw->name, raw->revision, raw->seq, Message()};
  if (!out.message.ParseFromString(raw->data)) return internal::Unreadable(name);
  return out;
}

// Inserts `r` under ParentOf(r.name) in CollectionOf(r.name); sets r->seq.
template <typename Message>
absl::Status InsertResource(SQLite::Database& db, const std::string& type,
                            Resource<Message>* r) {
  absl::StatusOr<int64_t> seq =
      internal::InsertRaw(db, type, r->name, ParentOf(r->name), CollectionOf(r->name),
                          r->revision, r->message.SerializeAsString());
  if (!seq.ok()) return seq.status();
  r->seq = *seq;
  return absl::OkStatus();
}

template <typename Message>
absl::Status UpdateResource(SQLite::Database& db, const std::string& type,
                            const Resource<Message>& r) {
  return internal::UpdateRaw(db, type, r.name, r.revision, r.message.SerializeAsString());
}

// Children of `parent` in `collection`, in creation order.
template <typename Message>
absl::StatusOr<std::vector<Resource<Message>>> ListResources(
    SQLite::Database& db, const std::string& parent, const std::string& collection) {
  std::vector<Resource<Message>> out;
  for (internal::RawResource& raw : internal::ListRaw(db, parent, collection)) {
    Resource<Message> r{std::move(raw.name), raw.revision, raw.seq, Message()};
    if (!r.message.ParseFromString(raw.data)) return internal::Unreadable(r.name);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_RESOURCE_TABLE_H_
