#include "services/enrollment/enrollment.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "google/protobuf/util/field_mask_util.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/request_ids.h"
#include "common/util/crypto.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "common/util/resource_name.h"
#include "common/validation/validation.h"
#include "services/enrollment/admission.h"

namespace kaizen::enrollment {
namespace {

using errors::FieldViolation;
using ::kaizen::type::Role;

constexpr int kMaxTeamSize = 10;
constexpr int kMaxRequestIdLength = 64;
constexpr absl::string_view kSystemActor = "system";

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

absl::StatusOr<std::string> ParseCohortName(absl::string_view field,
                                            absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts"}));
  return ids[0];
}

// "cohorts/{cohort}/<collection>/{id}" -> (cohort, id).
absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(
    absl::string_view field, absl::string_view name, absl::string_view collection) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts", collection}));
  return std::make_pair(ids[0], ids[1]);
}

// ---------------------------------------------------------------- callers

bool IsAnonymous(const Principal& p) {
  return p.subject().empty() && p.roles_size() == 0 && p.access_token().empty();
}

std::string Actor(const Principal& p) {
  return p.subject().empty() ? "applicant" : p.subject();
}

absl::Status Denied(const Principal& p, absl::string_view reason,
                    absl::string_view message) {
  if (IsAnonymous(p)) {
    return errors::Unauthenticated("LOGIN_REQUIRED",
                                   "sign in to do this");
  }
  return errors::PermissionDenied(reason, message);
}

bool IsSecretariat(const Principal& p) {
  return auth::HasRole(p, kaizen::type::ROLE_SECRETARIAT);
}

// A partner HR system's key: it reads the change feed and nothing else. It
// must never apply, own a participation or give consent on an employee's
// behalf.
bool IsPartner(const Principal& p) {
  return auth::HasRole(p, kaizen::type::ROLE_PARTNER_HR);
}

bool SharesAnything(const v1::Consent& c) {
  return c.share_attendance() || c.share_action_plan() || c.share_survey_profile();
}

// Whether the participant ever shared anything with their employer (so the
// partner may hold data it must now forget).
bool EverShared(const v1::Participant& p) {
  for (const auto& change : p.consent_history()) {
    if (SharesAnything(change.consent())) return true;
  }
  return SharesAnything(p.consent());
}

absl::Status RequireSecretariat(const Principal& p) {
  if (IsSecretariat(p)) return absl::OkStatus();
  return Denied(p, "SECRETARIAT_ONLY", "only the secretariat may do this");
}

// Staff of one cohort: the secretariat everywhere; a navigator, advisor or
// observer only in cohorts where they are an active staff participant (same
// account subject, role carried by both the token and the participation).
// A staff role in a token alone opens no cohort.
absl::StatusOr<bool> IsCohortStaff(EnrollmentTx& tx, const std::string& cohort_id,
                                   const Principal& caller, bool navigator_only = false) {
  if (IsSecretariat(caller)) return true;
  if (caller.subject().empty() || auth::HasRole(caller, kaizen::type::ROLE_PARTNER_HR)) {
    return false;
  }
  ParticipantFilter active;
  active.state = v1::Participant::ACTIVE;
  ASSIGN_OR_RETURN(auto people, tx.ListParticipants(cohort_id, active, 0, 0));
  for (const ParticipantRecord& p : people) {
    if (p.participant.subject() != caller.subject()) continue;
    switch (p.participant.role()) {
      case v1::Participant::NAVIGATOR:
        if (auth::HasRole(caller, kaizen::type::ROLE_NAVIGATOR)) return true;
        break;
      case v1::Participant::ADVISOR:
        if (!navigator_only && auth::HasRole(caller, kaizen::type::ROLE_ADVISOR)) return true;
        break;
      case v1::Participant::OBSERVER:
        if (!navigator_only && auth::HasRole(caller, kaizen::type::ROLE_OBSERVER)) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

bool IsStaffRole(v1::Participant::Role role) {
  return role == v1::Participant::NAVIGATOR || role == v1::Participant::ADVISOR ||
         role == v1::Participant::OBSERVER || role == v1::Participant::SECRETARIAT;
}

// ---------------------------------------------------------------- validation

// Collects field violations from several checks into one INVALID_ARGUMENT.
class Violations {
 public:
  void Check(const absl::Status& status) {
    if (status.ok()) return;
    if (first_.ok()) first_ = status;
    auto bad = errors::GetBadRequest(status);
    if (!bad.has_value()) return;
    for (const auto& v : bad->field_violations()) {
      violations_.push_back({v.field(), v.description()});
    }
  }
  void Add(absl::string_view field, absl::string_view description,
           absl::string_view reason = "INVALID_FIELD") {
    Check(errors::InvalidField(field, description, reason));
  }
  absl::Status Result() const {
    if (first_.ok()) return first_;
    std::string reason = errors::Reason(first_);
    return errors::InvalidArgument(reason, violations_);
  }

 private:
  absl::Status first_;
  std::vector<FieldViolation> violations_;
};

std::string Fingerprint(const google::protobuf::Message& m) {
  return storage::RequestFingerprint(m);
}

// The resource a retried create made the first time, if this is a retry
// (common/storage/request_ids.h).
absl::StatusOr<std::optional<std::string>> Replayed(
    EnrollmentTx& tx, const std::string& scope, const std::string& request_id,
    const google::protobuf::Message& request) {
  if (request_id.empty()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(auto prior, tx.LookupRequestId(scope, request_id));
  return storage::ResolveReplay(prior, request);
}

std::string EmailKey(absl::string_view email) {
  return crypto::Hex(crypto::Sha256(absl::AsciiStrToLower(TrimSpaces(email))));
}

void CheckRequestId(Violations& v, const std::string& request_id) {
  if (request_id.size() > kMaxRequestIdLength) {
    v.Add("request_id", "must be at most 64 characters");
  }
}

void CheckMoney(Violations& v, absl::string_view field,
                const google::type::Money& m, bool allow_zero) {
  if (m.currency_code() != "JPY") {
    v.Add(absl::StrCat(field, ".currency_code"), "must be JPY", "CURRENCY_NOT_JPY");
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

void ApplyCohortDefaults(v1::Cohort& c) {
  if (!c.has_offer_ttl()) c.mutable_offer_ttl()->set_seconds(48 * 3600);
  if (c.retention_days() == 0) c.set_retention_days(365);
  if (c.max_waitlist() == 0 && c.capacity() > 0) c.set_max_waitlist(5 * c.capacity());
  if (c.fee().currency_code().empty()) c.mutable_fee()->set_currency_code("JPY");
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
    v.Check(ValidateDate("cohort.eligibility.age_reference_date",
                         e.age_reference_date()));
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
             FromProto(c.application_close_time()) <=
                 FromProto(c.application_open_time())) {
    v.Add("cohort.application_close_time", "must be after application_open_time");
  }
  const absl::Duration ttl = FromProto(c.offer_ttl());
  if (ttl < absl::Hours(1) || ttl > absl::Hours(24 * 30)) {
    v.Add("cohort.offer_ttl", "must be between 1 hour and 30 days");
  }
  if (c.retention_days() < 1 || c.retention_days() > 3650) {
    v.Add("cohort.retention_days", "must be between 1 and 3650");
  }
  if (c.max_waitlist() < 1 || c.max_waitlist() > 10000) {
    v.Add("cohort.max_waitlist", "must be between 1 and 10000");
  }
  return v.Result();
}

void CheckApplicant(Violations& v, const std::string& prefix,
                    const v1::Applicant& m) {
  v.Check(ValidateText(prefix + ".display_name", m.display_name(), 1, 100, false));
  v.Check(ValidateKana(prefix + ".kana", m.kana()));
  v.Check(ValidateEmail(prefix + ".email", m.email()));
  v.Check(ValidateMunicipalityCode(prefix + ".municipality_code", m.municipality_code()));
  v.Check(ValidateText(prefix + ".department", m.department(), 0, 100, false));
  v.Check(ValidateDate(prefix + ".birth_date", m.birth_date()));
  v.Check(ValidateText(prefix + ".motivation", m.motivation(), 0, 2000, true));
}

// ---------------------------------------------------------------- records

void AddHistory(v1::Application& app, v1::Application::State state,
                absl::Time now, absl::string_view actor, absl::string_view reason) {
  app.set_state(state);
  auto* h = app.add_history();
  h->set_state(state);
  *h->mutable_time() = ToProto(now);
  h->set_actor(std::string(actor));
  h->set_reason(std::string(reason));
}

bool IsLiveCohort(v1::Cohort::State s) {
  return s == v1::Cohort::OPEN || s == v1::Cohort::CLOSED || s == v1::Cohort::RUNNING;
}

absl::StatusOr<Usage> ComputeUsage(EnrollmentTx& tx, const std::string& cohort_id) {
  Usage usage;
  ParticipantFilter pf;
  pf.role = v1::Participant::PARTICIPANT;
  pf.state = v1::Participant::ACTIVE;
  ASSIGN_OR_RETURN(auto participants, tx.ListParticipants(cohort_id, pf, 0, 0));
  for (const auto& p : participants) usage.Add(p.participant.municipality_code(), 1);
  ApplicationFilter af;
  af.state = v1::Application::OFFERED;
  ASSIGN_OR_RETURN(auto offered, tx.ListApplications(cohort_id, af, std::nullopt, 0));
  for (const auto& a : offered) {
    usage.Add(a.application.municipality_code(),
              a.application.admitted_member_count());
  }
  return usage;
}

absl::Status Touch(EnrollmentTx& tx, ApplicationRecord& rec) {
  ++rec.revision;
  return tx.UpdateApplication(rec);
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
  ++rec.revision;
  *rec.participant.mutable_update_time() = ToProto(now);
  RETURN_IF_ERROR(tx.UpdateParticipant(rec));
  return AppendParticipantChange(tx, rec.participant, now);
}

// Offers freed seats to waiting applications in queue order, skipping any
// that do not fit (municipality limit, team size).
absl::Status Promote(EnrollmentTx& tx, const CohortRecord& cohort, absl::Time now) {
  if (!IsLiveCohort(cohort.cohort.state())) return absl::OkStatus();
  ASSIGN_OR_RETURN(Usage usage, ComputeUsage(tx, cohort.id));
  if (usage.seats >= cohort.cohort.capacity()) return absl::OkStatus();
  ApplicationFilter waiting;
  waiting.state = v1::Application::WAITLISTED;
  ASSIGN_OR_RETURN(auto queue, tx.ListApplications(cohort.id, waiting, std::nullopt, 0));
  const absl::Duration ttl = FromProto(cohort.cohort.offer_ttl());
  for (ApplicationRecord& rec : queue) {
    v1::Application& app = rec.application;
    AdmissionDecision d =
        Admit(cohort.cohort, usage, app.municipality_code(), app.members_size());
    if (d.admitted == 0) continue;
    app.set_admitted_member_count(d.admitted);
    *app.mutable_offer_expire_time() = ToProto(now + ttl);
    AddHistory(app, v1::Application::OFFERED, now, kSystemActor, "SEAT_AVAILABLE");
    RETURN_IF_ERROR(Touch(tx, rec));
    usage.Add(app.municipality_code(), d.admitted);
    if (usage.seats >= cohort.cohort.capacity()) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ExpireOffersIn(EnrollmentTx& tx, const CohortRecord& cohort,
                                   absl::Time now) {
  if (!IsLiveCohort(cohort.cohort.state())) return 0;
  ApplicationFilter offered;
  offered.state = v1::Application::OFFERED;
  ASSIGN_OR_RETURN(auto offers, tx.ListApplications(cohort.id, offered, std::nullopt, 0));
  int expired = 0;
  for (ApplicationRecord& rec : offers) {
    if (FromProto(rec.application.offer_expire_time()) > now) continue;
    AddHistory(rec.application, v1::Application::EXPIRED, now, kSystemActor,
               "OFFER_EXPIRED");
    rec.application.set_admitted_member_count(0);
    RETURN_IF_ERROR(tx.ReleaseEmails(rec.cohort_id, rec.id));
    RETURN_IF_ERROR(Touch(tx, rec));
    ++expired;
  }
  if (expired > 0) RETURN_IF_ERROR(Promote(tx, cohort, now));
  return expired;
}

// Stores a changed cohort (new revision) and offers any room it made (e.g.
// a raised capacity) to the waiting list.
absl::Status SaveCohort(EnrollmentTx& tx, CohortRecord& rec, absl::Time now) {
  *rec.cohort.mutable_update_time() = ToProto(now);
  ++rec.revision;
  RETURN_IF_ERROR(tx.UpdateCohort(rec));
  return Promote(tx, rec, now);
}

// Loads a cohort for a mutation, expiring its lapsed offers first.
absl::StatusOr<CohortRecord> LoadCohortForWrite(EnrollmentTx& tx,
                                                const std::string& id,
                                                absl::Time now) {
  ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(id));
  RETURN_IF_ERROR(ExpireOffersIn(tx, cohort, now).status());
  return cohort;
}

// Accepts `admitted` members of `rec` and creates their participations.
absl::Status AdmitApplication(EnrollmentTx& tx, const CohortRecord& cohort,
                              ApplicationRecord& rec, int admitted, absl::Time now,
                              absl::string_view actor, absl::string_view reason) {
  v1::Application& app = rec.application;
  app.set_admitted_member_count(admitted);
  app.clear_offer_expire_time();
  AddHistory(app, v1::Application::ACCEPTED, now, actor, reason);
  const bool free = cohort.cohort.fee().units() == 0;
  for (int i = 0; i < admitted; ++i) {
    const v1::Applicant& m = app.members(i);
    ParticipantRecord p;
    p.cohort_id = rec.cohort_id;
    p.id = NewId();
    p.revision = 1;
    v1::Participant& out = p.participant;
    out.set_name(ParticipantName(p.cohort_id, p.id));
    if (i == 0) out.set_subject(app.submitter());
    out.set_display_name(m.display_name());
    out.set_kana(m.kana());
    out.set_email(m.email());
    out.set_municipality_code(m.municipality_code());
    out.set_department(m.department());
    out.set_role(v1::Participant::PARTICIPANT);
    out.set_state(v1::Participant::ACTIVE);
    out.set_application(app.name());
    out.set_fee_status(free ? v1::Participant::WAIVED : v1::Participant::UNPAID);
    // Consent is the person's own: the submitter speaks for member 0 only;
    // team mates start sharing nothing until they say so themselves.
    const v1::Consent given = i == 0 ? m.consent() : v1::Consent();
    *out.mutable_consent() = given;
    auto* consent = out.add_consent_history();
    *consent->mutable_consent() = given;
    *consent->mutable_time() = ToProto(now);
    consent->set_actor("applicant");
    *out.mutable_create_time() = ToProto(now);
    *out.mutable_update_time() = ToProto(now);
    RETURN_IF_ERROR(tx.InsertParticipant(&p));
    RETURN_IF_ERROR(AppendParticipantChange(tx, out, now));
    app.add_participants(out.name());
  }
  return Touch(tx, rec);
}

// Cancels the active participations created from `rec`.
absl::Status CancelParticipationsOf(EnrollmentTx& tx, const ApplicationRecord& rec,
                                    absl::Time now) {
  for (const std::string& name : rec.application.participants()) {
    ASSIGN_OR_RETURN(auto ids, ParseChildName("participant", name, "participants"));
    ASSIGN_OR_RETURN(ParticipantRecord p, tx.GetParticipant(ids.first, ids.second));
    if (p.participant.state() != v1::Participant::ACTIVE) continue;
    p.participant.set_state(v1::Participant::CANCELLED);
    RETURN_IF_ERROR(SaveParticipant(tx, p, now));
  }
  return absl::OkStatus();
}

// Ends a live application (withdrawn, rejected, declined) and passes its
// seats on.
absl::Status EndApplication(EnrollmentTx& tx, const CohortRecord& cohort,
                            ApplicationRecord& rec, v1::Application::State state,
                            absl::Time now, absl::string_view actor,
                            absl::string_view reason) {
  if (rec.application.state() == v1::Application::ACCEPTED) {
    RETURN_IF_ERROR(CancelParticipationsOf(tx, rec, now));
  }
  rec.application.set_admitted_member_count(0);
  rec.application.clear_offer_expire_time();
  AddHistory(rec.application, state, now, actor, reason);
  RETURN_IF_ERROR(tx.ReleaseEmails(rec.cohort_id, rec.id));
  RETURN_IF_ERROR(Touch(tx, rec));
  return Promote(tx, cohort, now);
}

absl::Status InvalidTransition(absl::string_view what, absl::string_view from) {
  return errors::FailedPrecondition(
      "INVALID_STATE_TRANSITION",
      absl::StrCat("cannot ", what, " an application that is ", from),
      {{"state", std::string(from)}});
}

}  // namespace

// ================================================================ Enrollment

Enrollment::Enrollment(EnrollmentStore* store, const Clock* clock,
                       EnrollmentConfig config)
    : store_(store),
      clock_(clock),
      config_(std::move(config)),
      page_tokens_(config_.page_token_key) {}

std::string Enrollment::AccessTokenFor(const std::string& application_name) const {
  return absl::WebSafeBase64Escape(crypto::HmacSha256(
      config_.access_token_key, absl::StrCat("application-access\x1f", application_name)));
}

namespace {

// Everything the response decoration needs, in one place.
absl::Status DecorateCohort(EnrollmentTx& tx, const CohortRecord& rec,
                            v1::Cohort* out) {
  *out = rec.cohort;
  ASSIGN_OR_RETURN(Usage usage, ComputeUsage(tx, rec.id));
  out->set_seats_taken(usage.seats);
  out->set_municipalities_taken(static_cast<int>(usage.municipalities.size()));
  out->set_etag(MakeEtag(out->name(), rec.revision));
  return absl::OkStatus();
}

absl::Status DecorateApplication(EnrollmentTx& tx, const ApplicationRecord& rec,
                                 v1::Application* out) {
  *out = rec.application;
  out->set_etag(MakeEtag(out->name(), rec.revision));
  if (rec.application.state() == v1::Application::WAITLISTED) {
    ApplicationFilter waiting;
    waiting.state = v1::Application::WAITLISTED;
    ASSIGN_OR_RETURN(auto queue,
                     tx.ListApplications(rec.cohort_id, waiting, std::nullopt, 0));
    for (size_t i = 0; i < queue.size(); ++i) {
      if (queue[i].id == rec.id) out->set_waitlist_position(static_cast<int>(i + 1));
    }
  }
  return absl::OkStatus();
}

v1::Participant DecorateParticipant(const ParticipantRecord& rec) {
  v1::Participant out = rec.participant;
  out.set_etag(MakeEtag(out.name(), rec.revision));
  return out;
}

}  // namespace

// ---------------------------------------------------------------- cohorts

absl::StatusOr<v1::Cohort> Enrollment::CreateCohort(
    const Principal& caller, const v1::CreateCohortRequest& request) {
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
      RETURN_IF_ERROR(tx.SaveRequestId(
          scope, request.request_id(), {Fingerprint(request), rec.cohort.name()}, now));
    }
    return DecorateCohort(tx, rec, &result);
  }));
  return result;
}

absl::StatusOr<v1::Cohort> Enrollment::GetCohort(const Principal& caller,
                                                 const v1::GetCohortRequest& request) {
  ASSIGN_OR_RETURN(std::string id, ParseCohortName("name", request.name()));
  v1::Cohort result;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord rec, tx.GetCohort(id));
    if (rec.cohort.state() == v1::Cohort::DRAFT) {
      ASSIGN_OR_RETURN(bool staff, IsCohortStaff(tx, id, caller));
      if (!staff) return errors::NotFound("Cohort", request.name());
    }
    return DecorateCohort(tx, rec, &result);
  }));
  return result;
}

