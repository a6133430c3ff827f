// The notification RPCs (notify.h has the messages themselves): the
// hand-over from scheduling (EnqueueNotification), a participant's reminder
// setting, the one-click unsubscribe, and the offer reminders the server's
// sweeper writes.
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/crypto.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/notify_templates.h"

namespace kaizen::enrollment {
namespace {

using ::kaizen::type::EnqueueNotificationRequest;
using ::kaizen::type::EnqueueNotificationResponse;

constexpr size_t kMaxIdempotencyKeyChars = 200;
constexpr int kMaxParams = 20;
constexpr size_t kMaxParamKeyChars = 40;
constexpr size_t kMaxParamValueChars = 2000;
constexpr int kMaxListedParticipants = 1000;
constexpr size_t kMaxAttachmentBytes = 64 * 1024;
constexpr absl::string_view kPreferencesSuffix = "/notificationPreferences";

// Only Kaizen's scheduling service hands notifications over today.
bool IsNotifyingService(const Principal& caller) {
  return auth::HasRole(caller, kaizen::type::ROLE_SERVICE) && caller.subject() == "scheduling";
}

bool IsPrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < ' ' || c > '~') return false;
  }
  return true;
}

bool IsParamKey(absl::string_view s) {
  if (s.empty() || s.size() > kMaxParamKeyChars) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

// Characters of valid UTF-8, or -1 when it is not UTF-8.
int Utf8Chars(absl::string_view s) {
  int chars = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return -1;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return -1;
    }
    i += n;
    ++chars;
  }
  return chars;
}

bool HasControl(absl::string_view s, bool allow_newline) {
  for (char c : s) {
    const unsigned char u = c;
    if ((u < 0x20 && !(allow_newline && (c == '\n' || c == '\t'))) || u == 0x7f) return true;
  }
  return false;
}

bool IsFileName(absl::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void CheckParams(Violations& v, const EnqueueNotificationRequest& r) {
  if (r.params_size() > kMaxParams) {
    v.Add("params", absl::StrCat("must hold at most ", kMaxParams, " entries"));
    return;
  }
  const auto& known = notify_templates::KnownParams(r.kind());
  for (const auto& [key, value] : r.params()) {
    const std::string field = absl::StrCat("params.", key);
    if (!IsParamKey(key)) {
      v.Add("params", "keys must be 1 to 40 of the characters a-z and _");
      continue;
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      v.Add(field, "is not a parameter of this kind");
      continue;
    }
    const int chars = Utf8Chars(value);
    if (chars < 0 || chars > static_cast<int>(kMaxParamValueChars)) {
      v.Add(field, "must be UTF-8 text of at most 2000 characters");
    } else if (HasControl(value, key == "reason" || key == "place")) {
      v.Add(field, "must not contain control characters (line breaks and tabs only in place and "
                   "reason)");
    } else if (absl::EndsWith(key, "_time") && !value.empty()) {
      absl::Time t;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, value, &t, &err)) {
        v.Add(field, "must be a time in RFC 3339, e.g. 2022-07-03T14:00:00+09:00");
      }
    } else if ((key == "meeting" || key == "poll" || key == "task") &&
               (!absl::StartsWith(value, absl::StrCat(r.cohort(), "/")) ||
                !IsPrintableAscii(value) || value.find(' ') != std::string::npos)) {
      v.Add(field, "must be the resource name of the cohort's " + key +
                       ", e.g. cohorts/c1/" + key + "s/m1");
    }
  }
  for (const std::string& key : notify_templates::RequiredParams(r.kind())) {
    auto it = r.params().find(key);
    if (it == r.params().end() || it->second.empty()) {
      v.Add(absl::StrCat("params.", key), "is required for this kind");
    }
  }
}

