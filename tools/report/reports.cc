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

// What the first reading of the customers gives every report.
struct Population {
  std::vector<RfmInput> inputs;
  TimeMs first_ms = 0, last_ms = 0;  // the data's period: first and latest purchase
  TimeMs as_of = 0;                  // the request's, or the latest purchase
};

Result<Population> ReadPopulation(const ReportRequest& q, const CustomerSource& source) {
  Population p;
  const Status read = source([&](const CustomerState& s) {
    p.inputs.push_back(RfmInputOf(s));
    if (s.first_purchase_ms > 0 && (p.first_ms == 0 || s.first_purchase_ms < p.first_ms)) {
      p.first_ms = s.first_purchase_ms;
    }
    p.last_ms = std::max(p.last_ms, s.last_purchase_ms);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  p.as_of = q.as_of_ms != 0 ? q.as_of_ms : LatestPurchase(p.inputs);
  return p;
}

ReportOutput ParetoOutput(const Population& p, const ReportRequest& q) {
  std::vector<int64_t> revenue;
  revenue.reserve(p.inputs.size());
  for (const RfmInput& c : p.inputs) revenue.push_back(c.revenue_minor);
  const ParetoReport r = ComputePareto(std::move(revenue));
  const int32_t offset = q.rules->program.utc_offset_minutes;
  const std::string period = p.first_ms == 0 ? "no purchases yet"
                                             : "purchases from " + IsoDate(p.first_ms, offset) +
                                                   " to " + IsoDate(p.last_ms, offset);
  const std::string note = q.title_note.empty() ? period : q.title_note + "; " + period;
  return ReportOutput{ParetoToJson(r), ParetoToText(r, q.money), ParetoSvg(r, q.money, note)};
}

ReportOutput RfmOutput(const Population& p, const ReportRequest& q) {
  const RfmReport r = ComputeRfm(p.inputs, p.as_of);
  return ReportOutput{RfmToJson(r), RfmToText(r, q.money), RfmSvg(r, q.title_note)};
}

ReportOutput Output(const LifecycleReport& r, const ReportRequest& q) {
  return {LifecycleToJson(r), LifecycleToText(r, q.money), LifecycleSvg(r, q.money, q.title_note)};
}
ReportOutput Output(const NpsReport& r, const ReportRequest& q) {
  return {NpsToJson(r), NpsToText(r), NpsSvg(r, q.title_note)};
}
ReportOutput Output(const OffersReport& r, const ReportRequest& q) {
  return {OffersToJson(r), OffersToText(r, q.money), OffersSvg(r, q.money, q.title_note)};
}
ReportOutput Output(const CostReport& r, const ReportRequest& q) {
  return {CostToJson(r), CostToText(r, q.money), CostSvg(r, q.money, q.title_note)};
}

// The reports that tally customers against the rules, fed in one reading.
// NPS segments may ask for RFM scores: against this population's quantiles.
struct Tallies {
  Tallies(const ReportRequest& q, const Population& p)
      : quantiles(ComputeRfmQuantiles(p.inputs, p.as_of)),
        lifecycle(q.rules->lifecycle, p.as_of),
        nps(*q.rules, p.as_of, &quantiles),
        offers(*q.rules),
        cost(q.rules->lifecycle, p.as_of) {}
  const RfmQuantiles quantiles;
  LifecycleTally lifecycle;
  NpsTally nps;
  OffersTally offers;
  CostTally cost;
};

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
  auto population = ReadPopulation(q, source);
  if (!population.ok()) return population.status();
  const Population& p = *population;
  if (q.kind == ReportKind::kPareto) return ParetoOutput(p, q);
  if (q.kind == ReportKind::kRfm) return RfmOutput(p, q);
  Tallies t(q, p);  // one tally is fed; the others cost a constructor
  const Status read = source([&](const CustomerState& s) {
    switch (q.kind) {
      case ReportKind::kLifecycle: t.lifecycle.Add(s); break;
      case ReportKind::kNps: t.nps.Add(s); break;
      case ReportKind::kOffers: t.offers.Add(s); break;
      case ReportKind::kCostToServe: t.cost.Add(s); break;
      default: break;
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  switch (q.kind) {
    case ReportKind::kLifecycle: return Output(t.lifecycle.Finish(), q);
    case ReportKind::kNps: return Output(t.nps.Finish(), q);
    case ReportKind::kOffers: return Output(t.offers.Finish(), q);
    case ReportKind::kCostToServe: return Output(t.cost.Finish(), q);
    default: return Status::Invalid("unknown report");
  }
}

Result<EveryReport> MakeEveryReport(const ReportRequest& q, const CustomerSource& source) {
  auto population = ReadPopulation(q, source);
  if (!population.ok()) return population.status();
  const Population& p = *population;
  Tallies t(q, p);
  const Status read = source([&](const CustomerState& s) {
    t.lifecycle.Add(s);
    t.nps.Add(s);
    t.offers.Add(s);
    t.cost.Add(s);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  EveryReport every;
  every[static_cast<std::size_t>(ReportKind::kPareto)] = ParetoOutput(p, q);
  every[static_cast<std::size_t>(ReportKind::kRfm)] = RfmOutput(p, q);
  every[static_cast<std::size_t>(ReportKind::kLifecycle)] = Output(t.lifecycle.Finish(), q);
  every[static_cast<std::size_t>(ReportKind::kNps)] = Output(t.nps.Finish(), q);
  every[static_cast<std::size_t>(ReportKind::kOffers)] = Output(t.offers.Finish(), q);
  every[static_cast<std::size_t>(ReportKind::kCostToServe)] = Output(t.cost.Finish(), q);
  return every;
}

}  // namespace loyalty::report