absl::StatusOr<v1::ListCohortsResponse> Enrollment::ListCohorts(
    const Principal& caller, const v1::ListCohortsRequest& request) {
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size()));
  const std::string fingerprint = absl::StrCat("cohorts\x1f", request.state());
  int64_t before_seq = 0;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position,
                     page_tokens_.Decode(fingerprint, request.page_token()));
    if (!absl::SimpleAtoi(position, &before_seq)) {
      return errors::InvalidField("page_token", "is not valid", "INVALID_PAGE_TOKEN");
    }
  }
  std::optional<v1::Cohort::State> state;
  if (request.state() != v1::Cohort::STATE_UNSPECIFIED) state = request.state();
  // Drafts appear in lists for the secretariat only (cohort staff can still
  // get a draft they work on by name).
  const bool staff = IsSecretariat(caller);
  v1::ListCohortsResponse response;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto rows, tx.ListCohorts(state, before_seq, page_size + 1));
    const bool more = static_cast<int>(rows.size()) > page_size;
    if (more) rows.resize(page_size);
    for (const CohortRecord& rec : rows) {
      if (rec.cohort.state() == v1::Cohort::DRAFT && !staff) continue;
      RETURN_IF_ERROR(DecorateCohort(tx, rec, response.add_cohorts()));
    }
    if (more) {
      response.set_next_page_token(
          page_tokens_.Encode(fingerprint, absl::StrCat(rows.back().seq)));
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Cohort> Enrollment::UpdateCohort(
    const Principal& caller, const v1::UpdateCohortRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  ASSIGN_OR_RETURN(std::string id, ParseCohortName("cohort.name", request.cohort().name()));
  if (request.update_mask().paths_size() == 0) {
    return errors::InvalidField("update_mask", "name at least one field to change",
                                "UPDATE_MASK_REQUIRED");
  }
  static const std::set<std::string>* const kUpdatable = new std::set<std::string>{
      "title", "fiscal_year", "capacity", "max_municipalities", "eligibility", "fee",
      "included_items", "application_open_time", "application_close_time",
      "allow_partial_team", "offer_ttl", "retention_days", "max_waitlist"};
  for (const std::string& path : request.update_mask().paths()) {
    if (kUpdatable->count(path) == 0) {
      return errors::InvalidField(
          "update_mask", absl::StrCat("'", path, "' cannot be updated"),
          "UPDATE_MASK_INVALID");
    }
  }
  const absl::Time now = clock_->Now();
  v1::Cohort result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord rec, LoadCohortForWrite(tx, id, now));
    RETURN_IF_ERROR(CheckEtag(rec.cohort.name(), rec.revision, request.cohort().etag()));
    if (rec.cohort.state() == v1::Cohort::FINISHED) {
      return errors::FailedPrecondition("COHORT_FINISHED",
                                        "a finished cohort cannot be changed");
    }
    v1::Cohort updated = rec.cohort;
    google::protobuf::util::FieldMaskUtil::MergeOptions merge;
    merge.set_replace_message_fields(true);
    merge.set_replace_repeated_fields(true);
    google::protobuf::util::FieldMaskUtil::MergeMessageTo(
        request.cohort(), request.update_mask(), merge, &updated);
    ApplyCohortDefaults(updated);
    RETURN_IF_ERROR(ValidateCohortSettings(updated));
    ASSIGN_OR_RETURN(Usage usage, ComputeUsage(tx, id));
    if (updated.capacity() < usage.seats) {
      return errors::FailedPrecondition(
          "CAPACITY_BELOW_TAKEN",
          absl::StrCat("capacity cannot drop below the ", usage.seats, " seats already taken"));
    }
    if (updated.max_municipalities() < static_cast<int>(usage.municipalities.size())) {
      return errors::FailedPrecondition(
          "MUNICIPALITY_LIMIT_BELOW_TAKEN",
          absl::StrCat("max_municipalities cannot drop below the ",
                       usage.municipalities.size(), " municipalities already in"));
    }
    rec.cohort = updated;
    RETURN_IF_ERROR(SaveCohort(tx, rec, now));
    return DecorateCohort(tx, rec, &result);
  }));
  return result;
}

