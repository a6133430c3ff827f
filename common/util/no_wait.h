// Threads that must not block on a shared resource: gRPC's callback threads
// while they run an inline read (KAIZEN_DEFINE_READ_RPC,
// common/server/unary_call.h). Code that would wait for a resource (the
// storage reader pool, common/storage/database.h) asks MayWait(); when the
// thread may not wait and the resource is taken, it gives up at once, calls
// NoteWaitRefused() and returns an error. The scope's owner then sees
// refused() and runs the work again where waiting is allowed (the server's
// executor). Thread-local; scopes do not nest.
#ifndef KAIZEN_COMMON_UTIL_NO_WAIT_H_
#define KAIZEN_COMMON_UTIL_NO_WAIT_H_

namespace kaizen::util {

class NoWaitScope {
 public:
  NoWaitScope();
  ~NoWaitScope();
  NoWaitScope(const NoWaitScope&) = delete;
  NoWaitScope& operator=(const NoWaitScope&) = delete;

  // True once code in this scope gave up rather than wait.
  bool refused() const;
};

// False inside a NoWaitScope.
bool MayWait();

// Records that code in the current NoWaitScope gave up rather than wait.
void NoteWaitRefused();

}  // namespace kaizen::util

#endif  // KAIZEN_COMMON_UTIL_NO_WAIT_H_
