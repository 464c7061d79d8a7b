#include "tools/report/format.h"

#include "engine/money.h"

namespace loyalty::report {
namespace {

std::string GroupDigits(const std::string& digits) {
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  std::string out = digits.substr(0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) out += "," + digits.substr(i, 3);
  return out;
}

}  // namespace

std::string Grouped(int64_t n) {
  const std::string digits = std::to_string(n < 0 ? -static_cast<uint64_t>(n) : n);
  return (n < 0 ? "-" : "") + GroupDigits(digits);
}

std::string Money::FormatBare(int64_t minor) const {
  const int exponent = CurrencyExponent(currency).value_or(2);
  const std::string plain = FormatMinor(minor < 0 ? -minor : minor, exponent);
  const std::size_t dot = plain.find('.');
  std::string out = (minor < 0 ? "-" : "") + GroupDigits(plain.substr(0, dot));
  if (dot != std::string::npos) out += plain.substr(dot);
  return out;
}

std::string Money::Format(int64_t minor) const {
  return currency.empty() ? FormatBare(minor) : FormatBare(minor) + " " + currency;
}

}  // namespace loyalty::report
