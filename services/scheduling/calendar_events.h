// What the calendars show, shared by the signed-in calendars (calendars.cc)
// and the subscribable feeds (calendar_feeds.cc): meetings and support
// sessions as feeds.h events, and the text/calendar body. Private to the
// :scheduling target.
#ifndef KAIZEN_SERVICES_SCHEDULING_CALENDAR_EVENTS_H_
#define KAIZEN_SERVICES_SCHEDULING_CALENDAR_EVENTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/enrollment/roster.h"
#include "kaizen/type/http_body.pb.h"
#include "services/scheduling/feeds.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling::internal {

// A dated meeting as one event: UID "{meeting}@kaizen" (stable), SEQUENCE
// = calendar_sequence, STATUS:CANCELLED when cancelled, DTSTAMP the last
// change's time.
CalendarEvent MeetingEvent(const v1::Meeting& m);

// Every meeting of `cohort` that has a date, cancelled ones included (as
// STATUS:CANCELLED, with the meeting's calendar SEQUENCE).
absl::Status AddMeetings(SchedulingTx& tx, const std::string& cohort,
                         std::vector<CalendarEvent>* events);

// Booked support sessions of `cohort`: with `person` set, those booked by
// that participant or given by them as staff; with `person` empty, every
// booked one (staff feeds). Each names the staff member ("担当: 中村 進");
// the participant who booked is named too where the reader is staff (every
// session when `person` is empty, the sessions `person` gives otherwise).
// Names come from `roster`; someone no longer on it is left unnamed.
absl::Status AddSupportSessions(SchedulingTx& tx, const std::string& cohort,
                                const enrollment_client::RosterView& roster,
                                const std::string& person, std::vector<CalendarEvent>* events);

// text/calendar; charset=utf-8, rendered by feeds.h.
kaizen::type::HttpBody CalendarBody(const std::string& title,
                                    const std::vector<CalendarEvent>& events,
                                    const std::string& filename);

}  // namespace kaizen::scheduling::internal

#endif  // KAIZEN_SERVICES_SCHEDULING_CALENDAR_EVENTS_H_
