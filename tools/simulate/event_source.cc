#include "tools/simulate/event_source.h"

#include <google/protobuf/util/json_util.h>

#include "tools/report/format.h"

namespace loyalty::simulate {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<std::unique_ptr<EventSource>> EventSource::Open(const std::string& path) {
  if (EndsWith(path, ".csv") || EndsWith(path, ".csv.gz")) {
    auto csv = replay::RetailCsv::Open(path);
    if (!csv.ok()) return csv.status();
    return std::unique_ptr<EventSource>(new RetailSource(std::move(*csv)));
  }
  auto lines = replay::GzLines::Open(path);
  if (!lines.ok()) return lines.status();
  return std::unique_ptr<EventSource>(new JsonLinesSource(path, std::move(*lines)));
}

Result<std::optional<v1::Request>> RetailSource::Next() {
  while (ready_.empty()) {
    auto invoice = csv_->Next();
    if (!invoice) return std::optional<v1::Request>();
    for (v1::Request& r : maker_.For(*invoice)) ready_.push_back(std::move(r));
  }
  v1::Request r = std::move(ready_.front());
  ready_.pop_front();
  return std::optional<v1::Request>(std::move(r));
}

std::string RetailSource::Summary() const {
  const replay::Counts& c = csv_->counts();
  const replay::RequestCounts& m = maker_.counts();
  using report::Counted;
  return Counted(c.rows, "row", "rows") + ", " + Counted(c.invoices, "invoice", "invoices") + "; " +
         Counted(c.anonymous_rows, "anonymous row", "anonymous rows") + " and " +
         Counted(c.adjustment_invoices, "adjustment invoice", "adjustment invoices") +
         " skipped, " + Counted(c.dropped_lines, "line", "lines") + " dropped; " +
         Counted(m.purchases, "purchase", "purchases") + ", " +
         Counted(m.returns, "return", "returns") + ", " +
         Counted(m.unmatched_return_lines, "cancelled line", "cancelled lines") +
         " with no earlier purchase";
}

Result<std::optional<v1::Request>> JsonLinesSource::Next() {
  std::string line;
  while (lines_->Next(&line)) {
    const std::size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    v1::Request r;
    const auto status = google::protobuf::util::JsonStringToMessage(line, &r);
    const std::string where = path_ + ":" + std::to_string(lines_->line_number()) + ": ";
    if (!status.ok()) {
      return Status::Invalid(where + "not an event (" + std::string(status.message()) +
                             "); see docs/EVENTS.md");
    }
    if (r.body_case() == v1::Request::BODY_NOT_SET) {
      return Status::Invalid(where +
                             "no event: expected one of purchase, purchase_return, redeem, "
                             "cancel_redeem, adjust, enroll, lookup");
    }
    requests_ += 1;
    return std::optional<v1::Request>(std::move(r));
  }
  return std::optional<v1::Request>();
}

std::string JsonLinesSource::Summary() const {
  return report::Counted(lines_->line_number(), "line", "lines") + ", " +
         report::Counted(requests_, "event", "events");
}

std::string ToJsonLine(const v1::Request& request) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(request, &out, options);
  return out;
}

}  // namespace loyalty::simulate
