// A fake of the gateway's gRPC port for the fetch tests: ListChanges and
// the three GetShared* methods on 127.0.0.1:0, in process. Every call is
// logged as "<method> <participant or cursor> key=<x-api-key> bundle=<id>";
// a call without the key kFakeApiKey is refused UNAUTHENTICATED.
//
// The feed (pages of 2 with the second one short, then the cursor stays),
// only 242047's people, as a partner key of 242047 sees it:
//   taro    242047 shares nothing, then (later) attendance only
//   hanako  242047 shares everything
// (set_foreign_entry adds tsu of 242012, as a key of another scope would.)
// Answers: hanako's fixture results (test_fixture.h; her second meeting's
// title carries a U+202E bidi override); taro's attendance is refused
// NOT_SHARED_WITH_PARTNER (withdrawn after the feed was read).
#ifndef KAIZEN_TOOLS_BUNDLE_FAKE_GATEWAY_H_
#define KAIZEN_TOOLS_BUNDLE_FAKE_GATEWAY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace kaizen::bundle::testing {

inline constexpr char kFakeApiKey[] = "partner-key-242047";

class FakeGateway {
 public:
  FakeGateway();
  ~FakeGateway();

  absl::Status Start();
  int port() const;
  void Shutdown();
  std::vector<std::string> calls() const;
  // GetSharedSurveyProfile answers UNAVAILABLE ENROLLMENT_UNAVAILABLE.
  void set_survey_fails(bool fails);
  // Appends an UPSERTED change of tsu, municipality 242012, to the feed.
  void set_foreign_entry(bool foreign);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaizen::bundle::testing

#endif  // KAIZEN_TOOLS_BUNDLE_FAKE_GATEWAY_H_