absl::StatusOr<v1::Cohort> Enrollment::TransitionCohort(
    const Principal& caller, const v1::TransitionCohortRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  ASSIGN_OR_RETURN(std::string id, ParseCohortName("name", request.name()));
  using S = v1::Cohort;
  static const std::set<std::pair<int, int>>* const kAllowed =
      new std::set<std::pair<int, int>>{
          {S::DRAFT, S::OPEN},     {S::OPEN, S::CLOSED},    {S::CLOSED, S::OPEN},
          {S::OPEN, S::RUNNING},   {S::CLOSED, S::RUNNING}, {S::RUNNING, S::FINISHED}};
  const absl::Time now = clock_->Now();
  v1::Cohort result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord rec, LoadCohortForWrite(tx, id, now));
    RETURN_IF_ERROR(CheckEtag(rec.cohort.name(), rec.revision, request.etag()));
    if (kAllowed->count({rec.cohort.state(), request.state()}) == 0) {
      return errors::FailedPrecondition(
          "INVALID_STATE_TRANSITION",
          absl::StrCat("a cohort cannot go from ", v1::Cohort::State_Name(rec.cohort.state()),
                       " to ", v1::Cohort::State_Name(request.state())),
          {{"from", v1::Cohort::State_Name(rec.cohort.state())},
           {"to", v1::Cohort::State_Name(request.state())}});
    }
    rec.cohort.set_state(request.state());
    if (request.state() == v1::Cohort::FINISHED) {
      *rec.cohort.mutable_finish_time() = ToProto(now);
    }
    RETURN_IF_ERROR(SaveCohort(tx, rec, now));
    return DecorateCohort(tx, rec, &result);
  }));
  return result;
}

