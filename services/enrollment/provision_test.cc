// Provision records (APPI Art. 29) on the domain over real in-memory SQLite:
// who may record, what is validated, which items get a record, what a
// record keeps, that the database refuses to change or delete one, that
// purge and erasure leave them, who may list them, paging and the CSV.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/util/ids.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/provision.h"
#include "services/enrollment/purge_test_util.h"

namespace kaizen::enrollment {
namespace provision_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT
using ::kaizen::type::RecordProvisionRequest;
using ::kaizen::type::ShareCategory;

constexpr char kMethod[] = "/kaizen.scheduling.v1.SchedulingService/GetSharedAttendance";

class ProvisionTest : public PurgeFixture {
 protected:
  void SetUp() override {
    PurgeFixture::SetUp();
    cohort_ = CohortWithApplicants(3);  // towns kTowns[0..2], share_attendance only
    for (const v1::Participant& p : Participants(cohort_)) people_.push_back(p.name());
    ASSERT_EQ(people_.size(), 3u);
  }

  static RecordProvisionRequest Request(const std::string& town,
                                        const std::vector<std::pair<std::string, ShareCategory>>&
                                            items) {
    RecordProvisionRequest r;
    *r.mutable_recipient() = PartnerHr(town);
    r.set_method(kMethod);
    for (const auto& [participant, category] : items) {
      auto* item = r.add_items();
      item->set_participant(participant);
      item->set_category(category);
      // Each service provides its own category, data items and method.
      if (category == kaizen::type::SHARE_ACTION_PLAN) {
        item->add_data_items("plan.stage_versions");
        r.set_method("/kaizen.plans.v1.PlansService/GetSharedPlanStages");
      } else if (category == kaizen::type::SHARE_SURVEY_PROFILE) {
        item->add_data_items("survey.profile");
        r.set_method("/kaizen.survey.v1.SurveyService/GetSharedSurveyProfile");
      } else {
        item->add_data_items("attendance.meetings");
        item->add_data_items("attendance.rate");
      }
    }
    return r;
  }

  // The service that provides the request's (first item's) category.
  static const char* ServiceFor(const RecordProvisionRequest& r) {
    if (r.items_size() == 0) return "scheduling";
    switch (r.items(0).category()) {
      case kaizen::type::SHARE_ACTION_PLAN: return "plans";
      case kaizen::type::SHARE_SURVEY_PROFILE: return "survey";
      default: return "scheduling";
    }
  }

  absl::StatusOr<kaizen::type::RecordProvisionResponse> Record(
      const RecordProvisionRequest& r, const Principal& caller) {
    return enrollment_->RecordProvision(caller, r);
  }
  absl::StatusOr<kaizen::type::RecordProvisionResponse> Record(const RecordProvisionRequest& r) {
    return Record(r, auth::ServicePrincipal(ServiceFor(r)));
  }

  // Records one attendance provision of people_[0] to its town.
  std::string RecordOne() {
    auto done = Record(Request(kTowns[0], {{people_[0], kaizen::type::SHARE_ATTENDANCE}}));
    EXPECT_TRUE(done.ok()) << done.status();
    return done.ok() ? done->records(0) : "";
  }

  absl::StatusOr<v1::ListProvisionRecordsResponse> List(
      v1::ListProvisionRecordsRequest r = {}, const Principal& caller = Secretariat()) {
    return enrollment_->ListProvisionRecords(caller, r);
  }

  absl::StatusOr<v1::ListParticipantProvisionRecordsResponse> ListOf(
      const std::string& participant, const Principal& caller) {
    v1::ListParticipantProvisionRecordsRequest r;
    r.set_parent(participant);
    return enrollment_->ListParticipantProvisionRecords(caller, r);
  }

  std::string cohort_;
  std::vector<std::string> people_;
};

void ExpectReason(const absl::Status& s, absl::StatusCode code, absl::string_view reason) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(errors::Reason(s), reason) << s;
}

// ------------------------------------------------------------ who records

