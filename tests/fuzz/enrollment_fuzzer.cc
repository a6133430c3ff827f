// The enrollment service's request handling (services/enrollment/enrollment.h)
// with protobuf bytes in: sessions of calls against a fresh in-memory store,
// a fake clock inside the FY2022 application window, and the principals the
// service's tests use (staff, applicants, partner keys, other services, and
// the bearer of an application's access token once one was handed out).
// Format and properties: tests/fuzz/service_fuzz.h.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/storage/database.h"
#include "common/testing/principals.h"
#include "common/util/clock.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/service_fuzz.h"

namespace {

using kaizen::enrollment::Enrollment;
namespace et = kaizen::enrollment::testing;
namespace v1 = kaizen::enrollment::v1;

constexpr char kService[] = "kaizen.enrollment.v1.EnrollmentService";

#define RPC(Name) {#Name, kaizen::fuzz::Bind(&Enrollment::Name)}
const std::map<std::string, kaizen::fuzz::Rpc<Enrollment>>& Table() {
  static const auto* table = new std::map<std::string, kaizen::fuzz::Rpc<Enrollment>>{
      RPC(CreateCohort),          RPC(GetCohort),         RPC(ListCohorts),
      RPC(UpdateCohort),          RPC(TransitionCohort),  RPC(PurgeCohortPersonalData),
      RPC(GetPurgeReport),        RPC(ErasePersonalData),
      RPC(CreateApplication),     RPC(GetApplication),    RPC(ListApplications),
      RPC(WithdrawApplication),   RPC(AcceptApplication), RPC(RejectApplication),
      RPC(PrioritizeApplication), RPC(AcceptOffer),       RPC(DeclineOffer),
      RPC(CreateParticipant),     RPC(GetParticipant),    RPC(ListParticipants),
      RPC(CancelParticipant),     RPC(UpdateConsent),     RPC(RecordPayment),
      RPC(RecordShipment),        RPC(IssueClaimLink),    RPC(RedeemClaimLink),
      RPC(ClaimApplication),      RPC(GetMe),             RPC(ListCohortMembers),
      RPC(GetRoster),             RPC(ListChanges),       RPC(RecordProvision),
      RPC(ListProvisionRecords),  RPC(ListParticipantProvisionRecords),
      RPC(ExportProvisionRecords), RPC(ConfirmApplicationEmail),
      RPC(EnqueueNotification),    RPC(GetNotificationPreferences),
      RPC(UpdateNotificationPreferences), RPC(UnsubscribeReminders),
  };
  return *table;
}
#undef RPC

// Index 10 (the bearer of the newest access token) exists once a response
// handed one out (service_fuzz.h).
const std::vector<kaizen::type::Principal>& Callers() {
  static const auto* callers = new std::vector<kaizen::type::Principal>{
      et::Secretariat(),                                         // 0
      et::Navigator(),                                           // 1
      kaizen::testkit::Advisor(),                                // 2
      kaizen::testkit::Observer(),                               // 3
      et::Anonymous(),                                           // 4
      et::PartnerHr("242047"),                                   // 5
      et::Service("scheduling"),                                 // 6
      et::Service("plans"),                                      // 7
      et::User("applicant-1", kaizen::type::ROLE_PARTICIPANT),   // 8
      et::User("stranger", kaizen::type::ROLE_PARTICIPANT),      // 9
  };
  return *callers;
}

const kaizen::enrollment::EnrollmentConfig& Config() {
  static const auto* config =
      new kaizen::enrollment::EnrollmentConfig{"page-token-key-0123456789", "access-key-0123456789",
                                               "claim-link-key-0123456789"};
  return *config;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kaizen::fuzz::CheckCoversService(kService, Table());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kaizen::storage::DatabaseOptions options;
  options.path = ":memory:";
  auto store = kaizen::enrollment::EnrollmentStore::Open(options);
  KAIZEN_FUZZ_CHECK(store.ok(), store.status().ToString());
  kaizen::FakeClock clock(et::June1());
  Enrollment enrollment(store->get(), &clock, Config());
  kaizen::fuzz::Input in(data, size);
  kaizen::fuzz::RunSession(in, enrollment, Table(), Callers());
  return 0;
}

// The flows of services/enrollment/enrollment_test.cc, as sessions. "$k" is
// the k-th name the session has seen (service_fuzz.h): $0 is the cohort, $1
// the first application, $2 its participant.
std::vector<std::string> KaizenFuzzSeeds() {
  using kaizen::fuzz::SeedCall;
  using kaizen::fuzz::Text;
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = et::Fy2022Cohort();
  create.set_cohort_id("fy2022");
  v1::CreateCohortRequest small = create;
  small.mutable_cohort()->set_capacity(1);
  small.mutable_cohort()->set_max_municipalities(1);
  const SeedCall make{"CreateCohort", 0, Text(create)};
  const SeedCall make_small{"CreateCohort", 0, Text(small)};
  const SeedCall open{"TransitionCohort", 0, R"(name: "$0" state: OPEN)"};
  // Signed in (caller 8): admitted on arrival. An anonymous application
  // (caller 4) waits for e-mail confirmation, whose token (an HMAC mailed to
  // the address) a session cannot know: it exercises the refusal paths.
  auto apply = [](int n, const std::string& town, int team = 1, int caller = 8) {
    return SeedCall{"CreateApplication", caller, Text(et::Apply("$0", n, town, team))};
  };
  const std::vector<std::vector<SeedCall>> sessions = {
      // Cohorts: create, read, page, update with a mask, open, list anonymously.
      {make, {"GetCohort", 1, R"(name: "$0")"}, {"ListCohorts", 0, "page_size: 1"},
       {"UpdateCohort", 0, R"(cohort { name: "$0" capacity: 12 } update_mask { paths: "capacity" })"},
       open, {"ListCohorts", 4, "state: OPEN"}},
      // An applicant applies ($1 the application, $2 its participant), reads
      // and withdraws with the link; the secretariat lists.
      {make, open, apply(1, "242047"), {"GetApplication", 10, R"(name: "$1")"},
       {"UpdateConsent", 0, R"(name: "$2" consent { share_attendance: true share_action_plan: true share_survey_profile: false })"},
       {"WithdrawApplication", 10, R"(name: "$1" reason: "都合により")"},
       {"ListApplications", 0, R"(parent: "$0" page_size: 5)"}},
      // Staff, payments and shipments on an accepted participant.
      {make, open, apply(2, "131016"),
       {"CreateParticipant", 0, R"(parent: "$0" participant { display_name: "中村 進"
            role: NAVIGATOR municipality_code: "242047" subject: "navigator-1" })"},
       {"ListParticipants", 1, R"(parent: "$0")"},
       {"RecordPayment", 0, R"(name: "$2" kind: PAYMENT amount { currency_code: "JPY" units: 10000 }
            request_id: "pay-1")"},
       {"RecordShipment", 0, R"(name: "$2" item_id: "kaizen-undo")"},
       {"GetParticipant", 0, R"(name: "$2")"}},
      // One seat: the second applicant waits, moves up, and is offered the
      // seat the first one's cancellation frees; the offer is accepted.
      {make_small, open, apply(3, "242047"), apply(4, "271004"),
       {"PrioritizeApplication", 0, R"(name: "$3" priority: 1 reason: "推薦")"},
       {"CancelParticipant", 0, R"(name: "$2" reason: "辞退")"},
       {"AcceptOffer", 10, R"(name: "$3")"},
       {"GetRoster", 6, R"(parent: "$0")"}},
      // Manual decisions, a declined offer, the change feed, the purge refusal.
      {make_small, open, apply(5, "242047"), apply(6, "242047"),
       {"RejectApplication", 0, R"(name: "$3" reason: "要件を満たさない")"},
       {"AcceptApplication", 0, R"(name: "$3" reason: "再審査")"},
       {"DeclineOffer", 10, R"(name: "$3")"},
       {"ListChanges", 6, "page_size: 10"}},
      // Accounts: a claim link for a participant, redeemed by a signed-in
      // person ("$t" is the link's token); claiming an application by link.
      {make, open, apply(8, "242047", 1, 9),
       {"IssueClaimLink", 0, R"(name: "$2" ttl { seconds: 86400 })"},
       {"RedeemClaimLink", 8, R"(token: "$t")"}, {"GetMe", 8, ""},
       {"ListCohortMembers", 8, R"(parent: "$0" page_size: 3)"},
       {"ClaimApplication", 10, R"(name: "$1")"}},
      // Anonymous: waits for confirmation; a wrong token, a duplicate
      // address (answered like a new application), the expiry sweep's kin.
      {make, open, apply(9, "242047", 1, 4),
       {"ConfirmApplicationEmail", 4, R"(name: "$1" token: "not-the-token")"},
       apply(9, "242047", 1, 4), {"GetApplication", 10, R"(name: "$1")"},
       {"WithdrawApplication", 10, R"(name: "$1" reason: "取り下げ")"}},
      // Notifications: scheduling hands a message over; a participant's
      // reminder settings; an unsubscribe token that is not one.
      {make, open, apply(10, "242047"),
       {"EnqueueNotification", 6, R"(idempotency_key: "scheduling:meeting/m1/r1"
            kind: MEETING_CONFIRMED cohort: "$0"
            params { key: "meeting" value: "$0/meetings/m1" }
            params { key: "meeting_title" value: "第1回 キックオフ" }
            params { key: "start_time" value: "2022-07-01T05:00:00Z" }
            params { key: "end_time" value: "2022-07-01T07:00:00Z" }
            params { key: "place" value: "津市 本庁舎" } params { key: "format" value: "IN_PERSON" }
            attachment { filename: "meeting.ics" content_type: "text/calendar; charset=UTF-8; method=REQUEST" data: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" })"},
       {"GetNotificationPreferences", 8, R"(name: "$2/notificationPreferences")"},
       {"UpdateNotificationPreferences", 8, R"(preferences { name: "$2/notificationPreferences" reminders: false })"},
       {"UnsubscribeReminders", 4, R"(token: "x.y")"}},
      {make, {"PurgeCohortPersonalData", 0, R"(name: "$0")"}, {"ListChanges", 5, ""},
       {"GetRoster", 7, R"(parent: "$0")"}, apply(7, "011002"),
       {"ListApplications", 1, R"(parent: "$0" state: ACCEPTED municipality_code: "242047")"}},
  };
  std::vector<std::string> seeds;
  for (const auto& session : sessions) {
    seeds.push_back(kaizen::fuzz::SeedSession(Table(), kService, session));
  }
  return seeds;
}