absl::Status ValidateEnqueue(const Principal& caller, const EnqueueNotificationRequest& r) {
  Violations v;
  const std::string prefix = absl::StrCat(caller.subject(), ":");
  if (r.idempotency_key().empty()) {
    v.Check(FieldRequired("idempotency_key"));
  } else if (r.idempotency_key().size() > kMaxIdempotencyKeyChars ||
             !IsPrintableAscii(r.idempotency_key()) ||
             r.idempotency_key().find(' ') != std::string::npos ||
             !absl::StartsWith(r.idempotency_key(), prefix) ||
             r.idempotency_key().size() == prefix.size()) {
    v.Add("idempotency_key", absl::StrCat("must be \"", prefix,
                                          "<your outbox id>\", at most 200 printable ASCII "
                                          "characters without spaces"));
  }
  const bool kind_ok = r.kind() != kaizen::type::NOTIFICATION_KIND_UNSPECIFIED &&
                       kaizen::type::NotificationKind_IsValid(r.kind());
  if (!kind_ok) {
    v.Add("kind", "must be MEETING_CONFIRMED, MEETING_RESCHEDULED, MEETING_CANCELLED, "
                  "POLL_OPENED or TASK_DUE");
  }
  absl::StatusOr<std::string> cohort = ParseCohortName("cohort", r.cohort());
  v.Check(cohort.status());
  if (r.participants_size() > kMaxListedParticipants) {
    v.Add("participants", absl::StrCat("must list at most ", kMaxListedParticipants, " names"));
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < r.participants_size(); ++i) {
      const std::string field = absl::StrCat("participants[", i, "]");
      auto ids = ParseChildName(field, r.participants(i), "participants");
      if (!ids.ok()) {
        v.Check(ids.status());
      } else if (cohort.ok() && ids->first != *cohort) {
        v.Add(field, "must be a participant of the cohort named in cohort");
      } else if (!seen.insert(r.participants(i)).second) {
        v.Add(field, "is listed twice");
      }
    }
  }
  if (kind_ok) CheckParams(v, r);
  if (r.has_attachment()) {
    const auto& a = r.attachment();
    if (!IsFileName(a.filename())) {
      v.Add("attachment.filename", "must be 1 to 100 of the characters A-Z a-z 0-9 . _ -");
    }
    if (a.content_type().empty() || a.content_type().size() > 200 ||
        !IsPrintableAscii(a.content_type()) || a.content_type().find('/') == std::string::npos) {
      v.Add("attachment.content_type",
            "must be a MIME type of at most 200 printable ASCII characters, e.g. "
            "text/calendar; charset=UTF-8; method=REQUEST");
    }
    if (a.data().empty() || a.data().size() > kMaxAttachmentBytes) {
      v.Add("attachment.data", "must hold 1 byte to 64 KiB");
    }
  }
  return v.Result();
}

// "cohorts/{c}/participants/{p}/notificationPreferences" -> (c, p).
absl::StatusOr<std::pair<std::string, std::string>> ParsePreferencesName(
    absl::string_view field, absl::string_view name) {
  absl::string_view owner = name;
  if (!absl::ConsumeSuffix(&owner, kPreferencesSuffix)) {
    return errors::InvalidField(
        field, "must look like cohorts/{cohort}/participants/{participant}/notificationPreferences",
        "INVALID_NAME");
  }
  return ParseChildName(field, owner, "participants");
}

// Hex SHA-256 of the request without its idempotency key, serialised
// deterministically (params is a map).
std::string RequestFingerprint(const EnqueueNotificationRequest& request) {
  EnqueueNotificationRequest copy = request;
  copy.clear_idempotency_key();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&out);
  }
  return crypto::Hex(crypto::Sha256(bytes));
}

// The participant behind a preferences name, after the caller is
// authorised: a stranger learns nothing, not even whether it exists.
absl::StatusOr<ParticipantRecord> PreferencesOwner(EnrollmentTx& tx, const Principal& caller,
                                                   const std::pair<std::string, std::string>& ids,
                                                   const std::string& name) {
  absl::StatusOr<ParticipantRecord> rec = tx.GetParticipant(ids.first, ids.second);
  if (!rec.ok() && !absl::IsNotFound(rec.status())) return rec.status();
  if (!IsSecretariat(caller) && !(rec.ok() && IsSelf(caller, rec->participant))) {
    return Denied(caller, NotYourParticipation("only the participant themself and the "
                                               "secretariat may see or change e-mail settings"));
  }
  // An erased participation has no address left to set anything for.
  if (!rec.ok() || rec->participant.email().empty()) {
    return errors::NotFound("NotificationPreferences", name);
  }
  return rec;
}

}  // namespace