TEST_F(ProvisionTest, OnlySchedulingPlansAndSurveyMayRecord) {
  const auto request = Request(kTowns[0], {{people_[0], kaizen::type::SHARE_ATTENDANCE}});
  EXPECT_TRUE(Record(request, auth::ServicePrincipal("scheduling")).ok());
  EXPECT_TRUE(Record(request, auth::ServicePrincipal("scheduling")).ok());
  EXPECT_TRUE(Record(request, auth::ServicePrincipal("scheduling")).ok());
  for (const Principal& other :
       {Secretariat(), User("applicant-0"), PartnerHr(kTowns[0]), Anonymous(),
        auth::ServicePrincipal("enrollment"), User("scheduling")}) {
    ExpectReason(Record(request, other).status(), absl::StatusCode::kPermissionDenied,
                 kServicesOnly);
  }
  // Refused callers wrote nothing.
  EXPECT_EQ(List()->provision_records_size(), 3);
}

// ------------------------------------------------------------ validation

TEST_F(ProvisionTest, ValidationNamesEachField) {
  struct Case {
    const char* what;
    std::function<void(RecordProvisionRequest&)> change;
    const char* field;
    absl::string_view reason;
  };
  const std::vector<Case> cases = {
      {"not a partner", [](auto& r) { *r.mutable_recipient() = Secretariat(); },
       "recipient.roles", kRecipientNotPartner},
      {"no key id", [](auto& r) { r.mutable_recipient()->clear_subject(); },
       "recipient.subject", kRecipientNotPartner},
      {"no municipality", [](auto& r) { r.mutable_recipient()->clear_municipality_code(); },
       "recipient.municipality_code", kRecipientNotPartner},
      {"a ward", [](auto& r) { r.mutable_recipient()->set_municipality_code("011011"); },
       "recipient.municipality_code", kMunicipalityIsWard},
      {"no items", [](auto& r) { r.clear_items(); }, "items", kFieldRequired},
      {"101 items",
       [](auto& r) {
         while (r.items_size() < 101) *r.add_items() = r.items(0);
       },
       "items", "INVALID_FIELD"},
      {"bad participant", [](auto& r) { r.mutable_items(0)->set_participant("cohorts/x"); },
       "items[0].participant", "INVALID_NAME"},
      {"no category",
       [](auto& r) { r.mutable_items(0)->set_category(kaizen::type::SHARE_CATEGORY_UNSPECIFIED); },
       "items[0].category", "INVALID_FIELD"},
      {"unknown category",
       [](auto& r) { r.mutable_items(0)->set_category(static_cast<ShareCategory>(9)); },
       "items[0].category", "INVALID_FIELD"},
      {"no data items", [](auto& r) { r.mutable_items(0)->clear_data_items(); },
       "items[0].data_items", kFieldRequired},
      {"21 data items",
       [](auto& r) {
         r.mutable_items(0)->clear_data_items();
         for (int i = 0; i < 21; ++i) r.mutable_items(0)->add_data_items(absl::StrCat("d", i));
       },
       "items[0].data_items", "INVALID_FIELD"},
      {"empty data item", [](auto& r) { r.mutable_items(0)->set_data_items(1, ""); },
       "items[0].data_items[1]", "INVALID_FIELD"},
      {"long data item",
       [](auto& r) { r.mutable_items(0)->set_data_items(0, std::string(101, 'a')); },
       "items[0].data_items[0]", "INVALID_FIELD"},
      {"control character", [](auto& r) { r.mutable_items(0)->set_data_items(0, "a\nb"); },
       "items[0].data_items[0]", "INVALID_FIELD"},
      {"twice", [](auto& r) { r.mutable_items(0)->set_data_items(1, "attendance.meetings"); },
       "items[0].data_items[1]", "INVALID_FIELD"},
      {"no method", [](auto& r) { r.clear_method(); }, "method", kFieldRequired},
      {"not a method", [](auto& r) { r.set_method("GetSharedAttendance"); }, "method",
       "INVALID_FIELD"},
      {"long method", [](auto& r) { r.set_method("/a.B/" + std::string(200, 'c')); }, "method",
       "INVALID_FIELD"},
      {"bad bundle", [](auto& r) { r.set_bundle("bundle 1"); }, "bundle", "INVALID_FIELD"},
      {"long bundle", [](auto& r) { r.set_bundle(std::string(65, 'b')); }, "bundle",
       "INVALID_FIELD"},
      // Scheduling records attendance only (the others: their own, below).
      {"another service's category",
       [](auto& r) { r.mutable_items(0)->set_category(kaizen::type::SHARE_ACTION_PLAN); },
       "items[0].category", "INVALID_FIELD"},
      {"another service's data item",
       [](auto& r) { r.mutable_items(0)->set_data_items(1, "plan.title"); },
       "items[0].data_items[1]", "INVALID_FIELD"},
      {"another service's method",
       [](auto& r) { r.set_method("/kaizen.plans.v1.PlansService/GetSharedPlanStages"); },
       "method", "INVALID_FIELD"},
  };
  for (const Case& c : cases) {
    auto request = Request(kTowns[0], {{people_[0], kaizen::type::SHARE_ATTENDANCE}});
    c.change(request);
    const absl::Status s = Record(request, auth::ServicePrincipal("scheduling")).status();
    ExpectReason(s, absl::StatusCode::kInvalidArgument, c.reason);
    auto bad = errors::GetBadRequest(s);
    ASSERT_TRUE(bad.has_value()) << c.what;
    ASSERT_GE(bad->field_violations_size(), 1) << c.what;
    EXPECT_EQ(bad->field_violations(0).field(), c.field) << c.what;
  }
  // The edges that are valid.
  auto ok = Request(kTowns[0], {{people_[0], kaizen::type::SHARE_ATTENDANCE}});
  ok.set_bundle(std::string(64, 'b'));
  ok.mutable_items(0)->set_data_items(0, "attendance." + std::string(89, 'a'));
  EXPECT_TRUE(Record(ok).ok());
  EXPECT_EQ(List()->provision_records_size(), 1);  // only the valid one wrote anything
  // Plans and survey likewise: their own category, items and method only.
  for (const char* service : {"plans", "survey"}) {
    auto attendance = Request(kTowns[0], {{people_[0], kaizen::type::SHARE_ATTENDANCE}});
    ExpectReason(Record(attendance, auth::ServicePrincipal(service)).status(),
                 absl::StatusCode::kInvalidArgument, "INVALID_FIELD");
  }
  auto survey = Request(kTowns[0], {{people_[0], kaizen::type::SHARE_SURVEY_PROFILE}});
  const absl::Status by_plans = Record(survey, auth::ServicePrincipal("plans")).status();
  auto bad = errors::GetBadRequest(by_plans);
  ASSERT_TRUE(bad.has_value());
  std::vector<std::string> fields;
  for (const auto& f : bad->field_violations()) fields.push_back(f.field());
  EXPECT_EQ(fields, (std::vector<std::string>{"method", "items[0].category",
                                              "items[0].data_items[0]"}));
  EXPECT_EQ(List()->provision_records_size(), 1);
}

