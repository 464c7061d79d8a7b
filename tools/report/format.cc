#include "tools/report/format.h"

#include <cstdio>

#include "engine/calendar.h"
#include "engine/money.h"

namespace loyalty::report {
namespace {

std::string GroupDigits(const std::string& digits) {
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  std::string out = digits.substr(0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) out += "," + digits.substr(i, 3);
  return out;
}

std::string LocalDay(int64_t ms, int32_t offset_minutes) {
  const CivilDay d = CivilFromDays(LocalDayNumber(ms, offset_minutes));
  char buf[48];  // room for any int year
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
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

std::string IsoDate(int64_t ms, int32_t utc_offset_minutes) {
  return LocalDay(ms, utc_offset_minutes);
}

std::string IsoDateTime(int64_t ms, int32_t utc_offset_minutes) {
  const int32_t minute = LocalMinuteOfDay(ms, utc_offset_minutes);
  const int64_t second = FloorDiv(ms, 1000) - FloorDiv(ms, 60'000) * 60;
  const int32_t off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buf[48];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d%c%02d:%02d", minute / 60, minute % 60,
                static_cast<int>(second), utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return LocalDay(ms, utc_offset_minutes) + buf;
}

std::string DayOrTime(int64_t ms, int32_t utc_offset_minutes) {
  const int32_t minute = LocalMinuteOfDay(ms, utc_offset_minutes);
  if (minute == 0) return LocalDay(ms, utc_offset_minutes);
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d", minute / 60, minute % 60);
  return LocalDay(ms, utc_offset_minutes) + buf;
}

std::string Counted(int64_t n, const std::string& one, const std::string& many) {
  return Grouped(n) + " " + (n == 1 ? one : many);
}

}  // namespace loyalty::report
