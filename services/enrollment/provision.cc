// RecordProvision: the provision record a partner read leaves (APPI Art.
// 29), and the pure rules of provision.h.
#include "services/enrollment/provision.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "common/util/ids.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/municipalities.h"

namespace kaizen::enrollment {
namespace {

using ::kaizen::type::ShareCategory;

bool IsPrintableAsciiWord(absl::string_view s) {
  for (char c : s) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

bool IsBundleId(absl::string_view s) {
  if (s.empty() || s.size() > kMaxBundleIdChars) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// "/package.Service/Method": two slashes, the first at the start.
bool IsFullMethod(absl::string_view s) {
  if (s.size() < 4 || s.size() > kMaxProvisionMethodChars || s[0] != '/') return false;
  if (!IsPrintableAsciiWord(s)) return false;
  const size_t second = s.find('/', 1);
  return second != absl::string_view::npos && second > 1 && second + 1 < s.size() &&
         s.find('/', second + 1) == absl::string_view::npos;
}

bool IsKnownCategory(ShareCategory c) {
  return c == kaizen::type::SHARE_ATTENDANCE || c == kaizen::type::SHARE_ACTION_PLAN ||
         c == kaizen::type::SHARE_SURVEY_PROFILE;
}

void CheckRecipient(Violations& v, const kaizen::type::Principal& r) {
  if (!auth::HasRole(r, kaizen::type::ROLE_PARTNER_HR)) {
    v.Check(RecipientNotPartner("recipient.roles", "must be a partner HR key (ROLE_PARTNER_HR)"));
  }
  if (r.subject().empty() || r.subject().size() > 200 || !IsPrintableAsciiWord(r.subject())) {
    v.Check(RecipientNotPartner("recipient.subject",
                                "must be the partner key's id (1-200 printable characters)"));
  }
  if (r.municipality_code().empty()) {
    v.Check(RecipientNotPartner("recipient.municipality_code",
                                "the partner key must be bound to a municipality"));
  } else {
    v.Check(CheckMunicipality("recipient.municipality_code", r.municipality_code()));
  }
}

void CheckItem(Violations& v, int i, const kaizen::type::ProvisionItem& item) {
  const std::string prefix = absl::StrCat("items[", i, "]");
  v.Check(ParseChildName(prefix + ".participant", item.participant(), "participants").status());
  if (!IsKnownCategory(item.category())) {
    v.Add(prefix + ".category",
          "must be SHARE_ATTENDANCE, SHARE_ACTION_PLAN or SHARE_SURVEY_PROFILE");
  }
  if (item.data_items().empty()) {
    v.Check(FieldRequired(prefix + ".data_items"));
  } else if (item.data_items_size() > kMaxProvisionDataItems) {
    v.Add(prefix + ".data_items", absl::StrCat("must list 1 to ", kMaxProvisionDataItems,
                                               " data items"));
  }
  std::set<std::string> seen;
  for (int j = 0; j < item.data_items_size() && j < kMaxProvisionDataItems; ++j) {
    const std::string& d = item.data_items(j);
    const std::string field = absl::StrCat(prefix, ".data_items[", j, "]");
    if (d.empty() || d.size() > kMaxProvisionDataItemChars || !IsPrintableAsciiWord(d)) {
      v.Add(field, "must be 1 to 100 printable ASCII characters without spaces, e.g. "
                   "attendance.meetings");
    } else if (!seen.insert(d).second) {
      v.Add(field, "is listed twice");
    }
  }
}

}  // namespace

bool IsProvidingService(const kaizen::type::Principal& caller) {
  if (!auth::HasRole(caller, kaizen::type::ROLE_SERVICE)) return false;
  const std::string& s = caller.subject();
  return s == "scheduling" || s == "plans" || s == "survey";
}

absl::Status ValidateRecordProvision(const kaizen::type::RecordProvisionRequest& request) {
  Violations v;
  CheckRecipient(v, request.recipient());
  if (request.items().empty()) {
    v.Check(FieldRequired("items"));
  } else if (request.items_size() > kMaxProvisionItems) {
    v.Add("items", absl::StrCat("must list 1 to ", kMaxProvisionItems, " items"));
  } else {
    for (int i = 0; i < request.items_size(); ++i) CheckItem(v, i, request.items(i));
  }
  if (request.method().empty()) {
    v.Check(FieldRequired("method"));
  } else if (!IsFullMethod(request.method())) {
    v.Add("method", "must be the full gRPC method the partner called, e.g. "
                    "/kaizen.scheduling.v1.SchedulingService/GetSharedAttendance "
                    "(at most 200 characters)");
  }
  if (!request.bundle().empty() && !IsBundleId(request.bundle())) {
    v.Add("bundle", "must be 1 to 64 of the characters A-Z a-z 0-9 . _ -");
  }
  return v.Result();
}

absl::Status CheckProvidedByCaller(absl::string_view service,
                                   const kaizen::type::RecordProvisionRequest& request) {
  // Each service provides its own category only.
  struct Owned {
    absl::string_view service;
    ShareCategory category;
    absl::string_view items;  // data item prefix
  };
  static constexpr Owned kOwned[] = {
      {"scheduling", kaizen::type::SHARE_ATTENDANCE, "attendance."},
      {"plans", kaizen::type::SHARE_ACTION_PLAN, "plan."},
      {"survey", kaizen::type::SHARE_SURVEY_PROFILE, "survey."},
  };
  const Owned* owned = nullptr;
  for (const Owned& o : kOwned) {
    if (o.service == service) owned = &o;
  }
  if (owned == nullptr) return ServicesOnly();
  Violations v;
  const std::string method_prefix = absl::StrCat("/kaizen.", service, ".");
  if (!absl::StartsWith(request.method(), method_prefix)) {
    v.Add("method", absl::StrCat("must be a method of the calling service (starting with ",
                                 method_prefix, ")"));
  }
  for (int i = 0; i < request.items_size(); ++i) {
    const kaizen::type::ProvisionItem& item = request.items(i);
    if (item.category() != owned->category) {
      v.Add(absl::StrCat("items[", i, "].category"),
            absl::StrCat("must be ", kaizen::type::ShareCategory_Name(owned->category),
                         ": the ", service, " service provides that category only"));
    }
    for (int j = 0; j < item.data_items_size(); ++j) {
      if (!absl::StartsWith(item.data_items(j), owned->items)) {
        v.Add(absl::StrCat("items[", i, "].data_items[", j, "]"),
              absl::StrCat("must start with \"", owned->items, "\": the ", service,
                           " service provides its own data items only"));
      }
    }
  }
  return v.Result();
}

bool ConsentsTo(const v1::Consent& consent, ShareCategory category) {
  switch (category) {
    case kaizen::type::SHARE_ATTENDANCE: return consent.share_attendance();
    case kaizen::type::SHARE_ACTION_PLAN: return consent.share_action_plan();
    case kaizen::type::SHARE_SURVEY_PROFILE: return consent.share_survey_profile();
    default: return false;
  }
}

bool ProvisionAllowed(const ProvisionSubject& subject, absl::string_view municipality_code,
                      ShareCategory category) {
  const v1::Participant* p = subject.participant;
  if (p == nullptr || subject.cohort_purged || subject.erased) return false;
  if (p->role() != v1::Participant::PARTICIPANT || p->state() != v1::Participant::ACTIVE) {
    return false;
  }
  if (municipality_code.empty() || p->municipality_code() != municipality_code) return false;
  return ConsentsTo(p->consent(), category);
}

const char* CategoryLabel(ShareCategory category) {
  switch (category) {
    case kaizen::type::SHARE_ATTENDANCE: return "出欠";
    case kaizen::type::SHARE_ACTION_PLAN: return "行動計画";
    case kaizen::type::SHARE_SURVEY_PROFILE: return "サーベイ結果";
    default: return "氏名・参加状況";
  }
}

absl::Status RecordFeedProvision(EnrollmentTx& tx, const kaizen::type::Principal& recipient,
                                 const v1::Participant& person, const v1::Consent& in_effect,
                                 absl::Time now) {
  ProvisionRow row;
  v1::ProvisionRecord& r = row.record;
  r.set_name(absl::StrCat("provisionRecords/", NewId()));
  *r.mutable_time() = ToProto(now);
  r.set_recipient(recipient.subject());
  r.set_recipient_municipality_code(recipient.municipality_code());
  r.set_participant(person.name());
  r.set_display_name(person.display_name());
  r.set_category(kaizen::type::SHARE_CATEGORY_UNSPECIFIED);
  for (const char* item : kFeedDataItems) r.add_data_items(item);
  *r.mutable_consent() = in_effect;
  r.set_method("/kaizen.enrollment.v1.EnrollmentService/ListChanges");
  r.set_service("enrollment");
  return tx.AppendProvisionRecord(&row);
}

absl::StatusOr<kaizen::type::RecordProvisionResponse> Enrollment::RecordProvision(
    const Principal& caller, const kaizen::type::RecordProvisionRequest& request) {
  // The caller first: nobody else learns even whether a request is valid.
  if (!IsProvidingService(caller)) return ServicesOnly();
  RETURN_IF_ERROR(ValidateRecordProvision(request));
  RETURN_IF_ERROR(CheckProvidedByCaller(caller.subject(), request));
  const kaizen::type::Principal& recipient = request.recipient();
  kaizen::type::RecordProvisionResponse response;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    response.clear_records();
    std::vector<ProvisionRow> rows;  // appended only when every item is allowed
    // Inside the write: the records' times follow their commit order.
    const absl::Time now = clock_->Now();
    std::map<std::string, bool> purged;  // cohort id -> purged (or gone)
    for (const kaizen::type::ProvisionItem& item : request.items()) {
      ASSIGN_OR_RETURN(auto ids, ParseChildName("participant", item.participant(), "participants"));
      const auto& [cohort_id, participant_id] = ids;
      auto cohort = purged.find(cohort_id);
      if (cohort == purged.end()) {
        absl::StatusOr<CohortRecord> c = tx.GetCohort(cohort_id);
        if (!c.ok() && !absl::IsNotFound(c.status())) return c.status();
        cohort = purged.emplace(cohort_id, !c.ok() || c->cohort.has_purge_time()).first;
      }
      absl::StatusOr<ParticipantRecord> rec = tx.GetParticipant(cohort_id, participant_id);
      if (!rec.ok() && !absl::IsNotFound(rec.status())) return rec.status();
      ProvisionSubject subject;
      subject.cohort_purged = cohort->second;
      if (rec.ok()) {
        subject.participant = &rec->participant;
        // An erasure leaves a report; the participation stays, anonymous.
        ASSIGN_OR_RETURN(auto report, tx.ListPurgeReport(cohort_id, participant_id));
        subject.erased = !report.empty();
      }
      if (!ProvisionAllowed(subject, recipient.municipality_code(), item.category())) {
        // All or nothing: the caller refuses the whole answer, so nothing
        // of it is recorded (a team plan with one refusing co-owner is not
        // provided to anyone).
        response.clear_records();
        for (int n = 0; n < request.items_size(); ++n) response.add_records("");
        return absl::OkStatus();
      }
      const v1::Participant& p = rec->participant;
      ProvisionRow& row = rows.emplace_back();
      v1::ProvisionRecord& r = row.record;
      r.set_name(absl::StrCat("provisionRecords/", NewId()));
      *r.mutable_time() = ToProto(now);
      r.set_recipient(recipient.subject());
      r.set_recipient_municipality_code(recipient.municipality_code());
      r.set_participant(ParticipantName(cohort_id, participant_id));
      r.set_display_name(p.display_name());
      r.set_category(item.category());
      *r.mutable_data_items() = item.data_items();
      *r.mutable_consent() = WholeConsent(p.consent());
      r.set_method(request.method());
      r.set_bundle(request.bundle());
      r.set_service(caller.subject());
    }
    for (ProvisionRow& row : rows) {
      RETURN_IF_ERROR(tx.AppendProvisionRecord(&row));
      response.add_records(row.record.name());
    }
    return absl::OkStatus();
  }));
  return response;
}

}  // namespace kaizen::enrollment
