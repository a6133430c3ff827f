// The gateway's HTTP front door, whole: the bytes are what a client sends on
// one TCP connection to the real gateway (services/gateway/gateway.h: Beast
// session, framing checks, limits, request ids, operator endpoints, CORS,
// routes, JWT / API keys, transcoding, error bodies) started once per process
// on 127.0.0.1:0. Its backends point at a closed port, so a request that gets
// through every check is answered 503 by the real error path.
//
// Why a socket: the HTTP parsing lives inside the Beast session
// (http_session.cc) and is not a function of bytes; a loopback connection runs
// exactly the production code, at ~1-3k inputs/s instead of ~50k.
//
// Input: the raw bytes of the connection; the client half-closes after them.
// Properties: the gateway answers or closes within 10 s; every answer is an
// HTTP/1.x status line; no answer is a 5xx other than 503 (backends down) and
// 504, i.e. no hostile input reaches INTERNAL.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/util/clock.h"
#include "common/util/crypto.h"
#include "services/gateway/gateway.h"
#include "services/gateway/jwt.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/gateway_fuzz_env.h"

namespace {

constexpr char kJwtSecret[] = "fuzz-hs256-secret-0123456789abcdef-xyz";
constexpr char kApiKey[] = "fuzz-partner-key";

const kaizen::FakeClock& Clock() {
  static const auto* clock = new kaizen::FakeClock();
  return *clock;
}

int GatewayPort() {
  static const int port = [] {
    kaizen::gateway::GatewayOptions options;
    options.grpc_listen = "";  // the HTTP door only
    for (const std::string& service : kaizen::fuzz::GatewayServices()) {
      options.backends.push_back({service, "127.0.0.1:1"});  // nothing listens there
    }
    options.io_threads = 1;
    options.max_body_bytes = 64 << 10;
    options.readiness_timeout = absl::Milliseconds(50);
    options.rate_limit.per_second = 0;  // off: every input is judged alone
    options.jwt.hs256_secret = kJwtSecret;
    options.jwt.cache_size = 0;
    options.api_keys = absl::StrCat(
        "fuzz-hr ", absl::BytesToHexString(kaizen::crypto::Sha256(kApiKey)), " 242047\n");
    options.cors_origins = {"https://app.kaizen.test"};
    options.internal_secret = "fuzz-internal-secret-0123456789";
    options.drain_deadline = absl::ZeroDuration();
    options.access_log = false;
    auto gateway = kaizen::gateway::Gateway::Start(options, &Clock(), nullptr);
    KAIZEN_FUZZ_CHECK(gateway.ok(), gateway.status().ToString());
    // Lives as long as the process; kept reachable so LeakSanitizer does not
    // report it (a released, forgotten pointer is a leak to ASan).
    static kaizen::gateway::Gateway* const running = gateway->release();
    return running->http_port();
  }();
  return port;
}

// Sends `bytes`, half-closes, and returns everything the gateway sends back
// until it closes the connection.
std::string Exchange(const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  KAIZEN_FUZZ_CHECK(fd >= 0, "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(GatewayPort()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  KAIZEN_FUZZ_CHECK(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, "connect");
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the gateway answered early and closed: fine
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string reply;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  char buf[16384];
  for (;;) {
    const int left = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    KAIZEN_FUZZ_CHECK(left > 0, "the gateway answers or closes within 10 s");
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;  // closed (or reset after a refusal)
    reply.append(buf, static_cast<size_t>(n));
  }
  linger no_time_wait{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &no_time_wait, sizeof no_time_wait);
  close(fd);
  return reply;
}

void CheckReply(const std::string& reply) {
  size_t at = 0;
  while (at < reply.size()) {
    // Beast answers in the request's version (1.1, or 1.0 to a 1.0 request).
    KAIZEN_FUZZ_CHECK(reply.compare(at, 9, "HTTP/1.1 ") == 0 || reply.compare(at, 9, "HTTP/1.0 ") == 0,
                      "an HTTP/1.x status line");
    int status = 0;
    KAIZEN_FUZZ_CHECK(absl::SimpleAtoi(reply.substr(at + 9, 3), &status), "a status code");
    KAIZEN_FUZZ_CHECK(status < 500 || status == 503 || status == 504,
                      absl::StrCat("no hostile input gets ", status));
    if (status == 100) {  // 100 Continue, then the real answer
      const size_t end = reply.find("\r\n\r\n", at);
      KAIZEN_FUZZ_CHECK(end != std::string::npos, "a complete 100 Continue");
      at = end + 4;
      continue;
    }
    const size_t head_end = reply.find("\r\n\r\n", at);
    KAIZEN_FUZZ_CHECK(head_end != std::string::npos, "a complete response head");
    size_t length = 0;
    for (absl::string_view line :
         absl::StrSplit(absl::string_view(reply).substr(at, head_end - at), "\r\n")) {
      if (line.size() > 15 && absl::EqualsIgnoreCase(line.substr(0, 15), "content-length:")) {
        KAIZEN_FUZZ_CHECK(absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &length),
                          "a numeric Content-Length");
      }
    }
    at = head_end + 4 + length;
    KAIZEN_FUZZ_CHECK(at <= reply.size(), "the whole body arrives");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The harness itself: a plain request must get the gateway's 200, or every
  // input would "pass" against nothing.
  const std::string reply = Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  KAIZEN_FUZZ_CHECK(reply.rfind("HTTP/1.1 200 ", 0) == 0 &&
                        reply.find(R"({"status":"ok"})") != std::string::npos,
                    "the gateway answers /healthz");
  CheckReply(reply);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckReply(Exchange(std::string(reinterpret_cast<const char*>(data), size)));
  return 0;
}

// Requests from services/gateway/gateway_test.cc, the smuggling cases of
// issue 16 and tests/e2e, with a valid token and key so that transcoding is
// reached.
std::vector<std::string> KaizenFuzzSeeds() {
  kaizen::gateway::JwtClaims claims;
  claims.subject = "secretariat-1";
  claims.roles = {"secretariat"};
  claims.issued_at = Clock().Now();
  claims.expires_at = Clock().Now() + absl::Hours(1);
  const std::string bearer =
      absl::StrCat("Authorization: Bearer ", kaizen::gateway::MintHs256Jwt(kJwtSecret, claims),
                   "\r\n");
  const std::string key = absl::StrCat("X-Api-Key: ", kApiKey, "\r\n");
  auto post = [](const std::string& target, const std::string& headers, const std::string& body) {
    return absl::StrCat("POST ", target, " HTTP/1.1\r\nHost: x\r\n", headers,
                        "Content-Type: application/json\r\nContent-Length: ", body.size(),
                        "\r\n\r\n", body);
  };
  return {
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /openapi.json HTTP/1.0\r\n\r\n",
      "NOT HTTP AT ALL\r\n\r\n",
      absl::StrCat("GET /v1/cohorts?pageSize=5&filter=state%3DOPEN HTTP/1.1\r\nHost: x\r\n", bearer,
                   "X-Request-Id: req-1\r\n\r\n"),
      absl::StrCat("GET /v1/cohorts/fy2022 HTTP/1.1\r\nHost: x\r\n", key, "\r\n"),
      post("/v1/cohorts", bearer,
           R"({"cohort":{"displayName":"FY2022 次世代改善リーダー","capacity":30}})"),
      post("/v1/cohorts/fy2022/applications", "X-Kaizen-Application-Token: abc\r\n",
           R"({"application":{"applicant":{"familyName":"山田","municipalityCode":"242047"}}})"),
      post("/v1/cohorts/fy2022:transition", bearer, R"({'state':'OPEN',})"),
      absl::StrCat("PATCH /v1/cohorts/fy2022?updateMask=capacity HTTP/1.1\r\nHost: x\r\n", bearer,
                   "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"ca\r\n0\r\n\r\n"),
      absl::StrCat("POST /v1/cohorts HTTP/1.1\r\nHost: x\r\n", bearer,
                   "Transfer-Encoding: xchunked\r\nContent-Length: 2\r\n\r\n{}"
                   "GET /healthz HTTP/1.1\r\n\r\n"),
      "POST /v1/cohorts HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
      "POST /v1/cohorts HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
      "POST /v1/cohorts HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
      "OPTIONS /v1/cohorts HTTP/1.1\r\nOrigin: https://app.kaizen.test\r\n"
      "Access-Control-Request-Method: POST\r\n\r\n",
      "GET /v1//cohorts/%zz HTTP/1.1\r\n\r\nDELETE /v1/cohorts/fy2022 HTTP/1.1\r\n\r\n",
      absl::StrCat("GET /v1/cohorts HTTP/1.1\r\nX-Big: ", std::string(20000, 'a'), "\r\n\r\n"),
      absl::StrCat("GET /v1/cohorts HTTP/1.1\r\n", bearer, key, "\r\n"),
      "GET /v1/cohorts HTTP/1.1\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\n",
  };
}
