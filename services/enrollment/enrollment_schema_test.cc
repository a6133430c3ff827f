// Shipped migrations never change (a database that ran one keeps what it
// made; a change is a new migration). Each migration's text is pinned here by
// its length and a fixed hash, so an edit to any of them, or to a constant
// one is built from, fails this test. Adding migration N means adding its
// line, never changing one above it.
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {
namespace enrollment_schema_test {

// FNV-1a, 64 bits: fixed by its definition (unlike absl::Hash), enough to
// notice an edit.
uint64_t Fnv1a(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

struct Shipped {
  size_t length;
  uint64_t fnv1a;
};

constexpr Shipped kShipped[] = {
    {1597u, 0x94cd1c96addc07d5ull},  // 1 (with common/storage's request_ids table)
    {596u, 0x8b1e11049b4977f6ull},   // 2
    {358u, 0x1a601f76f38d20e5ull},   // 3
    {828u, 0x453e8f2ef5c0fdefull},   // 4
    {67u, 0x829856f44caf0341ull},    // 5
    {232u, 0xe6bd8d6d5c81331eull},   // 6
    {732u, 0x1f198af759ca0fabull},   // 7 (with common/notify's outbox table)
    {81u, 0x748e900b673c7a6aull},    // 8
    {449u, 0xaec3b80d63f636fdull},   // 9
    {80u, 0x9cf3e3cd32667047ull},    // 10
    {4888u, 0xc0d8dd57333e2c0dull},  // 11 (usage_sql.cc's kSchemaV11)
    {173u, 0xd2922b76c91e4754ull},  // 12 (application_sql.cc's kSchemaV12)
    {174u, 0xbc8dcbdfff5ef544ull},  // 13 (enrollment_schema.cc's kSchemaV13)
    {1425u, 0xffb9a9195db80ec0ull},  // 14 (usage_sql.cc's kSchemaV14)
};

TEST(EnrollmentSchemaTest, ShippedMigrationsAreUnchanged) {
  const storage::Migrations& migrations = EnrollmentStore::Migrations();
  ASSERT_GE(migrations.size(), std::size(kShipped)) << "a shipped migration was removed";
  std::string lines;
  for (size_t i = 0; i < migrations.size(); ++i) {
    char hex[32];
    std::snprintf(hex, sizeof(hex), "0x%016llx",
                  static_cast<unsigned long long>(Fnv1a(migrations[i])));
    absl::StrAppend(&lines, "    {", migrations[i].size(), "u, ", hex, "ull},  // ", i + 1, "\n");
  }
  for (size_t i = 0; i < std::size(kShipped); ++i) {
    EXPECT_EQ(migrations[i].size(), kShipped[i].length) << "migration " << i + 1 << " changed";
    EXPECT_EQ(Fnv1a(migrations[i]), kShipped[i].fnv1a) << "migration " << i + 1 << " changed";
  }
  // A new migration is added to kShipped in the change that adds it.
  EXPECT_EQ(migrations.size(), std::size(kShipped))
      << "pin the new migration; the current pins are:\n"
      << lines;
}

}  // namespace
}  // namespace kaizen::enrollment
