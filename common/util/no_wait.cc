#include "common/util/no_wait.h"

namespace kaizen::util {
namespace {

thread_local bool t_in_scope = false;
thread_local bool t_refused = false;

}  // namespace

NoWaitScope::NoWaitScope() {
  t_in_scope = true;
  t_refused = false;
}

NoWaitScope::~NoWaitScope() {
  t_in_scope = false;
  t_refused = false;
}

bool NoWaitScope::refused() const { return t_refused; }

bool MayWait() { return !t_in_scope; }

void NoteWaitRefused() {
  if (t_in_scope) t_refused = true;
}

}  // namespace kaizen::util
