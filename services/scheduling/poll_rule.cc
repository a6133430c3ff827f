#include "services/scheduling/poll_rule.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/util/clock.h"
#include "common/util/proto_time.h"
#include "services/scheduling/scheduling_errors.h"

namespace kaizen::scheduling {

std::string SlotId(absl::Time start) {
  return absl::StrCat("s", absl::FormatTime("%Y%m%d%H%M", start, TokyoTimeZone()));
}

absl::StatusOr<v1::Poll::Result> DecidePoll(const v1::Poll& poll, const RosterView& roster,
                                            const std::string& forced_slot_id) {
  // participant name -> (slot id -> availability)
  std::map<std::string, const google::protobuf::Map<std::string, v1::Availability>*> answers;
  for (const auto& a : poll.answers()) answers[a.participant()] = &a.availability();
  auto availability = [&](const std::string& person, const std::string& slot) {
    auto it = answers.find(person);
    if (it == answers.end()) return v1::AVAILABILITY_UNSPECIFIED;
    auto found = it->second->find(slot);
    return found == it->second->end() ? v1::AVAILABILITY_UNSPECIFIED : found->second;
  };

  std::vector<v1::Poll::Slot> slots(poll.slots().begin(), poll.slots().end());
  std::sort(slots.begin(), slots.end(), [](const auto& a, const auto& b) {
    return FromProtoTimestamp(a.start_time()) < FromProtoTimestamp(b.start_time());
  });

  v1::Poll::Result result;
  const std::vector<const RosterEntry*> participants = roster.Participants();
  for (const v1::Poll::Slot& slot : slots) {
    v1::Poll::SlotResult* r = result.add_slots();
    r->set_slot_id(slot.id());
    *r->mutable_start_time() = slot.start_time();
    for (const RosterEntry* p : participants) {
      switch (availability(p->participant(), slot.id())) {
        case v1::YES: r->add_yes(p->participant()); break;
        case v1::MAYBE: r->add_maybe(p->participant()); break;
        default: r->add_unavailable(p->participant()); break;
      }
    }
    for (const RosterEntry& e : roster.roster().entries()) {
      if (RosterView::IsDecidingStaff(e) && availability(e.participant(), slot.id()) == v1::YES) {
        r->add_staff_available(e.participant());
      }
    }
    r->set_qualifies(r->staff_available_size() > 0);
  }

  auto staff_names = [&](const v1::Poll::SlotResult& r) {
    std::vector<std::string> names;
    for (const std::string& s : r.staff_available()) {
      const RosterEntry* e = roster.FindByName(s);
      names.push_back(e != nullptr ? e->display_name() : s);
    }
    return absl::StrJoin(names, "、");
  };
  const int total = static_cast<int>(participants.size());
  auto summary = [&](const v1::Poll::SlotResult& r) {
    return absl::StrCat(r.yes_size() + r.maybe_size(), " of ", total,
                        " participants can attend (", r.yes_size(), " yes, ", r.maybe_size(),
                        " maybe)");
  };

  if (!forced_slot_id.empty()) {
    for (const auto& r : result.slots()) {
      if (r.slot_id() != forced_slot_id) continue;
      result.set_slot_id(r.slot_id());
      *result.mutable_start_time() = r.start_time();
      result.set_decided_by(kDecidedBySecretariat);
      result.set_explanation(absl::StrCat("confirmed by the secretariat; ", summary(r)));
      return result;
    }
    return UnknownSlot("slot_id", "is not one of the poll's candidates");
  }

  const v1::Poll::SlotResult* best = nullptr;
  int qualifying = 0;
  int tied = 0;
  auto key = [](const v1::Poll::SlotResult& r) {
    return std::make_tuple(r.yes_size() + r.maybe_size(), r.yes_size());
  };
  for (const auto& r : result.slots()) {  // time order: earlier wins ties
    if (!r.qualifies()) continue;
    ++qualifying;
    if (best == nullptr || key(r) > key(*best)) {
      best = &r;
      tied = 1;
    } else if (key(r) == key(*best)) {
      ++tied;
    }
  }
  if (best == nullptr) return NoQualifyingSlot();
  result.set_slot_id(best->slot_id());
  *result.mutable_start_time() = best->start_time();
  result.set_decided_by(kDecidedByRule);
  std::string why = absl::StrCat(summary(*best), "; staff available: ", staff_names(*best));
  if (tied > 1) {
    absl::StrAppend(&why, "; earliest of ", tied, " slots tied on availability");
  }
  const int excluded = result.slots_size() - qualifying;
  if (excluded > 0) {
    absl::StrAppend(&why, "; ", excluded, " slot(s) excluded: no staff available");
  }
  result.set_explanation(why);
  return result;
}

}  // namespace kaizen::scheduling
