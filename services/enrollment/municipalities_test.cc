// Municipality codes where they enter enrollment (real codes of the master),
// and names beside codes where they leave.
#include "services/enrollment/municipalities.h"

#include <string>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment_errors.h"

namespace kaizen::enrollment {
namespace municipalities_test {

constexpr absl::string_view kField = "application.members[1].municipality_code";

void ExpectRefused(absl::string_view code, absl::string_view reason,
                   absl::string_view message = "") {
  const absl::Status s = CheckMunicipality(kField, code);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << code << ": " << s;
  EXPECT_EQ(errors::Reason(s), reason) << code << ": " << s;
  auto bad = errors::GetBadRequest(s);
  ASSERT_TRUE(bad.has_value()) << s;
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), kField);
  if (!message.empty()) {
    EXPECT_EQ(bad->field_violations(0).description(), message);
  }
}

TEST(CheckMunicipalityTest, AcceptsMunicipalitiesOfTheMaster) {
  EXPECT_TRUE(CheckMunicipality(kField, "011002").ok());  // 札幌市, designated city
  EXPECT_TRUE(CheckMunicipality(kField, "242047").ok());  // 松阪市
  EXPECT_TRUE(CheckMunicipality(kField, "131016").ok());  // 千代田区, Tokyo special ward
  EXPECT_TRUE(CheckMunicipality(kField, "013030").ok());  // 当別町
  EXPECT_TRUE(CheckMunicipality(kField, "013048").ok());  // 新篠津村
}

TEST(CheckMunicipalityTest, RefusesWardsNamingTheirCity) {
  ExpectRefused("011011", kMunicipalityIsWard,
                "011011 is a ward of 札幌市 (011002); use the city's code");
  ExpectRefused("271276", kMunicipalityIsWard,
                "271276 is a ward of 大阪市 (271004); use the city's code");
  ExpectRefused("141011", kMunicipalityIsWard);  // 横浜市鶴見区
}

TEST(CheckMunicipalityTest, RefusesCodesTheMasterLacks) {
  // Valid check digits: only the master can tell.
  ExpectRefused("013005", kMunicipalityUnknown);
  ExpectRefused("243001", kMunicipalityUnknown);
  // The other example has a wrong check digit: refused before the
  // master is asked.
  ExpectRefused("243005", "MUNICIPALITY_CODE_CHECK_DIGIT");
  // Listed, without a municipal government (Northern Territories).
  ExpectRefused("016951", kMunicipalityUnknown);
}

TEST(CheckMunicipalityTest, KeepsTheSharedShapeReasons) {
  ExpectRefused("011003", "MUNICIPALITY_CODE_CHECK_DIGIT");
  ExpectRefused("11002", "MUNICIPALITY_CODE_FORMAT");
  ExpectRefused("", "MUNICIPALITY_CODE_FORMAT");
  // Prefectures: not municipalities, so not employers in this programme.
  ExpectRefused("010006", "NOT_A_MUNICIPALITY");
  ExpectRefused("130001", "NOT_A_MUNICIPALITY");
}

TEST(AddMunicipalityNamesTest, NamesComeFromTheMasterAndOverwriteInput) {
  v1::Application app;
  app.set_municipality_code("242047");
  app.set_municipality_name("forged");
  v1::Applicant* a = app.add_members();
  a->set_municipality_code("242047");
  a->set_municipality_name("forged");
  v1::Applicant* b = app.add_members();
  b->set_municipality_code("011011");  // stored before wards were refused
  AddMunicipalityNames(&app);
  EXPECT_EQ(app.municipality_name(), "松阪市");
  EXPECT_EQ(app.members(0).municipality_name(), "松阪市");
  EXPECT_EQ(app.members(1).municipality_name(), "札幌市中央区");

  v1::Participant staff;  // no code
  staff.set_municipality_name("forged");
  AddMunicipalityName(&staff);
  EXPECT_EQ(staff.municipality_name(), "");

  v1::Roster::Entry entry;
  entry.set_municipality_code("131016");
  AddMunicipalityName(&entry);
  EXPECT_EQ(entry.municipality_name(), "千代田区");

  v1::Change change;
  change.set_municipality_code("013005");  // not in the master: no name
  AddMunicipalityName(&change);
  EXPECT_EQ(change.municipality_name(), "");
}

}  // namespace
}  // namespace kaizen::enrollment
