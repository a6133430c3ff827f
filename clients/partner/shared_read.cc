#include "clients/partner/shared_read.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "clients/enrollment/enrollment_client_errors.h"
#include "clients/partner/partner_client_errors.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/resource_name.h"

namespace kaizen::partner_client {

namespace {

using ::kaizen::type::Role;

bool ValidBundleId(absl::string_view bundle) {
  if (bundle.empty() || bundle.size() > 64) return false;
  for (char c : bundle) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

// RecordProvisionRequest.items: at most 100 (kaizen/type/partner.proto).
constexpr size_t kMaxProvisionItemsPerRequest = 100;

bool IsPartner(const kaizen::type::Principal& p) {
  return auth::HasRole(p, Role::ROLE_PARTNER_HR);
}

}  // namespace

absl::StatusOr<SharedReadRequest> ParseSharedRead(absl::string_view participant,
                                                  absl::string_view bundle,
                                                  absl::string_view participant_field) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(participant_field, participant,
                                               {"cohorts", "participants"}));
  if (!bundle.empty() && !ValidBundleId(bundle)) {
    return errors::InvalidField("bundle", "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '-'");
  }
  SharedReadRequest request;
  request.cohort_id = ids[0];
  request.participant = std::string(participant);
  request.bundle = std::string(bundle);
  return request;
}

bool Consents(const enrollment_client::RosterEntry& entry, kaizen::type::ShareCategory category) {
  switch (category) {
    case kaizen::type::SHARE_ATTENDANCE: return entry.consent().share_attendance();
    case kaizen::type::SHARE_ACTION_PLAN: return entry.consent().share_action_plan();
    case kaizen::type::SHARE_SURVEY_PROFILE: return entry.consent().share_survey_profile();
    default: return false;
  }
}

SharedReadGate::SharedReadGate(enrollment_client::RosterSource* roster,
                               ProvisionRecorder* recorder)
    : roster_(roster), recorder_(recorder) {}

absl::StatusOr<SharedReader> SharedReadGate::Authorise(const kaizen::type::Principal& caller,
                                                       const SharedReadRequest& request,
                                                       kaizen::type::ShareCategory category) const {
  const bool partner = IsPartner(caller);
  const bool secretariat = auth::HasRole(caller, Role::ROLE_SECRETARIAT);
  // Kaizen services and anonymous callers read nobody's shared results; a
  // partner principal without a municipality is malformed and sees nothing.
  if (partner && caller.municipality_code().empty()) return NotSharedWithPartner();
  if (!partner && !secretariat &&
      (caller.subject().empty() || auth::HasRole(caller, Role::ROLE_SERVICE))) {
    return OwnResultsOnly();
  }
  absl::StatusOr<enrollment_client::Roster> fetched =
      roster_->GetRoster("cohorts/" + request.cohort_id);
  if (!fetched.ok()) {
    if (absl::IsNotFound(fetched.status())) {
      // One answer whether the cohort exists or not.
      if (partner) return NotSharedWithPartner();
      if (!secretariat) return OwnResultsOnly();
    }
    return fetched.status();
  }
  SharedReader reader;
  reader.caller = caller;
  reader.request = request;
  reader.category = category;
  reader.is_partner = partner;
  reader.roster = std::make_shared<const enrollment_client::RosterView>(*std::move(fetched));
  reader.entry = reader.roster->FindByName(request.participant);
  const bool is_participant =
      reader.entry != nullptr && reader.entry->role() == kaizen::enrollment::v1::Participant::PARTICIPANT;
  if (partner) {
    if (!is_participant || reader.entry->municipality_code() != caller.municipality_code() ||
        !Consents(*reader.entry, category)) {
      return NotSharedWithPartner();
    }
    return reader;
  }
  if (secretariat) {
    if (!is_participant) return errors::NotFound("participant", request.participant);
    return reader;
  }
  // The person themself: their own roster entry, by account subject.
  const enrollment_client::RosterEntry* own = reader.roster->FindCaller(caller);
  if (!is_participant || own != reader.entry) return OwnResultsOnly();
  return reader;
}

absl::Status SharedReadGate::Record(const SharedReader& reader,
                                    const std::vector<std::string>& data_items,
                                    absl::string_view method,
                                    const std::vector<std::string>& also_about) const {
  if (!reader.is_partner) return absl::OkStatus();
  // The person first, then everyone else the data is about, each once.
  std::vector<std::string> people = {reader.request.participant};
  std::set<std::string> seen(people.begin(), people.end());
  for (const std::string& p : also_about) {
    if (seen.insert(p).second) people.push_back(p);
  }
  for (size_t start = 0; start < people.size(); start += kMaxProvisionItemsPerRequest) {
    const size_t end = std::min(people.size(), start + kMaxProvisionItemsPerRequest);
    kaizen::type::RecordProvisionRequest request;
    *request.mutable_recipient() = reader.caller;
    // The application access token never leaves the service that received it.
    request.mutable_recipient()->clear_access_token();
    for (size_t i = start; i < end; ++i) {
      kaizen::type::ProvisionItem* item = request.add_items();
      item->set_participant(people[i]);
      item->set_category(reader.category);
      for (const std::string& d : data_items) item->add_data_items(d);
    }
    request.set_method(std::string(method));
    request.set_bundle(reader.request.bundle);
    ASSIGN_OR_RETURN(kaizen::type::RecordProvisionResponse response, recorder_->Record(request));
    if (response.records_size() != request.items_size()) return ProvisionUnrecorded();
    for (const std::string& record : response.records()) {
      // One refusal refuses the whole answer: the data is about all of them.
      if (record.empty()) return NotSharedWithPartner();
    }
  }
  return absl::OkStatus();
}

}  // namespace kaizen::partner_client