absl::StatusOr<EnqueueNotificationResponse> Enrollment::EnqueueNotification(
    const Principal& caller, const EnqueueNotificationRequest& request) {
  // The caller first: nobody else learns even whether a request is valid.
  if (!IsNotifyingService(caller)) {
    return ServicesOnly("only Kaizen's scheduling service may hand over notifications");
  }
  RETURN_IF_ERROR(ValidateEnqueue(caller, request));
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("cohort", request.cohort()));
  // A key is a repeat only with the same request (its fingerprint): keys
  // recur when scheduling's database is restored from a backup (revisions
  // restart), and a different request under a known key is a new change.
  // It is then taken under "<key>#<16 hex of the fingerprint>" (message ids
  // derive from it) and logged once.
  const std::string fingerprint = RequestFingerprint(request);
  EnqueueNotificationResponse response;
  bool key_reused = false;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    response.Clear();
    key_reused = false;
    const absl::Time now = clock_->Now();
    std::string key = request.idempotency_key();
    ASSIGN_OR_RETURN(auto seen, tx.GetNotificationIntake(key));
    if (seen.has_value()) {
      ASSIGN_OR_RETURN(std::string stored, tx.GetNotificationIntakeFingerprint(key));
      // "" : taken before fingerprints were stored (migration 10).
      if (stored.empty() || stored == fingerprint) {
        response = *seen;
        response.set_repeat(true);
        return absl::OkStatus();
      }
      key = absl::StrCat(key, "#", fingerprint.substr(0, 16));
      ASSIGN_OR_RETURN(seen, tx.GetNotificationIntake(key));
      if (seen.has_value()) {  // this changed request, repeated
        response = *seen;
        response.set_repeat(true);
        return absl::OkStatus();
      }
      key_reused = true;
    }
    EnqueueNotificationRequest effective = request;
    effective.set_idempotency_key(key);
    ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(cohort_id));
    std::vector<ParticipantRecord> recipients;
    if (request.participants().empty()) {
      ParticipantFilter active;
      active.role = v1::Participant::PARTICIPANT;
      active.state = v1::Participant::ACTIVE;
      ASSIGN_OR_RETURN(recipients, tx.ListParticipants(cohort_id, active, 0, 0));
    } else {
      for (const std::string& name : request.participants()) {
        ASSIGN_OR_RETURN(auto ids, ParseChildName("participants", name, "participants"));
        absl::StatusOr<ParticipantRecord> rec = tx.GetParticipant(ids.first, ids.second);
        if (absl::IsNotFound(rec.status())) {
          response.set_skipped(response.skipped() + 1);  // unknown
          continue;
        }
        RETURN_IF_ERROR(rec.status());
        if (rec->participant.state() != v1::Participant::ACTIVE) {
          response.set_skipped(response.skipped() + 1);
          continue;
        }
        recipients.push_back(*std::move(rec));
      }
    }
    for (const ParticipantRecord& rec : recipients) {
      // An erased participation has no address: HandOver skips it, as it
      // skips an address with reminders off for a reminder kind.
      ASSIGN_OR_RETURN(bool written, notifier_.HandOver(tx, effective, rec.participant,
                                                        cohort.cohort.title(), now));
      if (written) {
        response.set_enqueued(response.enqueued() + 1);
      } else {
        response.set_skipped(response.skipped() + 1);
      }
    }
    RETURN_IF_ERROR(tx.PutNotificationIntake(key, response, now));
    return tx.SetNotificationIntakeFingerprint(key, fingerprint);
  }));
  if (key_reused) {
    // No personal data: the kind and counts only.
    std::fprintf(stderr,
                 "{\"service\":\"enrollment\",\"event\":\"handover_key_reused\","
                 "\"kind\":\"%s\",\"enqueued\":%d,\"skipped\":%d}\n",
                 kaizen::type::NotificationKind_Name(request.kind()).c_str(),
                 static_cast<int>(response.enqueued()), static_cast<int>(response.skipped()));
  }
  return response;
}

