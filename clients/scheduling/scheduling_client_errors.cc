#include "clients/scheduling/scheduling_client_errors.h"

#include "common/status/errors.h"

namespace kaizen::scheduling_client {

absl::Status SchedulingUnavailable() {
  return errors::Unavailable(kSchedulingUnavailable,
                             "the scheduling service cannot be reached; try again shortly");
}

absl::Status MeetingsUnreadable() { return errors::Internal("the meetings could not be read"); }

}  // namespace kaizen::scheduling_client
