// Outcomes beside the plan: whether each of the four walls moved for a
// person between the survey waves (PRE, FOLLOW_UP_6, FOLLOW_UP_12), as the
// survey service's fish's eye will report it.
//
// OutcomeSource is the seam. No survey service exists yet, so the binary
// wires NoSurveyOutcomeSource (available() == false: the plan view lists
// the actions per wall and says that no scores are available); tests use
// FakeOutcomeSource. A gRPC source against kaizen.survey.v1 replaces it when
// that service lands.
#ifndef KAIZEN_SERVICES_PLANS_OUTCOMES_H_
#define KAIZEN_SERVICES_PLANS_OUTCOMES_H_

#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kaizen/plans/v1/plans.pb.h"

namespace kaizen::plans {

// One wall's scale score in each wave, where known.
struct WallScores {
  std::optional<double> pre;
  std::optional<double> follow_up_6;
  std::optional<double> follow_up_12;
};

class OutcomeSource {
 public:
  virtual ~OutcomeSource() = default;
  // Whether a survey service is connected at all.
  virtual bool available() const = 0;
  // The wall scores of `participant` ("cohorts/{c}/participants/{p}"); walls
  // without data are absent. UNAVAILABLE when the survey service cannot be
  // reached. Thread-safe.
  virtual absl::StatusOr<std::map<kaizen::type::Wall, WallScores>> WallScoresOf(
      const std::string& participant) = 0;
};

// No survey service: nothing is available.
class NoSurveyOutcomeSource final : public OutcomeSource {
 public:
  bool available() const override { return false; }
  absl::StatusOr<std::map<kaizen::type::Wall, WallScores>> WallScoresOf(const std::string&) override {
    return std::map<kaizen::type::Wall, WallScores>();
  }
};

// In-memory scores for tests.
class FakeOutcomeSource final : public OutcomeSource {
 public:
  void Set(const std::string& participant, kaizen::type::Wall wall, WallScores scores) {
    absl::MutexLock lock(&mu_);
    scores_[participant][wall] = scores;
  }
  bool available() const override { return true; }
  absl::StatusOr<std::map<kaizen::type::Wall, WallScores>> WallScoresOf(
      const std::string& participant) override {
    absl::MutexLock lock(&mu_);
    auto it = scores_.find(participant);
    if (it == scores_.end()) return std::map<kaizen::type::Wall, WallScores>();
    return it->second;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::map<kaizen::type::Wall, WallScores>> scores_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaizen::plans

#endif  // KAIZEN_SERVICES_PLANS_OUTCOMES_H_
