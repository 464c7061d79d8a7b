// The console's files (console/web), compiled into the program by
// console/embed.cmake, so loyaltyd serves them with no file beside it and no
// network: a store's back office without internet gets the same console.
// Thread safety: constant data.
#pragma once

#include <span>
#include <string_view>

namespace loyalty::console {

struct Asset {
  std::string_view path;  // "/index.html", "/app.js"
  std::string_view content_type;
  std::string_view body;
};

std::span<const Asset> Assets();

}  // namespace loyalty::console
