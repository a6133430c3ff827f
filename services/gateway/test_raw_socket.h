// Blocking POSIX sockets for tests that must control every byte on the wire
// (request smuggling, partial heads, descriptor exhaustion), where an HTTP
// client library would normalise or refuse what the test needs to send.
// Every socket has a 10 s receive timeout, so a test fails instead of
// hanging when the server does not answer.
#ifndef KAIZEN_SERVICES_GATEWAY_TEST_RAW_SOCKET_H_
#define KAIZEN_SERVICES_GATEWAY_TEST_RAW_SOCKET_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace kaizen::gateway::testing {

// A TCP socket, not connected yet (-1 on failure).
inline int NewSocket() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  return fd;
}

inline bool ConnectSocket(int fd, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
}

// A connected socket to 127.0.0.1:port, or -1.
inline int Connect(int port) {
  const int fd = NewSocket();
  if (fd < 0) return -1;
  if (!ConnectSocket(fd, port)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, absl::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Everything until the peer closes. `closed` says whether it did (false:
// receive error or timeout).
inline std::string ReadUntilClose(int fd, bool* closed) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) {
      *closed = true;
      return out;
    }
    if (n < 0) {
      *closed = false;
      return out;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

// One response with a Content-Length body (head and body, raw), or what
// arrived before the peer closed or the receive timed out.
inline std::string ReadResponse(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const size_t head_end = out.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      size_t length = 0;
      for (absl::string_view line : absl::StrSplit(out.substr(0, head_end), "\r\n")) {
        if (absl::StartsWithIgnoreCase(line, "content-length:")) {
          if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &length)) length = 0;
        }
      }
      if (out.size() >= head_end + 4 + length) return out.substr(0, head_end + 4 + length);
    }
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// The status code of a raw response ("HTTP/1.1 400 Bad Request..." -> 400).
inline int StatusOf(absl::string_view response) {
  int status = 0;
  if (response.size() < 12 || !absl::SimpleAtoi(response.substr(9, 3), &status)) return 0;
  return status;
}

}  // namespace kaizen::gateway::testing

#endif  // KAIZEN_SERVICES_GATEWAY_TEST_RAW_SOCKET_H_
