// Test-only: a small scripted SMTP server on 127.0.0.1 (port 0) for the
// SMTP transport's tests. One thread serves one connection at a time:
// greeting, EHLO/HELO (advertising STARTTLS and AUTH PLAIN as configured),
// STARTTLS (with a PEM certificate and key), AUTH PLAIN, MAIL, RCPT, DATA
// (dot-stuffing undone), RSET, NOOP, QUIT. A hook can answer any command
// with a scripted code instead (421 also closes the connection), and a
// silent mode accepts connections and never answers (timeouts).
#ifndef KAIZEN_COMMON_NOTIFY_FAKE_SMTP_SERVER_H_
#define KAIZEN_COMMON_NOTIFY_FAKE_SMTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace kaizen::notify::testing {

struct FakeSmtpOptions {
  bool offer_starttls = false;
  std::string cert_file;  // PEM, for STARTTLS
  std::string key_file;
  bool offer_auth = false;
  std::string username;  // accepted AUTH PLAIN credentials
  std::string password;
  // Accept connections but never send a byte.
  bool silent = false;
  // (verb, 0-based connection number) -> a reply code to send instead of
  // the normal answer, or 0. Verbs: "GREETING", "EHLO", "MAIL", "RCPT",
  // "DATA", "END" (after the message's final "."), "AUTH", "STARTTLS".
  std::function<int(const std::string& verb, int connection)> fail;
};

struct ReceivedMessage {
  std::string mail_from;  // inside <>
  std::vector<std::string> rcpt_to;
  std::string data;  // as the client meant it (dot-stuffing undone), CRLF
  bool tls = false;
  std::string auth_user;  // "" without AUTH
};

class FakeSmtpServer {
 public:
  static absl::StatusOr<std::unique_ptr<FakeSmtpServer>> Start(FakeSmtpOptions options);
  ~FakeSmtpServer();  // stops and joins

  int port() const { return port_; }
  std::vector<ReceivedMessage> messages();
  int connections();

 private:
  explicit FakeSmtpServer(FakeSmtpOptions options) : options_(std::move(options)) {}
  void Serve();
  void Session(int fd, int number);

  FakeSmtpOptions options_;
  int listen_fd_ = -1;
  int port_ = 0;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*
  std::unique_ptr<std::thread> thread_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int conn_fd_ ABSL_GUARDED_BY(mu_) = -1;
  int connections_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<ReceivedMessage> messages_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaizen::notify::testing

#endif  // KAIZEN_COMMON_NOTIFY_FAKE_SMTP_SERVER_H_
