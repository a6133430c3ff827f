#include "services/survey/survey_store.h"

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::survey {
namespace survey_store_test {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixSeconds(1688169600);  // 2023-07-01Z
const absl::Time kOpen = absl::FromUnixSeconds(1688083200);
const absl::Time kClose = absl::FromUnixSeconds(1690675200);

const char kFreeText[] = "同僚が「前例がない」と言って動いてくれない。";

std::string Participant(const std::string& cohort_id, const std::string& id) {
  return absl::StrCat("cohorts/", cohort_id, "/participants/", id);
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
}

InstrumentRecord MakeInstrument(const std::string& id) {
  InstrumentRecord record;
  record.id = id;
  record.instrument.set_name(absl::StrCat("instruments/", id));
  record.instrument.set_title("改善の壁に関する事前調査");
  record.instrument.set_description("研修の前に、職場の状況を伺います。");
  return record;
}

VersionRecord MakeVersion(const std::string& instrument_id, int32_t number) {
  VersionRecord record;
  record.instrument_id = instrument_id;
  record.number = number;
  v1::InstrumentVersion& v = record.version;
  v.set_name(absl::StrCat("instruments/", instrument_id, "/versions/v", number));
  v.set_number(number);
  v.set_state(v1::InstrumentVersion::DRAFT);
  v1::Item* item = v.add_items();
  item->set_id("peers-1");
  item->set_type(v1::Item::LIKERT);
  item->set_text("同僚は新しい取り組みに協力的だ。");
  item->mutable_likert()->set_points(5);
  v1::Item* text = v.add_items();
  text->set_id("wall-text");
  text->set_type(v1::Item::FREE_TEXT);
  text->set_text("いま感じている壁を書いてください。");
  return record;
}

WaveRecord MakeWave(const std::string& cohort_id, const std::string& id, v1::Wave::Kind kind,
                    bool anonymous) {
  WaveRecord record;
  record.cohort_id = cohort_id;
  record.id = id;
  v1::Wave& w = record.wave;
  w.set_name(absl::StrCat("cohorts/", cohort_id, "/waves/", id));
  w.set_kind(kind);
  w.set_instrument_version("instruments/kaizen-pre/versions/v1");
  SetTime(kOpen, w.mutable_open_time());
  SetTime(kClose, w.mutable_close_time());
  w.set_anonymous(anonymous);
  return record;
}

ResponseRecord MakeResponse(const std::string& cohort_id, const std::string& wave_id,
                            const std::string& id, v1::Wave::Kind kind,
                            const std::string& municipality, bool submitted) {
  ResponseRecord record;
  record.cohort_id = cohort_id;
  record.wave_id = wave_id;
  record.id = id;
  record.wave_kind = kind;
  record.instrument_id = "kaizen-pre";
  v1::Response& r = record.response;
  r.set_name(absl::StrCat("cohorts/", cohort_id, "/waves/", wave_id, "/responses/", id));
  r.set_municipality_code(municipality);
  r.set_submitted(submitted);
  v1::Answer* likert = r.add_answers();
  likert->set_item_id("peers-1");
  likert->set_likert(4);
  v1::Answer* text = r.add_answers();
  text->set_item_id("wall-text");
  text->set_text(kFreeText);
  return record;
}

// A response of a linked wave, by `person`.
ResponseRecord MakeLinked(const std::string& cohort_id, const std::string& wave_id,
                          const std::string& id, const std::string& person,
                          const std::string& municipality = "242012", bool submitted = true) {
  ResponseRecord record =
      MakeResponse(cohort_id, wave_id, id, v1::Wave::PRE, municipality, submitted);
  record.participant = person;
  record.response.set_participant(person);
  if (submitted) SetTime(kNow, record.response.mutable_submit_time());
  return record;
}

google::type::Date TokyoDate(absl::Time t) {
  absl::CivilDay day = absl::ToCivilDay(t, absl::FixedTimeZone(9 * 60 * 60));
  google::type::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

// A response of an anonymous wave: no person, a key hash, a date.
ResponseRecord MakeAnonymous(const std::string& cohort_id, const std::string& wave_id,
                             const std::string& id, const std::string& key_hash,
                             absl::Time submitted_at, const std::string& municipality = "242012",
                             v1::Wave::Kind kind = v1::Wave::PRE) {
  ResponseRecord record = MakeResponse(cohort_id, wave_id, id, kind, municipality, true);
  record.key_hash = key_hash;
  *record.response.mutable_submit_date() = TokyoDate(submitted_at);
  return record;
}

template <typename Record>
std::vector<std::string> Ids(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

void ExpectResourceError(const absl::Status& status, absl::StatusCode code,
                         const std::string& reason, const std::string& type,
                         const std::string& name) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(errors::Reason(status), reason) << status;
  auto resource = errors::GetResourceInfo(status);
  ASSERT_TRUE(resource.has_value()) << status;
  EXPECT_EQ(resource->resource_type(), type);
  EXPECT_EQ(resource->resource_name(), name);
}

void ExpectNotFound(const absl::Status& status, const std::string& type, const std::string& name) {
  ExpectResourceError(status, absl::StatusCode::kNotFound, "NOT_FOUND", type, name);
}

void ExpectAlreadyExists(const absl::Status& status, const std::string& type,
                         const std::string& name) {
  ExpectResourceError(status, absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS", type, name);
}

// Store helpers shared by the in-memory and the file fixtures.
class StoreHelpers {
 protected:
  void MustWrite(const std::function<absl::Status(SurveyTx&)>& fn) {
    absl::Status status = store_->Write(fn);
    ASSERT_TRUE(status.ok()) << status;
  }

  // The value `fn` returns inside a read transaction (or its error).
  template <typename T>
  absl::StatusOr<T> ReadValue(const std::function<absl::StatusOr<T>(SurveyTx&)>& fn) {
    absl::StatusOr<T> out = absl::InternalError("not run");
    absl::Status status = store_->Read([&](SurveyTx& tx) {
      out = fn(tx);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return out;
  }

  absl::StatusOr<ResponseRecord> GetResponse(const std::string& cohort_id,
                                             const std::string& wave_id, const std::string& id) {
    return ReadValue<ResponseRecord>(
        [&](SurveyTx& tx) { return tx.GetResponse(cohort_id, wave_id, id); });
  }

  // The base every test builds on: the built-in instrument, its first version.
  void AddInstrumentAndVersion() {
    InstrumentRecord instrument = MakeInstrument("kaizen-pre");
    VersionRecord version = MakeVersion("kaizen-pre", 1);
    MustWrite([&](SurveyTx& tx) -> absl::Status {
      absl::Status s = tx.InsertInstrument(&instrument);
      if (s.ok()) s = tx.InsertVersion(&version);
      return s;
    });
  }

  WaveRecord AddWave(const std::string& cohort_id, const std::string& id,
                     v1::Wave::Kind kind = v1::Wave::PRE, bool anonymous = false) {
    WaveRecord wave = MakeWave(cohort_id, id, kind, anonymous);
    MustWrite([&](SurveyTx& tx) { return tx.InsertWave(&wave); });
    return wave;
  }

  void AddResponse(ResponseRecord* record) {
    MustWrite([&](SurveyTx& tx) { return tx.InsertResponse(record); });
  }

  std::vector<std::string> ListResponseIds(const std::string& cohort_id, const std::string& wave_id,
                                           bool submitted_only, const std::string& after_id,
                                           int limit) {
    auto list = ReadValue<std::vector<ResponseRecord>>([&](SurveyTx& tx) {
      return tx.ListResponses(cohort_id, wave_id, submitted_only, after_id, limit);
    });
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? Ids(*list) : std::vector<std::string>();
  }

  std::unique_ptr<SurveyStore> store_;
};

class SurveyStoreTest : public ::testing::Test, public StoreHelpers {
 protected:
  void SetUp() override {
    auto store = SurveyStore::Open(storage::DatabaseOptions{});  // ":memory:"
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
};

// 1: the tables; 2: the purge marks (issue 15); 3: what each purge deleted;
// 4: the result-change log (issue 14).
TEST(SurveyStoreSchemaTest, FourMigrations) {
  EXPECT_EQ(SurveyStore::Migrations().size(), 4u);
}

// A database written before the log existed gains it on the next open and
// keeps its data.
TEST(SurveyStoreSchemaTest, ADatabaseAtSchemaThreeGainsTheResultChangeLog) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  storage::DatabaseOptions options;
  options.path = std::string(tmp) + "/survey-v3.db";
  options.init = true;
  {
    storage::Migrations v3(SurveyStore::Migrations().begin(),
                           SurveyStore::Migrations().begin() + 3);
    auto old = storage::Database::Open(options, v3);
    ASSERT_TRUE(old.ok()) << old.status();
    ASSERT_TRUE((*old)
                    ->RunInTransaction([](SQLite::Database& db) {
                      db.exec("INSERT INTO purges (cohort_id, participant, purge_time) "
                              "VALUES ('fy2021', '', 1)");
                      return absl::OkStatus();
                    })
                    .ok());
  }
  auto store = SurveyStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)
                  ->Write([](SurveyTx& tx) -> absl::Status {
                    return tx.AppendResultChange("fy2022", "cohorts/fy2022/participants/p1",
                                                 absl::FromUnixSeconds(1655254800));
                  })
                  .ok());
  absl::Status read = (*store)->Read([](SurveyTx& tx) -> absl::Status {
    auto purged = tx.IsPurged("fy2021", "");
    EXPECT_TRUE(purged.ok() && *purged);
    auto page = tx.ListResultChanges(0, 10);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return page.status();
    EXPECT_EQ(page->changes_size(), 1);
    EXPECT_EQ(page->last_sequence(), 1);
    return absl::OkStatus();
  });
  EXPECT_TRUE(read.ok()) << read;
}

// --- instruments and versions ------------------------------------------------

TEST_F(SurveyStoreTest, InstrumentInsertGetList) {
  InstrumentRecord pre = MakeInstrument("kaizen-pre");
  pre.instrument.add_versions("instruments/kaizen-pre/versions/v1");  // derived, not stored
  pre.instrument.set_latest_published("instruments/kaizen-pre/versions/v1");
  MustWrite([&](SurveyTx& tx) { return tx.InsertInstrument(&pre); });
  EXPECT_GT(pre.seq, 0);
  std::vector<InstrumentRecord> all = {pre};
  for (const char* id : {"kaizen-follow", "municipal-climate", "self-efficacy"}) {
    InstrumentRecord record = MakeInstrument(id);
    MustWrite([&](SurveyTx& tx) { return tx.InsertInstrument(&record); });
    EXPECT_GT(record.seq, all.back().seq);
    all.push_back(record);
  }

  auto got =
      ReadValue<InstrumentRecord>([](SurveyTx& tx) { return tx.GetInstrument("kaizen-pre"); });
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->id, "kaizen-pre");
  EXPECT_EQ(got->seq, pre.seq);
  EXPECT_EQ(got->instrument.name(), "instruments/kaizen-pre");
  EXPECT_EQ(got->instrument.title(), "改善の壁に関する事前調査");
  EXPECT_THAT(got->instrument.versions(), IsEmpty());
  EXPECT_EQ(got->instrument.latest_published(), "");

  auto list = [&](int64_t after, int limit) {
    auto records = ReadValue<std::vector<InstrumentRecord>>(
        [&](SurveyTx& tx) { return tx.ListInstruments(after, limit); });
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? Ids(*records) : std::vector<std::string>();
  };
  EXPECT_THAT(list(0, 0),
              ElementsAre("kaizen-pre", "kaizen-follow", "municipal-climate", "self-efficacy"));
  EXPECT_THAT(list(0, 2), ElementsAre("kaizen-pre", "kaizen-follow"));
  EXPECT_THAT(list(all[1].seq, 2), ElementsAre("municipal-climate", "self-efficacy"));
  EXPECT_THAT(list(all[3].seq, 2), ElementsAre());

  absl::Status status =
      store_->Read([](SurveyTx& tx) { return tx.GetInstrument("nope").status(); });
  ExpectNotFound(status, "Instrument", "instruments/nope");
  InstrumentRecord again = MakeInstrument("kaizen-pre");
  status = store_->Write([&](SurveyTx& tx) { return tx.InsertInstrument(&again); });
  ExpectAlreadyExists(status, "Instrument", "instruments/kaizen-pre");
  EXPECT_EQ(again.seq, 0);
}

TEST_F(SurveyStoreTest, VersionInsertGetUpdateList) {
  AddInstrumentAndVersion();
  VersionRecord v2 = MakeVersion("kaizen-pre", 2);
  v2.revision = 9;  // ignored: inserts start at 1
  v2.version.set_etag("not-stored");
  MustWrite([&](SurveyTx& tx) { return tx.InsertVersion(&v2); });
  EXPECT_EQ(v2.revision, 1);

  auto got = ReadValue<VersionRecord>([](SurveyTx& tx) { return tx.GetVersion("kaizen-pre", 2); });
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->instrument_id, "kaizen-pre");
  EXPECT_EQ(got->number, 2);
  EXPECT_EQ(got->revision, 1);
  EXPECT_EQ(got->version.etag(), "");
  ASSERT_EQ(got->version.items_size(), 2);
  EXPECT_EQ(got->version.items(0).text(), "同僚は新しい取り組みに協力的だ。");

  VersionRecord published = *got;
  published.version.set_state(v1::InstrumentVersion::PUBLISHED);
  SetTime(kNow, published.version.mutable_publish_time());
  MustWrite([&](SurveyTx& tx) { return tx.UpdateVersion(&published); });
  EXPECT_EQ(published.revision, 2);
  got = ReadValue<VersionRecord>([](SurveyTx& tx) { return tx.GetVersion("kaizen-pre", 2); });
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->revision, 2);
  EXPECT_EQ(got->version.state(), v1::InstrumentVersion::PUBLISHED);
  EXPECT_EQ(got->version.publish_time().seconds(), absl::ToUnixSeconds(kNow));

  auto versions = ReadValue<std::vector<VersionRecord>>(
      [](SurveyTx& tx) { return tx.ListVersions("kaizen-pre"); });
  ASSERT_TRUE(versions.ok()) << versions.status();
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].number, 1);  // oldest first
  EXPECT_EQ((*versions)[1].number, 2);

  absl::Status status =
      store_->Read([](SurveyTx& tx) { return tx.GetVersion("kaizen-pre", 3).status(); });
  ExpectNotFound(status, "InstrumentVersion", "instruments/kaizen-pre/versions/v3");
  VersionRecord missing = MakeVersion("kaizen-pre", 3);
  missing.revision = 4;
  status = store_->Write([&](SurveyTx& tx) { return tx.UpdateVersion(&missing); });
  ExpectNotFound(status, "InstrumentVersion", "instruments/kaizen-pre/versions/v3");
  EXPECT_EQ(missing.revision, 4);  // a failed update bumps nothing

  VersionRecord again = MakeVersion("kaizen-pre", 1);
  status = store_->Write([&](SurveyTx& tx) { return tx.InsertVersion(&again); });
  ExpectAlreadyExists(status, "InstrumentVersion", "instruments/kaizen-pre/versions/v1");
  EXPECT_EQ(again.revision, 0);

  // A version needs its instrument.
  VersionRecord orphan = MakeVersion("ghost", 1);
  status = store_->Write([&](SurveyTx& tx) { return tx.InsertVersion(&orphan); });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

