// EventSource: past events for a rule simulation, as wire Requests, from
//   - the real data set (a path ending in .csv or .csv.gz): the Online Retail
//     reader and its return matching (tools/replay), one invoice = one
//     purchase, a 'C' invoice = returns of the newest purchases holding the
//     goods;
//   - the project's event format (any other path, gzip or plain): JSON
//     lines, one wire Request per line in protobuf's JSON mapping
//     (docs/EVENTS.md), blank lines and lines starting with '#' ignored.
// A line that is not a Request is an error naming file:line and why; the
// simulation stops there rather than guess. Not thread-safe.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "engine/status.h"
#include "loyalty/v1/wire.pb.h"
#include "tools/replay/gz_lines.h"
#include "tools/replay/requests.h"
#include "tools/replay/retail_csv.h"

namespace loyalty::simulate {

class EventSource {
 public:
  static Result<std::unique_ptr<EventSource>> Open(const std::string& path);
  virtual ~EventSource() = default;

  // The next request; nullopt at the end; an error for a line that is not one.
  virtual Result<std::optional<v1::Request>> Next() = 0;
  // What was read and skipped, in a sentence ("" when nothing to say).
  virtual std::string Summary() const = 0;
};

// The real data set.
class RetailSource final : public EventSource {
 public:
  explicit RetailSource(std::unique_ptr<replay::RetailCsv> csv) : csv_(std::move(csv)) {}
  Result<std::optional<v1::Request>> Next() override;
  std::string Summary() const override;

 private:
  std::unique_ptr<replay::RetailCsv> csv_;
  replay::RequestMaker maker_;
  std::deque<v1::Request> ready_;
};

// JSON lines of wire Requests.
class JsonLinesSource final : public EventSource {
 public:
  JsonLinesSource(std::string path, std::unique_ptr<replay::GzLines> lines)
      : path_(std::move(path)), lines_(std::move(lines)) {}
  Result<std::optional<v1::Request>> Next() override;
  std::string Summary() const override;

 private:
  std::string path_;
  std::unique_ptr<replay::GzLines> lines_;
  uint64_t requests_ = 0;
};

// One request as a line of the event format (no newline).
std::string ToJsonLine(const v1::Request& request);

}  // namespace loyalty::simulate
