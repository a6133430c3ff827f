#include "common/notify/smtp_rules.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/validation/validation.h"

namespace kaizen::notify {
namespace {

constexpr char kConfigReason[] = "SMTP_CONFIG";

absl::Status Config(absl::string_view message) {
  return errors::FailedPrecondition(kConfigReason, message);
}

bool HasControlOrSpace(absl::string_view s) {
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}

bool HasLineBreakOrNul(absl::string_view s) {
  return s.find_first_of(absl::string_view("\r\n\0", 3)) != absl::string_view::npos;
}

}  // namespace

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  const std::string text(host);
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

absl::Status ValidateSmtpOptions(const SmtpOptions& o) {
  if (o.host.empty() || HasControlOrSpace(o.host)) {
    return Config("SMTP host must be set, without spaces (a name or an IP address)");
  }
  if (o.port < 1 || o.port > 65535) return Config("SMTP port must be 1..65535");
  if (o.timeout <= absl::ZeroDuration()) return Config("SMTP timeout must be positive");
  if (o.helo_name.empty() || o.helo_name.size() > 255 || HasControlOrSpace(o.helo_name)) {
    return Config("SMTP helo_name must be a host name without spaces");
  }
  if (!o.envelope_from.empty() && !ValidateEmail("envelope_from", o.envelope_from).ok()) {
    return Config("SMTP envelope_from must be an e-mail address (or empty for \"<>\")");
  }
  if (HasLineBreakOrNul(o.username) || HasLineBreakOrNul(o.password)) {
    return Config("SMTP credentials must not contain line breaks or NUL");
  }
  if (!o.username.empty() && o.password.empty()) {
    return Config("SMTP credentials have a username but no password");
  }
  if (!o.username.empty() && !o.starttls && !IsLoopbackHost(o.host)) {
    return Config(
        "SMTP AUTH over an unencrypted connection is allowed only to a loopback relay: "
        "turn on STARTTLS");
  }
  if (!o.starttls && !o.allow_plaintext && !IsLoopbackHost(o.host)) {
    return Config(
        "SMTP without STARTTLS is allowed only to a loopback relay (messages carry secret "
        "links): turn on STARTTLS, or allow plaintext for a relay on a private network only");
  }
  return absl::OkStatus();
}

absl::Status ReadCredentialsFile(const std::string& path, SmtpOptions* options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Config(absl::StrCat("cannot open the SMTP credentials file ", path, ": ",
                               std::strerror(errno)));
  }
  struct stat st;
  std::string content;
  absl::Status status;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    status = Config(absl::StrCat("the SMTP credentials file ", path, " is not a regular file"));
  } else if ((st.st_mode & 077) != 0) {
    status = Config(absl::StrCat("the SMTP credentials file ", path,
                                 " is readable by group or others; run: chmod 600 ", path));
  } else {
    char buf[4097];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0 && content.size() <= 4096) {
      content.append(buf, static_cast<size_t>(n));
    }
    if (n < 0) {
      status = Config(absl::StrCat("cannot read the SMTP credentials file ", path));
    } else if (content.size() > 4096) {
      status = Config(absl::StrCat("the SMTP credentials file ", path, " is too large"));
    }
  }
  close(fd);
  if (!status.ok()) return status;
  std::vector<std::string> lines = absl::StrSplit(content, '\n');
  for (std::string& line : lines) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() != 2 || lines[0].empty() || lines[1].empty() ||
      HasLineBreakOrNul(lines[0]) || HasLineBreakOrNul(lines[1])) {
    return Config(absl::StrCat("the SMTP credentials file ", path,
                               " must hold two lines: the username, then the password"));
  }
  options->username = lines[0];
  options->password = lines[1];
  return absl::OkStatus();
}

}  // namespace kaizen::notify