// --- waves -------------------------------------------------------------------

TEST_F(SurveyStoreTest, WaveInsertGetUpdateList) {
  WaveRecord twelve = MakeWave("fy2023", "follow-up-12", v1::Wave::FOLLOW_UP_12, false);
  twelve.wave.set_state(v1::Wave::OPEN);  // derived: never stored
  twelve.wave.set_submitted_count(12);
  twelve.wave.set_etag("not-stored");
  MustWrite([&](SurveyTx& tx) { return tx.InsertWave(&twelve); });
  EXPECT_EQ(twelve.revision, 1);
  AddWave("fy2023", "pre", v1::Wave::PRE, true);
  AddWave("fy2023", "follow-up-6", v1::Wave::FOLLOW_UP_6);
  AddWave("fy2024", "pre");

  auto got = ReadValue<WaveRecord>([](SurveyTx& tx) { return tx.GetWave("fy2023", "pre"); });
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->cohort_id, "fy2023");
  EXPECT_EQ(got->id, "pre");
  EXPECT_EQ(got->revision, 1);
  EXPECT_TRUE(got->wave.anonymous());
  EXPECT_EQ(got->wave.open_time().seconds(), absl::ToUnixSeconds(kOpen));

  auto waves =
      ReadValue<std::vector<WaveRecord>>([](SurveyTx& tx) { return tx.ListWaves("fy2023"); });
  ASSERT_TRUE(waves.ok()) << waves.status();
  EXPECT_THAT(Ids(*waves), ElementsAre("pre", "follow-up-6", "follow-up-12"));  // PRE first
  const v1::Wave& stored = (*waves)[2].wave;
  EXPECT_EQ(stored.state(), v1::Wave::STATE_UNSPECIFIED);
  EXPECT_EQ(stored.submitted_count(), 0);
  EXPECT_EQ(stored.etag(), "");

  WaveRecord updated = *got;
  SetTime(kClose + absl::Hours(24), updated.wave.mutable_close_time());
  MustWrite([&](SurveyTx& tx) { return tx.UpdateWave(&updated); });
  EXPECT_EQ(updated.revision, 2);
  got = ReadValue<WaveRecord>([](SurveyTx& tx) { return tx.GetWave("fy2023", "pre"); });
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->revision, 2);
  EXPECT_EQ(got->wave.close_time().seconds(), absl::ToUnixSeconds(kClose) + 86400);

  absl::Status status =
      store_->Read([](SurveyTx& tx) { return tx.GetWave("fy2023", "nope").status(); });
  ExpectNotFound(status, "Wave", "cohorts/fy2023/waves/nope");
  WaveRecord missing = MakeWave("fy2025", "pre", v1::Wave::PRE, false);
  missing.revision = 2;
  status = store_->Write([&](SurveyTx& tx) { return tx.UpdateWave(&missing); });
  ExpectNotFound(status, "Wave", "cohorts/fy2025/waves/pre");
  EXPECT_EQ(missing.revision, 2);
  WaveRecord again = MakeWave("fy2023", "pre", v1::Wave::PRE, false);
  status = store_->Write([&](SurveyTx& tx) { return tx.InsertWave(&again); });
  ExpectAlreadyExists(status, "Wave", "cohorts/fy2023/waves/pre");
  EXPECT_EQ(again.revision, 0);
}

