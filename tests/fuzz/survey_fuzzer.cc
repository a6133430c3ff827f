// The survey service's request handling (services/survey/survey.h) with
// protobuf bytes in: sessions of calls against a fresh in-memory store with
// the built-in pre-survey, the roster and meetings of the fakes the service's
// tests use, the real MeCab tokenizer, and a fake clock inside the PRE wave's
// window. Format and properties: tests/fuzz/service_fuzz.h.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "clients/enrollment/fake_roster_source.h"
#include "clients/partner/fake_provision_recorder.h"
#include "clients/partner/shared_read.h"
#include "clients/scheduling/fake_meeting_source.h"
#include "common/storage/database.h"
#include "common/testing/principals.h"
#include "common/util/clock.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/survey_test_util.h"
#include "services/survey/text.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/service_fuzz.h"

namespace {

using kaizen::survey::Survey;
namespace st = kaizen::survey::testing;
namespace v1 = kaizen::survey::v1;

constexpr char kService[] = "kaizen.survey.v1.SurveyService";

#define RPC(Name) {#Name, kaizen::fuzz::Bind(&Survey::Name)}
const std::map<std::string, kaizen::fuzz::Rpc<Survey>>& Table() {
  static const auto* table = new std::map<std::string, kaizen::fuzz::Rpc<Survey>>{
      RPC(ListInstruments),          RPC(GetInstrument),         RPC(CreateInstrument),
      RPC(GetInstrumentVersion),     RPC(UpdateInstrumentVersion),
      RPC(PublishInstrumentVersion), RPC(CreateInstrumentVersion),
      RPC(CreateWave),               RPC(GetWave),               RPC(ListWaves),
      RPC(UpdateWave),               RPC(SaveResponse),          RPC(GetMyResponse),
      RPC(ListResponses),            RPC(ExportResponses),       RPC(GetPersonProfile),
      RPC(GetMunicipalityProfile),   RPC(GetChange),             RPC(GetScaleReliability),
      RPC(AnalyzeText),              RPC(GetCodingRules),        RPC(UpdateCodingRules),
      RPC(PurgePersonalData),        RPC(GetSharedSurveyProfile), RPC(ListResultChanges),
  };
  return *table;
}
#undef RPC

const std::vector<kaizen::type::Principal>& Callers() {
  static const auto* callers = new std::vector<kaizen::type::Principal>{
      st::Secretariat(),                     // 0
      st::Navigator(),                       // 1
      st::Advisor(),                         // 2
      st::Participant(1),                    // 3 (p1-p3 from 242047)
      st::Participant(2),                    // 4
      st::Participant(3),                    // 5
      st::Participant(4),                    // 6 (p4-p6 from 131016)
      st::Participant(5),                    // 7
      st::Participant(6),                    // 8
      st::Stranger(),                        // 9
      kaizen::testkit::Anonymous(),          // 10
      kaizen::testkit::PartnerHr("242047"),  // 11
      kaizen::testkit::Service("plans"),     // 12
  };
  return *callers;
}

// The fakes and the tokenizer (a MeCab model: slow to load) for the whole
// run; nothing writes the fakes after this.
struct Shared {
  Shared() {
    auto created = kaizen::survey::text::Tokenizer::Create();
    KAIZEN_FUZZ_CHECK(created.ok(), created.status().ToString());
    tokenizer = std::move(*created);
    roster.SetRoster(st::Roster());
    meetings.SetMeeting(st::Confirmed(1, st::Tokyo(2022, 7, 24, 9)));
    meetings.SetMeeting(st::Confirmed(7, st::Tokyo(2023, 6, 18, 9)));
    meetings.SetMeeting(st::Confirmed(8, st::Tokyo(2023, 12, 17, 9)));
  }
  std::unique_ptr<kaizen::survey::text::Tokenizer> tokenizer;
  kaizen::enrollment_client::FakeRosterSource roster;
  kaizen::scheduling_client::FakeMeetingSource meetings;
  // Partner reads go through the real gate; every provision is recorded.
  kaizen::partner_client::FakeProvisionRecorder provisions;
  kaizen::partner_client::SharedReadGate shared_reads{&roster, &provisions};
};

Shared& TheShared() {
  static auto* shared = new Shared();
  return *shared;
}

// A fresh domain on in-memory SQLite with the built-in pre-survey.
struct Domain {
  Domain() : clock(st::Tokyo(2022, 6, 15, 10)) {
    kaizen::storage::DatabaseOptions options;
    options.path = ":memory:";
    auto opened = kaizen::survey::SurveyStore::Open(options);
    KAIZEN_FUZZ_CHECK(opened.ok(), opened.status().ToString());
    store = std::move(*opened);
    Shared& shared = TheShared();
    survey = std::make_unique<Survey>(store.get(), &shared.roster, &shared.meetings,
                                      shared.tokenizer.get(), &clock,
                                      kaizen::survey::SurveyConfig{"survey-page-key-0123456789", 5},
                                      &shared.shared_reads);
    const absl::Status builtins = survey->EnsureBuiltins();
    KAIZEN_FUZZ_CHECK(builtins.ok(), builtins.ToString());
  }
  kaizen::FakeClock clock;
  std::unique_ptr<kaizen::survey::SurveyStore> store;
  std::unique_ptr<Survey> survey;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kaizen::fuzz::CheckCoversService(kService, Table());
  TheShared();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Domain domain;
  kaizen::fuzz::Input in(data, size);
  kaizen::fuzz::RunSession(in, *domain.survey, Table(), Callers());
  return 0;
}

// The flows of services/survey/*_test.cc, as sessions. "$k" is the k-th name
// the session has seen and "$e" the newest etag (service_fuzz.h).
std::vector<std::string> KaizenFuzzSeeds() {
  using kaizen::fuzz::SeedCall;
  using kaizen::fuzz::Text;
  Domain domain;
  v1::GetInstrumentVersionRequest get;
  get.set_name(st::kBuiltinVersion);
  auto builtin = domain.survey->GetInstrumentVersion(st::Secretariat(), get);
  KAIZEN_FUZZ_CHECK(builtin.ok(), builtin.status().ToString());

  // A reworded second version (UpdateInstrumentVersion sends it whole).
  v1::UpdateInstrumentVersionRequest update;
  *update.mutable_version() = *builtin;
  update.mutable_version()->set_name("instruments/kaizen-pre/versions/v2");
  update.mutable_version()->set_number(2);
  update.mutable_version()->set_state(v1::InstrumentVersion::DRAFT);
  update.mutable_version()->clear_publish_time();
  update.mutable_version()->set_etag("$e");
  update.mutable_version()->mutable_items(0)->set_text("改善を提案しても、同僚はなかなか協力してくれない");
  // A request is a piece of at most 8 KiB (service_fuzz.h): keep the seed
  // inside it by dropping the items no scale needs (a draft may lose items).
  while (update.version().ByteSizeLong() > 8000 && update.version().items_size() > 1) {
    update.mutable_version()->mutable_items()->RemoveLast();
  }
  std::set<std::string> kept;
  for (const v1::Item& item : update.version().items()) kept.insert(item.id());
  auto* scales = update.mutable_version()->mutable_scales();
  for (int i = scales->size() - 1; i >= 0; --i) {
    for (const std::string& id : scales->Get(i).item_ids()) {
      if (kept.count(id) == 0) {
        scales->DeleteSubrange(i, 1);
        break;
      }
    }
  }
  v1::CreateInstrumentRequest instrument;
  instrument.set_instrument_id("kaizen-follow");
  instrument.mutable_instrument()->set_title("追跡調査");
  for (int i = 0; i < builtin->items_size() && i < 6; ++i) {
    *instrument.mutable_instrument()->mutable_first_version()->add_items() = builtin->items(i);
  }

  auto wave = [](bool anonymous) {
    v1::CreateWaveRequest r;
    r.set_parent(st::kCohort);
    r.mutable_wave()->set_kind(v1::Wave::PRE);
    r.mutable_wave()->set_instrument_version(st::kBuiltinVersion);
    r.mutable_wave()->set_anonymous(anonymous);
    return SeedCall{"CreateWave", 0, Text(r)};
  };
  auto answer = [&](int caller, int value, bool submit) {
    v1::SaveResponseRequest r;
    r.set_parent("$0");
    *r.mutable_answers() = st::FullAnswers(*builtin, value);
    v1::Answer* text = r.add_answers();
    text->set_item_id("free-wall-now");
    text->set_text("上司の壁が厚く、提案が課長で止まってしまう。同僚は忙しい。");
    r.set_submit(submit);
    return SeedCall{"SaveResponse", caller, Text(r)};
  };
  const std::string pre = R"("cohorts/fy2022/waves/pre")";
  // $0 is the wave in sessions that start with one.
  const std::vector<std::vector<SeedCall>> sessions = {
      // Instruments: list, read, a second version reworded and published, a new instrument.
      {{"ListInstruments", 0, "page_size: 1"},
       {"GetInstrument", 1, R"(name: "instruments/kaizen-pre")"},
       {"CreateInstrumentVersion", 0, R"(parent: "instruments/kaizen-pre")"},
       {"UpdateInstrumentVersion", 0, Text(update)},
       {"PublishInstrumentVersion", 0, R"(name: "instruments/kaizen-pre/versions/v2" etag: "$e")"},
       {"GetScaleReliability", 0, std::string("version: \"") + st::kBuiltinVersion + "\""},
       {"CreateInstrument", 0, Text(instrument)}},
      // A wave and one person's response: a draft, then submitted; staff read and export.
      {wave(false), {"GetWave", 1, "name: " + pre}, answer(3, 4, false),
       {"GetMyResponse", 3, "parent: " + pre}, answer(3, 4, true),
       {"ListResponses", 0, "parent: " + pre + " page_size: 2"},
       {"ExportResponses", 0, "parent: " + pre}, {"ListWaves", 2, R"(parent: "cohorts/fy2022")"}},
      // Lenses over three submitted responses from one town.
      {wave(false), answer(3, 4, true), answer(4, 2, true), answer(5, 5, true),
       {"GetPersonProfile", 1, R"(participant: "cohorts/fy2022/participants/p1" wave: "pre")"},
       {"GetMunicipalityProfile", 0, R"(municipality_code: "242047" wave_kind: PRE)"},
       {"GetChange", 0, R"(cohort: "cohorts/fy2022" participant: "cohorts/fy2022/participants/p1"
            from: PRE to: FOLLOW_UP_6)"},
       {"GetMunicipalityProfile", 11, R"(municipality_code: "242047" wave_kind: PRE)"}},
      // An anonymous wave, free text analysed with MeCab, coding rules.
      {wave(true), answer(6, 3, true), answer(7, 1, true),
       {"AnalyzeText", 0, "wave: " + pre + R"( keyword: "上司" top: 5)"},
       {"GetCodingRules", 1, ""},
       {"UpdateCodingRules", 0, R"(rules { rules { wall: EXECUTIVES expression: "上司|課長" } etag: "$e" })"},
       {"GetWave", 0, "name: " + pre},
       {"UpdateWave", 0, "wave { name: " + pre + R"( kind: PRE instrument_version: "$1"
            open_time { seconds: 1654009200 } close_time { seconds: 1658620800 } etag: "$e" })"}},
      // Outsiders are refused.
      {wave(false), {"ListResponses", 9, "parent: " + pre}, {"GetWave", 10, "name: " + pre},
       {"AnalyzeText", 11, "wave: " + pre}, {"GetPersonProfile", 12,
            R"(participant: "cohorts/fy2022/participants/p1" wave: "pre")"}},
  };
  std::vector<std::string> seeds;
  for (const auto& session : sessions) {
    seeds.push_back(kaizen::fuzz::SeedSession(Table(), kService, session));
  }
  return seeds;
}
