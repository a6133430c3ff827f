// Instruments (questionnaires) and their versions: a DRAFT is editable, a
// PUBLISHED version is immutable, and a new version starts from the newest
// one with the same item ids so waves and years compare. Also the built-in
// pre-survey and default coding rules (EnsureBuiltins).
#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/survey/instruments.h"
#include "services/survey/internal.h"
#include "services/survey/survey.h"
#include "services/survey/survey_errors.h"
#include "services/survey/survey_store.h"
#include "services/survey/text.h"

namespace kaizen::survey {

using internal::Violations;

Survey::Survey(SurveyStore* store, enrollment_client::RosterSource* roster,
               scheduling_client::MeetingSource* meetings, const text::Tokenizer* tokenizer,
               const Clock* clock, SurveyConfig config,
               const partner_client::SharedReadGate* shared_reads)
    : store_(store),
      roster_(roster),
      meetings_(meetings),
      tokenizer_(tokenizer),
      clock_(clock),
      config_(std::move(config)),
      page_tokens_(config_.page_token_key),
      shared_reads_(shared_reads) {}

namespace {

bool IsSecretariat(const Principal& p) {
  return auth::HasRole(p, kaizen::type::ROLE_SECRETARIAT);
}

v1::InstrumentVersion PresentVersion(const VersionRecord& rec) {
  v1::InstrumentVersion v = rec.version;
  v.set_etag(MakeEtag(v.name(), rec.revision));
  return v;
}

// The instrument with its versions' names and the newest published one.
absl::StatusOr<v1::Instrument> PresentInstrument(SurveyTx& tx, const InstrumentRecord& rec) {
  v1::Instrument out = rec.instrument;
  out.clear_first_version();
  ASSIGN_OR_RETURN(auto versions, tx.ListVersions(rec.id));
  for (const VersionRecord& v : versions) {
    out.add_versions(v.version.name());
    if (v.version.state() == v1::InstrumentVersion::PUBLISHED) {
      out.set_latest_published(v.version.name());
    }
  }
  return out;
}

// The newest published version before `number` (nullopt if none).
absl::StatusOr<std::optional<VersionRecord>> PublishedBefore(SurveyTx& tx,
                                                             const std::string& instrument_id,
                                                             int32_t number) {
  ASSIGN_OR_RETURN(auto versions, tx.ListVersions(instrument_id));
  std::optional<VersionRecord> out;
  for (VersionRecord& v : versions) {
    if (v.number < number && v.version.state() == v1::InstrumentVersion::PUBLISHED) {
      out = std::move(v);
    }
  }
  return out;
}

}  // namespace

absl::Status Survey::EnsureBuiltins() {
  const absl::Time now = clock_->Now();
  return store_->Write([&](SurveyTx& tx) -> absl::Status {
    const std::string id(internal::kBuiltinInstrument);
    absl::StatusOr<InstrumentRecord> existing = tx.GetInstrument(id);
    if (absl::IsNotFound(existing.status())) {
      v1::Instrument builtin = DefaultPreSurvey();
      InstrumentRecord rec;
      rec.id = id;
      rec.instrument = builtin;
      rec.instrument.set_name(internal::InstrumentName(id));
      rec.instrument.clear_first_version();
      RETURN_IF_ERROR(tx.InsertInstrument(&rec));
      VersionRecord v;
      v.instrument_id = id;
      v.number = 1;
      v.version = builtin.first_version();
      v.version.set_name(internal::VersionName(id, 1));
      v.version.set_number(1);
      v.version.set_state(v1::InstrumentVersion::PUBLISHED);
      *v.version.mutable_publish_time() = ToProtoTimestamp(now);
      RETURN_IF_ERROR(tx.InsertVersion(&v));
    } else if (!existing.ok()) {
      return existing.status();
    }
    ASSIGN_OR_RETURN(auto rules, tx.GetCodingRules());
    if (!rules.has_value()) {
      v1::CodingRules defaults = internal::DefaultCodingRulesMessage();
      *defaults.mutable_update_time() = ToProtoTimestamp(now);
      RETURN_IF_ERROR(tx.PutCodingRules(defaults, 1));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ListInstrumentsResponse> Survey::ListInstruments(
    const Principal& caller, const v1::ListInstrumentsRequest& r) {
  if (!auth::IsStaff(caller)) return StaffOnly("list questionnaires");
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(r.page_size(), 20, 100));
  const std::string fingerprint = "instruments";
  int64_t after = 0;
  if (!r.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, page_tokens_.Decode(fingerprint, r.page_token()));
    if (!absl::SimpleAtoi(position, &after)) {
      return errors::InvalidField("page_token", "is not valid", "INVALID_PAGE_TOKEN");
    }
  }
  v1::ListInstrumentsResponse out;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto rows, tx.ListInstruments(after, page_size + 1));
    const bool more = static_cast<int>(rows.size()) > page_size;
    if (more) rows.resize(page_size);
    for (const InstrumentRecord& rec : rows) {
      ASSIGN_OR_RETURN(*out.add_instruments(), PresentInstrument(tx, rec));
    }
    if (more) out.set_next_page_token(page_tokens_.Encode(fingerprint, absl::StrCat(rows.back().seq)));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Instrument> Survey::GetInstrument(const Principal&,
                                                     const v1::GetInstrumentRequest& r) {
  ASSIGN_OR_RETURN(std::string id, internal::ParseInstrumentName("name", r.name()));
  v1::Instrument out;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(InstrumentRecord rec, tx.GetInstrument(id));
    ASSIGN_OR_RETURN(out, PresentInstrument(tx, rec));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Instrument> Survey::CreateInstrument(const Principal& caller,
                                                        const v1::CreateInstrumentRequest& r) {
  if (!IsSecretariat(caller)) return SecretariatOnly("create questionnaires");
  Violations v;
  if (!IsValidResourceId(r.instrument_id())) {
    v.Add("instrument_id", "must be 1-63 chars of a-z, 0-9 and '-', starting with a letter");
  }
  v.Check(ValidateText("instrument.title", r.instrument().title(), 1, 200, false));
  v.Check(ValidateText("instrument.description", r.instrument().description(), 0, 2000, true));
  v1::InstrumentVersion first = r.instrument().first_version();
  v.Check(ValidateVersion(first, nullptr));
  RETURN_IF_ERROR(v.Result());
  v1::Instrument out;
  RETURN_IF_ERROR(store_->Write([&](SurveyTx& tx) -> absl::Status {
    InstrumentRecord rec;
    rec.id = r.instrument_id();
    rec.instrument.set_name(internal::InstrumentName(rec.id));
    rec.instrument.set_title(TrimSpaces(r.instrument().title()));
    rec.instrument.set_description(TrimSpaces(r.instrument().description()));
    RETURN_IF_ERROR(tx.InsertInstrument(&rec));
    VersionRecord ver;
    ver.instrument_id = rec.id;
    ver.number = 1;
    ver.version = first;
    ver.version.set_name(internal::VersionName(rec.id, 1));
    ver.version.set_number(1);
    ver.version.set_state(v1::InstrumentVersion::DRAFT);
    ver.version.clear_publish_time();
    ver.version.clear_etag();
    RETURN_IF_ERROR(tx.InsertVersion(&ver));
    ASSIGN_OR_RETURN(out, PresentInstrument(tx, rec));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::InstrumentVersion> Survey::GetInstrumentVersion(
    const Principal&, const v1::GetInstrumentVersionRequest& r) {
  ASSIGN_OR_RETURN(auto id, internal::ParseVersionName("name", r.name()));
  v1::InstrumentVersion out;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(VersionRecord rec, tx.GetVersion(id.first, id.second));
    out = PresentVersion(rec);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::InstrumentVersion> Survey::UpdateInstrumentVersion(
    const Principal& caller, const v1::UpdateInstrumentVersionRequest& r) {
  if (!IsSecretariat(caller)) return SecretariatOnly("change questionnaires");
  ASSIGN_OR_RETURN(auto id, internal::ParseVersionName("version.name", r.version().name()));
  if (r.version().etag().empty()) return InvalidField("version.etag", "is required");
  v1::InstrumentVersion out;
  RETURN_IF_ERROR(store_->Write([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(VersionRecord rec, tx.GetVersion(id.first, id.second));
    if (rec.version.state() != v1::InstrumentVersion::DRAFT) return VersionPublished();
    RETURN_IF_ERROR(CheckEtag(rec.version.name(), rec.revision, r.version().etag()));
    ASSIGN_OR_RETURN(auto previous, PublishedBefore(tx, id.first, id.second));
    RETURN_IF_ERROR(
        ValidateVersion(r.version(), previous.has_value() ? &previous->version : nullptr));
    *rec.version.mutable_items() = r.version().items();
    *rec.version.mutable_scales() = r.version().scales();
    RETURN_IF_ERROR(tx.UpdateVersion(&rec));
    out = PresentVersion(rec);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::InstrumentVersion> Survey::PublishInstrumentVersion(
    const Principal& caller, const v1::PublishInstrumentVersionRequest& r) {
  if (!IsSecretariat(caller)) return SecretariatOnly("publish questionnaires");
  ASSIGN_OR_RETURN(auto id, internal::ParseVersionName("name", r.name()));
  if (r.etag().empty()) return InvalidField("etag", "is required");
  const absl::Time now = clock_->Now();
  v1::InstrumentVersion out;
  RETURN_IF_ERROR(store_->Write([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(VersionRecord rec, tx.GetVersion(id.first, id.second));
    if (rec.version.state() != v1::InstrumentVersion::DRAFT) return VersionPublished();
    RETURN_IF_ERROR(CheckEtag(rec.version.name(), rec.revision, r.etag()));
    if (rec.version.items().empty()) {
      return InvalidInstrument("version.items", "a questionnaire needs at least one item");
    }
    rec.version.set_state(v1::InstrumentVersion::PUBLISHED);
    *rec.version.mutable_publish_time() = ToProtoTimestamp(now);
    RETURN_IF_ERROR(tx.UpdateVersion(&rec));
    out = PresentVersion(rec);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::InstrumentVersion> Survey::CreateInstrumentVersion(
    const Principal& caller, const v1::CreateInstrumentVersionRequest& r) {
  if (!IsSecretariat(caller)) return SecretariatOnly("start questionnaire versions");
  ASSIGN_OR_RETURN(std::string id, internal::ParseInstrumentName("parent", r.parent()));
  v1::InstrumentVersion out;
  RETURN_IF_ERROR(store_->Write([&](SurveyTx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.GetInstrument(id).status());
    ASSIGN_OR_RETURN(auto versions, tx.ListVersions(id));
    if (versions.empty()) return errors::Internal("an instrument without versions");
    const VersionRecord& newest = versions.back();
    if (newest.version.state() == v1::InstrumentVersion::DRAFT) {
      return DraftExists(newest.version.name());
    }
    VersionRecord next;
    next.instrument_id = id;
    next.number = newest.number + 1;
    next.version.set_name(internal::VersionName(id, next.number));
    next.version.set_number(next.number);
    next.version.set_state(v1::InstrumentVersion::DRAFT);
    *next.version.mutable_items() = newest.version.items();
    *next.version.mutable_scales() = newest.version.scales();
    RETURN_IF_ERROR(tx.InsertVersion(&next));
    out = PresentVersion(next);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::survey