absl::StatusOr<v1::PurgeCohortPersonalDataResponse> Enrollment::PurgeCohortPersonalData(
    const Principal& caller, const v1::PurgeCohortPersonalDataRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  ASSIGN_OR_RETURN(std::string id, ParseCohortName("name", request.name()));
  const absl::Time now = clock_->Now();
  v1::PurgeCohortPersonalDataResponse response;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord rec, tx.GetCohort(id));
    if (rec.cohort.state() != v1::Cohort::FINISHED) {
      return errors::FailedPrecondition("COHORT_NOT_FINISHED",
                                        "personal data is kept until the cohort finishes");
    }
    const absl::Time earliest =
        FromProto(rec.cohort.finish_time()) + absl::Hours(24) * rec.cohort.retention_days();
    if (now < earliest) {
      return errors::FailedPrecondition(
          "RETENTION_NOT_ELAPSED",
          absl::StrCat("the retention period ends at ",
                       absl::FormatTime("%Y-%m-%d %H:%M %Z", earliest, TokyoTimeZone())),
          {{"earliest_purge_time", absl::FormatTime(earliest)}});
    }
    ParticipantFilter members;
    members.role = v1::Participant::PARTICIPANT;
    ASSIGN_OR_RETURN(auto participants, tx.ListParticipants(id, members, 0, 0));
    for (const ParticipantRecord& p : participants) {
      if (!EverShared(p.participant)) continue;  // the partner never knew them
      ChangeRecord change;
      change.participant_name = p.participant.name();
      change.municipality_code = p.participant.municipality_code();
      change.kind = v1::Change::DELETED;
      change.time = now;
      RETURN_IF_ERROR(tx.AppendChange(&change));
    }
    ASSIGN_OR_RETURN(auto deleted, tx.DeleteCohortPersonalData(id));
    *rec.cohort.mutable_purge_time() = ToProto(now);
    RETURN_IF_ERROR(SaveCohort(tx, rec, now));
    response.set_applications_deleted(deleted.first);
    response.set_participants_deleted(deleted.second);
    return DecorateCohort(tx, rec, response.mutable_cohort());
  }));
  return response;
}

// ---------------------------------------------------------------- applications

absl::StatusOr<v1::Application> Enrollment::CreateApplication(
    const Principal& caller, const v1::CreateApplicationRequest& request) {
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  const v1::Application& in = request.application();
  if (IsPartner(caller)) {
    return errors::PermissionDenied("PARTNER_FEED_ONLY",
                                    "partner keys may only read the change feed");
  }
  const bool override_eligibility = !request.eligibility_override_reason().empty();
  if (override_eligibility) RETURN_IF_ERROR(RequireSecretariat(caller));

  Violations v;
  CheckRequestId(v, request.request_id());
  if (override_eligibility) {
    v.Check(ValidateText("eligibility_override_reason",
                         request.eligibility_override_reason(), 1, 500, true));
  }
  if (in.members_size() < 1 || in.members_size() > kMaxTeamSize) {
    v.Add("application.members", "must list 1 to 10 people", "TEAM_SIZE");
  }
  std::set<std::string> email_keys;
  for (int i = 0; i < in.members_size() && i < kMaxTeamSize; ++i) {
    const std::string prefix = absl::StrCat("application.members[", i, "]");
    CheckApplicant(v, prefix, in.members(i));
    if (i > 0 && in.members(i).municipality_code() != in.members(0).municipality_code()) {
      v.Add(prefix + ".municipality_code",
            "a team applies from one municipality: must match members[0]",
            "TEAM_MUNICIPALITY_MISMATCH");
    }
    if (!email_keys.insert(EmailKey(in.members(i).email())).second) {
      v.Add(prefix + ".email", "is used by another member of the team",
            "DUPLICATE_APPLICANT");
    }
  }
  RETURN_IF_ERROR(v.Result());

  const absl::Time now = clock_->Now();
  const std::string scope =
      absl::StrCat("CreateApplication\x1f", request.parent(), "\x1f",
                   // Anonymous callers share no scope: the request itself
                   // (its personal data) scopes the id, so nobody can replay
                   // or probe another applicant's request id.
                   caller.subject().empty() ? "anon:" + Fingerprint(request) : caller.subject());
  v1::Application result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto replayed, Replayed(tx, scope, request.request_id(), request));
    if (replayed.has_value()) {
      ASSIGN_OR_RETURN(auto ids, ParseChildName("name", *replayed, "applications"));
      ASSIGN_OR_RETURN(ApplicationRecord rec, tx.GetApplication(ids.first, ids.second));
      return DecorateApplication(tx, rec, &result);
    }
    ASSIGN_OR_RETURN(CohortRecord cohort, LoadCohortForWrite(tx, cohort_id, now));
    const v1::Cohort& c = cohort.cohort;
    if (c.state() != v1::Cohort::OPEN) {
      return errors::FailedPrecondition(
          "COHORT_NOT_OPEN", "this cohort is not accepting applications",
          {{"state", v1::Cohort::State_Name(c.state())}});
    }
    if (now < FromProto(c.application_open_time()) ||
        now >= FromProto(c.application_close_time())) {
      return errors::FailedPrecondition(
          "APPLICATION_WINDOW_CLOSED",
          absl::StrCat("applications are accepted from ",
                       absl::FormatTime("%Y-%m-%d %H:%M", FromProto(c.application_open_time()),
                                        TokyoTimeZone()),
                       " until ",
                       absl::FormatTime("%Y-%m-%d %H:%M", FromProto(c.application_close_time()),
                                        TokyoTimeZone()),
                       " (Asia/Tokyo)"));
    }
    if (!override_eligibility) {
      const v1::Eligibility& e = c.eligibility();
      Violations ineligible;
      for (int i = 0; i < in.members_size(); ++i) {
        const int age = AgeOn(in.members(i).birth_date(), e.age_reference_date());
        if ((e.min_age() > 0 && age < e.min_age()) || (e.max_age() > 0 && age > e.max_age())) {
          ineligible.Add(
              absl::StrCat("application.members[", i, "].birth_date"),
              absl::StrCat("must be aged ", e.min_age(), " to ", e.max_age(), " on ",
                           absl::FormatCivilTime(ToCivil(e.age_reference_date()))),
              "AGE_OUT_OF_RANGE");
        }
      }
      RETURN_IF_ERROR(ineligible.Result());
    }
    if (in.members_size() > c.capacity() && !c.allow_partial_team()) {
      return errors::InvalidField("application.members",
                                  "the team is larger than the cohort's capacity",
                                  "TEAM_LARGER_THAN_CAPACITY");
    }

    ApplicationRecord rec;
    rec.cohort_id = cohort_id;
    rec.id = NewId();
    rec.revision = 1;
    v1::Application& app = rec.application;
    app.set_name(ApplicationName(cohort_id, rec.id));
    for (const v1::Applicant& m : in.members()) {
      v1::Applicant* out = app.add_members();
      *out = m;
      out->set_display_name(TrimSpaces(m.display_name()));
      out->set_kana(TrimSpaces(m.kana()));
      out->set_email(TrimSpaces(m.email()));
      out->set_department(TrimSpaces(m.department()));
      out->set_motivation(TrimSpaces(m.motivation()));
    }
    app.set_municipality_code(in.members(0).municipality_code());
    app.set_submitter(caller.subject());
    app.set_eligibility_override_reason(request.eligibility_override_reason());
    *app.mutable_create_time() = ToProto(now);
    AddHistory(app, v1::Application::SUBMITTED, now, Actor(caller), "");

    ASSIGN_OR_RETURN(Usage usage, ComputeUsage(tx, cohort_id));
    AdmissionDecision d = Admit(c, usage, app.municipality_code(), app.members_size());
    if (d.admitted == 0) {
      ASSIGN_OR_RETURN(int64_t waiting,
                       tx.CountApplications(cohort_id, v1::Application::WAITLISTED));
      if (waiting >= c.max_waitlist()) {
        return errors::ResourceExhausted(
            "WAITLIST_FULL", "the cohort is full and so is its waiting list",
            {{"max_waitlist", absl::StrCat(c.max_waitlist())}});
      }
      AddHistory(app, v1::Application::WAITLISTED, now, kSystemActor, d.blocked_reason);
    }
    RETURN_IF_ERROR(tx.InsertApplication(&rec));
    RETURN_IF_ERROR(tx.ReserveEmails(cohort_id, rec.id,
                                     std::vector<std::string>(email_keys.begin(),
                                                              email_keys.end())));
    if (d.admitted > 0) {
      RETURN_IF_ERROR(AdmitApplication(
          tx, cohort, rec, d.admitted, now, kSystemActor,
          override_eligibility ? "ELIGIBILITY_OVERRIDDEN" : "SEAT_AVAILABLE"));
    }
    if (!request.request_id().empty()) {
      RETURN_IF_ERROR(tx.SaveRequestId(scope, request.request_id(),
                                       {Fingerprint(request), app.name()}, now));
    }
    return DecorateApplication(tx, rec, &result);
  }));
  result.set_access_token(AccessTokenFor(result.name()));
  return result;
}

