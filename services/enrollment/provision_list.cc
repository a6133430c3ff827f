// Reading provision records: the secretariat's list and CSV export of every
// record, and each person's own list (who received what about them).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/municipality/municipality.h"
#include "common/status/status_macros.h"
#include "common/util/page_token.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/municipalities.h"
#include "services/enrollment/provision_export.h"

namespace kaizen::enrollment {
namespace {

// An export is one gRPC response (4 MiB at most, the servers' default):
// refuse rather than truncate.
constexpr int kMaxExportRecords = 10000;
constexpr size_t kMaxExportBytes = 3 * 1024 * 1024;

bool ValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.nanos() >= 0 && t.nanos() < 1000000000 && t.seconds() >= 0 &&
         t.seconds() < 253402300800;  // before 10000-01-01
}

// The filters shared by the list and the export, checked; `fingerprint`
// binds page tokens to them.
absl::StatusOr<ProvisionFilter> ParseFilter(const std::string& municipality_code,
                                            const std::string& participant,
                                            const google::protobuf::Timestamp* start,
                                            const google::protobuf::Timestamp* end,
                                            const std::string& recipient,
                                            std::string* fingerprint) {
  Violations v;
  ProvisionFilter filter;
  if (!municipality_code.empty()) {
    v.Check(CheckMunicipality("municipality_code", municipality_code));
    filter.municipality_code = municipality_code;
  }
  if (!participant.empty()) {
    v.Check(ParseChildName("participant", participant, "participants").status());
    filter.participant = participant;
  }
  if (recipient.size() > 200) v.Add("recipient", "must be at most 200 characters");
  filter.recipient = recipient;
  if (start != nullptr) {
    if (ValidTimestamp(*start)) {
      filter.start_time = FromProto(*start);
    } else {
      v.Add("start_time", "is not a valid time");
    }
  }
  if (end != nullptr) {
    if (ValidTimestamp(*end)) {
      filter.end_time = FromProto(*end);
    } else {
      v.Add("end_time", "is not a valid time");
    }
  }
  if (filter.start_time && filter.end_time && *filter.end_time <= *filter.start_time) {
    v.Add("end_time", "must be after start_time");
  }
  RETURN_IF_ERROR(v.Result());
  auto micros = [](const std::optional<absl::Time>& t) {
    return t ? absl::StrCat(absl::ToUnixMicros(*t)) : std::string();
  };
  *fingerprint = absl::StrCat("provisionRecords\x1f", filter.municipality_code, "\x1f",
                              filter.recipient, "\x1f", filter.participant, "\x1f",
                              micros(filter.start_time), "\x1f", micros(filter.end_time));
  return filter;
}

// What a reader sees: the stored record with its municipality's name.
v1::ProvisionRecord Shown(ProvisionRow row) {
  v1::ProvisionRecord r = std::move(row.record);
  r.set_recipient_municipality_name(municipality::NameOf(r.recipient_municipality_code()));
  return r;
}

// The secretariat, and nobody else (a partner key is told it reads the feed).
absl::Status RequireRecordsReader(const Principal& caller) {
  if (IsPartner(caller)) return PartnerFeedOnly();
  return RequireSecretariat(caller);
}

// One page, newest first: `page_size` records after the token's position,
// and the next token when more exist. Shared by both lists.
template <typename Response>
absl::Status ReadPage(EnrollmentStore* store, const PageTokenCodec& tokens,
                      const ProvisionFilter& filter, const std::string& fingerprint,
                      const std::string& page_token, int page_size, Response* response) {
  int64_t position = 0;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(std::string decoded, tokens.Decode(fingerprint, page_token));
    if (!absl::SimpleAtoi(decoded, &position) || position <= 0) return InvalidPageToken();
  }
  std::vector<ProvisionRow> rows;
  RETURN_IF_ERROR(store->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(rows, tx.ListProvisionRecords(filter, position, /*oldest_first=*/false,
                                                   page_size + 1));
    return absl::OkStatus();
  }));
  const bool more = static_cast<int>(rows.size()) > page_size;
  if (more) rows.resize(page_size);
  for (ProvisionRow& row : rows) {
    position = row.seq;
    *response->add_provision_records() = Shown(std::move(row));
  }
  if (more) response->set_next_page_token(tokens.Encode(fingerprint, absl::StrCat(position)));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::ListProvisionRecordsResponse> Enrollment::ListProvisionRecords(
    const Principal& caller, const v1::ListProvisionRecordsRequest& request) {
  RETURN_IF_ERROR(RequireRecordsReader(caller));
  std::string fingerprint;
  ASSIGN_OR_RETURN(
      ProvisionFilter filter,
      ParseFilter(request.municipality_code(), request.participant(),
                  request.has_start_time() ? &request.start_time() : nullptr,
                  request.has_end_time() ? &request.end_time() : nullptr, request.recipient(),
                  &fingerprint));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size()));
  v1::ListProvisionRecordsResponse response;
  RETURN_IF_ERROR(ReadPage(store_, page_tokens_, filter, fingerprint, request.page_token(),
                           page_size, &response));
  return response;
}

