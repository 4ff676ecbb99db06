#include "operators/purchase_model.h"

#include <cmath>

#include "operators/mbgnbd.h"

namespace crm::operators {

std::string_view PurchaseModelName(PurchaseModel model) {
  switch (model) {
    case PurchaseModel::kBgNbd: return "bgnbd";
    case PurchaseModel::kMbgNbd: return "mbgnbd";
    case PurchaseModel::kParetoNbd: return "pareto_nbd";
  }
  return "bgnbd";
}

std::optional<PurchaseModel> ParsePurchaseModel(std::string_view name) {
  if (name == "bgnbd") return PurchaseModel::kBgNbd;
  if (name == "mbgnbd") return PurchaseModel::kMbgNbd;
  if (name == "pareto_nbd" || name == "pareto") return PurchaseModel::kParetoNbd;
  return std::nullopt;
}

std::string_view PurchaseModelTitle(PurchaseModel model) {
  switch (model) {
    case PurchaseModel::kBgNbd: return "BG/NBD";
    case PurchaseModel::kMbgNbd: return "MBG/NBD";
    case PurchaseModel::kParetoNbd: return "Pareto/NBD";
  }
  return "BG/NBD";
}

double LogLikelihood(const PurchaseModelParams& p, const PurchaseSummary& s) {
  switch (p.model) {
    case PurchaseModel::kBgNbd: return BgNbdLogLikelihood(p.bgnbd, s);
    case PurchaseModel::kMbgNbd: return MbgNbdLogLikelihood(p.mbgnbd, s);
    case PurchaseModel::kParetoNbd: return ParetoNbdLogLikelihood(p.pareto_nbd, s);
  }
  return NAN;
}

double ProbabilityAlive(const PurchaseModelParams& p, const PurchaseSummary& s) {
  switch (p.model) {
    case PurchaseModel::kBgNbd: return PAlive(p.bgnbd, s);
    case PurchaseModel::kMbgNbd: return MbgNbdPAlive(p.mbgnbd, s);
    case PurchaseModel::kParetoNbd: return ParetoNbdPAlive(p.pareto_nbd, s);
  }
  return NAN;
}

double ExpectedPurchases(const PurchaseModelParams& p, const PurchaseSummary& s, double t) {
  switch (p.model) {
    case PurchaseModel::kBgNbd: return ExpectedPurchases(p.bgnbd, s, t);
    case PurchaseModel::kMbgNbd: return MbgNbdExpectedPurchases(p.mbgnbd, s, t);
    case PurchaseModel::kParetoNbd: return ParetoNbdExpectedPurchases(p.pareto_nbd, s, t);
  }
  return NAN;
}

double ExpectedRepeatPurchasesUnconditional(const PurchaseModelParams& p, double t) {
  switch (p.model) {
    case PurchaseModel::kBgNbd: return ExpectedRepeatPurchasesUnconditional(p.bgnbd, t);
    case PurchaseModel::kMbgNbd: return MbgNbdExpectedRepeatPurchasesUnconditional(p.mbgnbd, t);
    case PurchaseModel::kParetoNbd: return ParetoNbdExpectedRepeatPurchasesUnconditional(p.pareto_nbd, t);
  }
  return NAN;
}

double ProbabilityNoPurchase(const PurchaseModelParams& p, const PurchaseSummary& s, double h) {
  if (h <= 0) return 1.0;
  if (p.model == PurchaseModel::kParetoNbd) return ParetoNbdProbabilityNoPurchase(p.pareto_nbd, s, h);
  // BG/NBD and MBG/NBD: drop-out happens only at a purchase, so an alive
  // customer makes none in h exactly when the next Poisson gap exceeds h.
  const BgNbdParams& bg = p.model == PurchaseModel::kBgNbd ? p.bgnbd : p.mbgnbd;
  const double none_if_alive = std::exp((bg.r + s.x) * (std::log(bg.alpha + s.T) - std::log(bg.alpha + s.T + h)));
  const double alive = ProbabilityAlive(p, s);
  return 1.0 - alive + alive * none_if_alive;
}

}  // namespace crm::operators