namespace {

bool IsApplicant(const Principal& caller, const v1::Application& app,
                 const std::string& expected_token) {
  if (IsPartner(caller)) return false;
  if (!caller.access_token().empty() &&
      crypto::ConstantTimeEquals(caller.access_token(), expected_token)) {
    return true;
  }
  return !caller.subject().empty() && caller.subject() == app.submitter();
}

// Staff other than the secretariat (the navigator) see applications without
// what only the secretariat needs: contact e-mails and dates of birth (which
// exist only for the age rule).
void RedactForStaff(v1::Application* app) {
  for (v1::Applicant& m : *app->mutable_members()) {
    m.clear_email();
    m.clear_birth_date();
  }
}

}  // namespace

absl::StatusOr<v1::Application> Enrollment::GetApplication(
    const Principal& caller, const v1::GetApplicationRequest& request) {
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", request.name(), "applications"));
  v1::Application result;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ApplicationRecord rec, tx.GetApplication(ids.first, ids.second));
    ASSIGN_OR_RETURN(bool navigator,
                     IsCohortStaff(tx, ids.first, caller, /*navigator_only=*/true));
    const bool allowed =
        navigator || IsApplicant(caller, rec.application, AccessTokenFor(rec.application.name()));
    if (!allowed) {
      return Denied(caller, "NOT_YOUR_APPLICATION",
                    "only the applicant and the secretariat may see this application");
    }
    RETURN_IF_ERROR(DecorateApplication(tx, rec, &result));
    if (!IsSecretariat(caller) &&
        !IsApplicant(caller, rec.application, AccessTokenFor(rec.application.name()))) {
      RedactForStaff(&result);
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListApplicationsResponse> Enrollment::ListApplications(
    const Principal& caller, const v1::ListApplicationsRequest& request) {
  // The token's role first (cheap, before looking at the request), then the
  // cohort: see IsCohortStaff in the transaction.
  if (!IsSecretariat(caller) && !auth::HasRole(caller, kaizen::type::ROLE_NAVIGATOR)) {
    return Denied(caller, "STAFF_ONLY",
                  "only the secretariat and the navigator may list applications");
  }
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size()));
  if (!request.municipality_code().empty()) {
    RETURN_IF_ERROR(ValidateMunicipalityCode("municipality_code", request.municipality_code()));
  }
  const std::string fingerprint =
      absl::StrCat("applications\x1f", request.parent(), "\x1f", request.state(), "\x1f",
                   request.municipality_code());
  std::optional<QueuePosition> after;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position,
                     page_tokens_.Decode(fingerprint, request.page_token()));
    std::pair<std::string, std::string> parts = absl::StrSplit(position, ':');
    QueuePosition p;
    if (!absl::SimpleAtoi(parts.first, &p.priority) || !absl::SimpleAtoi(parts.second, &p.seq)) {
      return errors::InvalidField("page_token", "is not valid", "INVALID_PAGE_TOKEN");
    }
    after = p;
  }
  ApplicationFilter filter;
  if (request.state() != v1::Application::STATE_UNSPECIFIED) filter.state = request.state();
  filter.municipality_code = request.municipality_code();
  v1::ListApplicationsResponse response;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.GetCohort(cohort_id).status());
    ASSIGN_OR_RETURN(bool navigator, IsCohortStaff(tx, cohort_id, caller, /*navigator_only=*/true));
    if (!navigator) {
      return Denied(caller, "STAFF_ONLY",
                    "only the secretariat and this cohort's navigator may list applications");
    }
    ASSIGN_OR_RETURN(auto rows, tx.ListApplications(cohort_id, filter, after, page_size + 1));
    const bool more = static_cast<int>(rows.size()) > page_size;
    if (more) rows.resize(page_size);
    for (const ApplicationRecord& rec : rows) {
      v1::Application* out = response.add_applications();
      RETURN_IF_ERROR(DecorateApplication(tx, rec, out));
      if (!IsSecretariat(caller)) RedactForStaff(out);
    }
    if (more) {
      response.set_next_page_token(page_tokens_.Encode(
          fingerprint,
          absl::StrCat(rows.back().application.priority(), ":", rows.back().seq)));
    }
    return absl::OkStatus();
  }));
  return response;
}

namespace {

// Shared skeleton of the application mutations: parse, load the cohort
// (expiring lapsed offers), load the application, check the etag, run `fn`,
// decorate. `fn` may set *deferred to an error that is returned after the
// transaction commits (so an expiry it observed is kept).
template <typename Fn>
absl::StatusOr<v1::Application> MutateApplication(
    EnrollmentStore* store, absl::Time now, const std::string& name,
    const std::string& etag, Fn fn) {
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", name, "applications"));
  v1::Application result;
  absl::Status deferred;
  RETURN_IF_ERROR(store->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord cohort, LoadCohortForWrite(tx, ids.first, now));
    ASSIGN_OR_RETURN(ApplicationRecord rec, tx.GetApplication(ids.first, ids.second));
    RETURN_IF_ERROR(CheckEtag(rec.application.name(), rec.revision, etag));
    RETURN_IF_ERROR(fn(tx, cohort, rec, &deferred));
    return DecorateApplication(tx, rec, &result);
  }));
  RETURN_IF_ERROR(deferred);
  return result;
}

bool IsLiveApplication(v1::Application::State s) {
  return s == v1::Application::ACCEPTED || s == v1::Application::WAITLISTED ||
         s == v1::Application::OFFERED;
}

}  // namespace

absl::StatusOr<v1::Application> Enrollment::WithdrawApplication(
    const Principal& caller, const v1::WithdrawApplicationRequest& request) {
  Violations v;
  v.Check(ValidateText("reason", request.reason(), 0, 500, true));
  RETURN_IF_ERROR(v.Result());
  const absl::Time now = clock_->Now();
  return MutateApplication(
      store_, now, request.name(), request.etag(),
      [&](EnrollmentTx& tx, const CohortRecord& cohort, ApplicationRecord& rec,
          absl::Status*) -> absl::Status {
        if (!IsSecretariat(caller) &&
            !IsApplicant(caller, rec.application, AccessTokenFor(rec.application.name()))) {
          return Denied(caller, "NOT_YOUR_APPLICATION",
                        "only the applicant and the secretariat may withdraw it");
        }
        if (!IsLiveApplication(rec.application.state())) {
          return InvalidTransition("withdraw",
                                   v1::Application::State_Name(rec.application.state()));
        }
        return EndApplication(tx, cohort, rec, v1::Application::WITHDRAWN, now,
                              Actor(caller), TrimSpaces(request.reason()));
      });
}

