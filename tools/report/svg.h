// Pieces the reports' renderers share: number formats for text and charts,
// and a hand-drawn SVG document (a white page, one style sheet, a title).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

namespace loyalty::report {

std::string Count(uint64_t n);  // 12345 -> "12,345"
// 1 -> "1 customer", 12345 -> "12,345 customers": never "1 customers".
std::string CountOf(uint64_t n, const std::string& one, const std::string& many);
std::string Percent(double p);                // 12.345 -> "12.3%"
std::string Fixed(double v, int decimals);    // printf("%.*f")
std::string Escape(const std::string& text);  // for text inside an SVG element
double ShareOf(double part, double whole);    // percent; 0 when whole is 0

// The chart's palette: ink for what matters, muted for the rest.
inline constexpr const char* kInk = "#1d3557";
inline constexpr const char* kAccent = "#e76f51";
inline constexpr const char* kMuted = "#a8c5da";
inline constexpr const char* kGrid = "#e3e8ee";
inline constexpr const char* kGood = "#2a9d8f";  // promoters
inline constexpr const char* kBad = "#e63946";   // detractors
inline constexpr const char* kNeutral = "#b0b8c1";

// A conservative estimate of the width of `text` at `font_px`: 0.6 em per
// character (Helvetica averages about 0.55; digits 0.56, capitals wider),
// so a label estimated to fit does fit.
double TextWidth(const std::string& text, double font_px);
// `text`, cut to at most `width_px` at `font_px`, ending in "..." when cut.
std::string Fit(const std::string& text, double font_px, double width_px);

// <text> at (x, y); `style` holds its attributes (class, anchor).
std::string SvgText(double x, double y, const std::string& text, const std::string& style);
std::string SvgRect(double x, double y, double width, double height, const std::string& fill);

// Opens a `width` x `height` document with the shared styles (title, sub,
// label, axis, value, note, callout), the title and up to two sublines.
void SvgOpen(std::ostringstream& svg, int width, int height, const std::string& title,
             const std::string& sub, const std::string& note);

}  // namespace loyalty::report