// --- responses ---------------------------------------------------------------

TEST_F(SurveyStoreTest, LinkedResponseRoundTrip) {
  AddWave("fy2023", "pre");
  const std::string tanaka = Participant("fy2023", "tanaka");
  ResponseRecord record = MakeLinked("fy2023", "pre", "r-5c1e", tanaka);
  record.revision = 8;  // ignored
  record.response.set_etag("not-stored");
  record.response.set_response_key("not-stored-either");
  AddResponse(&record);
  EXPECT_EQ(record.revision, 1);

  auto got = GetResponse("fy2023", "pre", "r-5c1e");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->cohort_id, "fy2023");
  EXPECT_EQ(got->wave_id, "pre");
  EXPECT_EQ(got->id, "r-5c1e");
  EXPECT_EQ(got->revision, 1);
  EXPECT_EQ(got->participant, tanaka);
  EXPECT_EQ(got->key_hash, "");
  EXPECT_EQ(got->wave_kind, v1::Wave::PRE);
  EXPECT_EQ(got->instrument_id, "kaizen-pre");
  EXPECT_EQ(got->response.participant(), tanaka);
  EXPECT_EQ(got->response.municipality_code(), "242012");
  EXPECT_TRUE(got->response.submitted());
  EXPECT_EQ(got->response.submit_time().seconds(), absl::ToUnixSeconds(kNow));
  ASSERT_EQ(got->response.answers_size(), 2);
  EXPECT_EQ(got->response.answers(1).text(), kFreeText);
  EXPECT_EQ(got->response.etag(), "");
  EXPECT_EQ(got->response.response_key(), "");

  auto mine = ReadValue<ResponseRecord>(
      [&](SurveyTx& tx) { return tx.FindResponseOf("fy2023", "pre", tanaka); });
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->id, "r-5c1e");
  absl::Status status = store_->Read([&](SurveyTx& tx) {
    return tx.FindResponseOf("fy2023", "pre", Participant("fy2023", "sato")).status();
  });
  ExpectNotFound(status, "Response", "cohorts/fy2023/waves/pre/responses");
  status =
      store_->Read([](SurveyTx& tx) { return tx.GetResponse("fy2023", "pre", "r-0000").status(); });
  ExpectNotFound(status, "Response", "cohorts/fy2023/waves/pre/responses/r-0000");

  ResponseRecord updated = *got;
  updated.response.set_municipality_code("242021");
  updated.response.mutable_answers(0)->set_likert(2);
  MustWrite([&](SurveyTx& tx) { return tx.UpdateResponse(&updated); });
  EXPECT_EQ(updated.revision, 2);
  got = GetResponse("fy2023", "pre", "r-5c1e");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->revision, 2);
  EXPECT_EQ(got->response.municipality_code(), "242021");
  EXPECT_EQ(got->response.answers(0).likert(), 2);

  ResponseRecord missing = MakeLinked("fy2023", "pre", "r-ffff", Participant("fy2023", "sato"));
  missing.revision = 3;
  status = store_->Write([&](SurveyTx& tx) { return tx.UpdateResponse(&missing); });
  ExpectNotFound(status, "Response", "cohorts/fy2023/waves/pre/responses/r-ffff");
  EXPECT_EQ(missing.revision, 3);

  // A response needs its wave.
  ResponseRecord orphan = MakeLinked("fy2023", "ghost", "r-1", tanaka);
  status = store_->Write([&](SurveyTx& tx) { return tx.InsertResponse(&orphan); });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST_F(SurveyStoreTest, OneLinkedResponsePerParticipantPerWave) {
  AddWave("fy2023", "pre");
  AddWave("fy2023", "follow-up-6", v1::Wave::FOLLOW_UP_6);
  const std::string tanaka = Participant("fy2023", "tanaka");
  const std::string sato = Participant("fy2023", "sato");
  ResponseRecord first = MakeLinked("fy2023", "pre", "r-8a", tanaka);
  AddResponse(&first);

  // Same person, same wave, another id: refused, naming the existing response.
  ResponseRecord second = MakeLinked("fy2023", "pre", "r-3b", tanaka);
  absl::Status status = store_->Write([&](SurveyTx& tx) { return tx.InsertResponse(&second); });
  ExpectAlreadyExists(status, "Response", "cohorts/fy2023/waves/pre/responses/r-8a");
  EXPECT_EQ(second.revision, 0);
  // Same id: refused under that id.
  ResponseRecord same_id = MakeLinked("fy2023", "pre", "r-8a", sato);
  status = store_->Write([&](SurveyTx& tx) { return tx.InsertResponse(&same_id); });
  ExpectAlreadyExists(status, "Response", "cohorts/fy2023/waves/pre/responses/r-8a");

  // The same person in another wave, and another person in this one, are fine.
  ResponseRecord later = MakeLinked("fy2023", "follow-up-6", "r-3b", tanaka);
  later.wave_kind = v1::Wave::FOLLOW_UP_6;
  AddResponse(&later);
  ResponseRecord other = MakeLinked("fy2023", "pre", "r-3b", sato);
  AddResponse(&other);

  // An update cannot hand a response to someone who already has one.
  ResponseRecord stolen = other;
  stolen.participant = tanaka;
  stolen.response.set_participant(tanaka);
  status = store_->Write([&](SurveyTx& tx) { return tx.UpdateResponse(&stolen); });
  ExpectAlreadyExists(status, "Response", "cohorts/fy2023/waves/pre/responses/r-8a");
  EXPECT_EQ(stolen.revision, 1);
  auto kept = GetResponse("fy2023", "pre", "r-3b");
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->participant, sato);
  EXPECT_EQ(kept->revision, 1);

  // A failed insert inside a transaction that goes on leaves the rest intact.
  MustWrite([&](SurveyTx& tx) -> absl::Status {
    ResponseRecord dup = MakeLinked("fy2023", "pre", "r-99", tanaka);
    EXPECT_EQ(tx.InsertResponse(&dup).code(), absl::StatusCode::kAlreadyExists);
    return tx.UpdateResponse(&first);
  });
  EXPECT_EQ(first.revision, 2);
  EXPECT_THAT(ListResponseIds("fy2023", "pre", false, "", 0), ElementsAre("r-3b", "r-8a"));
}

