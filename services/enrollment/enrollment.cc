// The Enrollment class's shared members. Its RPCs live one file per
// resource: cohorts.cc, applications.cc, participants.cc, feed.cc (roster
// and change feed); the seat ledger they share is waitlist.h.
#include "services/enrollment/enrollment.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/util/crypto.h"
#include "services/enrollment/waitlist.h"

namespace kaizen::enrollment {

Enrollment::Enrollment(EnrollmentStore* store, const Clock* clock, EnrollmentConfig config)
    : store_(store),
      clock_(clock),
      config_(std::move(config)),
      page_tokens_(config_.page_token_key),
      feed_guard_(config_.max_concurrent_feed_pages, config_.result_source_backoff),
      notifier_(WithAccessTokens(config_.notify, this)) {}

NotifyConfig Enrollment::WithAccessTokens(NotifyConfig config, const Enrollment* e) {
  config.access_token_for = [e](const std::string& name) { return e->AccessTokenFor(name); };
  return config;
}

std::string Enrollment::AccessTokenFor(const std::string& application_name) const {
  return absl::WebSafeBase64Escape(crypto::HmacSha256(
      config_.access_token_key, absl::StrCat("application-access\x1f", application_name)));
}

namespace {
std::string ClaimHashWith(const std::string& key, const std::string& token) {
  return crypto::Hex(crypto::HmacSha256(key, absl::StrCat("claim-link\x1f", token)));
}
}  // namespace

std::string Enrollment::ClaimTokenHash(const std::string& token) const {
  return ClaimHashWith(config_.claim_link_key, token);
}

std::vector<std::string> Enrollment::ClaimTokenHashes(const std::string& token) const {
  std::vector<std::string> out = {ClaimTokenHash(token)};
  for (const std::string& key : config_.previous_claim_link_keys) {
    out.push_back(ClaimHashWith(key, token));
  }
  return out;
}

absl::StatusOr<int> Enrollment::ExpireLapsedOffers() {
  int expired = 0;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();  // under the write lock
    expired = 0;
    SeatLedger ledger(tx, now, notifier_);
    for (auto state : {v1::Cohort::OPEN, v1::Cohort::CLOSED, v1::Cohort::RUNNING}) {
      ASSIGN_OR_RETURN(auto cohorts, tx.ListCohorts(state, 0, 0));
      for (const CohortRecord& cohort : cohorts) {
        ASSIGN_OR_RETURN(int n, ledger.ExpireLapsedOffers(cohort));
        expired += n;
      }
    }
    return absl::OkStatus();
  }));
  return expired;
}

}  // namespace kaizen::enrollment
