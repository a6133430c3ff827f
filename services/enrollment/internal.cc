#include "services/enrollment/internal.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/storage/request_ids.h"
#include "common/util/crypto.h"
#include "common/util/proto_time.h"
#include "common/util/resource_name.h"
#include "common/validation/validation.h"
#include "services/enrollment/decisions.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/result_feed.h"

namespace kaizen::enrollment {

// ---------------------------------------------------------------- time

google::protobuf::Timestamp ToProto(absl::Time t) { return ToProtoTimestamp(t); }
absl::Time FromProto(const google::protobuf::Timestamp& ts) { return FromProtoTimestamp(ts); }
absl::Duration FromProto(const google::protobuf::Duration& d) { return FromProtoDuration(d); }

absl::CivilDay ToCivil(const google::type::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

// ---------------------------------------------------------------- names

std::string CohortName(const std::string& id) { return "cohorts/" + id; }

std::string ApplicationName(const std::string& c, const std::string& a) {
  return absl::StrCat("cohorts/", c, "/applications/", a);
}

std::string ParticipantName(const std::string& c, const std::string& p) {
  return absl::StrCat("cohorts/", c, "/participants/", p);
}

absl::StatusOr<std::string> ParseCohortName(absl::string_view field, absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts"}));
  return ids[0];
}

absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(
    absl::string_view field, absl::string_view name, absl::string_view collection) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts", collection}));
  return std::make_pair(ids[0], ids[1]);
}

std::string Actor(const Principal& p) {
  return p.subject().empty() ? "applicant" : p.subject();
}

// ---------------------------------------------------------------- validation

void CheckRequestId(Violations& v, const std::string& request_id) {
  if (request_id.size() > kMaxRequestIdLength) {
    v.Add("request_id", "must be at most 64 characters");
  }
}

void CheckMoney(Violations& v, absl::string_view field, const google::type::Money& m,
                bool allow_zero) {
  if (m.currency_code() != kCurrencyCode) {
    v.Check(CurrencyNotJpy(absl::StrCat(field, ".currency_code")));
  }
  if (m.nanos() != 0) {
    v.Add(absl::StrCat(field, ".nanos"), "must be whole yen");
  }
  if (m.units() < 0 || m.units() > 10000000 || (!allow_zero && m.units() == 0)) {
    v.Add(absl::StrCat(field, ".units"),
          allow_zero ? "must be between 0 and 10,000,000 yen"
                     : "must be between 1 and 10,000,000 yen");
  }
}

// ---------------------------------------------------------------- idempotency

std::string Fingerprint(const google::protobuf::Message& m) {
  return storage::RequestFingerprint(m);
}

absl::StatusOr<std::optional<std::string>> Replayed(EnrollmentTx& tx, const std::string& scope,
                                                    const std::string& request_id,
                                                    const google::protobuf::Message& request) {
  if (request_id.empty()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(auto prior, tx.LookupRequestId(scope, request_id));
  return storage::ResolveReplay(prior, request);
}

std::string EmailKey(absl::string_view email) {
  return crypto::Hex(crypto::Sha256(absl::AsciiStrToLower(TrimSpaces(email))));
}

// ---------------------------------------------------------------- records

void AddHistory(v1::Application& app, v1::Application::State state, absl::Time now,
                absl::string_view actor, absl::string_view reason, Decision::Kind decision) {
  app.set_state(state);
  // Before the history entry: a legacy application's record is seeded from
  // the history as it was before this change (decisions.h).
  if (decision != Decision::KIND_UNSPECIFIED) RecordDecision(app, decision, now, actor, reason);
  auto* h = app.add_history();
  h->set_state(state);
  *h->mutable_time() = ToProto(now);
  h->set_actor(std::string(actor));
  h->set_reason(std::string(reason));
}

v1::Consent WholeConsent(const v1::Consent& c) {
  v1::Consent out;
  out.set_share_attendance(c.share_attendance());
  out.set_share_action_plan(c.share_action_plan());
  out.set_share_survey_profile(c.share_survey_profile());
  return out;
}

void WholeConsents(v1::Participant* p) {
  *p->mutable_consent() = WholeConsent(p->consent());
  for (auto& change : *p->mutable_consent_history()) {
    *change.mutable_consent() = WholeConsent(change.consent());
  }
}

absl::Status AppendParticipantChange(EnrollmentTx& tx, const v1::Participant& p,
                                     absl::Time now) {
  if (p.role() != v1::Participant::PARTICIPANT) return absl::OkStatus();
  ChangeRecord change;
  change.participant_name = p.name();
  change.municipality_code = p.municipality_code();
  change.kind = v1::Change::UPSERTED;
  change.time = now;
  return tx.AppendChange(&change);
}

absl::Status SaveParticipant(EnrollmentTx& tx, ParticipantRecord& rec, absl::Time now) {
  // What partners could pull before, for the RESULT_WITHDRAWN tombstones of
  // what they may not pull any more (result_feed.h).
  ASSIGN_OR_RETURN(const ParticipantRecord before, tx.GetParticipant(rec.cohort_id, rec.id));
  *rec.participant.mutable_update_time() = ToProto(now);
  RETURN_IF_ERROR(tx.UpdateParticipant(&rec));
  RETURN_IF_ERROR(AppendWithdrawals(tx, before.participant, rec.participant, now));
  RETURN_IF_ERROR(AppendParticipantChange(tx, rec.participant, now));
  // The team plans this person co-owns with their same-town cohort mates
  // appear or disappear from the mates' shared plans (result_feed.h).
  return AppendTeamMateChanges(tx, rec.cohort_id, before.participant, rec.participant, now);
}

}  // namespace kaizen::enrollment
