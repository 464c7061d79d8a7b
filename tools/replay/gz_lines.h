// GzLines: reads a text file line by line, gzip-compressed or plain (zlib
// reads both). Lines come without their '\n'; a last line without one is
// still returned. Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "engine/status.h"

namespace loyalty::replay {

class GzLines {
 public:
  // buffer_bytes: zlib's read buffer (a megabyte reads the data set fastest).
  static Result<std::unique_ptr<GzLines>> Open(const std::string& path,
                                               unsigned buffer_bytes = 1 << 20);
  ~GzLines();
  GzLines(const GzLines&) = delete;
  GzLines& operator=(const GzLines&) = delete;

  // The next line, or false at the end of the file.
  bool Next(std::string* line);
  uint64_t line_number() const { return line_number_; }  // of the last line read

 private:
  explicit GzLines(void* gz) : gz_(gz) {}
  void* gz_;  // gzFile
  uint64_t line_number_ = 0;
};

}  // namespace loyalty::replay
