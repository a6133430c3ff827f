// The scheduling service's request handling (services/scheduling/scheduling.h)
// with protobuf bytes in: sessions of calls against a fresh in-memory store
// and the fake roster the service's own tests use. Format and properties:
// tests/fuzz/service_fuzz.h.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clients/partner/fake_provision_recorder.h"
#include "clients/partner/shared_read.h"
#include "common/storage/database.h"
#include "common/testing/principals.h"
#include "common/util/clock.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/service_fuzz.h"

namespace {

using kaizen::scheduling::Scheduling;
namespace st = kaizen::scheduling::testing;

constexpr char kService[] = "kaizen.scheduling.v1.SchedulingService";

#define RPC(Name) {#Name, kaizen::fuzz::Bind(&Scheduling::Name)}
const std::map<std::string, kaizen::fuzz::Rpc<Scheduling>>& Table() {
  static const auto* table = new std::map<std::string, kaizen::fuzz::Rpc<Scheduling>>{
      RPC(ListTemplates),        RPC(CreateTemplate),       RPC(CreateMeetingSeries),
      RPC(GetMeeting),           RPC(ListMeetings),         RPC(UpdateMeetingFormat),
      RPC(SetPollCandidates),    RPC(GetPoll),              RPC(AnswerPoll),
      RPC(ClosePoll),            RPC(ExportPollAnswers),    RPC(ScheduleMeeting),
      RPC(CancelMeeting),        RPC(CreateTask),           RPC(ListTasks),
      RPC(SetTaskDone),          RPC(RecordAttendance),     RPC(GetMeetingAttendance),
      RPC(GetAttendanceSummary), RPC(CreateSupportSlot),    RPC(ListSupportSlots),
      RPC(BookSupportSlot),      RPC(CancelSupportBooking), RPC(GetCohortCalendar),
      RPC(GetPersonCalendar),    RPC(CreateCalendarFeed),   RPC(ListCalendarFeeds),
      RPC(RotateCalendarFeed),   RPC(RevokeCalendarFeed),   RPC(ReadCalendarFeed),
      RPC(CreateMeeting),        RPC(ReinstateMeeting),     RPC(UpdateTask),
      RPC(DeleteTask),           RPC(DeleteSupportSlot),    RPC(PurgePersonalData),
      RPC(GetSharedAttendance),  RPC(ListResultChanges),
  };
  return *table;
}
#undef RPC

const std::vector<kaizen::type::Principal>& Callers() {
  static const auto* callers = new std::vector<kaizen::type::Principal>{
      st::Secretariat(),
      st::Navigator(),
      st::Advisor(),
      st::Participant(1),
      st::Participant(2),
      st::As("observer", kaizen::type::ROLE_OBSERVER),
      kaizen::testkit::Anonymous(),
      kaizen::testkit::PartnerHr("242047"),
      kaizen::testkit::Service("plans"),
      kaizen::testkit::User("stranger", kaizen::type::ROLE_PARTICIPANT),
  };
  return *callers;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kaizen::fuzz::CheckCoversService(kService, Table());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kaizen::storage::DatabaseOptions options;
  options.path = ":memory:";
  auto store = kaizen::scheduling::SchedulingStore::Open(options);
  KAIZEN_FUZZ_CHECK(store.ok(), store.status().ToString());
  st::FakeRoster roster;
  kaizen::FakeClock clock(st::Tokyo(2022, 7, 1, 10));
  // Partner reads go through the real gate; every provision is recorded.
  kaizen::partner_client::FakeProvisionRecorder provisions;
  kaizen::partner_client::SharedReadGate shared_reads(&roster, &provisions);
  Scheduling scheduling(store->get(), &roster, &clock, {}, &shared_reads);
  kaizen::fuzz::Input in(data, size);
  kaizen::fuzz::RunSession(in, scheduling, Table(), Callers());
  return 0;
}

// The flows of services/scheduling/scheduling_test.cc, as sessions.
std::vector<std::string> KaizenFuzzSeeds() {
  const std::string series = R"(parent: "cohorts/fy2022"
      template: "templates/next-gen-leaders-fy2022" start_year: 2022
      first_meeting_start { seconds: 1658620800 } online_url: "https://meet.example.jp/kaizen")";
  const std::string m2 = R"("cohorts/fy2022/meetings/m2")";
  const std::vector<std::vector<kaizen::fuzz::SeedCall>> sessions = {
      {{"ListTemplates", 0, ""}, {"CreateMeetingSeries", 0, series},
       {"ListMeetings", 3, R"(parent: "cohorts/fy2022")"}},
      {{"CreateMeetingSeries", 0, series},
       {"SetPollCandidates", 1, "meeting: " + m2 +
                                    " start_times { seconds: 1659920400 }"
                                    " start_times { seconds: 1660006800 }"},
       {"AnswerPoll", 3, "meeting: " + m2 + R"( availability { key: "s1" value: YES })"},
       {"GetPoll", 2, "meeting: " + m2},
       {"ExportPollAnswers", 0, "meeting: " + m2},
       {"ClosePoll", 1, "meeting: " + m2}},
      {{"CreateMeetingSeries", 0, series},
       {"CreateTask", 1, R"(parent: "cohorts/fy2022/meetings/m1"
            task { title: "まちの特徴を3つ書き出す" due_time { seconds: 1661004000 } })"},
       {"ListTasks", 3, R"(parent: "cohorts/fy2022/meetings/m1")"},
       {"RecordAttendance", 1, "meeting: " + m2 +
            R"( records { participant: "cohorts/fy2022/participants/p1" status: PRESENT })"},
       {"GetAttendanceSummary", 0, R"(parent: "cohorts/fy2022")"}},
      {{"CreateMeetingSeries", 0, series},
       {"GetCohortCalendar", 6, R"(parent: "cohorts/fy2022")"},
       {"GetPersonCalendar", 3, R"(participant: "cohorts/fy2022/participants/p1")"},
       {"CancelMeeting", 0, "name: " + m2 + R"( reason: "台風のため")"},
       {"ListSupportSlots", 7, R"(parent: "cohorts/fy2022" open_only: true)"}},
      // Calendar feeds: a participant's feed ($0), read by URL token ("$t"),
      // rotated, revoked; a cohort feed by the secretariat.
      {{"CreateMeetingSeries", 0, series},
       {"CreateCalendarFeed", 3, R"(parent: "cohorts/fy2022" calendar_feed { kind: PERSON })"},
       {"ReadCalendarFeed", 6, R"(token: "$t")"},
       {"ListCalendarFeeds", 3, R"(parent: "cohorts/fy2022")"},
       {"RotateCalendarFeed", 3, R"(name: "$4")"},
       {"ReadCalendarFeed", 6, R"(token: "$t")"},
       {"RevokeCalendarFeed", 3, R"(name: "$4")"},
       {"CreateCalendarFeed", 0, R"(parent: "cohorts/fy2022" calendar_feed { kind: COHORT })"}},
  };
  std::vector<std::string> seeds;
  for (const auto& session : sessions) {
    seeds.push_back(kaizen::fuzz::SeedSession(Table(), kService, session));
  }
  return seeds;
}
