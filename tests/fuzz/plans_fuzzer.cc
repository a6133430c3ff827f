// The plans service's request handling (services/plans/plans.h) with protobuf
// bytes in: sessions of calls against a fresh in-memory store, the FY2022
// roster and meetings 6-8 of the fakes the service's tests use, survey scores
// for p1, and a fake clock before meeting 6. Format and properties:
// tests/fuzz/service_fuzz.h.
#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "clients/partner/fake_provision_recorder.h"
#include "clients/partner/shared_read.h"
#include "clients/enrollment/fake_roster_source.h"
#include "clients/scheduling/fake_meeting_source.h"
#include "common/storage/database.h"
#include "common/testing/principals.h"
#include "common/util/clock.h"
#include "services/plans/outcomes.h"
#include "services/plans/plans.h"
#include "services/plans/plans_store.h"
#include "services/plans/plans_test_util.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/service_fuzz.h"

namespace {

using kaizen::plans::Plans;
namespace pt = kaizen::plans::testing;
namespace v1 = kaizen::plans::v1;

constexpr char kService[] = "kaizen.plans.v1.PlansService";

#define RPC(Name) {#Name, kaizen::fuzz::Bind(&Plans::Name)}
const std::map<std::string, kaizen::fuzz::Rpc<Plans>>& Table() {
  static const auto* table = new std::map<std::string, kaizen::fuzz::Rpc<Plans>>{
      RPC(CreatePlan),        RPC(GetPlan),           RPC(ListPlans),
      RPC(UpdatePlan),        RPC(CommitRevision),    RPC(ListRevisions),
      RPC(GetRevision),       RPC(RestoreRevision),   RPC(DiffRevisions),
      RPC(SubmitStage),       RPC(CreateFeedback),    RPC(ListFeedback),
      RPC(ResolveFeedback),   RPC(ReopenFeedback),    RPC(CreatePracticeEntry),
      RPC(ListPracticeEntries), RPC(GetPlanOutcomes), RPC(PurgePersonalData),
      RPC(GetSharedPlanStages), RPC(ListResultChanges),
  };
  return *table;
}
#undef RPC

const std::vector<kaizen::type::Principal>& Callers() {
  static const auto* callers = new std::vector<kaizen::type::Principal>{
      pt::Secretariat(),                  // 0
      pt::Navigator(),                    // 1
      pt::Advisor(),                      // 2
      pt::Observer(),                     // 3
      pt::Participant(1),                 // 4
      pt::Participant(2),                 // 5 (p1's team mate)
      pt::Participant(3),                 // 6
      pt::Stranger(),                     // 7
      kaizen::testkit::Anonymous(),       // 8
      kaizen::testkit::PartnerHr("242047"),  // 9
      kaizen::testkit::Service("survey"),    // 10
  };
  return *callers;
}

// One set of fakes for the whole run: nothing writes them after this.
struct Fakes {
  Fakes() {
    roster.SetRoster(pt::Fy2022Roster());
    pt::AddFy2022Meetings(meetings);
    outcomes.Set(pt::Person("p1"), kaizen::type::PEERS, {2.0, 3.5, std::nullopt});
    outcomes.Set(pt::Person("p1"), kaizen::type::EXECUTIVES, {1.5, std::nullopt, std::nullopt});
  }
  kaizen::enrollment_client::FakeRosterSource roster;
  kaizen::scheduling_client::FakeMeetingSource meetings;
  kaizen::plans::FakeOutcomeSource outcomes;
  // Partner reads go through the real gate; every provision is recorded.
  kaizen::partner_client::FakeProvisionRecorder provisions;
  kaizen::partner_client::SharedReadGate shared_reads{&roster, &provisions};
};

Fakes& TheFakes() {
  static auto* fakes = new Fakes();
  return *fakes;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kaizen::fuzz::CheckCoversService(kService, Table());
  TheFakes();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kaizen::storage::DatabaseOptions options;
  options.path = ":memory:";
  auto store = kaizen::plans::PlansStore::Open(options);
  KAIZEN_FUZZ_CHECK(store.ok(), store.status().ToString());
  Fakes& fakes = TheFakes();
  kaizen::FakeClock clock(pt::Tokyo(2022, 11, 1, 10));
  Plans plans(store->get(), &fakes.roster, &fakes.meetings, &fakes.outcomes, &clock,
              kaizen::plans::PlansConfig{"plans-page-key-0123456789"}, &fakes.shared_reads);
  kaizen::fuzz::Input in(data, size);
  kaizen::fuzz::RunSession(in, plans, Table(), Callers());
  return 0;
}

// The flows of services/plans/*_test.cc, as sessions. "$k" is the k-th name
// the session has seen and "$e" the newest etag (service_fuzz.h).
std::vector<std::string> KaizenFuzzSeeds() {
  using kaizen::fuzz::SeedCall;
  using kaizen::fuzz::Text;
  v1::CreatePlanRequest create;
  create.set_parent(pt::kCohort);
  create.mutable_plan()->set_title("旗手への5年計画");
  *create.mutable_plan()->mutable_draft() = pt::SampleContent();
  const SeedCall make{"CreatePlan", 4, Text(create)};
  const SeedCall commit{"CommitRevision", 4, R"(name: "$0" etag: "$e" message: "初版")"};
  const SeedCall read{"GetPlan", 4, R"(name: "$0")"};  // the plan's new etag
  // $0 the plan, $1 its owner p1, $2 revision 1.
  const std::vector<std::vector<SeedCall>> sessions = {
      // The draft: create, read, list, update with a mask, commit, list revisions.
      {make, {"GetPlan", 1, R"(name: "$0")"}, {"ListPlans", 1, R"(parent: "cohorts/fy2022")"},
       {"UpdatePlan", 4, R"(plan { name: "$0" etag: "$e" title: "改訂版" } update_mask { paths: "title" })"},
       commit, {"ListRevisions", 1, R"(parent: "$0")"}},
      // Two revisions, a diff, a restore, a stage submission.
      {make, commit, read,
       {"UpdatePlan", 4, R"(plan { name: "$0" etag: "$e" draft { vision: "10年後も旗手" } }
            update_mask { paths: "draft.vision" })"},
       {"CommitRevision", 4, R"(name: "$0" etag: "$e" message: "第2版")"},
       {"DiffRevisions", 1, R"(name: "$0" from_revision: 1 to_revision: 2)"}, read,
       {"RestoreRevision", 4, R"(name: "$2" etag: "$e")"}},
      // Feedback on a revision ($3): staff comment, owner replies, resolve, reopen.
      {make, commit,
       {"CreateFeedback", 1, R"(parent: "$0" feedback { revision: 1 action_id: "a1"
            text: "指標を具体的に" visibility: COHORT })"},
       {"ResolveFeedback", 4, R"(name: "$3" etag: "$e")"},
       {"ReopenFeedback", 1, R"(name: "$3" etag: "$e")"},
       {"CreateFeedback", 4, R"(parent: "$0" feedback { revision: 1 text: "ありがとうございます" })"},
       {"ListFeedback", 2, R"(parent: "$0")"},
       {"CreateFeedback", 2, R"(parent: "$0" feedback { revision: 1 text: "事務局のみ" visibility: STAFF })"}},
      // Practice log, a revision read, the interim submission, outcomes.
      {make, commit,
       {"CreatePracticeEntry", 4, R"(parent: "$0" entry { action_id: "a1"
            date { year: 2022 month: 10 day: 20 } done: "朝会で共有" result: "3人が参加"
            gap: "時間が足りない" })"},
       {"ListPracticeEntries", 1, R"(parent: "$0" page_size: 1)"},
       {"GetRevision", 2, R"(name: "$2")"}, read,
       {"SubmitStage", 4, R"(name: "$0" stage: INTERIM revision: 1 etag: "$e")"},
       {"GetPlanOutcomes", 0, R"(name: "$0")"}},
      // Outsiders: a stranger, a partner key and another service are refused.
      {make, {"GetPlanOutcomes", 7, R"(name: "$0")"}, {"ListPlans", 9, R"(parent: "cohorts/fy2022")"},
       {"GetPlan", 10, R"(name: "$0")"}, {"ListFeedback", 8, R"(parent: "$0")"}},
  };
  std::vector<std::string> seeds;
  for (const auto& session : sessions) {
    seeds.push_back(kaizen::fuzz::SeedSession(Table(), kService, session));
  }
  return seeds;
}