// ------------------------------------------------------------ per item

TEST_F(ProvisionTest, EachItemIsRecordedOnlyForAConsentingEmployeeOfTheRecipient) {
  v1::Participant cancelled = Participants(cohort_)[2];
  auto request = Request(kTowns[0], {{people_[0], kaizen::type::SHARE_ATTENDANCE},
                                     {cancelled.name(), kaizen::type::SHARE_ATTENDANCE},
                                     {people_[1], kaizen::type::SHARE_ATTENDANCE},   // other town
                                     {cohort_ + "/participants/nobody",
                                      kaizen::type::SHARE_ATTENDANCE},
                                     {"cohorts/nowhere/participants/x",
                                      kaizen::type::SHARE_ATTENDANCE}});
  request.set_bundle("bundle-242047.2022-09");
  // All or nothing: one item not allowed and nothing is recorded (the
  // caller provides nothing of such an answer).
  auto refused = Record(request);
  ASSERT_TRUE(refused.ok()) << refused.status();
  ASSERT_EQ(refused->records_size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(refused->records(i), "") << i;
  ASSERT_TRUE(List().ok());
  EXPECT_EQ(List()->provision_records_size(), 0);
  for (int drop = 1; drop < 5; ++drop) {
    auto one_bad = Request(kTowns[0], {{people_[0], kaizen::type::SHARE_ATTENDANCE},
                                       {request.items(drop).participant(),
                                        request.items(drop).category()}});
    auto answer = Record(one_bad);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->records(0), "") << drop;
    EXPECT_EQ(answer->records(1), "") << drop;
  }
  EXPECT_EQ(List()->provision_records_size(), 0);

  request.mutable_items()->DeleteSubrange(1, 4);
  auto done = Record(request);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->records_size(), 1);
  EXPECT_TRUE(absl::StartsWith(done->records(0), "provisionRecords/")) << done->records(0);

  auto listed = List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->provision_records_size(), 1);
  const v1::ProvisionRecord& r = listed->provision_records(0);
  EXPECT_EQ(r.name(), done->records(0));
  EXPECT_EQ(r.time().seconds(), absl::ToUnixSeconds(June1()));
  EXPECT_EQ(r.recipient(), "hr-011002");
  EXPECT_EQ(r.recipient_municipality_code(), "011002");
  EXPECT_EQ(r.recipient_municipality_name(), "札幌市");
  EXPECT_EQ(r.participant(), people_[0]);
  EXPECT_EQ(r.display_name(), Participants(cohort_)[0].display_name());
  EXPECT_EQ(r.category(), kaizen::type::SHARE_ATTENDANCE);
  ASSERT_EQ(r.data_items_size(), 2);
  EXPECT_EQ(r.data_items(1), "attendance.rate");
  ASSERT_TRUE(r.consent().has_share_action_plan());  // all three, as relied on
  EXPECT_TRUE(r.consent().share_attendance());
  EXPECT_FALSE(r.consent().share_action_plan());
  EXPECT_FALSE(r.consent().share_survey_profile());
  EXPECT_EQ(r.method(), kMethod);
  EXPECT_EQ(r.bundle(), "bundle-242047.2022-09");
  EXPECT_EQ(r.service(), "scheduling");
}

