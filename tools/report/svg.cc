#include "tools/report/svg.h"

#include <cstdio>

#include "tools/report/format.h"

namespace loyalty::report {

std::string Count(uint64_t n) { return Grouped(static_cast<int64_t>(n)); }

std::string CountOf(uint64_t n, const std::string& one, const std::string& many) {
  return Counted(static_cast<int64_t>(n), one, many);
}

std::string Percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", p);
  return buf;
}

std::string Fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

double ShareOf(double part, double whole) { return whole == 0 ? 0 : 100.0 * part / whole; }

namespace {

std::size_t Characters(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xc0) != 0x80;  // UTF-8 lead bytes
  return n;
}

}  // namespace

double TextWidth(const std::string& text, double font_px) {
  return 0.6 * font_px * static_cast<double>(Characters(text));
}

std::string Fit(const std::string& text, double font_px, double width_px) {
  if (TextWidth(text, font_px) <= width_px) return text;
  std::string out = text;
  while (!out.empty() && TextWidth(out + "...", font_px) > width_px) {
    out.pop_back();
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xc0) == 0x80) out.pop_back();
  }
  return out + "...";
}

std::string SvgText(double x, double y, const std::string& text, const std::string& style) {
  return "<text x=\"" + Fixed(x, 1) + "\" y=\"" + Fixed(y, 1) + "\" " + style + ">" + Escape(text) +
         "</text>\n";
}

std::string SvgRect(double x, double y, double width, double height, const std::string& fill) {
  return "<rect x=\"" + Fixed(x, 1) + "\" y=\"" + Fixed(y, 1) + "\" width=\"" + Fixed(width, 1) +
         "\" height=\"" + Fixed(height, 1) + "\" rx=\"3\" fill=\"" + fill + "\"/>\n";
}

void SvgOpen(std::ostringstream& svg, int width, int height, const std::string& title,
             const std::string& sub, const std::string& note) {
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height
      << "\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      << "<style>.title{font-size:26px;font-weight:bold;fill:" << kInk
      << "}.sub{font-size:14px;fill:#52606d}.label{font-size:14px;font-weight:bold;fill:#323f4b}"
      << ".axis{font-size:12px;fill:#616e7c}.value{font-size:12px;fill:#323f4b}"
      << ".note{font-size:12px;fill:#9aa5b1}.callout{font-size:14px;font-weight:bold;fill:"
      << kAccent << ";paint-order:stroke;stroke:#ffffff;stroke-width:4px}</style>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  svg << SvgText(40, 48, title, "class=\"title\"");
  svg << SvgText(40, 76, sub, "class=\"sub\"");
  if (!note.empty()) svg << SvgText(40, 96, note, "class=\"sub\"");
}

}  // namespace loyalty::report
