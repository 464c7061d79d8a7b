#include "tools/report/reports.h"

#include <algorithm>

#include "tools/report/cost_render.h"
#include "tools/report/lifecycle_render.h"
#include "tools/report/more_charts.h"
#include "tools/report/nps_render.h"
#include "tools/report/offers_render.h"
#include "tools/report/pareto_render.h"
#include "tools/report/rfm_render.h"

namespace loyalty::report {
namespace {

// Runs `tally` over every customer, then renders what it finished with.
template <typename Tally, typename Render>
Result<ReportOutput> Tallied(Tally tally, const CustomerSource& source, Render render) {
  const Status read = source([&](const CustomerState& s) {
    tally.Add(s);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return render(tally.Finish());
}

}  // namespace

std::optional<ReportKind> ReportKindOf(std::string_view name) {
  for (std::size_t k = 0; k < kReportNames.size(); ++k) {
    if (name == kReportNames[k]) return static_cast<ReportKind>(k);
  }
  return std::nullopt;
}

const char* ReportName(ReportKind kind) { return kReportNames[static_cast<std::size_t>(kind)]; }

bool HasChart(ReportKind) { return true; }

Result<ReportOutput> MakeReport(const ReportRequest& q, const CustomerSource& source) {
  std::vector<RfmInput> inputs;
  TimeMs first_ms = 0, last_ms = 0;  // the data's period: first and latest purchase
  const Status read = source([&](const CustomerState& s) {
    inputs.push_back(RfmInputOf(s));
    if (s.first_purchase_ms > 0 && (first_ms == 0 || s.first_purchase_ms < first_ms)) {
      first_ms = s.first_purchase_ms;
    }
    last_ms = std::max(last_ms, s.last_purchase_ms);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  const TimeMs as_of = q.as_of_ms != 0 ? q.as_of_ms : LatestPurchase(inputs);
  const RuleSet& rules = *q.rules;
  switch (q.kind) {
    case ReportKind::kPareto: {
      std::vector<int64_t> revenue;
      for (const RfmInput& c : inputs) revenue.push_back(c.revenue_minor);
      const ParetoReport r = ComputePareto(std::move(revenue));
      const int32_t offset = rules.program.utc_offset_minutes;
      const std::string period = first_ms == 0 ? "no purchases yet"
                                               : "purchases from " + IsoDate(first_ms, offset) +
                                                     " to " + IsoDate(last_ms, offset);
      const std::string note = q.title_note.empty() ? period : q.title_note + "; " + period;
      return ReportOutput{ParetoToJson(r), ParetoToText(r, q.money), ParetoSvg(r, q.money, note)};
    }
    case ReportKind::kRfm: {
      const RfmReport r = ComputeRfm(inputs, as_of);
      return ReportOutput{RfmToJson(r), RfmToText(r, q.money), RfmSvg(r, q.title_note)};
    }
    case ReportKind::kLifecycle:
      return Tallied(LifecycleTally(rules.lifecycle, as_of), source, [&](const auto& r) {
        return ReportOutput{LifecycleToJson(r), LifecycleToText(r, q.money),
                            LifecycleSvg(r, q.money, q.title_note)};
      });
    case ReportKind::kNps: {
      // Segments may ask for RFM scores: against this population's quantiles.
      const RfmQuantiles quantiles = ComputeRfmQuantiles(inputs, as_of);
      return Tallied(NpsTally(rules, as_of, &quantiles), source, [&](const auto& r) {
        return ReportOutput{NpsToJson(r), NpsToText(r), NpsSvg(r, q.title_note)};
      });
    }
    case ReportKind::kOffers:
      return Tallied(OffersTally(rules), source, [&](const auto& r) {
        return ReportOutput{OffersToJson(r), OffersToText(r, q.money),
                            OffersSvg(r, q.money, q.title_note)};
      });
    case ReportKind::kCostToServe:
      return Tallied(CostTally(rules.lifecycle, as_of), source, [&](const auto& r) {
        return ReportOutput{CostToJson(r), CostToText(r, q.money),
                            CostSvg(r, q.money, q.title_note)};
      });
  }
  return Status::Invalid("unknown report");
}

}  // namespace loyalty::report
