// Builders shared by the enrollment tests: a FY2022-like cohort and
// applicants with valid data, and the kit's principals.
#ifndef KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_TEST_UTIL_H_
#define KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_TEST_UTIL_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "common/testing/principals.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::enrollment::testing {

namespace v1 = ::kaizen::enrollment::v1;
using ::kaizen::type::Principal;

// Valid municipal codes (check digits included), all different towns.
inline constexpr const char* kTowns[] = {"011002", "131016", "242047", "271004",
                                         "401005", "012025", "472018", "141003",
                                         "231002", "261009", "221007", "131024"};

// 2022-06-01 00:00 JST: applications are open.
inline absl::Time June1() { return absl::FromUnixSeconds(1654009200); }

// Principals come from the shared test kit (common/testing/principals.h).
using ::kaizen::testkit::Anonymous;
using ::kaizen::testkit::Navigator;
using ::kaizen::testkit::PartnerHr;
using ::kaizen::testkit::Secretariat;
using ::kaizen::testkit::Service;
using ::kaizen::testkit::User;
using ::kaizen::testkit::WithToken;

// The FY2022 call: 10 seats, 6 municipalities, ages 20-39 on 2022-07-24,
// 10,000 JPY with two textbooks (one ships from September).
inline v1::Cohort Fy2022Cohort() {
  v1::Cohort c;
  c.set_title("2022年度 次世代改善リーダー事例研究会");
  c.set_fiscal_year(2022);
  c.set_capacity(10);
  c.set_max_municipalities(6);
  c.mutable_eligibility()->set_min_age(20);
  c.mutable_eligibility()->set_max_age(39);
  auto* ref = c.mutable_eligibility()->mutable_age_reference_date();
  ref->set_year(2022);
  ref->set_month(7);
  ref->set_day(24);
  c.mutable_fee()->set_currency_code("JPY");
  c.mutable_fee()->set_units(10000);
  auto* book1 = c.add_included_items();
  book1->set_id("kaizen-undo");
  book1->set_title("自治体経営を変える改善運動");
  book1->mutable_available_date()->set_year(2022);
  book1->mutable_available_date()->set_month(5);
  book1->mutable_available_date()->set_day(1);
  auto* book2 = c.add_included_items();
  book2->set_id("shin-kaizen-bon");
  book2->set_title("新改善本");
  book2->mutable_available_date()->set_year(2022);
  book2->mutable_available_date()->set_month(9);
  book2->mutable_available_date()->set_day(15);
  c.mutable_application_open_time()->set_seconds(1651330800);   // 2022-05-01 JST
  c.mutable_application_close_time()->set_seconds(1656601200);  // 2022-07-01 JST
  return c;
}

// A valid applicant: 30 years old on the reference date.
inline v1::Applicant Person(int n, const std::string& town) {
  v1::Applicant a;
  a.set_display_name(absl::StrCat("山田 太郎", n));
  a.set_kana("やまだ たろう");
  a.set_email(absl::StrCat("person", n, "@city.example.jp"));
  a.set_municipality_code(town);
  a.set_department("総務部 行政改革課");
  a.mutable_birth_date()->set_year(1992);
  a.mutable_birth_date()->set_month(4);
  a.mutable_birth_date()->set_day(1);
  a.set_motivation("同僚を巻き込んで改善を進めたい。\n5年後の旗手に。");
  a.mutable_consent()->set_share_attendance(true);
  return a;
}

// An EnrollmentConfig for tests of rules other than e-mail confirmation:
// anonymous applications arrive when created, as a signed-in caller's do
// (the pre-issue-13 behaviour). The rule itself is tested with the default,
// require_email_confirmation = true (confirmation_test.cc). A template so
// this header needs no domain header.
template <typename Config>
Config WithoutEmailConfirmation(Config config) {
  config.require_email_confirmation = false;
  return config;
}

inline v1::CreateApplicationRequest Apply(const std::string& cohort_name, int n,
                                          const std::string& town, int team = 1) {
  v1::CreateApplicationRequest r;
  r.set_parent(cohort_name);
  for (int i = 0; i < team; ++i) {
    *r.mutable_application()->add_members() = Person(n * 100 + i, town);
  }
  return r;
}

}  // namespace kaizen::enrollment::testing

#endif  // KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_TEST_UTIL_H_
