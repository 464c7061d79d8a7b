// The admin API from tests: http::Call to 127.0.0.1:PORT. Status 0 means the
// server could not be reached or closed without an answer.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace loyalty::testing {

struct HttpReply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  // The first header named `name` (any case), "" when absent.
  std::string Header(const std::string& name) const;
};

HttpReply Http(int port, const std::string& method, const std::string& target,
               const std::string& token = "", const std::string& body = "",
               const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace loyalty::testing