TEST_F(ProvisionTest, RevokedConsentAndCancellationStopRecords) {
  const std::string first = RecordOne();
  EXPECT_FALSE(first.empty());
  v1::UpdateConsentRequest revoke;
  revoke.set_name(people_[0]);
  revoke.mutable_consent()->set_share_attendance(false);
  revoke.mutable_consent()->set_share_action_plan(false);
  revoke.mutable_consent()->set_share_survey_profile(true);
  ASSERT_TRUE(enrollment_->UpdateConsent(User("applicant-0"), revoke).ok());
  EXPECT_EQ(RecordOne(), "");
  // The newly given category is recorded, with the consent as it is now.
  auto profile = Record(Request(kTowns[0], {{people_[0], kaizen::type::SHARE_SURVEY_PROFILE}}));
  ASSERT_TRUE(profile.ok());
  EXPECT_FALSE(profile->records(0).empty());
  EXPECT_FALSE(List()->provision_records(0).consent().share_attendance());

  v1::CancelParticipantRequest cancel;
  cancel.set_name(people_[0]);
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  auto after = Record(Request(kTowns[0], {{people_[0], kaizen::type::SHARE_SURVEY_PROFILE}}));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->records(0), "");
  EXPECT_EQ(List()->provision_records_size(), 2);
}

// ------------------------------------------------------------ append-only

TEST(ProvisionAppendOnlyTest, TheDatabaseRefusesToChangeOrDeleteARecord) {
  const std::string path = absl::StrCat(getenv("TEST_TMPDIR"), "/provision-", NewId(), ".db");
  {
    storage::DatabaseOptions options;
    options.path = path;
    options.init = true;
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    ProvisionRow row;
    row.record.set_name("provisionRecords/r1");
    row.record.set_display_name("山田 太郎");
    ASSERT_TRUE((*store)->Write([&](EnrollmentTx& tx) { return tx.AppendProvisionRecord(&row); }).ok());
    // Also through the store: a second record with the same id is refused.
    ProvisionRow again = row;
    EXPECT_EQ((*store)
                  ->Write([&](EnrollmentTx& tx) { return tx.AppendProvisionRecord(&again); })
                  .code(),
              absl::StatusCode::kAlreadyExists);
  }
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  for (const char* sql : {"UPDATE provision_records SET recipient = 'x'",
                          "UPDATE provision_records SET data = x''",
                          "DELETE FROM provision_records",
                          "DELETE FROM provision_records WHERE id = 'r1'",
                          // The implicit delete of REPLACE fires no DELETE trigger.
                          "INSERT OR REPLACE INTO provision_records (id, time_micros, recipient, "
                          "municipality_code, participant, service, data) "
                          "VALUES ('r1', 0, 'x', 'x', 'x', 'x', x'')",
                          "REPLACE INTO provision_records (id, time_micros, recipient, "
                          "municipality_code, participant, service, data) "
                          "VALUES ('r1', 0, 'x', 'x', 'x', 'x', x'')",
                          "REPLACE INTO provision_records (seq, id, time_micros, recipient, "
                          "municipality_code, participant, service, data) SELECT seq, 'r2', 0, "
                          "'x', 'x', 'x', 'x', x'' FROM provision_records"}) {
    try {
      db.exec(sql);
      ADD_FAILURE() << "accepted: " << sql;
    } catch (const SQLite::Exception& e) {
      EXPECT_TRUE(absl::StrContains(e.what(), "append-only")) << sql << ": " << e.what();
    }
  }
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM provision_records").getInt(), 1);
  EXPECT_EQ(db.execAndGet("SELECT recipient FROM provision_records").getString(), "");
}

