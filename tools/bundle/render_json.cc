#include "tools/bundle/render_json.h"

#include <algorithm>
#include <memory>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/util/proto_time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "tools/bundle/bundle_errors.h"

namespace kaizen::bundle {
namespace {

// The proto as JSON, faithfully; on failure `*failed` names the record (the caller
// fails the whole bundle rather than write a hollow record).
std::string ProtoJson(const google::protobuf::Message& m, const std::string& key,
                      std::string* failed) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_enums_as_ints = false;
  // The printer can also lose data silently (it drops invalid UTF-8 and
  // only logs): the JSON must read back as the very same message.
  std::unique_ptr<google::protobuf::Message> back(m.New());
  if (!google::protobuf::util::MessageToJsonString(m, &out, options).ok() ||
      !google::protobuf::util::JsonStringToMessage(out, back.get()).ok() ||
      !google::protobuf::util::MessageDifferencer::Equals(m, *back)) {
    if (failed->empty()) *failed = key;
    return "";
  }
  return out;
}

std::string Bool(bool b) { return b ? "true" : "false"; }
std::string Time(const google::protobuf::Timestamp& t) {
  return JsonQuote(TokyoRfc3339(FromProtoTimestamp(t)));
}

}  // namespace

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

absl::StatusOr<std::string> RenderBundleJson(const BundleData& data) {
  std::string failed;  // the first record whose proto did not convert
  std::map<std::string, std::string> records;  // key -> JSON object; sorted
  // A team plan's stage is one record whatever the number of its owners here.
  std::map<std::string, std::vector<std::string>> plan_owners;
  std::map<std::string, std::string> plan_body;
  for (const PersonResults& r : data.people) {
    const Person& p = r.person;
    std::string person = absl::StrCat(
        "{\"key\":", JsonQuote(PersonKey(p)), ",\"kind\":\"person\",\"participant\":",
        JsonQuote(p.participant), ",\"displayName\":", JsonQuote(p.display_name),
        ",\"cohortTitle\":", JsonQuote(p.cohort_title),
        ",\"municipalityCode\":", JsonQuote(p.municipality_code),
        ",\"municipalityName\":", JsonQuote(p.municipality_name),
        ",\"shared\":{\"attendance\":", Bool(r.attendance.has_value()),
        ",\"actionPlan\":", Bool(r.plans.has_value()),
        ",\"surveyProfile\":", Bool(r.survey.has_value()), "}");
    if (r.attendance) {
      absl::StrAppend(&person, ",\"attendanceSummary\":{\"held\":", r.attendance->held(),
                      ",\"attended\":", r.attendance->attended(), ",\"late\":",
                      r.attendance->late(), ",\"rate\":",
                      absl::StrFormat("%.4f", r.attendance->rate()), "}");
      for (const auto& m : r.attendance->meetings()) {
        std::string key = AttendanceKey(p, m.meeting());
        records[key] = absl::StrCat(
            "{\"key\":", JsonQuote(key), ",\"kind\":\"attendance\",\"participant\":",
            JsonQuote(p.participant), ",\"meeting\":", JsonQuote(m.meeting()),
            ",\"title\":", JsonQuote(m.title()), ",\"startTime\":", Time(m.start_time()),
            ",\"status\":", JsonQuote(StatusName(m.status())), "}");
      }
    }
    records[PersonKey(p)] = person + "}";
    if (r.plans) {
      for (const auto& plan : r.plans->plans()) {
        for (const auto& s : plan.stages()) {
          std::string key = PlanStageKey(plan.plan(), s.stage());
          plan_owners[key].push_back(p.participant);
          plan_body[key] = absl::StrCat(
              ",\"plan\":", JsonQuote(plan.plan()), ",\"planTitle\":", JsonQuote(plan.title()),
              ",\"ownerCount\":", plan.owner_count(), ",\"stage\":",
              JsonQuote(StageName(s.stage())), ",\"revision\":", s.revision(),
              ",\"submitTime\":", Time(s.submit_time()), ",\"late\":", Bool(s.late()),
              ",\"content\":", ProtoJson(s.content(), key, &failed), "}");
        }
      }
    }
    if (r.survey) {
      for (const auto& w : r.survey->waves()) {
        std::string key = SurveyKey(p, w.wave());
        std::vector<std::string> texts;
        for (const auto& t : r.survey->shared_text()) {
          if (t.wave() != w.wave()) continue;
          texts.push_back(absl::StrCat("{\"itemId\":", JsonQuote(t.item_id()), ",\"question\":",
                                       JsonQuote(t.question()), ",\"text\":", JsonQuote(t.text()),
                                       "}"));
        }
        records[key] = absl::StrCat(
            "{\"key\":", JsonQuote(key), ",\"kind\":\"survey_profile\",\"participant\":",
            JsonQuote(p.participant), ",\"wave\":", JsonQuote(w.wave()), ",\"waveKind\":",
            JsonQuote(survey::v1::Wave::Kind_Name(w.wave_kind())), ",\"submitTime\":",
            Time(w.submit_time()), ",\"profile\":", ProtoJson(w.profile(), key, &failed),
            ",\"sharedText\":[", absl::StrJoin(texts, ","), "]}");
      }
    }
  }
  for (auto& [key, owners] : plan_owners) {
    std::sort(owners.begin(), owners.end());
    std::vector<std::string> quoted;
    for (const auto& o : owners) quoted.push_back(JsonQuote(o));
    records[key] = absl::StrCat("{\"key\":", JsonQuote(key),
                                ",\"kind\":\"plan_stage\",\"participants\":[",
                                absl::StrJoin(quoted, ","), "]", plan_body[key]);
  }
  if (!failed.empty()) return RenderFailed(failed);
  std::string out = absl::StrCat(
      "{\n\"format\":\"kaizen-bundle/1\",\n\"bundleId\":", JsonQuote(data.bundle_id),
      ",\n\"municipalityCode\":", JsonQuote(data.municipality_code),
      ",\n\"municipalityName\":", JsonQuote(data.municipality_name),
      ",\n\"period\":{\"from\":", JsonQuote(absl::FormatCivilTime(data.period.from)),
      ",\"to\":", JsonQuote(absl::FormatCivilTime(data.period.to)),
      ",\"timeZone\":\"Asia/Tokyo\"},\n\"createTime\":", JsonQuote(TokyoRfc3339(data.create_time)),
      ",\n\"records\":[");
  bool first = true;
  for (const auto& [key, json] : records) {
    absl::StrAppend(&out, first ? "\n" : ",\n", json);
    first = false;
  }
  return out + "\n]\n}\n";
}

}  // namespace kaizen::bundle
