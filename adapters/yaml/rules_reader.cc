#include "adapters/yaml/rules_reader.h"

namespace loyalty::rules_file::detail {
namespace {

// Levenshtein distance, for "did you mean" hints.
std::size_t Distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string Suggest(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = 3;
  for (const std::string& k : known) {
    const std::size_t d = Distance(word, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::vector<std::size_t> Reader::Words(const YAML::Node& n, const std::string& path,
                                       const std::string& what,
                                       const std::vector<std::string>& known) {
  std::vector<std::size_t> out;
  const std::vector<std::string> words = OneOrMany(n, path);
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto it = std::find(known.begin(), known.end(), words[i]);
    if (it != known.end()) {
      out.push_back(static_cast<std::size_t>(it - known.begin()));
      continue;
    }
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : " ") + k;
    Fail(Item(n, i), path,
         "'" + words[i] + "' is not " + what + Suggest(words[i], known) + "; use " + list);
  }
  return out;
}

void Reader::DateRange(const YAML::Node& d, const std::string& path, TimeMs& from_ms,
                       TimeMs& to_ms) {
  if (!IsMap(d, path)) return;
  OnlyKeys(d, path, {"from", "to"});
  std::optional<int64_t> from, to;
  if (d["from"]) from = DayNumber(d["from"], path + ".from");
  if (d["to"]) to = DayNumber(d["to"], path + ".to");
  if (from) from_ms = *from * kMsPerDay;
  if (to) to_ms = (*to + 1) * kMsPerDay;  // `to` is the last day, included
  if (from && to && *to < *from) {
    Fail(d["to"], path,
         "the range is reversed: 'to' (" + d["to"].Scalar() + ") is before 'from' (" +
             d["from"].Scalar() + ")");
  }
}

}  // namespace loyalty::rules_file::detail