// ------------------------------------------------------------ purge, erasure

TEST_F(ProvisionTest, RecordsSurviveErasureAndCohortPurge) {
  const std::string name0 = RecordOne();
  auto other = Record(Request(kTowns[1], {{people_[1], kaizen::type::SHARE_ATTENDANCE}}));
  ASSERT_TRUE(other.ok());
  const std::string display0 = Participants(cohort_)[0].display_name();
  Finish(cohort_);
  ASSERT_TRUE(Erase(people_[0]).ok());
  // Erased: no new record; the old one keeps who it was about.
  EXPECT_EQ(RecordOne(), "");
  v1::ListProvisionRecordsRequest of0;
  of0.set_participant(people_[0]);
  auto listed = List(of0);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->provision_records_size(), 1);
  EXPECT_EQ(listed->provision_records(0).name(), name0);
  EXPECT_EQ(listed->provision_records(0).display_name(), display0);

  auto purged = Purge(cohort_);
  ASSERT_TRUE(purged.ok()) << purged.status();
  auto after = List();
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->provision_records_size(), 2);
  EXPECT_EQ(after->provision_records(1).display_name(), display0);
  // The secretariat still reads a purged person's own list.
  auto own = ListOf(people_[1], Secretariat());
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->provision_records_size(), 1);
  // And nothing more is recorded for the purged cohort.
  auto none = Record(Request(kTowns[1], {{people_[1], kaizen::type::SHARE_ATTENDANCE}}));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->records(0), "");
}

// ------------------------------------------------------------ who reads

TEST_F(ProvisionTest, ThePersonAndTheSecretariatReadAPersonsRecords) {
  RecordOne();
  auto own = ListOf(people_[0], User("applicant-0"));
  ASSERT_TRUE(own.ok()) << own.status();
  ASSERT_EQ(own->provision_records_size(), 1);
  // The person sees who received their data.
  EXPECT_EQ(own->provision_records(0).recipient(), "hr-011002");
  EXPECT_EQ(own->provision_records(0).recipient_municipality_name(), "札幌市");
  EXPECT_EQ(ListOf(people_[0], Secretariat())->provision_records_size(), 1);
  // Someone else's, or nobody's: one answer.
  const absl::Status other = ListOf(people_[0], User("applicant-1")).status();
  const absl::Status nobody = ListOf(cohort_ + "/participants/nobody", User("applicant-1")).status();
  ExpectReason(other, absl::StatusCode::kPermissionDenied, kNotYourParticipation);
  EXPECT_EQ(other.ToString(), nobody.ToString());
  EXPECT_EQ(ListOf(people_[0], Navigator()).status().ToString(), other.ToString());
  ExpectReason(ListOf(people_[0], PartnerHr(kTowns[0])).status(),
               absl::StatusCode::kPermissionDenied, kPartnerFeedOnly);
  ExpectReason(ListOf(people_[0], Anonymous()).status(), absl::StatusCode::kUnauthenticated,
               kLoginRequired);
  ExpectReason(ListOf("cohorts/x", Secretariat()).status(), absl::StatusCode::kInvalidArgument,
               "INVALID_NAME");
}