absl::StatusOr<v1::Application> Enrollment::AcceptApplication(
    const Principal& caller, const v1::DecideApplicationRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  RETURN_IF_ERROR(ValidateText("reason", request.reason(), 1, 500, true));
  const absl::Time now = clock_->Now();
  return MutateApplication(
      store_, now, request.name(), request.etag(),
      [&](EnrollmentTx& tx, const CohortRecord& cohort, ApplicationRecord& rec,
          absl::Status*) -> absl::Status {
        const auto state = rec.application.state();
        if (state != v1::Application::WAITLISTED && state != v1::Application::OFFERED &&
            state != v1::Application::REJECTED) {
          return InvalidTransition("accept", v1::Application::State_Name(state));
        }
        if (!IsLiveCohort(cohort.cohort.state())) {
          return errors::FailedPrecondition("COHORT_NOT_OPEN",
                                            "this cohort is not taking people in");
        }
        // An offer's own seats are free for it.
        if (state == v1::Application::OFFERED) {
          rec.application.set_admitted_member_count(0);
          rec.application.set_state(v1::Application::WAITLISTED);
          RETURN_IF_ERROR(tx.UpdateApplication(rec));
        }
        ASSIGN_OR_RETURN(Usage usage, ComputeUsage(tx, rec.cohort_id));
        AdmissionDecision d = Admit(cohort.cohort, usage, rec.application.municipality_code(),
                                    rec.application.members_size());
        if (d.admitted == 0) {
          return errors::FailedPrecondition(
              d.blocked_reason,
              d.blocked_reason == "COHORT_FULL"
                  ? "no seats are free for this application"
                  : "accepting it would exceed the cohort's municipality limit");
        }
        if (state == v1::Application::REJECTED) {
          std::vector<std::string> keys;
          for (const auto& m : rec.application.members()) keys.push_back(EmailKey(m.email()));
          RETURN_IF_ERROR(tx.ReserveEmails(rec.cohort_id, rec.id, keys));
        }
        return AdmitApplication(tx, cohort, rec, d.admitted, now, caller.subject(),
                                TrimSpaces(request.reason()));
      });
}

absl::StatusOr<v1::Application> Enrollment::RejectApplication(
    const Principal& caller, const v1::DecideApplicationRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  RETURN_IF_ERROR(ValidateText("reason", request.reason(), 1, 500, true));
  const absl::Time now = clock_->Now();
  return MutateApplication(
      store_, now, request.name(), request.etag(),
      [&](EnrollmentTx& tx, const CohortRecord& cohort, ApplicationRecord& rec,
          absl::Status*) -> absl::Status {
        if (!IsLiveApplication(rec.application.state())) {
          return InvalidTransition("reject",
                                   v1::Application::State_Name(rec.application.state()));
        }
        return EndApplication(tx, cohort, rec, v1::Application::REJECTED, now,
                              caller.subject(), TrimSpaces(request.reason()));
      });
}

absl::StatusOr<v1::Application> Enrollment::PrioritizeApplication(
    const Principal& caller, const v1::PrioritizeApplicationRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  Violations v;
  if (request.priority() < -100 || request.priority() > 100) {
    v.Add("priority", "must be between -100 and 100");
  }
  v.Check(ValidateText("reason", request.reason(), 1, 500, true));
  RETURN_IF_ERROR(v.Result());
  const absl::Time now = clock_->Now();
  return MutateApplication(
      store_, now, request.name(), request.etag(),
      [&](EnrollmentTx& tx, const CohortRecord&, ApplicationRecord& rec,
          absl::Status*) -> absl::Status {
        if (rec.application.state() != v1::Application::WAITLISTED) {
          return InvalidTransition("prioritize",
                                   v1::Application::State_Name(rec.application.state()));
        }
        rec.application.set_priority(request.priority());
        rec.application.set_priority_reason(TrimSpaces(request.reason()));
        return Touch(tx, rec);
      });
}

namespace {

// Shared by AcceptOffer and DeclineOffer.
template <typename Fn>
absl::StatusOr<v1::Application> AnswerOffer(EnrollmentStore* store, absl::Time now,
                                            const Principal& caller,
                                            const std::string& name,
                                            const std::string& expected_token, Fn answer) {
  return MutateApplication(
      store, now, name, "",
      [&](EnrollmentTx& tx, const CohortRecord& cohort, ApplicationRecord& rec,
          absl::Status* deferred) -> absl::Status {
        if (!IsSecretariat(caller) && !IsApplicant(caller, rec.application, expected_token)) {
          return Denied(caller, "NOT_YOUR_APPLICATION",
                        "only the applicant and the secretariat may answer this offer");
        }
        if (rec.application.state() == v1::Application::EXPIRED) {
          // LoadCohortForWrite may just have expired it: keep that, then say so.
          *deferred = errors::FailedPrecondition("OFFER_EXPIRED", "the offer has expired");
          return absl::OkStatus();
        }
        if (rec.application.state() != v1::Application::OFFERED) {
          return errors::FailedPrecondition("NO_OPEN_OFFER",
                                            "this application has no open offer");
        }
        return answer(tx, cohort, rec);
      });
}

}  // namespace

absl::StatusOr<v1::Application> Enrollment::AcceptOffer(
    const Principal& caller, const v1::AnswerOfferRequest& request) {
  const absl::Time now = clock_->Now();
  return AnswerOffer(store_, now, caller, request.name(), AccessTokenFor(request.name()),
                     [&](EnrollmentTx& tx, const CohortRecord& cohort,
                         ApplicationRecord& rec) {
                       return AdmitApplication(tx, cohort, rec,
                                               rec.application.admitted_member_count(),
                                               now, Actor(caller), "OFFER_ACCEPTED");
                     });
}

absl::StatusOr<v1::Application> Enrollment::DeclineOffer(
    const Principal& caller, const v1::AnswerOfferRequest& request) {
  const absl::Time now = clock_->Now();
  return AnswerOffer(store_, now, caller, request.name(), AccessTokenFor(request.name()),
                     [&](EnrollmentTx& tx, const CohortRecord& cohort,
                         ApplicationRecord& rec) {
                       return EndApplication(tx, cohort, rec, v1::Application::WITHDRAWN,
                                             now, Actor(caller), "OFFER_DECLINED");
                     });
}

absl::StatusOr<int> Enrollment::ExpireLapsedOffers() {
  const absl::Time now = clock_->Now();
  int expired = 0;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    expired = 0;
    for (auto state : {v1::Cohort::OPEN, v1::Cohort::CLOSED, v1::Cohort::RUNNING}) {
      ASSIGN_OR_RETURN(auto cohorts, tx.ListCohorts(state, 0, 0));
      for (const CohortRecord& cohort : cohorts) {
        ASSIGN_OR_RETURN(int n, ExpireOffersIn(tx, cohort, now));
        expired += n;
      }
    }
    return absl::OkStatus();
  }));
  return expired;
}

// ---------------------------------------------------------------- participants

absl::StatusOr<v1::Participant> Enrollment::CreateParticipant(
    const Principal& caller, const v1::CreateParticipantRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  const v1::Participant& in = request.participant();
  Violations v;
  CheckRequestId(v, request.request_id());
  if (!IsStaffRole(in.role())) {
    v.Add("participant.role",
          "must be NAVIGATOR, ADVISOR, OBSERVER or SECRETARIAT (participants join "
          "through applications)",
          "STAFF_ROLE_REQUIRED");
  }
  v.Check(ValidateText("participant.display_name", in.display_name(), 1, 100, false));
  if (!in.kana().empty()) v.Check(ValidateKana("participant.kana", in.kana()));
  if (!in.email().empty()) v.Check(ValidateEmail("participant.email", in.email()));
  if (!in.municipality_code().empty()) {
    v.Check(ValidateMunicipalityCode("participant.municipality_code", in.municipality_code()));
  }
  v.Check(ValidateText("participant.department", in.department(), 0, 100, false));
  v.Check(ValidateText("participant.subject", in.subject(), 0, 200, false));
  RETURN_IF_ERROR(v.Result());

  const absl::Time now = clock_->Now();
  const std::string scope =
      absl::StrCat("CreateParticipant\x1f", request.parent(), "\x1f", caller.subject());
  v1::Participant result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto replayed, Replayed(tx, scope, request.request_id(), request));
    if (replayed.has_value()) {
      ASSIGN_OR_RETURN(auto ids, ParseChildName("name", *replayed, "participants"));
      ASSIGN_OR_RETURN(ParticipantRecord rec, tx.GetParticipant(ids.first, ids.second));
      result = DecorateParticipant(rec);
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(cohort_id));
    if (cohort.cohort.state() == v1::Cohort::FINISHED) {
      return errors::FailedPrecondition("COHORT_FINISHED", "the cohort has finished");
    }
    ParticipantRecord rec;
    rec.cohort_id = cohort_id;
    rec.id = NewId();
    rec.revision = 1;
    v1::Participant& p = rec.participant;
    p.set_name(ParticipantName(cohort_id, rec.id));
    p.set_subject(in.subject());
    p.set_display_name(TrimSpaces(in.display_name()));
    p.set_kana(TrimSpaces(in.kana()));
    p.set_email(TrimSpaces(in.email()));
    p.set_municipality_code(in.municipality_code());
    p.set_department(TrimSpaces(in.department()));
    p.set_role(in.role());
    p.set_state(v1::Participant::ACTIVE);
    p.set_fee_status(v1::Participant::WAIVED);
    *p.mutable_create_time() = ToProto(now);
    *p.mutable_update_time() = ToProto(now);
    RETURN_IF_ERROR(tx.InsertParticipant(&rec));
    if (!request.request_id().empty()) {
      RETURN_IF_ERROR(tx.SaveRequestId(scope, request.request_id(),
                                       {Fingerprint(request), p.name()}, now));
    }
    result = DecorateParticipant(rec);
    return absl::OkStatus();
  }));
  return result;
}

