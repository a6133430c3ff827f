// Cohorts: create, read, list, update, move through their lifecycle
// (DRAFT -> OPEN <-> CLOSED -> RUNNING -> FINISHED). Purging their personal
// data once the retention period is over is purge.cc.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/validation/validation.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/waitlist.h"

namespace kaizen::enrollment {
namespace {

void ApplyCohortDefaults(v1::Cohort& c) {
  if (!c.has_offer_ttl()) c.mutable_offer_ttl()->set_seconds(48 * 3600);
  if (!c.has_retention_days()) c.set_retention_days(365);  // 0 is a choice
  if (c.max_waitlist() == 0 && c.capacity() > 0) c.set_max_waitlist(5 * c.capacity());
  if (c.fee().currency_code().empty()) c.mutable_fee()->set_currency_code(std::string(kCurrencyCode));
}

absl::Status ValidateCohortSettings(const v1::Cohort& c) {
  Violations v;
  v.Check(ValidateText("cohort.title", c.title(), 1, 200, false));
  if (c.fiscal_year() < 2000 || c.fiscal_year() > 2100) {
    v.Add("cohort.fiscal_year", "must be a year between 2000 and 2100");
  }
  if (c.capacity() < 1 || c.capacity() > 1000) {
    v.Add("cohort.capacity", "must be between 1 and 1000");
  }
  if (c.max_municipalities() < 1 || c.max_municipalities() > std::max(1, c.capacity())) {
    v.Add("cohort.max_municipalities", "must be between 1 and the capacity");
  }
  const v1::Eligibility& e = c.eligibility();
  if (e.min_age() < 0 || e.min_age() > 120) {
    v.Add("cohort.eligibility.min_age", "must be between 0 and 120");
  }
  if (e.max_age() < 0 || e.max_age() > 120) {
    v.Add("cohort.eligibility.max_age", "must be between 0 and 120");
  }
  if (e.min_age() > 0 && e.max_age() > 0 && e.min_age() > e.max_age()) {
    v.Add("cohort.eligibility.max_age", "must not be below min_age");
  }
  if (e.min_age() > 0 || e.max_age() > 0) {
    v.Check(ValidateDate("cohort.eligibility.age_reference_date", e.age_reference_date()));
  }
  CheckMoney(v, "cohort.fee", c.fee(), /*allow_zero=*/true);
  std::set<std::string> item_ids;
  for (int i = 0; i < c.included_items_size(); ++i) {
    const v1::IncludedItem& item = c.included_items(i);
    const std::string prefix = absl::StrCat("cohort.included_items[", i, "]");
    if (!IsValidResourceId(item.id())) {
      v.Add(prefix + ".id", "must be 1-63 chars of a-z, 0-9 and '-', starting with a letter");
    } else if (!item_ids.insert(item.id()).second) {
      v.Add(prefix + ".id", "is used twice");
    }
    v.Check(ValidateText(prefix + ".title", item.title(), 1, 200, false));
    v.Check(ValidateDate(prefix + ".available_date", item.available_date()));
  }
  if (!c.has_application_open_time()) {
    v.Add("cohort.application_open_time", "is required");
  }
  if (!c.has_application_close_time()) {
    v.Add("cohort.application_close_time", "is required");
  } else if (c.has_application_open_time() &&
             FromProto(c.application_close_time()) <= FromProto(c.application_open_time())) {
    v.Add("cohort.application_close_time", "must be after application_open_time");
  }
  const absl::Duration ttl = FromProto(c.offer_ttl());
  if (ttl < absl::Hours(1) || ttl > absl::Hours(24 * 30)) {
    v.Add("cohort.offer_ttl", "must be between 1 hour and 30 days");
  }
  if (c.retention_days() < 0 || c.retention_days() > 3650) {
    v.Add("cohort.retention_days", "must be between 0 and 3650");
  }
  if (c.max_waitlist() < 1 || c.max_waitlist() > 10000) {
    v.Add("cohort.max_waitlist", "must be between 1 and 10000");
  }
  return v.Result();
}

}  // namespace

absl::Status DecorateCohort(EnrollmentTx& tx, const CohortRecord& rec, v1::Cohort* out) {
  *out = rec.cohort;
  ASSIGN_OR_RETURN(Usage usage, SeatUsage(tx, rec.id));
  out->set_seats_taken(usage.seats);
  out->set_municipalities_taken(static_cast<int>(usage.municipalities.size()));
  out->set_etag(MakeEtag(out->name(), rec.revision));
  return absl::OkStatus();
}

absl::StatusOr<v1::Cohort> Enrollment::CreateCohort(const Principal& caller,
                                                    const v1::CreateCohortRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  v1::Cohort cohort = request.cohort();
  ApplyCohortDefaults(cohort);
  Violations v;
  CheckRequestId(v, request.request_id());
  if (!request.cohort_id().empty() && !IsValidResourceId(request.cohort_id())) {
    v.Add("cohort_id", "must be 1-63 chars of a-z, 0-9 and '-', starting with a letter");
  }
  v.Check(ValidateCohortSettings(cohort));
  RETURN_IF_ERROR(v.Result());

  const absl::Time now = clock_->Now();
  const std::string id = request.cohort_id().empty() ? NewId() : request.cohort_id();
  const std::string scope = absl::StrCat("CreateCohort\x1f", caller.subject());
  v1::Cohort result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto replayed, Replayed(tx, scope, request.request_id(), request));
    if (replayed.has_value()) {
      ASSIGN_OR_RETURN(std::string prior_id, ParseCohortName("name", *replayed));
      ASSIGN_OR_RETURN(CohortRecord rec, tx.GetCohort(prior_id));
      return DecorateCohort(tx, rec, &result);
    }
    CohortRecord rec;
    rec.id = id;
    rec.revision = 1;
    rec.cohort = cohort;
    rec.cohort.set_name(CohortName(id));
    rec.cohort.set_state(v1::Cohort::DRAFT);
    *rec.cohort.mutable_create_time() = ToProto(now);
    *rec.cohort.mutable_update_time() = ToProto(now);
    rec.cohort.clear_finish_time();
    rec.cohort.clear_purge_time();
    RETURN_IF_ERROR(tx.InsertCohort(&rec));
    if (!request.request_id().empty()) {
      RETURN_IF_ERROR(tx.SaveRequestId(scope, request.request_id(),
                                       {Fingerprint(request), rec.cohort.name()}, now));
    }
    return DecorateCohort(tx, rec, &result);
  }));
  return result;
}