TEST_F(SurveyStoreTest, AnonymousResponsesHaveNoPersonAndFindByKey) {
  AddWave("fy2023", "pre", v1::Wave::PRE, true);
  // Many anonymous responses: the empty participant never collides.
  for (const char* id : {"r-d4", "r-17", "r-a0"}) {
    ResponseRecord record = MakeAnonymous("fy2023", "pre", id, absl::StrCat("hash-", id), kNow);
    record.response.set_response_key(absl::StrCat("key-", id));
    AddResponse(&record);
  }
  auto found = ReadValue<ResponseRecord>(
      [](SurveyTx& tx) { return tx.FindResponseByKey("fy2023", "pre", "hash-r-17"); });
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, "r-17");
  EXPECT_EQ(found->participant, "");
  EXPECT_EQ(found->key_hash, "hash-r-17");
  EXPECT_EQ(found->response.response_key(), "");
  EXPECT_FALSE(found->response.has_submit_time());
  EXPECT_EQ(found->response.submit_date().day(), 1);

  absl::Status status = store_->Read(
      [](SurveyTx& tx) { return tx.FindResponseByKey("fy2023", "pre", "hash-zz").status(); });
  ExpectNotFound(status, "Response", "cohorts/fy2023/waves/pre/responses");
  // An empty name or key finds nothing, even with anonymous responses around.
  status =
      store_->Read([](SurveyTx& tx) { return tx.FindResponseOf("fy2023", "pre", "").status(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  status =
      store_->Read([](SurveyTx& tx) { return tx.FindResponseByKey("fy2023", "pre", "").status(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;

  // A key hash is unique within the wave.
  ResponseRecord clash = MakeAnonymous("fy2023", "pre", "r-55", "hash-r-17", kNow);
  status = store_->Write([&](SurveyTx& tx) { return tx.InsertResponse(&clash); });
  ExpectAlreadyExists(status, "Response", "cohorts/fy2023/waves/pre/responses/r-55");
}

// The store refuses, as a bug, a record that would put a person or a time
// next to an anonymous response, and writes nothing.
TEST_F(SurveyStoreTest, RefusesAnonymousRecordsThatLink) {
  AddWave("fy2023", "pre", v1::Wave::PRE, true);
  AddWave("fy2023", "follow-up-6", v1::Wave::FOLLOW_UP_6);
  ResponseRecord with_person = MakeAnonymous("fy2023", "pre", "r-1", "hash-1", kNow);
  with_person.response.set_participant(Participant("fy2023", "tanaka"));
  ResponseRecord with_time = MakeAnonymous("fy2023", "pre", "r-2", "hash-2", kNow);
  SetTime(kNow, with_time.response.mutable_submit_time());
  ResponseRecord linked_with_key =
      MakeLinked("fy2023", "follow-up-6", "r-3", Participant("fy2023", "tanaka"));
  linked_with_key.key_hash = "hash-3";
  for (ResponseRecord* record : {&with_person, &with_time, &linked_with_key}) {
    absl::Status status = store_->Write([&](SurveyTx& tx) { return tx.InsertResponse(record); });
    EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
    EXPECT_EQ(record->revision, 0);
  }
  EXPECT_THAT(ListResponseIds("fy2023", "pre", false, "", 0), IsEmpty());
  EXPECT_THAT(ListResponseIds("fy2023", "follow-up-6", false, "", 0), IsEmpty());

  // Nor may an update add them later.
  ResponseRecord fine = MakeAnonymous("fy2023", "pre", "r-4", "hash-4", kNow);
  AddResponse(&fine);
  ResponseRecord later = fine;
  SetTime(kNow, later.response.mutable_submit_time());
  absl::Status status = store_->Write([&](SurveyTx& tx) { return tx.UpdateResponse(&later); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_EQ(later.revision, 1);

  // A request id row (scope = the caller, a time, the resource) would link
  // the anonymous response to its author.
  status = store_->Write([](SurveyTx& tx) {
    return tx.SaveRequestId("SaveResponse\x1fsub-tanaka", "req-1",
                            {"fp", "cohorts/fy2023/waves/pre/responses/r-4"}, kNow);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  auto replay = ReadValue<std::optional<RequestIdRecord>>(
      [](SurveyTx& tx) { return tx.LookupRequestId("SaveResponse\x1fsub-tanaka", "req-1"); });
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_FALSE(replay->has_value());
}

TEST_F(SurveyStoreTest, ListResponsesPagesByIdAndCounts) {
  AddWave("fy2023", "pre", v1::Wave::PRE, true);
  AddWave("fy2023", "follow-up-6", v1::Wave::FOLLOW_UP_6, true);
  // Inserted out of id order; r-30 and r-55 are drafts.
  for (const char* id : {"r-70", "r-10", "r-55", "r-90", "r-30", "r-20"}) {
    ResponseRecord record = MakeAnonymous("fy2023", "pre", id, absl::StrCat("h-", id), kNow);
    record.response.set_submitted(std::string(id) != "r-30" && std::string(id) != "r-55");
    AddResponse(&record);
    ResponseRecord elsewhere = MakeAnonymous("fy2023", "follow-up-6", id, absl::StrCat("h-", id),
                                             kNow, "242012", v1::Wave::FOLLOW_UP_6);
    if (std::string(id) == "r-10") AddResponse(&elsewhere);
  }

  EXPECT_THAT(ListResponseIds("fy2023", "pre", false, "", 0),
              ElementsAre("r-10", "r-20", "r-30", "r-55", "r-70", "r-90"));
  EXPECT_THAT(ListResponseIds("fy2023", "pre", false, "", 4),
              ElementsAre("r-10", "r-20", "r-30", "r-55"));
  EXPECT_THAT(ListResponseIds("fy2023", "pre", false, "r-55", 4), ElementsAre("r-70", "r-90"));
  EXPECT_THAT(ListResponseIds("fy2023", "pre", true, "", -1),
              ElementsAre("r-10", "r-20", "r-70", "r-90"));
  EXPECT_THAT(ListResponseIds("fy2023", "pre", true, "", 2), ElementsAre("r-10", "r-20"));
  EXPECT_THAT(ListResponseIds("fy2023", "pre", true, "r-20", 2), ElementsAre("r-70", "r-90"));
  EXPECT_THAT(ListResponseIds("fy2023", "pre", true, "r-90", 2), ElementsAre());
  EXPECT_THAT(ListResponseIds("fy2023", "follow-up-6", false, "", 0), ElementsAre("r-10"));
  EXPECT_THAT(ListResponseIds("fy2024", "pre", false, "", 0), ElementsAre());

  auto count = [&](const std::string& wave, bool submitted_only) {
    auto n = ReadValue<int64_t>(
        [&](SurveyTx& tx) { return tx.CountResponses("fy2023", wave, submitted_only); });
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  };
  EXPECT_EQ(count("pre", false), 6);
  EXPECT_EQ(count("pre", true), 4);
  EXPECT_EQ(count("follow-up-6", false), 1);
  EXPECT_EQ(count("follow-up-12", false), 0);
}

TEST_F(SurveyStoreTest, ListPoolFilters) {
  // Two cohorts' PRE waves on kaizen-pre, one FOLLOW_UP_6, one PRE on
  // another instrument.
  AddWave("fy2022", "pre");
  AddWave("fy2023", "pre", v1::Wave::PRE, true);
  AddWave("fy2023", "follow-up-6", v1::Wave::FOLLOW_UP_6);
  AddWave("fy2024", "pre");
  auto add = [&](ResponseRecord record) { AddResponse(&record); };
  add(MakeLinked("fy2022", "pre", "a1", Participant("fy2022", "p1"), "242012"));
  add(MakeLinked("fy2022", "pre", "a2", Participant("fy2022", "p2"), "242021"));
  add(MakeLinked("fy2022", "pre", "a3", Participant("fy2022", "p3"), "242012", false));  // draft
  add(MakeAnonymous("fy2023", "pre", "b2", "h-b2", kNow, "242012"));
  add(MakeAnonymous("fy2023", "pre", "b1", "h-b1", kNow, "242047"));
  ResponseRecord follow = MakeLinked("fy2023", "follow-up-6", "c1", Participant("fy2023", "p1"));
  follow.wave_kind = v1::Wave::FOLLOW_UP_6;
  add(follow);
  ResponseRecord other = MakeLinked("fy2024", "pre", "d1", Participant("fy2024", "p1"));
  other.instrument_id = "municipal-climate";
  add(other);

  auto pool = [&](const PoolFilter& filter) {
    auto records =
        ReadValue<std::vector<ResponseRecord>>([&](SurveyTx& tx) { return tx.ListPool(filter); });
    EXPECT_TRUE(records.ok()) << records.status();
    std::vector<std::string> names;
    if (records.ok()) {
      for (const ResponseRecord& r : *records) names.push_back(r.cohort_id + "/" + r.id);
    }
    return names;
  };
  // Submitted only, across cohorts, ordered by municipality then name.
  EXPECT_THAT(pool({"kaizen-pre", v1::Wave::PRE, "", ""}),
              ElementsAre("fy2022/a1", "fy2023/b2", "fy2022/a2", "fy2023/b1"));
  EXPECT_THAT(pool({"kaizen-pre", v1::Wave::PRE, "", "242012"}),
              ElementsAre("fy2022/a1", "fy2023/b2"));
  EXPECT_THAT(pool({"kaizen-pre", v1::Wave::PRE, "fy2023", ""}),
              ElementsAre("fy2023/b2", "fy2023/b1"));
  EXPECT_THAT(pool({"kaizen-pre", v1::Wave::PRE, "fy2022", "242012"}), ElementsAre("fy2022/a1"));
  EXPECT_THAT(pool({"kaizen-pre", v1::Wave::PRE, "fy2022", "242047"}), ElementsAre());
  EXPECT_THAT(pool({"kaizen-pre", v1::Wave::FOLLOW_UP_6, "", ""}), ElementsAre("fy2023/c1"));
  EXPECT_THAT(pool({"kaizen-pre", v1::Wave::FOLLOW_UP_12, "", ""}), ElementsAre());
  EXPECT_THAT(pool({"municipal-climate", v1::Wave::PRE, "", ""}), ElementsAre("fy2024/d1"));

  // Submitting the draft adds it to the pool; the columns follow each write.
  auto draft = GetResponse("fy2022", "pre", "a3");
  ASSERT_TRUE(draft.ok()) << draft.status();
  draft->response.set_submitted(true);
  draft->response.set_municipality_code("242047");
  MustWrite([&](SurveyTx& tx) { return tx.UpdateResponse(&*draft); });
  EXPECT_THAT(pool({"kaizen-pre", v1::Wave::PRE, "", "242047"}),
              ElementsAre("fy2022/a3", "fy2023/b1"));
}

// --- participation ledger ----------------------------------------------------

TEST_F(SurveyStoreTest, ParticipationSetReplaces) {
  AddWave("fy2023", "pre", v1::Wave::PRE, true);
  AddWave("fy2023", "follow-up-6", v1::Wave::FOLLOW_UP_6, true);
  auto of = [&](const std::string& wave) {
    auto set = ReadValue<std::set<std::string>>(
        [&](SurveyTx& tx) { return tx.ParticipationOf("fy2023", wave); });
    EXPECT_TRUE(set.ok()) << set.status();
    return set.ok() ? *set : std::set<std::string>{"<error>"};
  };
  EXPECT_THAT(of("pre"), IsEmpty());  // no row yet: nobody

  const std::string sato = Participant("fy2023", "sato");
  const std::string tanaka = Participant("fy2023", "tanaka");
  MustWrite([&](SurveyTx& tx) { return tx.SetParticipation("fy2023", "pre", {tanaka}); });
  MustWrite([&](SurveyTx& tx) -> absl::Status {
    auto set = tx.ParticipationOf("fy2023", "pre");
    if (!set.ok()) return set.status();
    set->insert(sato);
    return tx.SetParticipation("fy2023", "pre", *set);
  });
  EXPECT_THAT(of("pre"), ElementsAre(sato, tanaka));
  EXPECT_THAT(of("follow-up-6"), IsEmpty());
  MustWrite([&](SurveyTx& tx) { return tx.SetParticipation("fy2023", "pre", {}); });
  EXPECT_THAT(of("pre"), IsEmpty());

  // A name that would corrupt the ledger is refused.
  absl::Status status =
      store_->Write([](SurveyTx& tx) { return tx.SetParticipation("fy2023", "pre", {"a\nb"}); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  // A ledger needs its wave.
  status =
      store_->Write([&](SurveyTx& tx) { return tx.SetParticipation("fy2023", "ghost", {tanaka}); });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

// --- coding rules ------------------------------------------------------------

TEST_F(SurveyStoreTest, CodingRulesRoundTrip) {
  using Rules = std::optional<std::pair<v1::CodingRules, int64_t>>;
  auto get = [&] {
    auto rules = ReadValue<Rules>([](SurveyTx& tx) { return tx.GetCodingRules(); });
    EXPECT_TRUE(rules.ok()) << rules.status();
    return rules.ok() ? *rules : Rules();
  };
  EXPECT_FALSE(get().has_value());

  v1::CodingRules rules;
  v1::CodingRule* rule = rules.add_rules();
  rule->set_wall(kaizen::type::PEERS);
  rule->set_expression("(同僚 or 仲間) and (協力 or 巻き込む)");
  rules.set_etag("not-stored");
  SetTime(kNow, rules.mutable_update_time());
  MustWrite([&](SurveyTx& tx) { return tx.PutCodingRules(rules, 1); });
  Rules got = get();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->second, 1);
  ASSERT_EQ(got->first.rules_size(), 1);
  EXPECT_EQ(got->first.rules(0).expression(), "(同僚 or 仲間) and (協力 or 巻き込む)");
  EXPECT_EQ(got->first.etag(), "");
  EXPECT_EQ(got->first.update_time().seconds(), absl::ToUnixSeconds(kNow));

  v1::CodingRules next = got->first;
  next.add_rules()->set_expression("前例 and ない");
  MustWrite([&](SurveyTx& tx) { return tx.PutCodingRules(next, got->second + 1); });
  got = get();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->second, 2);
  EXPECT_EQ(got->first.rules_size(), 2);
}

// --- idempotency -------------------------------------------------------------

TEST_F(SurveyStoreTest, RequestIdsRoundTrip) {
  AddInstrumentAndVersion();
  AddWave("fy2023", "pre");
  ResponseRecord linked = MakeLinked("fy2023", "pre", "r-1", Participant("fy2023", "tanaka"));
  AddResponse(&linked);
  MustWrite([](SurveyTx& tx) -> absl::Status {
    auto missing = tx.LookupRequestId("CreateInstrument\x1fsub-1", "req-1");
    EXPECT_TRUE(missing.ok()) << missing.status();
    EXPECT_FALSE(missing->has_value());
    absl::Status s = tx.SaveRequestId("CreateInstrument\x1fsub-1", "req-1",
                                      {"fingerprint-1", "instruments/kaizen-pre"}, kNow);
    // A linked response may carry a request id.
    if (s.ok()) {
      s = tx.SaveRequestId("SaveResponse\x1fsub-1", "req-1",
                           {"fingerprint-2", "cohorts/fy2023/waves/pre/responses/r-1"}, kNow);
    }
    return s;
  });
  auto found = ReadValue<std::optional<RequestIdRecord>>(
      [](SurveyTx& tx) { return tx.LookupRequestId("CreateInstrument\x1fsub-1", "req-1"); });
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->fingerprint, "fingerprint-1");
  EXPECT_EQ((*found)->resource_name, "instruments/kaizen-pre");
  found = ReadValue<std::optional<RequestIdRecord>>(
      [](SurveyTx& tx) { return tx.LookupRequestId("SaveResponse\x1fsub-1", "req-1"); });
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->resource_name, "cohorts/fy2023/waves/pre/responses/r-1");
  auto other = ReadValue<std::optional<RequestIdRecord>>(
      [](SurveyTx& tx) { return tx.LookupRequestId("CreateInstrument\x1fsub-2", "req-1"); });
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE(other->has_value());

  absl::Status status = store_->Write([](SurveyTx& tx) {
    return tx.SaveRequestId("CreateInstrument\x1fsub-1", "req-1",
                            {"fingerprint-3", "instruments/other"}, kNow);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
}

// --- revisions and transactions ----------------------------------------------

TEST_F(SurveyStoreTest, UpdatesBumpTheRevisionExactlyOnce) {
  AddInstrumentAndVersion();
  WaveRecord wave = AddWave("fy2023", "pre");
  ResponseRecord response = MakeLinked("fy2023", "pre", "r-1", Participant("fy2023", "tanaka"));
  AddResponse(&response);
  VersionRecord version = MakeVersion("kaizen-pre", 1);
  version.revision = 1;

  MustWrite([&](SurveyTx& tx) -> absl::Status {
    for (int i = 0; i < 3; ++i) {
      absl::Status s = tx.UpdateVersion(&version);
      if (s.ok()) s = tx.UpdateWave(&wave);
      if (s.ok() && i < 2) s = tx.UpdateResponse(&response);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  });
  EXPECT_EQ(version.revision, 4);
  EXPECT_EQ(wave.revision, 4);
  EXPECT_EQ(response.revision, 3);
  MustWrite([&](SurveyTx& tx) -> absl::Status {
    auto v = tx.GetVersion("kaizen-pre", 1);
    auto w = tx.GetWave("fy2023", "pre");
    auto r = tx.GetResponse("fy2023", "pre", "r-1");
    if (!v.ok()) return v.status();
    if (!w.ok()) return w.status();
    if (!r.ok()) return r.status();
    EXPECT_EQ(v->revision, 4);
    EXPECT_EQ(w->revision, 4);
    EXPECT_EQ(r->revision, 3);
    return absl::OkStatus();
  });

  // A rolled-back update leaves the stored revision where it was.
  WaveRecord copy = wave;
  absl::Status status = store_->Write([&](SurveyTx& tx) -> absl::Status {
    absl::Status s = tx.UpdateWave(&copy);
    if (!s.ok()) return s;
    return errors::FailedPrecondition("TEST_ABORT", "changed my mind");
  });
  EXPECT_EQ(errors::Reason(status), "TEST_ABORT");
  auto stored = ReadValue<WaveRecord>([](SurveyTx& tx) { return tx.GetWave("fy2023", "pre"); });
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->revision, 4);
}

TEST_F(SurveyStoreTest, FailedWriteLeavesNothingBehind) {
  AddInstrumentAndVersion();
  WaveRecord existing = AddWave("fy2022", "pre");
  absl::Status status = store_->Write([&](SurveyTx& tx) -> absl::Status {
    InstrumentRecord instrument = MakeInstrument("municipal-climate");
    absl::Status s = tx.InsertInstrument(&instrument);
    VersionRecord version = MakeVersion("kaizen-pre", 2);
    if (s.ok()) s = tx.InsertVersion(&version);
    WaveRecord wave = MakeWave("fy2023", "pre", v1::Wave::PRE, true);
    if (s.ok()) s = tx.InsertWave(&wave);
    ResponseRecord response = MakeAnonymous("fy2023", "pre", "r-1", "hash-1", kNow);
    if (s.ok()) s = tx.InsertResponse(&response);
    if (s.ok()) s = tx.SetParticipation("fy2023", "pre", {Participant("fy2023", "tanaka")});
    if (s.ok()) s = tx.PutCodingRules(v1::CodingRules(), 1);
    if (s.ok()) s = tx.SaveRequestId("CreateWave", "req-1", {"fp", wave.wave.name()}, kNow);
    existing.wave.set_anonymous(true);
    if (s.ok()) s = tx.UpdateWave(&existing);
    if (!s.ok()) return s;
    EXPECT_TRUE(tx.GetResponse("fy2023", "pre", "r-1").ok());  // visible inside ...
    return errors::FailedPrecondition("TEST_ABORT", "changed my mind");
  });
  EXPECT_EQ(errors::Reason(status), "TEST_ABORT") << status;

  // ... and gone after it.
  MustWrite([](SurveyTx& tx) -> absl::Status {
    EXPECT_EQ(tx.GetInstrument("municipal-climate").status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(tx.GetVersion("kaizen-pre", 2).status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(tx.GetWave("fy2023", "pre").status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(tx.GetResponse("fy2023", "pre", "r-1").status().code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(*tx.ParticipationOf("fy2023", "pre"), IsEmpty());
    EXPECT_FALSE(tx.GetCodingRules()->has_value());
    EXPECT_FALSE(tx.LookupRequestId("CreateWave", "req-1")->has_value());
    auto kept = tx.GetWave("fy2022", "pre");
    EXPECT_TRUE(kept.ok());
    if (kept.ok()) {
      EXPECT_EQ(kept->revision, 1);
      EXPECT_FALSE(kept->wave.anonymous());
    }
    return absl::OkStatus();
  });
}

TEST_F(SurveyStoreTest, ReadCannotWrite) {
  absl::Status status = store_->Read([](SurveyTx& tx) {
    WaveRecord wave = MakeWave("fy2023", "pre", v1::Wave::PRE, false);
    return tx.InsertWave(&wave);
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(store_->Read([](SurveyTx& tx) { return tx.GetWave("fy2023", "pre").status(); }).code(),
            absl::StatusCode::kNotFound);
}

// --- file databases: anonymity and concurrency ------------------------------

// Releases every waiting thread at once (no sleeps).
class StartGate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }
  void Open() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class SurveyStoreFileTest : public ::testing::Test, public StoreHelpers {
 protected:
  void SetUp() override {
    const char* dir = std::getenv("TEST_TMPDIR");
    ASSERT_NE(dir, nullptr);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    options_.path = absl::StrCat(dir, "/", info->name(), ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove(absl::StrCat(options_.path, suffix).c_str());
    }
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<SurveyStore> OpenStore() {
    auto store = SurveyStore::Open(options_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  storage::DatabaseOptions options_;
};

// Protobuf's base-128 encoding of an integer, as it sits inside a blob.
std::string Varint(uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

// Every stored value of every table, read back with plain SQLite.
struct Cell {
  std::string table;
  std::string column;
  int type = SQLITE_NULL;
  int64_t integer = 0;
  std::string bytes;  // text and blobs
};

std::vector<Cell> AllCells(SQLite::Database& db,
                           std::map<std::string, std::vector<std::string>>* columns_by_table) {
  std::vector<Cell> cells;
  SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
  while (tables.executeStep()) {
    const std::string table = tables.getColumn(0).getString();
    SQLite::Statement rows(db, absl::StrCat("SELECT * FROM \"", table, "\""));
    std::vector<std::string>& columns = (*columns_by_table)[table];
    for (int i = 0; i < rows.getColumnCount(); ++i) columns.push_back(rows.getColumnName(i));
    while (rows.executeStep()) {
      for (int i = 0; i < rows.getColumnCount(); ++i) {
        SQLite::Column column = rows.getColumn(i);
        Cell cell;
        cell.table = table;
        cell.column = columns[i];
        cell.type = column.getType();
        if (cell.type == SQLITE_INTEGER) {
          cell.integer = column.getInt64();
        } else if (cell.type == SQLITE_FLOAT) {
          cell.integer = static_cast<int64_t>(column.getDouble());
        } else if (cell.type != SQLITE_NULL) {
          cell.bytes.assign(static_cast<const char*>(column.getBlob()), column.getBytes());
        }
        cells.push_back(std::move(cell));
      }
    }
  }
  return cells;
}

// Whether `cell` holds `seconds` as an instant: the integer in s, ms or us,
// its decimal text, or its varint inside a serialized proto.
bool HoldsInstant(const Cell& cell, int64_t seconds) {
  if (cell.type == SQLITE_INTEGER || cell.type == SQLITE_FLOAT) {
    return cell.integer == seconds || cell.integer / 1000 == seconds ||
           cell.integer / 1000000 == seconds;
  }
  return absl::StrContains(cell.bytes, absl::StrCat(seconds)) ||
         absl::StrContains(cell.bytes, Varint(static_cast<uint64_t>(seconds)));
}

// Anonymous responses and the participation set written in interleaved
// order, as the service would (one transaction per save), then the file read
// with plain SQLite by someone who wants to know who answered what.
TEST_F(SurveyStoreFileTest, AnonymousWavesAreUnlinkableInTheFile) {
  AddInstrumentAndVersion();
  AddWave("fy2023", "pre", v1::Wave::PRE, true);
  AddWave("fy2023", "follow-up-6", v1::Wave::FOLLOW_UP_6, true);
  AddWave("fy2022", "pre");  // linked: the scanner's positive control

  struct Save {
    std::string person, wave, id;
    int64_t at;  // when the person saved: the service keeps only its date
  };
  // Seconds with no round numbers, so a match cannot be chance.
  const std::vector<Save> saves = {
      {"p-sato-hanako", "pre", "r-c41f", 1688518923},
      {"p-watanabe-jiro", "follow-up-6", "r-2d07", 1688520017},
      {"p-tanaka-ichiro", "pre", "r-07ab", 1688522531},
      {"p-sato-hanako", "follow-up-6", "r-e953", 1688539409},
      {"p-takahashi-yui", "pre", "r-9e2d", 1688601017},
      {"p-watanabe-jiro", "pre", "r-5b10", 1688687419},
      {"p-tanaka-ichiro", "follow-up-6", "r-88c6", 1688690101},
  };
  std::set<std::string> secrets;  // response keys and etags: never stored
  for (const Save& save : saves) {
    const std::string person = Participant("fy2023", save.person);
    const v1::Wave::Kind kind = save.wave == "pre" ? v1::Wave::PRE : v1::Wave::FOLLOW_UP_6;
    ResponseRecord record =
        MakeAnonymous("fy2023", save.wave, save.id, absl::StrCat("hash-of-key-", save.id),
                      absl::FromUnixSeconds(save.at), "242012", kind);
    const std::string key = absl::StrCat("secret-response-key-", save.id);
    const std::string etag = absl::StrCat("etag-", save.at);
    record.response.set_response_key(key);
    record.response.set_etag(etag);
    secrets.insert(key);
    secrets.insert(etag);
    MustWrite([&](SurveyTx& tx) -> absl::Status {
      absl::Status s = tx.InsertResponse(&record);
      if (!s.ok()) return s;
      auto set = tx.ParticipationOf("fy2023", save.wave);
      if (!set.ok()) return set.status();
      set->insert(person);
      return tx.SetParticipation("fy2023", save.wave, *set);
    });
    // A second save of the same response (new answers), as an edit would.
    record.response.mutable_answers(0)->set_likert(5);
    MustWrite([&](SurveyTx& tx) { return tx.UpdateResponse(&record); });
  }
  // The linked control: a person and a time, stored as such.
  const std::string control = Participant("fy2022", "p-suzuki-control");
  const int64_t control_at = 1688444321;
  ResponseRecord linked = MakeLinked("fy2022", "pre", "r-0001", control);
  linked.response.mutable_submit_time()->set_seconds(control_at);
  AddResponse(&linked);
  MustWrite([&](SurveyTx& tx) {
    return tx.SaveRequestId("SaveResponse\x1fsub", "req-1", {"fp", linked.response.name()},
                            absl::FromUnixSeconds(control_at));
  });
  store_.reset();  // checkpoints and removes the WAL

  SQLite::Database db(options_.path, SQLite::OPEN_READONLY);
  std::map<std::string, std::vector<std::string>> columns;
  const std::vector<Cell> cells = AllCells(db, &columns);
  ASSERT_FALSE(cells.empty());

  // The scanner sees what is there: the linked person and time.
  bool control_person = false, control_time_in_blob = false, control_time_in_column = false;
  for (const Cell& cell : cells) {
    if (cell.table == "responses" && absl::StrContains(cell.bytes, control)) control_person = true;
    if (cell.table == "responses" && HoldsInstant(cell, control_at)) control_time_in_blob = true;
    if (cell.table == "request_ids" && HoldsInstant(cell, control_at)) {
      control_time_in_column = true;
    }
  }
  EXPECT_TRUE(control_person);
  EXPECT_TRUE(control_time_in_blob);
  EXPECT_TRUE(control_time_in_column);

  // Outside the ledger, no column name or value holds an anonymous
  // respondent's name (in full or by their id), and nowhere is a save time.
  for (const auto& [table, names] : columns) {
    for (const std::string& column : names) {
      for (const Save& save : saves) EXPECT_FALSE(absl::StrContains(column, save.person));
    }
  }
  for (const Cell& cell : cells) {
    for (const Save& save : saves) {
      if (cell.table != "participation") {
        EXPECT_FALSE(absl::StrContains(cell.bytes, save.person))
            << cell.table << "." << cell.column << " names " << save.person;
      }
      EXPECT_FALSE(HoldsInstant(cell, save.at))
          << cell.table << "." << cell.column << " holds the time of " << save.id;
    }
  }
  // The anonymous waves' rows: no person, and no time finer than a date.
  const std::regex clock_time("[0-9]{1,2}:[0-9]{2}");
  int anonymous_rows = 0;
  {
    SQLite::Statement rows(db,
                           "SELECT participant, data FROM responses WHERE cohort_id = 'fy2023'");
    while (rows.executeStep()) {
      ++anonymous_rows;
      EXPECT_EQ(rows.getColumn(0).getString(), "");
      v1::Response stored;
      ASSERT_TRUE(stored.ParseFromArray(rows.getColumn(1).getBlob(), rows.getColumn(1).getBytes()));
      EXPECT_EQ(stored.participant(), "");
      EXPECT_FALSE(stored.has_submit_time());
      EXPECT_TRUE(stored.has_submit_date());
      EXPECT_EQ(stored.response_key(), "");
      EXPECT_EQ(stored.etag(), "");
    }
  }
  EXPECT_EQ(anonymous_rows, static_cast<int>(saves.size()));
  for (const Cell& cell : cells) {
    if (cell.table != "responses" && cell.table != "participation") continue;
    if (cell.type == SQLITE_INTEGER) {
      EXPECT_LT(cell.integer, 1000000000) << cell.column;
    }
    if (cell.type == SQLITE_TEXT) {
      EXPECT_FALSE(std::regex_search(cell.bytes, clock_time)) << cell.column << ": " << cell.bytes;
    }
  }
  // No schema asks SQLite for the time either.
  SQLite::Statement schema(db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL");
  while (schema.executeStep()) {
    const std::string sql = schema.getColumn(0).getString();
    EXPECT_FALSE(absl::StrContains(sql, "CURRENT_")) << sql;
    EXPECT_FALSE(absl::StrContains(sql, "'now'")) << sql;
  }

  // Responses keep no insertion order: no rowid, rows come back by id.
  EXPECT_THROW(db.exec("SELECT rowid FROM responses"), SQLite::Exception);
  {
    SQLite::Statement rows(
        db, "SELECT id FROM responses WHERE cohort_id = 'fy2023' AND wave_id = 'pre'");
    std::vector<std::string> ids;
    while (rows.executeStep()) ids.push_back(rows.getColumn(0).getString());
    EXPECT_THAT(ids, ElementsAre("r-07ab", "r-5b10", "r-9e2d", "r-c41f"));
  }

  // The ledger: exactly one row per anonymous wave, holding the sorted set.
  EXPECT_THAT(columns["participation"], ElementsAre("cohort_id", "wave_id", "participants"));
  std::map<std::string, std::string> ledger;
  int ledger_rows = 0;
  for (const Cell& cell : cells) {
    if (cell.table == "participation" && cell.column == "participants") ++ledger_rows;
  }
  EXPECT_EQ(ledger_rows, 2);
  SQLite::Statement rows(db, "SELECT cohort_id, wave_id, participants FROM participation");
  while (rows.executeStep()) {
    ledger[rows.getColumn(0).getString() + "/" + rows.getColumn(1).getString()] =
        rows.getColumn(2).getString();
  }
  EXPECT_EQ(ledger["fy2023/pre"], absl::StrJoin({Participant("fy2023", "p-sato-hanako"),
                                                 Participant("fy2023", "p-takahashi-yui"),
                                                 Participant("fy2023", "p-tanaka-ichiro"),
                                                 Participant("fy2023", "p-watanabe-jiro")},
                                                "\n"));
  EXPECT_EQ(ledger["fy2023/follow-up-6"], absl::StrJoin({Participant("fy2023", "p-sato-hanako"),
                                                         Participant("fy2023", "p-tanaka-ichiro"),
                                                         Participant("fy2023", "p-watanabe-jiro")},
                                                        "\n"));

  // Not even the raw file (free pages included) holds a key, an etag or a
  // save time.
  std::ifstream file(options_.path, std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(raw.empty());
  for (const std::string& secret : secrets) EXPECT_FALSE(absl::StrContains(raw, secret)) << secret;
  for (const Save& save : saves) {
    EXPECT_FALSE(absl::StrContains(raw, Varint(static_cast<uint64_t>(save.at)))) << save.id;
    EXPECT_FALSE(absl::StrContains(raw, absl::StrCat(save.at))) << save.id;
  }
}

TEST_F(SurveyStoreFileTest, SurvivesReopen) {
  AddInstrumentAndVersion();
  AddWave("fy2023", "pre");
  ResponseRecord response = MakeLinked("fy2023", "pre", "r-1", Participant("fy2023", "tanaka"));
  AddResponse(&response);
  store_.reset();
  store_ = OpenStore();  // the migration is not applied twice
  ASSERT_NE(store_, nullptr);
  auto got = GetResponse("fy2023", "pre", "r-1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->response.answers(1).text(), kFreeText);
}

// Two saves of one person's first response at once, through two stores (two
// writer connections) on one file: exactly one response is created, the
// other save gets ALREADY_EXISTS naming it.
TEST_F(SurveyStoreFileTest, ConcurrentInsertsForOneParticipantOneWins) {
  AddWave("fy2023", "pre");
  std::unique_ptr<SurveyStore> second = OpenStore();
  ASSERT_NE(second, nullptr);
  const std::string tanaka = Participant("fy2023", "tanaka");

  StartGate gate;
  absl::Status status[2];
  const std::string ids[2] = {"r-a1", "r-b2"};
  SurveyStore* stores[2] = {store_.get(), second.get()};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      gate.Wait();
      status[i] = stores[i]->Write([&](SurveyTx& tx) {
        ResponseRecord record = MakeLinked("fy2023", "pre", ids[i], tanaka);
        return tx.InsertResponse(&record);
      });
    });
  }
  gate.Open();
  for (std::thread& t : threads) t.join();

  ASSERT_NE(status[0].ok(), status[1].ok()) << status[0] << " / " << status[1];
  const int winner = status[0].ok() ? 0 : 1;
  ExpectAlreadyExists(status[1 - winner], "Response",
                      absl::StrCat("cohorts/fy2023/waves/pre/responses/", ids[winner]));
  EXPECT_THAT(ListResponseIds("fy2023", "pre", false, "", 0), ElementsAre(ids[winner]));
  auto mine = ReadValue<ResponseRecord>(
      [&](SurveyTx& tx) { return tx.FindResponseOf("fy2023", "pre", tanaka); });
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->id, ids[winner]);
}

}  // namespace
}  // namespace kaizen::survey