absl::StatusOr<v1::NotificationPreferences> Enrollment::GetNotificationPreferences(
    const Principal& caller, const v1::GetNotificationPreferencesRequest& request) {
  ASSIGN_OR_RETURN(auto ids, ParsePreferencesName("name", request.name()));
  v1::NotificationPreferences out;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ParticipantRecord rec, PreferencesOwner(tx, caller, ids, request.name()));
    ASSIGN_OR_RETURN(bool reminders, tx.RemindersEnabled(EmailKey(rec.participant.email())));
    out.set_name(absl::StrCat(rec.participant.name(), kPreferencesSuffix));
    out.set_reminders(reminders);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::NotificationPreferences> Enrollment::UpdateNotificationPreferences(
    const Principal& caller, const v1::UpdateNotificationPreferencesRequest& request) {
  if (!request.has_preferences()) return FieldRequired("preferences");
  ASSIGN_OR_RETURN(auto ids,
                   ParsePreferencesName("preferences.name", request.preferences().name()));
  v1::NotificationPreferences out;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();
    ASSIGN_OR_RETURN(ParticipantRecord rec,
                     PreferencesOwner(tx, caller, ids, request.preferences().name()));
    const bool reminders = request.preferences().reminders();
    RETURN_IF_ERROR(tx.SetRemindersEnabled(EmailKey(rec.participant.email()), reminders, now));
    out.set_name(absl::StrCat(rec.participant.name(), kPreferencesSuffix));
    out.set_reminders(reminders);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::UnsubscribeRemindersResponse> Enrollment::UnsubscribeReminders(
    const Principal& caller, const v1::UnsubscribeRemindersRequest& request) {
  // Anyone holding a valid link may (it came to that mailbox); a partner key
  // acts on nobody's behalf.
  if (IsPartner(caller)) return Denied(caller, PartnerFeedOnly());
  if (request.token().empty()) return FieldRequired("token");
  ASSIGN_OR_RETURN(std::string email_key, notifier_.EmailKeyOfUnsubscribeToken(request.token()));
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    return tx.SetRemindersEnabled(email_key, false, clock_->Now());
  }));
  v1::UnsubscribeRemindersResponse response;
  response.set_reminders(false);
  return response;
}

// How long before expiry the offer reminder goes out: min(before, ttl/2),
// ttl = offer_expire_time - the time of the OFFERED entry, so a short offer
// is never reminded at the moment it is made.
static absl::Duration OfferReminderLead(const v1::Application& app, absl::Duration before) {
  const absl::Time expire = FromProto(app.offer_expire_time());
  for (int i = app.history_size() - 1; i >= 0; --i) {
    if (app.history(i).state() != v1::Application::OFFERED) continue;
    const absl::Duration ttl = expire - FromProto(app.history(i).time());
    if (ttl <= absl::ZeroDuration()) return absl::ZeroDuration();
    return std::min(before, ttl / 2);
  }
  return before;
}

absl::StatusOr<int> Enrollment::SendOfferReminders() {
  int reminded = 0;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();  // under the write lock
    reminded = 0;
    for (auto state : {v1::Cohort::OPEN, v1::Cohort::CLOSED, v1::Cohort::RUNNING}) {
      ASSIGN_OR_RETURN(auto cohorts, tx.ListCohorts(state, 0, 0));
      for (const CohortRecord& cohort : cohorts) {
        if (cohort.cohort.has_purge_time()) continue;
        ApplicationFilter offered;
        offered.state = v1::Application::OFFERED;
        ASSIGN_OR_RETURN(auto apps, tx.ListApplications(cohort.id, offered, std::nullopt, 0));
        for (ApplicationRecord& rec : apps) {
          v1::Application& app = rec.application;
          if (!app.has_offer_expire_time()) continue;
          const absl::Time expire = FromProto(app.offer_expire_time());
          if (now < expire - OfferReminderLead(app, config_.notify.offer_reminder_before) ||
              now >= expire) {
            continue;
          }
          // The reminder carries the application's link (its token is
          // derived, never stored).
          app.set_access_token(AccessTokenFor(app.name()));
          RETURN_IF_ERROR(notifier_.OfferExpiringSoon(tx, app, now));
          ++reminded;
        }
      }
    }
    return absl::OkStatus();
  }));
  return reminded;
}

}  // namespace kaizen::enrollment