TEST_F(ProvisionTest, OnlyTheSecretariatListsAndExportsEveryRecord) {
  RecordOne();
  for (const Principal& p : {User("applicant-0"), Navigator()}) {
    ExpectReason(List({}, p).status(), absl::StatusCode::kPermissionDenied, kSecretariatOnly);
    ExpectReason(enrollment_->ExportProvisionRecords(p, {}).status(),
                 absl::StatusCode::kPermissionDenied, kSecretariatOnly);
  }
  ExpectReason(List({}, PartnerHr(kTowns[0])).status(), absl::StatusCode::kPermissionDenied,
               kPartnerFeedOnly);
  ExpectReason(List({}, Anonymous()).status(), absl::StatusCode::kUnauthenticated,
               kLoginRequired);
  ExpectReason(enrollment_->ExportProvisionRecords(auth::ServicePrincipal("scheduling"), {})
                   .status(),
               absl::StatusCode::kPermissionDenied, kSecretariatOnly);
}

// ------------------------------------------------------------ paging, filters

TEST_F(ProvisionTest, PagesNewestFirstAndFilters) {
  std::vector<std::string> names;  // oldest first
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Minutes(1));
    names.push_back(RecordOne());
  }
  auto other = Record(Request(kTowns[1], {{people_[1], kaizen::type::SHARE_ATTENDANCE}}));
  ASSERT_TRUE(other.ok());

  v1::ListProvisionRecordsRequest page;
  page.set_municipality_code(kTowns[0]);
  page.set_page_size(2);
  std::vector<std::string> seen;
  for (int pages = 0; pages < 10; ++pages) {
    auto got = List(page);
    ASSERT_TRUE(got.ok()) << got.status();
    for (const auto& r : got->provision_records()) seen.push_back(r.name());
    if (got->next_page_token().empty()) break;
    page.set_page_token(got->next_page_token());
  }
  EXPECT_EQ(seen, std::vector<std::string>(names.rbegin(), names.rend()));

  // A token is bound to its filters.
  page.set_page_token("");
  auto first = List(page);
  ASSERT_TRUE(first.ok());
  v1::ListProvisionRecordsRequest changed = page;
  changed.set_municipality_code(kTowns[1]);
  changed.set_page_token(first->next_page_token());
  ExpectReason(List(changed).status(), absl::StatusCode::kInvalidArgument, kInvalidPageToken);

  // A period: [start, end).
  v1::ListProvisionRecordsRequest period;
  *period.mutable_start_time() = ToProto(June1() + absl::Minutes(2));
  *period.mutable_end_time() = ToProto(June1() + absl::Minutes(4));
  auto in = List(period);
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_EQ(in->provision_records_size(), 2);
  EXPECT_EQ(in->provision_records(0).name(), names[2]);
  EXPECT_EQ(in->provision_records(1).name(), names[1]);

  v1::ListProvisionRecordsRequest by_key;
  by_key.set_recipient("hr-131016");
  EXPECT_EQ(List(by_key)->provision_records_size(), 1);

  v1::ListProvisionRecordsRequest backwards = period;
  *backwards.mutable_end_time() = backwards.start_time();
  ExpectReason(List(backwards).status(), absl::StatusCode::kInvalidArgument, "INVALID_FIELD");
  v1::ListProvisionRecordsRequest ward;
  ward.set_municipality_code("011011");
  ExpectReason(List(ward).status(), absl::StatusCode::kInvalidArgument, kMunicipalityIsWard);
  v1::ListProvisionRecordsRequest bad_person;
  bad_person.set_participant("people/1");
  ExpectReason(List(bad_person).status(), absl::StatusCode::kInvalidArgument, "INVALID_NAME");
}

// ------------------------------------------------------------ CSV