absl::StatusOr<v1::Cohort> Enrollment::GetCohort(const Principal& caller,
                                                 const v1::GetCohortRequest& request) {
  ASSIGN_OR_RETURN(std::string id, ParseCohortName("name", request.name()));
  // Read before the read below takes its snapshot (generation_cache.h).
  const uint64_t generation = store_->write_generation();
  if (std::shared_ptr<const v1::Cohort> hit = cohort_cache_.Find(id, generation)) return *hit;
  v1::Cohort result;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord rec, tx.GetCohort(id));
    if (rec.cohort.state() == v1::Cohort::DRAFT) {
      ASSIGN_OR_RETURN(bool staff, IsCohortStaff(tx, id, caller));
      if (!staff) return errors::NotFound("Cohort", request.name());
    }
    return DecorateCohort(tx, rec, &result);
  }));
  // A draft is only for its staff: never cached, so every read of one
  // checks its caller.
  if (result.state() != v1::Cohort::DRAFT) cohort_cache_.Put(id, generation, result);
  return result;
}

absl::StatusOr<v1::ListCohortsResponse> Enrollment::ListCohorts(
    const Principal& caller, const v1::ListCohortsRequest& request) {
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size()));
  if (!v1::Cohort::State_IsValid(request.state())) return InvalidFilter("state");
  const std::string fingerprint = absl::StrCat("cohorts\x1f", request.state());
  int64_t before_seq = 0;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, page_tokens_.Decode(fingerprint, request.page_token()));
    if (!absl::SimpleAtoi(position, &before_seq)) return InvalidPageToken();
  }
  std::optional<v1::Cohort::State> state;
  if (request.state() != v1::Cohort::STATE_UNSPECIFIED) state = request.state();
  // Drafts appear in lists for the secretariat only (cohort staff can still
  // get a draft they work on by name).
  const bool staff = IsSecretariat(caller);
  v1::ListCohortsResponse response;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t total, tx.CountCohorts(state, staff));
    response.set_total_size(static_cast<int32_t>(total));
    ASSIGN_OR_RETURN(auto rows, tx.ListCohorts(state, before_seq, page_size + 1));
    const bool more = static_cast<int>(rows.size()) > page_size;
    if (more) rows.resize(page_size);
    for (const CohortRecord& rec : rows) {
      if (rec.cohort.state() == v1::Cohort::DRAFT && !staff) continue;
      RETURN_IF_ERROR(DecorateCohort(tx, rec, response.add_cohorts()));
    }
    if (more) {
      response.set_next_page_token(page_tokens_.Encode(fingerprint, absl::StrCat(rows.back().seq)));
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Cohort> Enrollment::UpdateCohort(const Principal& caller,
                                                    const v1::UpdateCohortRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  ASSIGN_OR_RETURN(std::string id, ParseCohortName("cohort.name", request.cohort().name()));
  if (request.update_mask().paths_size() == 0) return UpdateMaskRequired();
  static const std::set<std::string>* const kUpdatable = new std::set<std::string>{
      "title", "fiscal_year", "capacity", "max_municipalities", "eligibility", "fee",
      "included_items", "application_open_time", "application_close_time",
      "allow_partial_team", "offer_ttl", "retention_days", "max_waitlist"};
  for (const std::string& path : request.update_mask().paths()) {
    if (kUpdatable->count(path) == 0) return UpdateMaskInvalid(path);
  }
  const absl::Time now = clock_->Now();
  v1::Cohort result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    SeatLedger ledger(tx, now, notifier_);
    ASSIGN_OR_RETURN(CohortRecord rec, ledger.LoadCohortForWrite(id));
    RETURN_IF_ERROR(CheckEtag(rec.cohort.name(), rec.revision, request.cohort().etag()));
    if (rec.cohort.state() == v1::Cohort::FINISHED) {
      // Only the retention of a finished cohort may change (issue 15), and
      // only until its personal data is gone.
      for (const std::string& path : request.update_mask().paths()) {
        if (path != "retention_days") {
          return CohortFinished("a finished cohort's only setting is retention_days");
        }
      }
      if (rec.cohort.has_purge_time()) return CohortPurged();
    }
    v1::Cohort updated = rec.cohort;
    google::protobuf::util::FieldMaskUtil::MergeOptions merge;
    merge.set_replace_message_fields(true);
    merge.set_replace_repeated_fields(true);
    google::protobuf::util::FieldMaskUtil::MergeMessageTo(request.cohort(), request.update_mask(),
                                                          merge, &updated);
    ApplyCohortDefaults(updated);
    RETURN_IF_ERROR(ValidateCohortSettings(updated));
    ASSIGN_OR_RETURN(Usage usage, SeatUsage(tx, id));
    if (updated.capacity() < usage.seats) return CapacityBelowTaken(usage.seats);
    const int municipalities = static_cast<int>(usage.municipalities.size());
    if (updated.max_municipalities() < municipalities) {
      return MunicipalityLimitBelowTaken(municipalities);
    }
    rec.cohort = updated;
    RETURN_IF_ERROR(ledger.SaveCohort(rec));
    return DecorateCohort(tx, rec, &result);
  }));
  return result;
}