absl::StatusOr<v1::ListParticipantProvisionRecordsResponse>
Enrollment::ListParticipantProvisionRecords(
    const Principal& caller, const v1::ListParticipantProvisionRecordsRequest& request) {
  if (IsPartner(caller)) return PartnerFeedOnly();
  if (!IsSecretariat(caller) && IsAnonymous(caller)) return LoginRequired();
  ASSIGN_OR_RETURN(auto ids, ParseChildName("parent", request.parent(), "participants"));
  if (!IsSecretariat(caller)) {
    // The person themself: the participation bound to the caller's account.
    // Unknown, someone else's and erased (no account any more) all get the
    // same answer.
    bool self = false;
    RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
      absl::StatusOr<ParticipantRecord> rec = tx.GetParticipant(ids.first, ids.second);
      if (!rec.ok() && !absl::IsNotFound(rec.status())) return rec.status();
      self = rec.ok() && IsSelf(caller, rec->participant);
      return absl::OkStatus();
    }));
    if (!self) {
      return NotYourParticipation(
          "only the person themself and the secretariat may see who received their data");
    }
  }
  ProvisionFilter filter;
  filter.participant = ParticipantName(ids.first, ids.second);
  const std::string fingerprint = absl::StrCat("provisionRecordsOf\x1f", filter.participant);
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size()));
  v1::ListParticipantProvisionRecordsResponse response;
  RETURN_IF_ERROR(ReadPage(store_, page_tokens_, filter, fingerprint, request.page_token(),
                           page_size, &response));
  return response;
}

absl::StatusOr<kaizen::type::HttpBody> Enrollment::ExportProvisionRecords(
    const Principal& caller, const v1::ExportProvisionRecordsRequest& request) {
  RETURN_IF_ERROR(RequireRecordsReader(caller));
  std::string fingerprint;
  ASSIGN_OR_RETURN(
      ProvisionFilter filter,
      ParseFilter(request.municipality_code(), request.participant(),
                  request.has_start_time() ? &request.start_time() : nullptr,
                  request.has_end_time() ? &request.end_time() : nullptr, request.recipient(),
                  &fingerprint));
  std::vector<ProvisionRow> rows;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(rows, tx.ListProvisionRecords(filter, 0, /*oldest_first=*/true,
                                                   kMaxExportRecords + 1));
    return absl::OkStatus();
  }));
  if (rows.size() > kMaxExportRecords) return ExportTooLarge(kMaxExportRecords);
  std::vector<v1::ProvisionRecord> records;
  records.reserve(rows.size());
  for (ProvisionRow& row : rows) records.push_back(Shown(std::move(row)));
  kaizen::type::HttpBody body;
  body.set_content_type("text/csv; charset=utf-8");
  body.set_data(RenderExcelCsv(ProvisionRecordsTable(records)));
  if (body.data().size() > kMaxExportBytes) return ExportTooLarge(kMaxExportRecords);
  body.set_filename(filter.municipality_code.empty()
                        ? "provision-records.csv"
                        : absl::StrCat("provision-records-", filter.municipality_code, ".csv"));
  return body;
}

}  // namespace kaizen::enrollment
