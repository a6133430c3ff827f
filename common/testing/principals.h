// Callers for tests of every service: the principals the gateway would
// forward for each kind of user. Subjects are fixed and fictional, so a test
// that needs "the same person twice" gets it by calling the builder twice.
#ifndef KAIZEN_COMMON_TESTING_PRINCIPALS_H_
#define KAIZEN_COMMON_TESTING_PRINCIPALS_H_

#include <string>

#include "kaizen/type/principal.pb.h"

namespace kaizen::testkit {

using ::kaizen::type::Principal;

// A signed-in account `subject` holding `role`.
inline Principal User(const std::string& subject,
                      kaizen::type::Role role = kaizen::type::ROLE_PARTICIPANT) {
  Principal p;
  p.set_subject(subject);
  p.add_roles(role);
  return p;
}

inline Principal Secretariat(const std::string& subject = "secretariat-1") {
  return User(subject, kaizen::type::ROLE_SECRETARIAT);
}

inline Principal Navigator(const std::string& subject = "navigator-1") {
  return User(subject, kaizen::type::ROLE_NAVIGATOR);
}

inline Principal Advisor(const std::string& subject = "advisor-1") {
  return User(subject, kaizen::type::ROLE_ADVISOR);
}

inline Principal Observer(const std::string& subject = "observer-1") {
  return User(subject, kaizen::type::ROLE_OBSERVER);
}

// No credentials at all (the gateway forwards an empty principal).
inline Principal Anonymous() { return Principal(); }

// An applicant holding only an application's secret access token.
inline Principal WithToken(const std::string& token) {
  Principal p;
  p.set_access_token(token);
  return p;
}

// A partner municipality's HR key, bound to `municipality` (6-digit code).
inline Principal PartnerHr(const std::string& municipality) {
  Principal p;
  p.set_subject("hr-" + municipality);
  p.add_roles(kaizen::type::ROLE_PARTNER_HR);
  p.set_municipality_code(municipality);
  return p;
}

// Another Kaizen service calling with its service principal.
inline Principal Service(const std::string& name = "scheduling") {
  return User(name, kaizen::type::ROLE_SERVICE);
}

}  // namespace kaizen::testkit

#endif  // KAIZEN_COMMON_TESTING_PRINCIPALS_H_
