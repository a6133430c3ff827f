// Loads the FY2022 demo programme into running enrollment, scheduling, plans
// and survey services, as a trusted tool holding the internal secret (it
// signs principals the way the gateway does). Idempotent: if the demo cohort
// exists it is left as it is, and a demo plan or survey wave whose id is
// taken is skipped. Every person is fictional.
//
//   load_demo_data --enrollment=127.0.0.1:50051 --scheduling=127.0.0.1:50052
//       --plans=127.0.0.1:50054 --survey=127.0.0.1:50053
//       --internal_secret_file=var/internal-secret
//
// The demo cohort keeps the flyer's facts (capacity 10, 6 municipalities,
// ages 20-39 on 2022-07-24, 10,000 JPY with two textbooks, 8 meetings with the
// first on 2022-07-24 09:00 JST) but its application window is open from
// yesterday for 60 days, so the frontend can try applying.
//
// Then the action plans of three of its participants (one a team plan made
// by the navigator): four revisions each, written by an owner, with the
// navigator's feedback and practice log entries. Meetings 6, 7 and 8 (the
// stage deadlines) are confirmed on their FY2022 dates if they have no date
// yet. Those dates are past, so the stages are locked: the secretariat
// presents the INTERIM, FOLLOW_UP and FINAL versions late, with a reason that
// says so (the path the API offers for late versions; submit times are the
// time of loading). An empty --plans skips the plans.
//
// Then the surveys, on the built-in pre-survey: the demo cohort's PRE,
// FOLLOW_UP_6 and FOLLOW_UP_12 waves, answered by its participants who have
// an account (eight of ten; one has only begun the 12-month follow-up), and
// three fictional reference cohorts of later years (FY2023-2025, ten people
// each from five of the demo municipalities, finished, their three waves
// answered and closed), so that every lens has a pool: the bird's eye of
// 松阪市, 千代田区 and 大阪市 passes the k=5 rule for anyone; 札幌市 and
// 北九州市 are shown only to a cohort's staff asking within their cohort. Answers are generated with a fixed seed
// from each municipality's (fictional) character, the wave and the year;
// free text is written by hand. The demo meetings lie in the past and answers
// are accepted only while a wave is open, so every wave's window is
// synthetic: open from an hour before loading for a year (the reference
// cohorts' waves are then closed). A wave that exists is skipped, a
// reference cohort that exists is not re-created. An empty --survey skips
// the surveys.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/auth/keys.h"
#include "tools/demo/loader.h"

ABSL_FLAG(std::string, enrollment, "127.0.0.1:50051", "enrollment service address");
ABSL_FLAG(std::string, scheduling, "127.0.0.1:50052", "scheduling service address");
ABSL_FLAG(std::string, plans, "127.0.0.1:50054", "plans service address (empty: no demo plans)");
ABSL_FLAG(std::string, survey, "127.0.0.1:50053",
          "survey service address (empty: no demo surveys)");
ABSL_FLAG(std::string, internal_secret_file, "var/internal-secret", "the internal secret");
ABSL_FLAG(std::string, cohort_id, "fy2022", "id of the demo cohort");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_internal_secret_file));
  std::stringstream secret;
  secret << in.rdbuf();
  if (!in || secret.str().empty()) {
    std::fprintf(stderr, "load_demo_data: cannot read the internal secret file\n");
    return 2;
  }
  // One secret per line, the current one first (common/auth/keys.h).
  auto secrets = kaizen::auth::ParseSecretList(secret.str(), "internal_secret_file");
  if (!secrets.ok()) {
    std::fprintf(stderr, "load_demo_data: %s\n", std::string(secrets.status().message()).c_str());
    return 2;
  }
  return kaizen::demo::Loader(secrets->front()).Run();
}