TEST_F(ProvisionTest, ExportIsExcelSafeCsvOldestFirst) {
  // A person whose name is written in kana, employed by a town whose code
  // starts with 0.
  v1::CreateApplicationRequest apply = Apply(cohort_, 9, kTowns[5]);  // 012025
  apply.mutable_application()->mutable_members(0)->set_display_name("さとう はなこ");
  ASSERT_TRUE(enrollment_->CreateApplication(User("applicant-9"), apply).ok());
  std::string hanako;
  for (const auto& p : Participants(cohort_)) {
    if (p.display_name() == "さとう はなこ") hanako = p.name();
  }
  ASSERT_FALSE(hanako.empty());
  const std::string first = RecordOne();
  clock_.Advance(absl::Hours(1));
  auto rec = Record(Request(kTowns[5], {{hanako, kaizen::type::SHARE_ATTENDANCE}}));
  ASSERT_TRUE(rec.ok());

  auto csv = enrollment_->ExportProvisionRecords(Secretariat(), {});
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->content_type(), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->filename(), "provision-records.csv");
  const std::string& data = csv->data();
  ASSERT_TRUE(absl::StartsWith(data, "\xEF\xBB\xBF")) << "no BOM";
  std::vector<std::string> lines = absl::StrSplit(data.substr(3), "\r\n");
  ASSERT_EQ(lines.size(), 4u) << data;  // header, two rows, the final CRLF
  EXPECT_EQ(lines[0],
            "記録ID,提供日時(JST),提供先キーID,提供先自治体コード,提供先自治体名,本人,氏名,"
            "区分,提供項目,同意_出欠,同意_行動計画,同意_サーベイ結果,提供経路,バンドルID,"
            "提供サービス");
  EXPECT_TRUE(absl::StartsWith(lines[1], first + ",2022/06/01 00:00:00,\"=\"\"hr-011002\"\"\",\"=\"\"011002\"\"\",札幌市,"))
      << lines[1];
  EXPECT_EQ(lines[2], absl::StrCat(rec->records(0), ",2022/06/01 01:00:00,\"=\"\"hr-012025\"\"\",\"=\"\"012025\"\"\",",
                                   "函館市,", hanako, ",さとう はなこ,出欠,",
                                   "attendance.meetings;attendance.rate,1,0,0,", kMethod,
                                   ",,scheduling"));
  EXPECT_EQ(lines[3], "");

  v1::ExportProvisionRecordsRequest one_town;
  one_town.set_municipality_code(kTowns[5]);
  auto filtered = enrollment_->ExportProvisionRecords(Secretariat(), one_town);
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(filtered->filename(), "provision-records-012025.csv");
  EXPECT_FALSE(absl::StrContains(filtered->data(), "hr-011002"));
}

TEST_F(ProvisionTest, AnExportOfTooManyRecordsIsRefusedNotTruncated) {
  // 10,001 records (the limit is 10,000): 100 requests of 100 items (an
  // item may name the same person again: each pull is its own record).
  std::vector<std::pair<std::string, ShareCategory>> items(
      100, {people_[0], kaizen::type::SHARE_ATTENDANCE});
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Record(Request(kTowns[0], items)).ok());
  clock_.Advance(absl::Seconds(5));
  RecordOne();
  ExpectReason(enrollment_->ExportProvisionRecords(Secretariat(), {}).status(),
               absl::StatusCode::kResourceExhausted, kExportTooLarge);
  // A period within the limit still exports.
  v1::ExportProvisionRecordsRequest later;
  *later.mutable_start_time() = ToProto(June1() + absl::Seconds(5));
  auto one = enrollment_->ExportProvisionRecords(Secretariat(), later);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(std::count(one->data().begin(), one->data().end(), '\n'), 2);  // header + 1
}

TEST_F(ProvisionTest, AnExportOfMoreThanThreeMebibytesIsRefused) {
  // Rows of 20 data items of ~100 characters: ~2.2 KB each. 1,200 rows
  // (~2.7 MB) export; 1,500 (~3.35 MB) are more than 3 MiB.
  auto request = Request(kTowns[0], std::vector<std::pair<std::string, ShareCategory>>(
                                        100, {people_[0], kaizen::type::SHARE_ATTENDANCE}));
  for (auto& item : *request.mutable_items()) {
    item.clear_data_items();
    for (int d = 0; d < 20; ++d) {
      item.add_data_items(absl::StrCat("attendance.", d, std::string(86, 'x')));
    }
  }
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(Record(request).ok());
  auto fits = enrollment_->ExportProvisionRecords(Secretariat(), {});
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_GT(fits->data().size(), 2500000u);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Record(request).ok());
  ExpectReason(enrollment_->ExportProvisionRecords(Secretariat(), {}).status(),
               absl::StatusCode::kResourceExhausted, kExportTooLarge);
}

}  // namespace
}  // namespace kaizen::enrollment
