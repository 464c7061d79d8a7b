// Fuzz target: loyaltyd's config file (adapters/yaml/config_file.cc). The
// input is the file's text, any bytes: an operator edits it by hand.
//
// A file refused says where: the message starts with the file's name. A
// file that parses is printed as `loyaltyd --print-config` prints it
// (Print); that text parses again to a configuration that prints the same,
// so what an operator copies from the printout means what it says. Validate
// answers for every configuration that parses, naming what it refuses.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/yaml/config_file.h"
#include "engine/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace loyalty;
  using namespace loyalty::config_file;
  static const std::string kFile = "loyaltyd.yaml";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = Parse(text, kFile);
  if (!parsed.ok()) {
    LOYALTY_CHECK(parsed.status().message().rfind(kFile + ":", 0) == 0);
    return 0;
  }
  const std::string printed = Print(*parsed);
  auto again = Parse(printed, "printed");
  LOYALTY_CHECK(again.ok());
  LOYALTY_CHECK(Print(*again) == printed);
  if (Status s = Validate(*parsed); !s.ok()) LOYALTY_CHECK(!s.message().empty());
  return 0;
}
