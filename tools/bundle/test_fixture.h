// A fixed bundle for the tests (fictional people of 松阪市, 242047):
//   松阪 花子 (cohorts/fy2022/participants/hanako): attendance (3 meetings,
//     one outside the period), her own plan and a team plan with 伊勢 太郎
//     (INTERIM in the period), two survey waves with one shared text;
//   伊勢 太郎 (cohorts/fy2022/participants/taro): attendance and the team plan;
//     his display name starts with '=' to exercise the CSV injection guard.
// Period 2022-04-01..2023-03-31 (Asia/Tokyo), created 2022-07-01T09:00+09:00.
#ifndef KAIZEN_TOOLS_BUNDLE_TEST_FIXTURE_H_
#define KAIZEN_TOOLS_BUNDLE_TEST_FIXTURE_H_

#include "tools/bundle/model.h"

namespace kaizen::bundle::testing {

// The data as fetched, already cut to the period.
BundleData FixtureBundle();

// The raw service answers for 花子 (before period filtering).
scheduling::v1::SharedAttendance HanakoAttendance();
plans::v1::SharedPlanStages HanakoPlans();
survey::v1::SharedSurveyProfile HanakoSurvey();

}  // namespace kaizen::bundle::testing

#endif  // KAIZEN_TOOLS_BUNDLE_TEST_FIXTURE_H_
