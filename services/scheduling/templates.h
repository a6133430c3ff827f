// Programme templates: the built-in FY2022 plan and the rules for custom
// ones, and how a template entry becomes a meeting window.
#ifndef KAIZEN_SERVICES_SCHEDULING_TEMPLATES_H_
#define KAIZEN_SERVICES_SCHEDULING_TEMPLATES_H_

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"

namespace kaizen::scheduling {


// "templates/next-gen-leaders-fy2022": 8 web meetings of 3 hours; meetings
// 1-6 monthly July-December of the start year, 7 in June and 8 in December
// of the next (../shared/domain.md).
const std::vector<v1::Template>& BuiltInTemplates();

// The window of `entry` in a series starting in `start_year`: the whole
// calendar month in Asia/Tokyo, [first day 00:00, first day of next month).
std::pair<absl::Time, absl::Time> EntryWindow(int start_year,
                                              const v1::Template::Entry& entry);

// INVALID_ARGUMENT naming the field (template.title, template.entries[i]...):
// 1-30 entries, sequences 1..n in order, themes 1-200 chars, phase set,
// year_offset 0-3, month 1-12, windows not going back in time, duration 15
// min - 8 h, format set.
absl::Status ValidateTemplate(const v1::Template& t);

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_TEMPLATES_H_
