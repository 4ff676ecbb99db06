// operators/purchase_model.h
//
// One entry point over the three purchase models (BG/NBD, MBG/NBD,
// Pareto/NBD): which one was fitted and its parameters, and the quantities
// the rest of the domain asks of it (P(alive), expected purchases, the
// probability of no purchase within a horizon). Callers never switch on the
// model themselves. Pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "operators/bgnbd.h"
#include "operators/pareto_nbd.h"

namespace crm::operators {

enum class PurchaseModel { kBgNbd, kMbgNbd, kParetoNbd };

struct PurchaseModelParams {
  PurchaseModel model = PurchaseModel::kBgNbd;
  BgNbdParams bgnbd;           // (r, alpha, a, b) when model is kBgNbd
  BgNbdParams mbgnbd;          // (r, alpha, a, b) when model is kMbgNbd
  ParetoNbdParams pareto_nbd;  // (r, alpha, s, beta) when model is kParetoNbd
};

// "bgnbd", "mbgnbd", "pareto_nbd": the parameters file's names.
std::string_view PurchaseModelName(PurchaseModel model);
// The reverse; "pareto" is accepted for "pareto_nbd".
std::optional<PurchaseModel> ParsePurchaseModel(std::string_view name);
// "BG/NBD", "MBG/NBD", "Pareto/NBD": for people.
std::string_view PurchaseModelTitle(PurchaseModel model);

double LogLikelihood(const PurchaseModelParams& p, const PurchaseSummary& s);
double ProbabilityAlive(const PurchaseModelParams& p, const PurchaseSummary& s);
// E[purchases in (T, T + t] | x, t_x, T].
double ExpectedPurchases(const PurchaseModelParams& p, const PurchaseSummary& s, double t);
// E[repeat purchases in (0, t]] of a new customer.
double ExpectedRepeatPurchasesUnconditional(const PurchaseModelParams& p, double t);

// P(no purchase in (T, T + h] | x, t_x, T): gone, or alive and not buying
// within h. For BG/NBD and MBG/NBD a customer drops out only at a purchase,
// so P(none | alive) = ((alpha+T)/(alpha+T+h))^(r+x); for Pareto/NBD see
// ParetoNbdProbabilityNoPurchase (death can also come during h).
double ProbabilityNoPurchase(const PurchaseModelParams& p, const PurchaseSummary& s, double h);

}  // namespace crm::operators
