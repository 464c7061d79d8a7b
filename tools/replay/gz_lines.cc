#include "tools/replay/gz_lines.h"

#include <zlib.h>

namespace loyalty::replay {

Result<std::unique_ptr<GzLines>> GzLines::Open(const std::string& path, unsigned buffer_bytes) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return Status::IoError("cannot open " + path);
  gzbuffer(gz, buffer_bytes);
  return std::unique_ptr<GzLines>(new GzLines(gz));
}

GzLines::~GzLines() { gzclose(static_cast<gzFile>(gz_)); }

bool GzLines::Next(std::string* line) {
  line->clear();
  char buf[4096];
  while (gzgets(static_cast<gzFile>(gz_), buf, sizeof buf) != nullptr) {
    *line += buf;
    if (!line->empty() && line->back() == '\n') {
      line->pop_back();
      line_number_ += 1;
      return true;
    }
  }
  if (line->empty()) return false;
  line_number_ += 1;
  return true;
}

}  // namespace loyalty::replay
