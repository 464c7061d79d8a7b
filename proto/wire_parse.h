// Parsing a frame body into a Request without losing the connection over one
// text field.
//
// proto3 `string` fields must be UTF-8, and protobuf's C++ parser checks that
// while parsing: one bad byte in a SKU's category makes ParseFromArray fail
// the whole frame, which then looks like garbage (MALFORMED_FRAME, the
// connection closes, its other requests in flight are lost). ParseRequest
// tells the two apart: when the parser refuses, it walks the bytes against
// the Request descriptor; if the only fault is a string field that is not
// UTF-8, the request is answered INVALID_FIELD naming that field, with its
// request id, and the connection lives on.
//
// How the network server uses it, for each frame body:
//
//   v1::Request request;
//   if (auto error = wire::ParseRequest(body, &request)) {
//     if (error->code() == v1::MALFORMED_FRAME) { reply with request id 0, close }
//     else { reply Error *error with request.request_id(); go on reading }
//   } else {
//     dispatch request
//   }
//
// Thread safety: a free function on values.
#pragma once

#include <optional>
#include <string_view>

#include "loyalty/v1/wire.pb.h"

namespace loyalty::wire {

// nullopt: `request` holds the parsed body. Otherwise the Error to send:
// - INVALID_FIELD when a string field is not UTF-8: `field` names it as the
//   validation does ("card", "lines[2].category": the path inside the
//   request's body), `request` holds only the recovered request_id;
// - MALFORMED_FRAME when the bytes are not a Request at all.
std::optional<v1::Error> ParseRequest(std::string_view body, v1::Request* request);

}  // namespace loyalty::wire
