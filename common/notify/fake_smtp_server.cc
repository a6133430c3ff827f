#include "common/notify/fake_smtp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "openssl/err.h"
#include "openssl/ssl.h"

namespace kaizen::notify::testing {
namespace {

// A blocking line-oriented stream over a socket, plain or TLS.
class Stream {
 public:
  explicit Stream(int fd) : fd_(fd) {}
  ~Stream() {
    if (ssl_ != nullptr) SSL_free(ssl_);
  }
  bool StartTls(SSL_CTX* ctx) {
    ssl_ = SSL_new(ctx);
    SSL_set_fd(ssl_, fd_);
    if (SSL_accept(ssl_) != 1) {
      ERR_clear_error();
      return false;
    }
    buffer_.clear();
    return true;
  }
  bool tls() const { return ssl_ != nullptr; }
  bool Send(const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
      const int n = ssl_ != nullptr
                        ? SSL_write(ssl_, text.data() + done, static_cast<int>(text.size() - done))
                        : static_cast<int>(send(fd_, text.data() + done, text.size() - done,
                                                MSG_NOSIGNAL));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  // One line without its CRLF; false at EOF or error.
  bool ReadLine(std::string* line) {
    while (true) {
      const size_t eol = buffer_.find("\r\n");
      if (eol != std::string::npos) {
        *line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 2);
        return true;
      }
      char chunk[4096];
      const int n = ssl_ != nullptr ? SSL_read(ssl_, chunk, sizeof(chunk))
                                    : static_cast<int>(recv(fd_, chunk, sizeof(chunk), 0));
      if (n <= 0) {
        ERR_clear_error();
        return false;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

std::string Inside(const std::string& arg) {
  const size_t open = arg.find('<');
  const size_t close = arg.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return arg.substr(open + 1, close - open - 1);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakeSmtpServer>> FakeSmtpServer::Start(FakeSmtpOptions options) {
  std::unique_ptr<FakeSmtpServer> server(new FakeSmtpServer(std::move(options)));
  if (server->options_.offer_starttls) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_chain_file(ctx, server->options_.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, server->options_.key_file.c_str(), SSL_FILETYPE_PEM) !=
            1) {
      SSL_CTX_free(ctx);
      return absl::InvalidArgumentError("cannot load the test certificate or key");
    }
    server->ssl_ctx_ = ctx;
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 8) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    return absl::InternalError("cannot listen on loopback");
  }
  server->listen_fd_ = fd;
  server->port_ = ntohs(addr.sin_port);
  FakeSmtpServer* raw = server.get();
  server->thread_ = std::make_unique<std::thread>([raw] { raw->Serve(); });
  return server;
}

FakeSmtpServer::~FakeSmtpServer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    // Unblocks accept() and a session's blocking read.
    shutdown(listen_fd_, SHUT_RDWR);
    if (conn_fd_ >= 0) shutdown(conn_fd_, SHUT_RDWR);
  }
  if (thread_ != nullptr) thread_->join();
  close(listen_fd_);
  if (ssl_ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

std::vector<ReceivedMessage> FakeSmtpServer::messages() {
  absl::MutexLock lock(&mu_);
  return messages_;
}

int FakeSmtpServer::connections() {
  absl::MutexLock lock(&mu_);
  return connections_;
}

void FakeSmtpServer::Serve() {
  while (true) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    int number;
    {
      absl::MutexLock lock(&mu_);
      if (stop_) {
        if (fd >= 0) close(fd);
        return;
      }
      if (fd < 0) continue;
      conn_fd_ = fd;
      number = connections_++;
    }
    Session(fd, number);
    absl::MutexLock lock(&mu_);
    conn_fd_ = -1;
    close(fd);
  }
}

void FakeSmtpServer::Session(int fd, int number) {
  Stream s(fd);
  std::string line;
  if (options_.silent) {
    while (s.ReadLine(&line)) {
    }
    return;
  }
  auto scripted = [&](const std::string& verb) {
    const int code = options_.fail ? options_.fail(verb, number) : 0;
    if (code == 0) return false;
    s.Send(absl::StrCat(code, " scripted failure\r\n"));
    return true;
  };
  if (scripted("GREETING")) return;
  s.Send("220 fake.test ESMTP ready\r\n");
  ReceivedMessage current;
  bool closing = false;
  while (!closing && s.ReadLine(&line)) {
    const std::string verb = absl::AsciiStrToUpper(line.substr(0, line.find(' ')));
    const std::string arg = line.find(' ') == std::string::npos ? "" : line.substr(line.find(' ') + 1);
    const std::string key = verb == "STARTTLS" || verb == "EHLO" || verb == "AUTH" ||
                                    verb == "MAIL" || verb == "RCPT" || verb == "DATA"
                                ? verb
                                : "";
    if (!key.empty() && scripted(key)) {
      if (options_.fail(key, number) == 421) return;
      continue;
    }
    if (verb == "EHLO") {
      std::string reply = "250-fake.test greets you\r\n";
      if (options_.offer_starttls && !s.tls()) reply += "250-STARTTLS\r\n";
      if (options_.offer_auth) reply += "250-AUTH LOGIN PLAIN\r\n";
      reply += "250 8BITMIME\r\n";
      s.Send(reply);
    } else if (verb == "HELO") {
      s.Send("250 fake.test\r\n");
    } else if (verb == "STARTTLS" && options_.offer_starttls && !s.tls()) {
      s.Send("220 go ahead\r\n");
      if (!s.StartTls(static_cast<SSL_CTX*>(ssl_ctx_))) return;
      current = ReceivedMessage();
    } else if (verb == "AUTH" && options_.offer_auth && absl::StartsWith(arg, "PLAIN ")) {
      std::string decoded;
      const std::string expected =
          absl::StrCat(std::string(1, '\0'), options_.username, std::string(1, '\0'),
                       options_.password);
      if (absl::Base64Unescape(arg.substr(6), &decoded) && decoded == expected) {
        current.auth_user = options_.username;
        s.Send("235 authenticated\r\n");
      } else {
        s.Send("535 authentication failed\r\n");
      }
    } else if (verb == "MAIL") {
      current.mail_from = Inside(arg);
      current.rcpt_to.clear();
      s.Send("250 sender ok\r\n");
    } else if (verb == "RCPT") {
      current.rcpt_to.push_back(Inside(arg));
      s.Send("250 recipient ok\r\n");
    } else if (verb == "DATA") {
      s.Send("354 end with <CRLF>.<CRLF>\r\n");
      std::string data;
      bool ended = false;
      while (s.ReadLine(&line)) {
        if (line == ".") {
          ended = true;
          break;
        }
        if (!line.empty() && line[0] == '.') line.erase(0, 1);
        data += line + "\r\n";
      }
      if (!ended) return;
      if (scripted("END")) continue;
      current.data = data;
      current.tls = s.tls();
      {
        absl::MutexLock lock(&mu_);
        messages_.push_back(current);
      }
      s.Send("250 queued\r\n");
    } else if (verb == "RSET" || verb == "NOOP") {
      s.Send("250 ok\r\n");
    } else if (verb == "QUIT") {
      s.Send("221 bye\r\n");
      closing = true;
    } else {
      s.Send("502 command not implemented\r\n");
    }
  }
}

}  // namespace kaizen::notify::testing