namespace {

bool IsSelf(const Principal& caller, const v1::Participant& p) {
  return !IsPartner(caller) && !caller.subject().empty() && caller.subject() == p.subject();
}

// Staff other than the secretariat see who takes part, not their contact
// details or money: e-mail, fee status, payments and shipments are the
// secretariat's (and the person's own).
void RedactParticipantForStaff(v1::Participant* p) {
  p->clear_email();
  p->clear_fee_status();
  p->clear_payments();
  p->clear_shipments();
}

}  // namespace

absl::StatusOr<v1::Participant> Enrollment::GetParticipant(
    const Principal& caller, const v1::GetParticipantRequest& request) {
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", request.name(), "participants"));
  v1::Participant result;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ParticipantRecord rec, tx.GetParticipant(ids.first, ids.second));
    ASSIGN_OR_RETURN(bool staff, IsCohortStaff(tx, ids.first, caller));
    if (!staff && !IsSelf(caller, rec.participant)) {
      return Denied(caller, "NOT_YOUR_PARTICIPATION",
                    "only staff and the participant themself may see this");
    }
    result = DecorateParticipant(rec);
    if (!IsSecretariat(caller) && !IsSelf(caller, rec.participant)) {
      RedactParticipantForStaff(&result);
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListParticipantsResponse> Enrollment::ListParticipants(
    const Principal& caller, const v1::ListParticipantsRequest& request) {
  if (!auth::IsStaff(caller)) {
    return Denied(caller, "STAFF_ONLY", "only programme staff may list participants");
  }
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size()));
  if (!request.municipality_code().empty()) {
    RETURN_IF_ERROR(ValidateMunicipalityCode("municipality_code", request.municipality_code()));
  }
  const std::string fingerprint =
      absl::StrCat("participants\x1f", request.parent(), "\x1f", request.role(), "\x1f",
                   request.municipality_code());
  int64_t after_seq = 0;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position,
                     page_tokens_.Decode(fingerprint, request.page_token()));
    if (!absl::SimpleAtoi(position, &after_seq)) {
      return errors::InvalidField("page_token", "is not valid", "INVALID_PAGE_TOKEN");
    }
  }
  ParticipantFilter filter;
  if (request.role() != v1::Participant::ROLE_UNSPECIFIED) filter.role = request.role();
  filter.municipality_code = request.municipality_code();
  v1::ListParticipantsResponse response;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.GetCohort(cohort_id).status());
    ASSIGN_OR_RETURN(bool staff, IsCohortStaff(tx, cohort_id, caller));
    if (!staff) return Denied(caller, "STAFF_ONLY", "only this cohort's staff may list its people");
    ASSIGN_OR_RETURN(auto rows, tx.ListParticipants(cohort_id, filter, after_seq, page_size + 1));
    const bool more = static_cast<int>(rows.size()) > page_size;
    if (more) rows.resize(page_size);
    for (const ParticipantRecord& rec : rows) {
      v1::Participant* out = response.add_participants();
      *out = DecorateParticipant(rec);
      if (!IsSecretariat(caller)) RedactParticipantForStaff(out);
    }
    if (more) {
      response.set_next_page_token(
          page_tokens_.Encode(fingerprint, absl::StrCat(rows.back().seq)));
    }
    return absl::OkStatus();
  }));
  return response;
}

namespace {

template <typename Fn>
absl::StatusOr<v1::Participant> MutateParticipant(EnrollmentStore* store, absl::Time now,
                                                  const std::string& name,
                                                  const std::string& etag, Fn fn) {
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", name, "participants"));
  v1::Participant result;
  RETURN_IF_ERROR(store->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord cohort, LoadCohortForWrite(tx, ids.first, now));
    ASSIGN_OR_RETURN(ParticipantRecord rec, tx.GetParticipant(ids.first, ids.second));
    RETURN_IF_ERROR(CheckEtag(rec.participant.name(), rec.revision, etag));
    RETURN_IF_ERROR(fn(tx, cohort, rec));
    result = DecorateParticipant(rec);
    return absl::OkStatus();
  }));
  return result;
}

int64_t Total(const v1::Participant& p, v1::Participant::Payment::Kind kind) {
  int64_t total = 0;
  for (const auto& payment : p.payments()) {
    if (payment.kind() == kind) total += payment.amount().units();
  }
  return total;
}

}  // namespace

absl::StatusOr<v1::Participant> Enrollment::CancelParticipant(
    const Principal& caller, const v1::CancelParticipantRequest& request) {
  RETURN_IF_ERROR(ValidateText("reason", request.reason(), 0, 500, true));
  const absl::Time now = clock_->Now();
  return MutateParticipant(
      store_, now, request.name(), request.etag(),
      [&](EnrollmentTx& tx, const CohortRecord& cohort, ParticipantRecord& rec) -> absl::Status {
        if (!IsSecretariat(caller) && !IsSelf(caller, rec.participant)) {
          return Denied(caller, "NOT_YOUR_PARTICIPATION",
                        "only the participant themself and the secretariat may cancel");
        }
        if (rec.participant.state() != v1::Participant::ACTIVE) {
          return errors::FailedPrecondition("ALREADY_CANCELLED",
                                            "this participation is already cancelled");
        }
        rec.participant.set_state(v1::Participant::CANCELLED);
        RETURN_IF_ERROR(SaveParticipant(tx, rec, now));
        return Promote(tx, cohort, now);
      });
}

absl::StatusOr<v1::Participant> Enrollment::UpdateConsent(
    const Principal& caller, const v1::UpdateConsentRequest& request) {
  const absl::Time now = clock_->Now();
  return MutateParticipant(
      store_, now, request.name(), request.etag(),
      [&](EnrollmentTx& tx, const CohortRecord&, ParticipantRecord& rec) -> absl::Status {
        if (!IsSecretariat(caller) && !IsSelf(caller, rec.participant)) {
          return Denied(caller, "NOT_YOUR_PARTICIPATION",
                        "only the participant themself and the secretariat may change consent");
        }
        *rec.participant.mutable_consent() = request.consent();
        auto* change = rec.participant.add_consent_history();
        *change->mutable_consent() = request.consent();
        *change->mutable_time() = ToProto(now);
        change->set_actor(Actor(caller));
        return SaveParticipant(tx, rec, now);
      });
}

