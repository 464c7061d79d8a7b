#include "adapters/redis/reader.h"

namespace loyalty::redis {

Result<std::unique_ptr<Reader>> Reader::Open(const Endpoint& endpoint, KeySchema schema,
                                             int64_t timeout_ms) {
  auto c = Connection::Open(endpoint, timeout_ms, timeout_ms);
  if (!c.ok()) return c.status();
  return std::unique_ptr<Reader>(new Reader(std::move(*c), std::move(schema)));
}

Reader::Reader(std::unique_ptr<Connection> connection, KeySchema schema)
    : connection_(std::move(connection)), schema_(std::move(schema)) {}

Result<std::optional<Snapshot>> Reader::ByCard(const std::string& card) {
  auto id = connection_->Command({"GET", schema_.CardKey(card)});
  if (!id.ok()) return id.status();
  if (id->type == Reply::Type::kNil) return std::optional<Snapshot>();
  if (id->type != Reply::Type::kString) return Status::IoError("redis GET card: " + id->str);
  return ByCustomer(id->str);
}

Result<std::optional<Snapshot>> Reader::ByCustomer(const std::string& customer_id) {
  auto r = connection_->Command({"HGETALL", schema_.CustomerKey(customer_id)});
  if (!r.ok()) return r.status();
  if (r->type != Reply::Type::kArray) return Status::IoError("redis HGETALL: " + r->str);
  if (r->elements.empty()) return std::optional<Snapshot>();
  std::vector<std::pair<std::string, std::string>> fields;
  for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    fields.emplace_back(r->elements[i].str, r->elements[i + 1].str);
  }
  auto snapshot = ParseSnapshot(fields);
  if (!snapshot.ok()) return snapshot.status();
  return std::optional<Snapshot>(std::move(*snapshot));
}

}  // namespace loyalty::redis
