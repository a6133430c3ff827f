// The store side of a service's PurgePersonalData (issue 15), shared by the
// survey and plans services: inside one write transaction, answer a repeat
// with the first purge's record, or else delete (the service's own
// `purge` callback) and record the mark (purge_marks.h); after the commit,
// checkpoint and truncate the WAL so the deleted rows' old page images go
// too. The caller check, the request's parsing and the report stay with
// the caller (clients/purge/purge_contract.h).
#ifndef KAIZEN_COMMON_STORAGE_PURGE_FLOW_H_
#define KAIZEN_COMMON_STORAGE_PURGE_FLOW_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/status/status_macros.h"
#include "common/storage/purge_marks.h"

namespace kaizen::storage {

// What PurgeOnce did: the record to report (the first purge's time and
// counts) and whether the cohort or person had been purged before.
struct PurgeOutcome {
  PurgeRecord record;
  bool repeat = false;
};

// `Store` has `absl::Status Write(fn(Tx&))` (one write transaction) and
// `absl::Status CheckpointWal()`; its `Tx` has GetPurge and MarkPurged as
// in purge_marks.h (returning statuses). `purge(Tx&)` deletes the cohort's
// or the person's data and returns absl::StatusOr<PurgeCounts>.
template <typename Store, typename PurgeFn>
absl::StatusOr<PurgeOutcome> PurgeOnce(Store& store, const std::string& cohort_id,
                                       const std::string& participant, absl::Time now,
                                       PurgeFn purge) {
  PurgeOutcome out;
  RETURN_IF_ERROR(store.Write([&](auto& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<PurgeRecord> prior, tx.GetPurge(cohort_id, participant));
    out.repeat = prior.has_value();
    if (out.repeat && prior->has_counts) {
      // Answered before (enrollment retries a call whose answer it lost):
      // nothing more to delete, since every write checks the marks; the
      // first report stands.
      out.record = std::move(*prior);
      return absl::OkStatus();
    }
    // First time, or a purge recorded before counts were kept: delete now
    // (a repeat finds nothing) and keep the first time.
    ASSIGN_OR_RETURN(PurgeCounts counts, purge(tx));
    out.record.complete_time = out.repeat ? prior->complete_time : now;
    out.record.has_counts = true;
    out.record.counts = counts;
    return tx.MarkPurged(cohort_id, participant, now, counts);
  }));
  // Committed. secure_delete zeroed the deleted rows in their pages; the WAL
  // keeps the old page images until it is checkpointed and truncated. A
  // failure is reported: enrollment retries, and the repeat checkpoints again.
  RETURN_IF_ERROR(store.CheckpointWal());
  return out;
}

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_PURGE_FLOW_H_