absl::StatusOr<v1::Participant> Enrollment::RecordPayment(
    const Principal& caller, const v1::RecordPaymentRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  Violations v;
  CheckRequestId(v, request.request_id());
  using Payment = v1::Participant::Payment;
  if (request.kind() == Payment::KIND_UNSPECIFIED) {
    v.Add("kind", "must be PAYMENT, WAIVER or REFUND");
  } else if (request.kind() == Payment::WAIVER) {
    if (request.amount().units() != 0 || request.amount().nanos() != 0) {
      v.Add("amount", "must be empty for a waiver");
    }
  } else {
    CheckMoney(v, "amount", request.amount(), /*allow_zero=*/false);
  }
  v.Check(ValidateText("note", request.note(), 0, 500, true));
  RETURN_IF_ERROR(v.Result());
  const absl::Time now = clock_->Now();
  const std::string scope = absl::StrCat("RecordPayment\x1f", request.name());
  return MutateParticipant(
      store_, now, request.name(), "",
      [&](EnrollmentTx& tx, const CohortRecord& cohort, ParticipantRecord& rec) -> absl::Status {
        ASSIGN_OR_RETURN(auto replayed, Replayed(tx, scope, request.request_id(), request));
        if (replayed.has_value()) return absl::OkStatus();  // recorded already
        v1::Participant& p = rec.participant;
        const int64_t paid = Total(p, Payment::PAYMENT);
        const int64_t refunded = Total(p, Payment::REFUND);
        if (request.kind() == Payment::REFUND &&
            request.amount().units() > paid - refunded) {
          return errors::FailedPrecondition(
              "REFUND_EXCEEDS_PAID",
              absl::StrCat("at most ", paid - refunded, " yen can be refunded"));
        }
        Payment* payment = p.add_payments();
        payment->set_kind(request.kind());
        *payment->mutable_amount() = request.amount();
        payment->mutable_amount()->set_currency_code("JPY");
        *payment->mutable_time() = ToProto(now);
        payment->set_note(TrimSpaces(request.note()));
        payment->set_recorded_by(caller.subject());
        const int64_t net = Total(p, Payment::PAYMENT) - Total(p, Payment::REFUND);
        const int64_t fee = cohort.cohort.fee().units();
        if (request.kind() == Payment::WAIVER) {
          p.set_fee_status(v1::Participant::WAIVED);
        } else if (net >= fee && net > 0) {
          p.set_fee_status(v1::Participant::PAID);
        } else if (Total(p, Payment::REFUND) > 0 && net == 0) {
          p.set_fee_status(v1::Participant::REFUNDED);
        } else if (p.fee_status() != v1::Participant::WAIVED) {
          p.set_fee_status(v1::Participant::UNPAID);
        }
        if (!request.request_id().empty()) {
          RETURN_IF_ERROR(tx.SaveRequestId(scope, request.request_id(),
                                           {Fingerprint(request), p.name()}, now));
        }
        ++rec.revision;
        *p.mutable_update_time() = ToProto(now);
        return tx.UpdateParticipant(rec);
      });
}

absl::StatusOr<v1::Participant> Enrollment::RecordShipment(
    const Principal& caller, const v1::RecordShipmentRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  RETURN_IF_ERROR(ValidateText("note", request.note(), 0, 500, true));
  const absl::Time now = clock_->Now();
  return MutateParticipant(
      store_, now, request.name(), "",
      [&](EnrollmentTx& tx, const CohortRecord& cohort, ParticipantRecord& rec) -> absl::Status {
        const v1::IncludedItem* item = nullptr;
        for (const auto& i : cohort.cohort.included_items()) {
          if (i.id() == request.item_id()) item = &i;
        }
        if (item == nullptr) {
          return errors::InvalidField("item_id", "is not an item this cohort's fee includes",
                                      "UNKNOWN_ITEM");
        }
        const absl::CivilDay today = absl::ToCivilDay(now, TokyoTimeZone());
        if (today < ToCivil(item->available_date())) {
          return errors::FailedPrecondition(
              "ITEM_NOT_YET_AVAILABLE",
              absl::StrCat("this item can ship from ",
                           absl::FormatCivilTime(ToCivil(item->available_date()))));
        }
        for (const auto& s : rec.participant.shipments()) {
          if (s.item_id() == request.item_id()) {
            return errors::FailedPrecondition("ALREADY_SHIPPED",
                                              "this item was already shipped to this person");
          }
        }
        auto* shipment = rec.participant.add_shipments();
        shipment->set_item_id(request.item_id());
        *shipment->mutable_ship_time() = ToProto(now);
        shipment->set_note(TrimSpaces(request.note()));
        ++rec.revision;
        *rec.participant.mutable_update_time() = ToProto(now);
        return tx.UpdateParticipant(rec);
      });
}

// ---------------------------------------------------------------- roster, feed

absl::StatusOr<v1::Roster> Enrollment::GetRoster(const Principal& caller,
                                                 const v1::GetRosterRequest& request) {
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  v1::Roster roster;
  roster.set_cohort(request.parent());
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.GetCohort(cohort_id).status());
    if (!auth::HasRole(caller, kaizen::type::ROLE_SERVICE)) {
      ASSIGN_OR_RETURN(bool staff, IsCohortStaff(tx, cohort_id, caller));
      if (!staff) {
        return Denied(caller, "STAFF_ONLY",
                      "only this cohort's staff and Kaizen services may read the roster");
      }
    }
    ParticipantFilter active;
    active.state = v1::Participant::ACTIVE;
    ASSIGN_OR_RETURN(auto rows, tx.ListParticipants(cohort_id, active, 0, 0));
    for (const ParticipantRecord& rec : rows) {
      auto* e = roster.add_entries();
      e->set_participant(rec.participant.name());
      e->set_display_name(rec.participant.display_name());
      e->set_role(rec.participant.role());
      e->set_municipality_code(rec.participant.municipality_code());
      e->set_subject(rec.participant.subject());
    }
    return absl::OkStatus();
  }));
  return roster;
}

absl::StatusOr<v1::ListChangesResponse> Enrollment::ListChanges(
    const Principal& caller, const v1::ListChangesRequest& request) {
  std::string municipality;
  if (auth::HasRole(caller, kaizen::type::ROLE_PARTNER_HR)) {
    municipality = caller.municipality_code();
    if (municipality.empty()) {
      return errors::PermissionDenied("PARTNER_MUNICIPALITY_MISSING",
                                      "this partner key is not bound to a municipality");
    }
  } else if (!IsSecretariat(caller)) {
    return Denied(caller, "PARTNER_ONLY",
                  "the change feed is for partner HR systems and the secretariat");
  }
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size(), 100, 1000));
  const std::string fingerprint = absl::StrCat("changes\x1f", municipality);
  int64_t after_seq = 0;
  if (!request.cursor().empty()) {
    absl::StatusOr<std::string> position = page_tokens_.Decode(fingerprint, request.cursor());
    if (!position.ok() || !absl::SimpleAtoi(*position, &after_seq)) {
      return errors::InvalidField("cursor", "is not a cursor this feed gave you",
                                  "INVALID_CURSOR");
    }
  }
  v1::ListChangesResponse response;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto rows, tx.ListChanges(after_seq, municipality, page_size));
    std::map<std::string, std::string> titles;
    for (const ChangeRecord& row : rows) {
      after_seq = row.seq;
      v1::Change* change = response.add_changes();
      change->set_participant(row.participant_name);
      *change->mutable_time() = ToProto(row.time);
      change->set_kind(v1::Change::DELETED);
      if (row.kind == v1::Change::DELETED) continue;
      auto ids = ParseChildName("participant", row.participant_name, "participants");
      if (!ids.ok()) return ids.status();
      absl::StatusOr<ParticipantRecord> rec = tx.GetParticipant(ids->first, ids->second);
      if (absl::IsNotFound(rec.status())) continue;  // purged since
      if (!rec.ok()) return rec.status();
      // Projected through *current* consent: a revocation hides what was
      // shared before. Someone who shares nothing is not in the feed at all
      // (not even their state); someone who stopped sharing shows as
      // DELETED, so the partner forgets what it had.
      const v1::Participant& p = rec->participant;
      if (!SharesAnything(p.consent())) {
        if (!EverShared(p)) response.mutable_changes()->RemoveLast();
        continue;
      }
      change->set_kind(v1::Change::UPSERTED);
      change->set_municipality_code(p.municipality_code());
      change->set_state(p.state());
      *change->mutable_consent() = p.consent();
      change->set_display_name(p.display_name());
      auto it = titles.find(ids->first);
      if (it == titles.end()) {
        ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(ids->first));
        it = titles.emplace(ids->first, cohort.cohort.title()).first;
      }
      change->set_cohort_title(it->second);
    }
    return absl::OkStatus();
  }));
  response.set_next_cursor(page_tokens_.Encode(fingerprint, absl::StrCat(after_seq)));
  return response;
}

}  // namespace kaizen::enrollment
