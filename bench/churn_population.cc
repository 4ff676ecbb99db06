#include "bench/churn_population.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <tuple>

#include "bench/alert_replay.h"
#include "pipeline/wire/civil_date.h"

namespace crm::bench {
namespace {

namespace op = crm::operators;

constexpr double kSeasonStartDayOfYear = 318;  // about 15 November
constexpr double kSeasonDays = 45;
constexpr double kSeasonPurchases = 1.5;  // a season holds 1 or 2 purchases
constexpr double kComplaintEveryDays = 120;    // complainers who stay: mean time between complaints
constexpr double kResolvedAfterDays = 7;

// Only the engine's raw output is used, so figures do not depend on the
// standard library's distribution algorithms.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  double Uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
  double Normal() { return std::sqrt(-2 * std::log(Uniform())) * std::cos(2 * M_PI * Uniform()); }
  double Exponential(double mean) { return -mean * std::log(Uniform()); }
  // Marsaglia & Tsang; shape < 1 through the usual boost.
  double Gamma(double shape, double scale) {
    if (shape < 1) return Gamma(shape + 1, scale) * std::pow(Uniform(), 1 / shape);
    const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
    for (;;) {
      double x = 0, v = 0;
      do {
        x = Normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const double u = Uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v * scale;
    }
  }
  int Int(int lo, int hi) { return lo + static_cast<int>(Uniform() * (hi - lo + 1)); }  // [lo, hi]

 private:
  std::mt19937_64 engine_;
};

struct Builder {
  Population& population;
  int64_t next = 0;
  void Purchase(const GeneratedCustomer& c, double day, double amount) {
    population.events.push_back(PurchaseEvent(c.id + "-" + std::to_string(next++), c.id,
                                              static_cast<int64_t>(day * kDayMs), amount));
  }
  void Complaint(const GeneratedCustomer& c, double day, int severity, op::ComplaintStatus status,
                 const std::string& complaint_id) {
    op::Complaint body;
    body.complaint_id = complaint_id;
    body.status = status;
    body.severity = severity;
    body.category = "delivery";
    Add(c, day, body);
  }
  void ServiceCall(const GeneratedCustomer& c, double day, int rating) {
    op::ServiceInteraction body;
    body.channel = "call";
    body.rating = rating;
    Add(c, day, body);
  }
  template <typename Body>
  void Add(const GeneratedCustomer& c, double day, Body body) {
    op::Event event;
    event.event_id = c.id + "-" + std::to_string(next++);
    event.customer_id = c.id;
    event.ts = op::EventTime{static_cast<int64_t>(day * kDayMs)};
    event.body = std::move(body);
    population.events.push_back(std::move(event));
  }
};

CustomerKind DrawKind(const PopulationOptions& o, Random& random) {
  double u = random.Uniform();
  const std::pair<double, CustomerKind> shares[] = {{o.one_time, CustomerKind::kOneTime},
                                                    {o.seasonal, CustomerKind::kSeasonal},
                                                    {o.complainers, CustomerKind::kComplainer},
                                                    {o.quiet_leavers, CustomerKind::kQuietLeaver},
                                                    {o.loud_leavers, CustomerKind::kLoudLeaver}};
  for (const auto& [share, kind] : shares) {
    if (u < share) return kind;
    u -= share;
  }
  return CustomerKind::kRegular;
}

}  // namespace

const char* CustomerKindName(CustomerKind kind) {
  switch (kind) {
    case CustomerKind::kRegular: return "regular";
    case CustomerKind::kOneTime: return "one-time";
    case CustomerKind::kSeasonal: return "seasonal";
    case CustomerKind::kComplainer: return "complainer who stays";
    case CustomerKind::kQuietLeaver: return "quiet leaver";
    case CustomerKind::kLoudLeaver: return "loud leaver";
  }
  return "?";
}

Population GeneratePopulation(const PopulationOptions& o) {
  Population population;
  Random random(o.seed);
  Builder build{population};
  const double start = static_cast<double>(o.start_day), end = start + o.days;
  population.start_ms = o.start_day * kDayMs;
  population.end_ms = static_cast<int64_t>(end * kDayMs);
  population.calibration_end_day = o.start_day + static_cast<int64_t>(o.calibration_days) - 1;
  population.calibration_end_ms = (population.calibration_end_day + 1) * kDayMs - 1;
  char id[32];
  for (int64_t i = 0; i < o.customers; ++i) {
    GeneratedCustomer c;
    std::snprintf(id, sizeof id, "g%05lld", static_cast<long long>(i));
    c.id = id;
    c.kind = DrawKind(o, random);
    const double rate = random.Gamma(o.rate_shape, 1 / (o.rate_shape * o.mean_gap_days));
    c.mean_gap_days = std::clamp(1 / rate, o.min_gap_days, o.max_gap_days);
    const double amount_mean = random.Gamma(2, o.mean_amount / 2);
    auto amount = [&] { return std::round(random.Gamma(4, amount_mean / 4) * 100) / 100 + 1; };
    auto gap = [&] { return random.Gamma(o.gap_shape, c.mean_gap_days / o.gap_shape); };
    // Arrivals over the window, leaving a month for a first judgement.
    double first = start + random.Uniform() * (o.days - 30);
    if (c.kind == CustomerKind::kSeasonal) {
      // The first purchase falls in the next season after arrival.
      const op::EventTime at{static_cast<int64_t>(first * kDayMs)};
      const int64_t year = pipeline::CivilFromDays(at.epoch_ms / kDayMs).year;
      double season = static_cast<double>(pipeline::DaysFromCivil(year, 1, 1)) + kSeasonStartDayOfYear;
      if (season + kSeasonDays < first) season += 365;
      first = std::max(first, season);
      if (first >= end) continue;
      for (double s = season; s < end; s += 365) {
        const int n = random.Int(1, 2);
        for (int k = 0; k < n; ++k) {
          const double day = s + random.Uniform() * kSeasonDays;
          if (day >= first && day < end) build.Purchase(c, day, amount());
        }
      }
      build.Purchase(c, first, amount());
      c.first_purchase_ms = static_cast<int64_t>(first * kDayMs);
      c.mean_gap_days = 365 / kSeasonPurchases;
      population.customers.push_back(c);
      continue;
    }
    c.first_purchase_ms = static_cast<int64_t>(first * kDayMs);
    const bool leaver = c.kind == CustomerKind::kQuietLeaver || c.kind == CustomerKind::kLoudLeaver;
    const double stop_at = c.kind == CustomerKind::kOneTime ? first
                           : leaver                         ? first + random.Uniform() * (end - first)
                                                            : end;
    double last = first;
    build.Purchase(c, first, amount());
    for (double day = first + gap(); day < stop_at; day += gap()) {
      build.Purchase(c, day, amount());
      last = day;
    }
    if (c.kind == CustomerKind::kOneTime || leaver) c.stop_ms = static_cast<int64_t>(last * kDayMs);
    if (c.kind == CustomerKind::kLoudLeaver) {
      const double day = last + 1 + random.Uniform() * 9;
      if (day < end) {
        build.Complaint(c, day, random.Int(3, 5), op::ComplaintStatus::kOpened, c.id + "-complaint");
        build.ServiceCall(c, day + random.Uniform(), 1);
      }
    }
    if (c.kind == CustomerKind::kComplainer) {
      int n = 0;
      for (double day = first + random.Exponential(kComplaintEveryDays); day < end;
           day += random.Exponential(kComplaintEveryDays)) {
        const std::string complaint = c.id + "-complaint-" + std::to_string(n++);
        build.Complaint(c, day, random.Int(2, 4), op::ComplaintStatus::kOpened, complaint);
        build.ServiceCall(c, day + random.Uniform(), random.Int(1, 2));
        if (random.Uniform() < 0.5 && day + kResolvedAfterDays < end) {
          build.Complaint(c, day + kResolvedAfterDays, 1, op::ComplaintStatus::kResolved, complaint);
        }
      }
    }
    population.customers.push_back(c);
  }
  std::stable_sort(population.events.begin(), population.events.end(), [](const op::Event& a, const op::Event& b) {
    return std::tie(a.ts.epoch_ms, a.customer_id) < std::tie(b.ts.epoch_ms, b.customer_id);
  });
  return population;
}

bool WritePurchasesCsv(const Population& population, const std::string& path) {
  std::ofstream out(path);
  out << "customer_id,date,amount\n";
  char line[96];
  for (const op::Event& e : population.events) {
    const auto* purchase = std::get_if<op::Purchase>(&e.body);
    if (purchase == nullptr) continue;
    const pipeline::CivilDate d = pipeline::CivilFromDays(e.ts.epoch_ms / kDayMs);
    std::snprintf(line, sizeof line, "%s,%04lld-%02lld-%02lld,%.2f\n", e.customer_id.c_str(),
                  static_cast<long long>(d.year), static_cast<long long>(d.month), static_cast<long long>(d.day),
                  purchase->amount);
    out << line;
  }
  return static_cast<bool>(out);
}

}  // namespace crm::bench
