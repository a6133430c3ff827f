#include "common/notify/smtp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/notify/smtp_rules.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/validation/validation.h"
#include "openssl/err.h"
#include "openssl/ssl.h"
#include "openssl/x509v3.h"

namespace kaizen::notify {
namespace {

constexpr char kUnavailable[] = "SMTP_UNAVAILABLE";
constexpr char kRejected[] = "SMTP_REJECTED";
constexpr size_t kMaxReplyLine = 4096;
constexpr int kMaxReplyLines = 200;

absl::Status Unavailable(absl::string_view message) {
  return errors::Error(absl::StatusCode::kUnavailable, kUnavailable, message);
}

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // text after "250-" / "250 "
};

// How long a delivery may take in all (every step's wait counts against
// it), and how long the relay may take to accept the message after the final
// "." (RFC 5321 4.5.3.2.6 suggests 10 minutes: content scanners are slow, and
// giving up early while the relay then accepts makes a duplicate).
constexpr absl::Duration kDataEndTimeout = absl::Minutes(10);
constexpr absl::Duration kMaxStepTimeout = absl::Hours(1);

// Maps a reply to the status the header promises. Never quotes the reply
// text: relays echo recipients in it. A 5xx is permanent (dead letter) only
// where it is about this message: RCPT TO (the recipient) and the end of DATA
// (the content). A 5xx to the greeting, EHLO, STARTTLS, AUTH (e.g. 535 after
// a password rotation), MAIL FROM or DATA is the relay's or the
// configuration's problem and would otherwise dead-letter every message in
// one pass: it is retried like a 4xx.
absl::Status Expect(const Reply& reply, int want_class, absl::string_view command) {
  const int cls = reply.code / 100;
  if (cls == want_class) return absl::OkStatus();
  const bool about_this_message = command == "RCPT TO" || command == "the end of DATA";
  if (cls == 4 || (cls == 5 && !about_this_message)) {
    return Unavailable(absl::StrCat("SMTP relay answered ", reply.code, " to ", command));
  }
  if (cls == 5) {
    return errors::Error(absl::StatusCode::kInvalidArgument, kRejected,
                         absl::StrCat("SMTP relay answered ", reply.code, " to ", command));
  }
  return Unavailable(absl::StrCat("SMTP relay answered an unexpected ", reply.code, " to ",
                                  command));
}

// Blocks SIGPIPE in this thread while a delivery writes to a socket that the
// relay may have closed (OpenSSL writes with write(2), not MSG_NOSIGNAL), and
// swallows a SIGPIPE raised meanwhile.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      const timespec zero = {0, 0};
      while (sigtimedwait(&pipe_only, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

class Connection {
 public:
  // `timeout` bounds each wait (clamped to 1 ms..1 h, so it can never wrap
  // into poll's "forever"); `deadline` bounds the whole delivery.
  Connection(absl::Duration timeout, absl::Time deadline)
      : timeout_(std::clamp(timeout, absl::Milliseconds(1), kMaxStepTimeout)),
        deadline_(deadline) {}
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) close(fd_);
  }

  absl::Status Connect(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* list = nullptr;
    const std::string service = std::to_string(port);
    if (getaddrinfo(host.c_str(), service.c_str(), &hints, &list) != 0 || list == nullptr) {
      return Unavailable("cannot resolve the SMTP relay's host name");
    }
    std::string last = "no address";
    for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
      const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            a->ai_protocol);
      if (fd < 0) continue;
      int rc = connect(fd, a->ai_addr, a->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        rc = poll(&p, 1, WaitMillis());
        if (rc == 0) {
          last = "timed out";
          close(fd);
          continue;
        }
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        errno = err;
        rc = err == 0 ? 0 : -1;
      }
      if (rc == 0) {
        fd_ = fd;
        break;
      }
      last = std::strerror(errno);
      close(fd);
    }
    freeaddrinfo(list);
    if (fd_ < 0) return Unavailable(absl::StrCat("cannot connect to the SMTP relay: ", last));
    return absl::OkStatus();
  }

  // Client side of STARTTLS: verifies the chain against `ca_file` (or the
  // system store) and the certificate against `host` (name or IP address).
  absl::Status StartTls(const std::string& host, const std::string& ca_file) {
    if (!buffer_.empty()) {
      // Bytes sent before the handshake would be trusted as if encrypted.
      return Unavailable("SMTP relay sent data before the TLS handshake");
    }
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (ctx_ == nullptr) return Unavailable("cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    const int loaded = ca_file.empty()
                           ? SSL_CTX_set_default_verify_paths(ctx_)
                           : SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr);
    if (loaded != 1) {
      ERR_clear_error();
      return Unavailable("cannot load the CA certificates for the SMTP relay");
    }
    ssl_ = SSL_new(ctx_);
    if (ssl_ == nullptr) return Unavailable("cannot create a TLS session");
    in6_addr ip6;
    in_addr ip4;
    const bool is_ip = inet_pton(AF_INET, host.c_str(), &ip4) == 1 ||
                       inet_pton(AF_INET6, host.c_str(), &ip6) == 1;
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, host.c_str());
      SSL_set1_host(ssl_, host.c_str());
    }
    SSL_set_fd(ssl_, fd_);
    while (true) {
      const int rc = SSL_connect(ssl_);
      if (rc == 1) return absl::OkStatus();
      const int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        RETURN_IF_ERROR(Wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, "STARTTLS"));
        continue;
      }
      const long verify = SSL_get_verify_result(ssl_);
      ERR_clear_error();
      if (verify != X509_V_OK) {
        return Unavailable(absl::StrCat("SMTP relay's certificate was refused: ",
                                        X509_verify_cert_error_string(verify)));
      }
      return Unavailable("TLS handshake with the SMTP relay failed");
    }
  }

  bool tls() const { return ssl_ != nullptr; }

  // The next waits may take up to `timeout` each, all of them together
  // until `deadline`.
  void set_limits(absl::Duration timeout, absl::Time deadline) {
    timeout_ = std::clamp(timeout, absl::Milliseconds(1), kMaxStepTimeout);
    deadline_ = deadline;
  }

  absl::Status Write(absl::string_view data, absl::string_view command) {
    while (!data.empty()) {
      ssize_t n;
      if (ssl_ != nullptr) {
        const int rc = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
        if (rc <= 0) {
          const int err = SSL_get_error(ssl_, rc);
          ERR_clear_error();
          if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            RETURN_IF_ERROR(Wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, command));
            continue;
          }
          return Unavailable(absl::StrCat("SMTP connection lost while sending ", command));
        }
        n = rc;
      } else {
        n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          RETURN_IF_ERROR(Wait(POLLOUT, command));
          continue;
        }
        if (n <= 0) {
          return Unavailable(absl::StrCat("SMTP connection lost while sending ", command));
        }
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  // One reply, possibly multi-line ("250-a", "250-b", "250 c").
  absl::StatusOr<Reply> ReadReply(absl::string_view command) {
    Reply reply;
    for (int i = 0; i < kMaxReplyLines; ++i) {
      ASSIGN_OR_RETURN(std::string line, ReadLine(command));
      if (line.size() < 3 || !absl::ascii_isdigit(line[0]) || !absl::ascii_isdigit(line[1]) ||
          !absl::ascii_isdigit(line[2]) || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
        return Unavailable(absl::StrCat("SMTP relay sent a malformed reply to ", command));
      }
      const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      if (i > 0 && code != reply.code) {
        return Unavailable(absl::StrCat("SMTP relay sent a malformed reply to ", command));
      }
      reply.code = code;
      reply.lines.push_back(line.size() > 4 ? line.substr(4) : "");
      if (line.size() == 3 || line[3] == ' ') return reply;
    }
    return Unavailable(absl::StrCat("SMTP relay sent an over-long reply to ", command));
  }

 private:
  // Milliseconds a wait may take now: the step timeout, cut to what is left
  // of the delivery's deadline (0 once it has passed).
  int WaitMillis() const {
    const absl::Duration left = std::min(timeout_, deadline_ - absl::Now());
    return static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(left)));
  }

  absl::Status Wait(short events, absl::string_view command) {
    pollfd p{fd_, events, 0};
    int rc;
    do {
      rc = poll(&p, 1, WaitMillis());
    } while (rc < 0 && errno == EINTR);
    if (rc == 0) return Unavailable(absl::StrCat("SMTP relay timed out during ", command));
    if (rc < 0) return Unavailable(absl::StrCat("SMTP connection failed during ", command));
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ReadLine(absl::string_view command) {
    while (true) {
      const size_t eol = buffer_.find('\n');
      if (eol != std::string::npos) {
        std::string line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (buffer_.size() > kMaxReplyLine) {
        return Unavailable(absl::StrCat("SMTP relay sent an over-long line to ", command));
      }
      char chunk[1024];
      ssize_t n;
      if (ssl_ != nullptr) {
        const int rc = SSL_read(ssl_, chunk, sizeof(chunk));
        if (rc <= 0) {
          const int err = SSL_get_error(ssl_, rc);
          ERR_clear_error();
          if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            RETURN_IF_ERROR(Wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, command));
            continue;
          }
          return Unavailable(absl::StrCat("SMTP connection closed during ", command));
        }
        n = rc;
      } else {
        n = recv(fd_, chunk, sizeof(chunk), 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          RETURN_IF_ERROR(Wait(POLLIN, command));
          continue;
        }
        if (n <= 0) return Unavailable(absl::StrCat("SMTP connection closed during ", command));
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  absl::Duration timeout_;
  absl::Time deadline_;
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

absl::StatusOr<Reply> Command(Connection& c, absl::string_view line, absl::string_view name) {
  RETURN_IF_ERROR(c.Write(absl::StrCat(line, "\r\n"), name));
  return c.ReadReply(name);
}

absl::Status Step(Connection& c, absl::string_view line, absl::string_view name, int want) {
  ASSIGN_OR_RETURN(Reply reply, Command(c, line, name));
  return Expect(reply, want, name);
}

struct Capabilities {
  bool starttls = false;
  bool auth_plain = false;
};

absl::StatusOr<Capabilities> Hello(Connection& c, const SmtpOptions& o, bool need_ehlo) {
  ASSIGN_OR_RETURN(Reply reply, Command(c, absl::StrCat("EHLO ", o.helo_name), "EHLO"));
  Capabilities caps;
  if (reply.code / 100 == 5 && !need_ehlo) {
    RETURN_IF_ERROR(Step(c, absl::StrCat("HELO ", o.helo_name), "HELO", 2));
    return caps;
  }
  RETURN_IF_ERROR(Expect(reply, 2, "EHLO"));
  for (size_t i = 1; i < reply.lines.size(); ++i) {
    const std::string line = absl::AsciiStrToUpper(reply.lines[i]);
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (words.empty()) continue;
    if (words[0] == "STARTTLS") caps.starttls = true;
    if (words[0] == "AUTH") {
      for (size_t k = 1; k < words.size(); ++k) caps.auth_plain |= words[k] == "PLAIN";
    }
    // The pre-RFC 2554 form some relays still announce: "AUTH=PLAIN LOGIN".
    if (absl::StartsWith(words[0], "AUTH=")) {
      caps.auth_plain |= words[0] == "AUTH=PLAIN";
      for (size_t k = 1; k < words.size(); ++k) caps.auth_plain |= words[k] == "PLAIN";
    }
  }
  return caps;
}

// DATA content: CRLF line ends, a '.' doubled at the start of a line, and
// the terminating ".".
std::string DataContent(absl::string_view payload) {
  std::string out;
  out.reserve(payload.size() + payload.size() / 50 + 8);
  bool line_start = true;
  for (size_t i = 0; i < payload.size(); ++i) {
    const char c = payload[i];
    if (line_start && c == '.') out += '.';
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < payload.size() && payload[i + 1] == '\n') ++i;
      out += "\r\n";
      line_start = true;
      continue;
    }
    out += c;
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace

SmtpTransport::SmtpTransport(SmtpOptions options) : options_(std::move(options)) {}

SmtpTransport::~SmtpTransport() = default;

absl::Status SmtpTransport::Deliver(const OutboxMessage& message) {
  const SmtpOptions& o = options_;
  RETURN_IF_ERROR(ValidateSmtpOptions(o));
  if (!ValidateEmail("recipient", message.recipient).ok()) {
    return errors::Error(absl::StatusCode::kInvalidArgument, kRejected,
                         "the message's recipient is not a valid e-mail address");
  }
  SigpipeGuard sigpipe;
  // Everything up to the end of DATA together gets 8 steps' time (a relay
  // trickling one byte per step cannot hold the delivery thread longer); the
  // relay's answer to the final "." then gets its own, longer wait.
  const absl::Duration step = std::clamp(o.timeout, absl::Milliseconds(1), kMaxStepTimeout);
  Connection c(step, absl::Now() + 8 * step);
  RETURN_IF_ERROR(c.Connect(o.host, o.port));
  ASSIGN_OR_RETURN(Reply greeting, c.ReadReply("the greeting"));
  RETURN_IF_ERROR(Expect(greeting, 2, "the greeting"));
  const bool need_ehlo = o.starttls || !o.username.empty();
  ASSIGN_OR_RETURN(Capabilities caps, Hello(c, o, need_ehlo));
  if (o.starttls) {
    if (!caps.starttls) return Unavailable("SMTP relay does not offer STARTTLS");
    RETURN_IF_ERROR(Step(c, "STARTTLS", "STARTTLS", 2));
    RETURN_IF_ERROR(c.StartTls(o.host, o.ca_file));
    ASSIGN_OR_RETURN(caps, Hello(c, o, true));
  }
  if (!o.username.empty()) {
    if (!c.tls() && !IsLoopbackHost(o.host)) {
      return errors::FailedPrecondition("SMTP_CONFIG", "SMTP AUTH refused without TLS");
    }
    if (!caps.auth_plain) return Unavailable("SMTP relay does not offer AUTH PLAIN");
    const std::string token =
        absl::Base64Escape(absl::StrCat(std::string(1, '\0'), o.username, std::string(1, '\0'),
                                        o.password));
    RETURN_IF_ERROR(Step(c, absl::StrCat("AUTH PLAIN ", token), "AUTH", 2));
  }
  RETURN_IF_ERROR(Step(c, absl::StrCat("MAIL FROM:<", o.envelope_from, ">"), "MAIL FROM", 2));
  RETURN_IF_ERROR(Step(c, absl::StrCat("RCPT TO:<", message.recipient, ">"), "RCPT TO", 2));
  RETURN_IF_ERROR(Step(c, "DATA", "DATA", 3));
  RETURN_IF_ERROR(c.Write(DataContent(message.payload), "the message"));
  const absl::Duration data_end = std::max(step, kDataEndTimeout);
  c.set_limits(data_end, absl::Now() + data_end);
  ASSIGN_OR_RETURN(Reply accepted, c.ReadReply("the end of DATA"));
  c.set_limits(step, absl::Now() + step);
  RETURN_IF_ERROR(Expect(accepted, 2, "the end of DATA"));
  // The relay has the message: a failed QUIT changes nothing.
  (void)Step(c, "QUIT", "QUIT", 2);
  return absl::OkStatus();
}

}  // namespace kaizen::notify
