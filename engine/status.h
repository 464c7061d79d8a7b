// Status and Result: how operating failures travel (STYLE.md, three kinds of
// failure). Business refusals are not Statuses: they are Outcome codes in a
// Decision. Programmer errors are LOYALTY_CHECK failures (check.h).
//
// A Status is a code plus a human message that names what failed and why.
// Both types are [[nodiscard]]: a dropped failure is a compile error.
// Thread safety: values; safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "engine/check.h"

namespace loyalty {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // the input is wrong; retrying the same input fails again
  kNotFound,
  kCorruption,         // stored bytes do not decode
  kIoError,            // disk or network failed
  kUnavailable,        // try again later (overloaded, draining)
  kResourceExhausted,  // a limit was hit
  kInternal,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Invalid(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "IO_ERROR: open /var/x: Permission denied"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    LOYALTY_CHECK(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    LOYALTY_CHECK(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    LOYALTY_CHECK(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    LOYALTY_CHECK(ok());
    return std::get<T>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace loyalty
