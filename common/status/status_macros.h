// RETURN_IF_ERROR and ASSIGN_OR_RETURN, named like the later Abseil ones
// (Debian's Abseil 20220623 has neither).
//
//   RETURN_IF_ERROR(store.Save(x));             // returns the status if not OK
//   ASSIGN_OR_RETURN(Cohort c, store.Get(id));  // declares c, or returns
//   ASSIGN_OR_RETURN(existing, store.Get(id));  // assigns to an existing var
#ifndef KAIZEN_COMMON_STATUS_STATUS_MACROS_H_
#define KAIZEN_COMMON_STATUS_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KAIZEN_STATUS_CONCAT_INNER_(a, b) a##b
#define KAIZEN_STATUS_CONCAT_(a, b) KAIZEN_STATUS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                  \
  do {                                                         \
    ::absl::Status kaizen_status_ = (expr);                    \
    if (!kaizen_status_.ok()) return kaizen_status_;           \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr)                                           \
  KAIZEN_ASSIGN_OR_RETURN_IMPL_(                                              \
      KAIZEN_STATUS_CONCAT_(kaizen_statusor_, __LINE__), lhs, expr)

#define KAIZEN_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // KAIZEN_COMMON_STATUS_STATUS_MACROS_H_
