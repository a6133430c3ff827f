// A small synchronous HTTP/1.1 client for the gateway's tests (Boost.Beast):
// keeps one connection alive across requests, reconnecting when the server
// closed it, and can send raw bytes for malformed or oversized requests.
#ifndef KAIZEN_SERVICES_GATEWAY_TEST_HTTP_CLIENT_H_
#define KAIZEN_SERVICES_GATEWAY_TEST_HTTP_CLIENT_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kaizen::gateway::testing {

struct TestResponse {
  int status = 0;  // 0: no response (connection failed or closed)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = false;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class TestHttpClient {
 public:
  explicit TestHttpClient(int port);
  ~TestHttpClient();

  TestResponse Send(const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    const std::string& body = "");
  TestResponse Get(const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Send("GET", target, headers);
  }
  // Writes `bytes` on a fresh connection and reads one response.
  TestResponse SendRaw(const std::string& bytes);

  // TCP connections opened so far (keep-alive checks).
  int connections_opened() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaizen::gateway::testing

#endif  // KAIZEN_SERVICES_GATEWAY_TEST_HTTP_CLIENT_H_
