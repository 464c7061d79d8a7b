#include "proto/wire_parse.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <map>
#include <string>

#include "engine/validate.h"
#include "proto/wire_codec.h"

namespace loyalty::wire {
namespace {

namespace pb = google::protobuf;
using pb::internal::WireFormatLite;

// Requests nest three deep (Request, Purchase, Line); anything deeper than
// this is not one of ours.
constexpr int kDepthMax = 8;

struct Walk {
  uint64_t request_id = 0;
  std::string bad_field;  // the first string field that is not UTF-8
};

// Walks one message's bytes (up to the stream's limit) against `type`.
// False when the bytes do not follow the wire format. `prefix` is the path
// of this message ("" at the request body, "lines[2]." inside a line).
bool WalkMessage(pb::io::CodedInputStream& in, const pb::Descriptor* type,
                 const std::string& prefix, int depth, Walk& walk) {
  if (depth > kDepthMax) return false;
  std::map<int, int> seen;  // repeated fields: how many so far, for the index
  while (uint32_t tag = in.ReadTag()) {
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    const pb::FieldDescriptor* f = type->FindFieldByNumber(number);
    const bool delimited =
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    const bool text = f != nullptr && f->type() == pb::FieldDescriptor::TYPE_STRING;
    const bool nested = f != nullptr && f->type() == pb::FieldDescriptor::TYPE_MESSAGE;
    if (depth == 0 && number == 1 &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_VARINT) {
      if (!in.ReadVarint64(&walk.request_id)) return false;
      continue;
    }
    if (!delimited || !(text || nested)) {
      if (!WireFormatLite::SkipField(&in, tag)) return false;
      continue;
    }
    // The oneof body of a Request is not part of the field's name.
    std::string name = depth == 0 ? "" : prefix + f->name();
    if (f->is_repeated()) name += "[" + std::to_string(seen[number]++) + "]";
    uint32_t length = 0;
    if (!in.ReadVarint32(&length)) return false;
    if (text) {
      std::string value;
      if (!in.ReadString(&value, static_cast<int>(length))) return false;
      if (walk.bad_field.empty() && InvalidUtf8At(value)) walk.bad_field = name;
      continue;
    }
    const auto limit = in.PushLimit(static_cast<int>(length));
    const bool ok =
        WalkMessage(in, f->message_type(), name.empty() ? "" : name + ".", depth + 1, walk);
    if (!ok || !in.ConsumedEntireMessage()) return false;
    in.PopLimit(limit);
  }
  return in.ConsumedEntireMessage();
}

}  // namespace

std::optional<v1::Error> ParseRequest(std::string_view body, v1::Request* request) {
  const auto* data = reinterpret_cast<const uint8_t*>(body.data());
  if (request->ParseFromArray(data, static_cast<int>(body.size()))) return std::nullopt;
  pb::io::CodedInputStream in(data, static_cast<int>(body.size()));
  Walk walk;
  const bool wire_ok = WalkMessage(in, v1::Request::descriptor(), "", 0, walk);
  request->Clear();
  if (!wire_ok || walk.bad_field.empty()) {
    return MakeError(v1::MALFORMED_FRAME, "frame",
                     "the bytes are not a length-delimited loyalty.v1.Request");
  }
  request->set_request_id(walk.request_id);
  return MakeError(v1::INVALID_FIELD, walk.bad_field, walk.bad_field + ": is not valid UTF-8");
}

}  // namespace loyalty::wire
