// (b) CreateApplication under 64 concurrent callers and (c) a burst of 256
// simultaneous applicants on one cohort, with the seat rules checked after.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/util/proto_time.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "tools/bench/async_load.h"
#include "tools/bench/scenarios.h"

namespace kaizen::bench {
namespace {

namespace v1 = kaizen::enrollment::v1;

constexpr char kService[] = "/kaizen.enrollment.v1.EnrollmentService/";
// Real municipalities (check digits valid), as in the demo data.
constexpr const char* kTowns[] = {"011002", "131016", "242047", "271004",
                                  "401005", "012025", "472018"};

std::string Method(const char* name) { return absl::StrCat(kService, name); }

// An OPEN cohort "cohorts/<id>" created by the secretariat; exits the
// benchmark when the server refuses (nothing would be measured).
std::string CreateOpenCohort(v1::EnrollmentService::Stub& stub, const std::string& id,
                             int capacity, int max_municipalities, int max_waitlist) {
  v1::CreateCohortRequest create;
  create.set_cohort_id(id);
  v1::Cohort* c = create.mutable_cohort();
  c->set_title(absl::StrCat("ベンチマーク ", id));
  c->set_fiscal_year(2026);
  c->set_capacity(capacity);
  c->set_max_municipalities(max_municipalities);
  c->set_max_waitlist(max_waitlist);
  c->mutable_fee()->set_currency_code("JPY");
  c->mutable_fee()->set_units(10000);
  *c->mutable_application_open_time() = ToProtoTimestamp(absl::Now() - absl::Hours(1));
  *c->mutable_application_close_time() = ToProtoTimestamp(absl::Now() + absl::Hours(24));
  v1::Cohort cohort;
  grpc::ClientContext create_ctx;
  AddPrincipal(&create_ctx, Secretariat(), Method("CreateCohort"));
  grpc::Status s = stub.CreateCohort(&create_ctx, create, &cohort);
  if (s.ok()) {
    v1::TransitionCohortRequest open;
    open.set_name(cohort.name());
    open.set_state(v1::Cohort::OPEN);
    grpc::ClientContext open_ctx;
    AddPrincipal(&open_ctx, Secretariat(), Method("TransitionCohort"));
    s = stub.TransitionCohort(&open_ctx, open, &cohort);
  }
  if (!s.ok()) {
    std::fprintf(stderr, "bench: cannot create cohort %s: %s\n", id.c_str(), DescribeStatus(s).c_str());
    std::exit(1);
  }
  return cohort.name();
}

// A one-member application from a new person number `n` of `tag`.
void FillApplication(const std::string& parent, const std::string& tag, int64_t n,
                     v1::CreateApplicationRequest* r) {
  r->Clear();
  r->set_parent(parent);
  r->set_request_id(absl::StrCat("bench-", tag, "-", n));
  v1::Applicant* a = r->mutable_application()->add_members();
  a->set_display_name("試験 太郎");
  a->set_kana("しけん たろう");
  a->set_email(absl::StrCat("bench-", tag, "-", n, "@example.jp"));
  a->set_municipality_code(kTowns[n % (sizeof(kTowns) / sizeof(kTowns[0]))]);
  a->set_department("企画部 行政改革課");
  a->mutable_birth_date()->set_year(1990);
  a->mutable_birth_date()->set_month(4);
  a->mutable_birth_date()->set_day(1);
  a->set_motivation("改善の旗手になりたい。");
  a->mutable_consent()->set_share_attendance(true);
}

// The signed-in applicant of person `n` (no e-mail confirmation needed).
kaizen::type::Principal Applicant(const std::string& tag, int64_t n) {
  kaizen::type::Principal p;
  p.set_subject(absl::StrCat("bench-", tag, "-", n));
  p.add_roles(kaizen::type::ROLE_PARTICIPANT);
  return p;
}

bool Admitted(const v1::Application& a) {
  return a.state() == v1::Application::ACCEPTED || a.state() == v1::Application::WAITLISTED;
}

}  // namespace

LoadResult MeasureCreateApplication(const Stack& stack, const std::string& tag, int callers,
                                    double warmup, double seconds) {
  auto admin = v1::EnrollmentService::NewStub(Channel(stack.enrollment_port, -1));
  // 8 cohorts of 1,000 seats and 10,000 waiting places: room for 88,000
  // applications, more than this machine can write in one measurement.
  std::vector<std::string> cohorts;
  for (int k = 0; k < 8; ++k) {
    cohorts.push_back(CreateOpenCohort(*admin, absl::StrCat("bench-create-", tag, "-", k), 1000,
                                       1000, 10000));
  }
  std::vector<std::unique_ptr<v1::EnrollmentService::Stub>> stubs;
  for (int i = 0; i < callers; ++i) {
    stubs.push_back(v1::EnrollmentService::NewStub(Channel(stack.enrollment_port, i)));
  }
  // One request per caller, alive while its call is (one call in flight each).
  std::vector<v1::CreateApplicationRequest> requests(callers);
  std::atomic<int64_t> next{0};
  const std::string method = Method("CreateApplication");
  return AsyncClosedLoop<v1::Application>(
      callers, warmup, seconds,
      [&](int i, grpc::ClientContext* ctx, v1::Application* out, Done done) {
        const int64_t n = next.fetch_add(1);
        FillApplication(cohorts[n % cohorts.size()], tag, n, &requests[i]);
        AddPrincipal(ctx, Applicant(tag, n), method);
        stubs[i]->async()->CreateApplication(ctx, &requests[i], out, std::move(done));
      },
      [](int, const grpc::Status& s, const v1::Application& a, std::string* why) {
        if (s.ok() && Admitted(a)) return true;
        *why = s.ok() ? absl::StrCat("state ", v1::Application::State_Name(a.state()))
                      : DescribeStatus(s);
        return false;
      });
}

BurstResult MeasureBurst(const Stack& stack, const std::string& tag, int applicants, int capacity,
                         int max_waitlist) {
  auto admin = v1::EnrollmentService::NewStub(Channel(stack.enrollment_port, -1));
  const std::string cohort = CreateOpenCohort(*admin, absl::StrCat("bench-burst-", tag), capacity,
                                              capacity, max_waitlist);
  // One connection per applicant, connected before the start barrier.
  std::vector<std::unique_ptr<v1::EnrollmentService::Stub>> stubs;
  for (int i = 0; i < applicants; ++i) {
    auto channel = Channel(stack.enrollment_port, i);
    channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5));
    stubs.push_back(v1::EnrollmentService::NewStub(channel));
  }
  std::vector<v1::CreateApplicationRequest> requests(applicants);
  const std::string method = Method("CreateApplication");
  BurstResult r;
  r.applicants = applicants;
  int ok_accepted = 0, ok_waitlisted = 0;
  const double wall = AsyncBurst<v1::Application>(
      applicants,
      [&](int i, grpc::ClientContext* ctx) {
        FillApplication(cohort, "burst-" + tag, i, &requests[i]);
        AddPrincipal(ctx, Applicant("burst-" + tag, i), method);
      },
      [&](int i, grpc::ClientContext* ctx, v1::Application* out, Done done) {
        stubs[i]->async()->CreateApplication(ctx, &requests[i], out, std::move(done));
      },
      [&](int, const grpc::Status& s, const v1::Application& a) {
        if (s.ok() && a.state() == v1::Application::ACCEPTED) {
          ++ok_accepted;
        } else if (s.ok() && a.state() == v1::Application::WAITLISTED) {
          ++ok_waitlisted;
        } else if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
                   errors::Reason(FromGrpcStatus(s)) == "WAITLIST_FULL") {
          ++r.refused_waitlist_full;  // the one legitimate refusal here
        } else {
          ++r.errors;
          r.example_error =
              s.ok() ? absl::StrCat("state ", v1::Application::State_Name(a.state()))
                     : DescribeStatus(s);
        }
      });
  r.wall_ms = wall * 1000;

  // The seat rules, from the server's own records.
  auto violation = [&](std::string v) { r.violations.push_back(std::move(v)); };
  v1::Cohort after;
  {
    grpc::ClientContext ctx;
    AddPrincipal(&ctx, Secretariat(), Method("GetCohort"));
    v1::GetCohortRequest get;
    get.set_name(cohort);
    if (grpc::Status s = admin->GetCohort(&ctx, get, &after); !s.ok()) {
      violation("GetCohort after the burst failed: " + DescribeStatus(s));
      return r;
    }
  }
  int listed = 0, offered_members = 0, accepted_members = 0;
  v1::ListApplicationsRequest list;
  list.set_parent(cohort);
  list.set_page_size(500);
  do {
    grpc::ClientContext ctx;
    AddPrincipal(&ctx, Secretariat(), Method("ListApplications"));
    v1::ListApplicationsResponse page;
    if (grpc::Status s = admin->ListApplications(&ctx, list, &page); !s.ok()) {
      violation("ListApplications after the burst failed: " + DescribeStatus(s));
      return r;
    }
    for (const v1::Application& a : page.applications()) {
      ++listed;
      if (a.state() == v1::Application::ACCEPTED) {
        ++r.accepted;
        accepted_members += a.admitted_member_count();
      } else if (a.state() == v1::Application::OFFERED) {
        offered_members += a.members_size();
      } else if (a.state() == v1::Application::WAITLISTED) {
        ++r.waitlisted;
      } else {
        violation(absl::StrCat(a.name(), " is ", v1::Application::State_Name(a.state())));
      }
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());

  const int answered_ok = ok_accepted + ok_waitlisted;
  if (after.seats_taken() > after.capacity()) {
    violation(absl::StrCat("seats_taken ", after.seats_taken(), " > capacity ", after.capacity()));
  }
  if (after.seats_taken() != accepted_members + offered_members) {
    violation(absl::StrCat("seats_taken ", after.seats_taken(), " != accepted members ",
                           accepted_members, " + offered members ", offered_members));
  }
  if (r.waitlisted > after.max_waitlist()) {
    violation(absl::StrCat("waitlisted ", r.waitlisted, " > max_waitlist ", after.max_waitlist()));
  }
  if (after.municipalities_taken() > after.max_municipalities()) {
    violation(absl::StrCat("municipalities_taken ", after.municipalities_taken(),
                           " > max_municipalities ", after.max_municipalities()));
  }
  if (listed != answered_ok || r.accepted != ok_accepted || r.waitlisted != ok_waitlisted) {
    violation(absl::StrCat("answers (", ok_accepted, " accepted, ", ok_waitlisted,
                           " waitlisted) differ from ListApplications (", r.accepted,
                           " accepted, ", r.waitlisted, " waitlisted, ", listed, " in all)"));
  }
  // Refusing anyone while a seat or a waiting place was free breaks the rules
  // too (one-member applications, at most as many towns as seats).
  if (r.refused_waitlist_full > 0 &&
      (after.seats_taken() < after.capacity() || r.waitlisted < after.max_waitlist())) {
    violation(absl::StrCat(r.refused_waitlist_full, " refused with ", after.seats_taken(), "/",
                           after.capacity(), " seats and ", r.waitlisted, "/",
                           after.max_waitlist(), " waiting places taken"));
  }
  return r;
}

}  // namespace kaizen::bench
