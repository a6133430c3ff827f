// What kind of local public entity a code names (see municipality.h).
#ifndef KAIZEN_COMMON_MUNICIPALITY_KIND_H_
#define KAIZEN_COMMON_MUNICIPALITY_KIND_H_

namespace kaizen::municipality {

enum class Kind {
  kPrefecture,       // 都道府県, e.g. 010006 北海道
  kDesignatedCity,   // 政令指定都市 (a city with wards), e.g. 011002 札幌市
  kCity,             // 市, e.g. 242047 松阪市
  kSpecialWard,      // 特別区 of Tokyo, e.g. 131016 千代田区: a municipality
  kTown,             // 町, e.g. 013030 当別町
  kVillage,          // 村, e.g. 013048 新篠津村
  kCityWard,         // 行政区 of a designated city, e.g. 011011 札幌市中央区:
                     // an office of the city, not an employer of its own
};

}  // namespace kaizen::municipality

#endif  // KAIZEN_COMMON_MUNICIPALITY_KIND_H_
