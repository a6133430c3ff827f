// Builders for scheduling tests: a fake roster source with a sample cohort
// (on clients/enrollment/fake_roster_source.h) and principals.
#ifndef KAIZEN_SERVICES_SCHEDULING_SCHEDULING_TEST_UTIL_H_
#define KAIZEN_SERVICES_SCHEDULING_SCHEDULING_TEST_UTIL_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "clients/enrollment/fake_roster_source.h"
#include "common/testing/principals.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::scheduling::testing {

namespace ev1 = ::kaizen::enrollment::v1;
using ::kaizen::type::Principal;

inline constexpr char kCohort[] = "cohorts/fy2022";

// A roster with a navigator, an advisor, an observer, the secretariat and
// `participants` participants p1..pN (subjects "user-p1" ...).
class FakeRoster final : public enrollment_client::FakeRosterSource {
 public:
  explicit FakeRoster(int participants = 4) {
    ev1::Roster roster;
    roster.set_cohort(kCohort);
    Add(roster, "navigator", "中村 進", ev1::Participant::NAVIGATOR, "242047");
    Add(roster, "advisor", "小川 恵美", ev1::Participant::ADVISOR, "");
    Add(roster, "observer", "観察 太郎", ev1::Participant::OBSERVER, "");
    Add(roster, "secretariat", "事務局 花子", ev1::Participant::SECRETARIAT, "");
    for (int i = 1; i <= participants; ++i) {
      Add(roster, absl::StrCat("p", i), absl::StrCat("参加者", i), ev1::Participant::PARTICIPANT,
          "131016");
    }
    SetRoster(roster);
  }
  // Enrollment down: every call fails with UNAVAILABLE ENROLLMENT_UNAVAILABLE.
  void SetDown(bool down) { SetUnavailable(down); }

 private:
  static void Add(ev1::Roster& roster, const std::string& id, const std::string& name,
                  ev1::Participant::Role role, const std::string& town) {
    auto* e = roster.add_entries();
    e->set_participant(absl::StrCat(kCohort, "/participants/", id));
    e->set_display_name(name);
    e->set_role(role);
    e->set_municipality_code(town);
    e->set_subject("user-" + id);
  }
};

inline std::string Person(const std::string& id) {
  return absl::StrCat(kCohort, "/participants/", id);
}

// The account of roster entry `id` (subject "user-<id>"), built with the
// shared test kit (common/testing/principals.h).
inline Principal As(const std::string& id, kaizen::type::Role role) {
  return ::kaizen::testkit::User("user-" + id, role);
}

inline Principal Secretariat() { return As("secretariat", kaizen::type::ROLE_SECRETARIAT); }
inline Principal Navigator() { return As("navigator", kaizen::type::ROLE_NAVIGATOR); }
inline Principal Advisor() { return As("advisor", kaizen::type::ROLE_ADVISOR); }
inline Principal Participant(int n) {
  return As(absl::StrCat("p", n), kaizen::type::ROLE_PARTICIPANT);
}

// 2022-07-24 09:00 JST.
inline absl::Time FirstMeeting() { return absl::FromUnixSeconds(1658620800); }

// YYYY-MM-DD HH:MM in Asia/Tokyo.
inline absl::Time Tokyo(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::FixedTimeZone(9 * 3600));
}

}  // namespace kaizen::scheduling::testing

#endif  // KAIZEN_SERVICES_SCHEDULING_SCHEDULING_TEST_UTIL_H_
