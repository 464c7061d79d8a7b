// Ways to show an NpsReport: text, JSON (stable keys, for scripts and the
// admin HTTP API) and an SVG chart: how many customers gave each score 0-10,
// bars coloured by group (detractors red, passives grey, promoters green),
// the NPS in the title and the stores' NPS beside it. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/report/nps.h"

namespace loyalty::report {

// Keys: as_of_ms, customers, responses, nps, promoters, passives,
// detractors, scores (11 counts, score 0 first), by_store, by_lifecycle,
// by_segment (arrays of objects: key, responses, nps, promoters, passives,
// detractors).
nlohmann::json NpsToJson(const NpsReport& report);
std::string NpsToText(const NpsReport& report);
std::string NpsSvg(const NpsReport& report, const std::string& title_note);

}  // namespace loyalty::report