absl::StatusOr<v1::Cohort> Enrollment::TransitionCohort(
    const Principal& caller, const v1::TransitionCohortRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  ASSIGN_OR_RETURN(std::string id, ParseCohortName("name", request.name()));
  using S = v1::Cohort;
  static const std::set<std::pair<int, int>>* const kAllowed = new std::set<std::pair<int, int>>{
      {S::DRAFT, S::OPEN},   {S::OPEN, S::CLOSED},    {S::CLOSED, S::OPEN},
      {S::OPEN, S::RUNNING}, {S::CLOSED, S::RUNNING}, {S::RUNNING, S::FINISHED}};
  const absl::Time now = clock_->Now();
  v1::Cohort result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    SeatLedger ledger(tx, now, notifier_);
    ASSIGN_OR_RETURN(CohortRecord rec, ledger.LoadCohortForWrite(id));
    RETURN_IF_ERROR(CheckEtag(rec.cohort.name(), rec.revision, request.etag()));
    if (kAllowed->count({rec.cohort.state(), request.state()}) == 0) {
      return InvalidStateTransition(rec.cohort.state(), request.state());
    }
    rec.cohort.set_state(request.state());
    if (request.state() == v1::Cohort::FINISHED) {
      *rec.cohort.mutable_finish_time() = ToProto(now);
    }
    RETURN_IF_ERROR(ledger.SaveCohort(rec));
    return DecorateCohort(tx, rec, &result);
  }));
  return result;
}

// PurgeCohortPersonalData is in purge.cc (with its report and fan-out).

}  // namespace kaizen::enrollment
