#include "privtune/dp/accountant.h"

#include <cmath>

#include "privtune/core/error.h"
#include "privtune/dp/log_math.h"

namespace privtune::dp {

std::string to_string(AccountantKind kind) { return kind == AccountantKind::kRdp ? "rdp" : "pld"; }

AccountantKind parse_accountant_kind(const std::string& name) {
  if (name == "rdp") return AccountantKind::kRdp;
  if (name == "pld") return AccountantKind::kPld;
  throw Error("unknown accountant '" + name + "' (expected rdp or pld)");
}

void Accountant::step(double q, double sigma, int64_t n) {
  const StepSegment segment{q, sigma, n};
  validate_segment(segment);
  if (!history_.empty() && history_.back().q == q && history_.back().sigma == sigma)
    history_.back().steps += n;
  else
    history_.push_back(segment);
  on_step(segment);
}

core::Json Accountant::to_json() const {
  core::Json state;
  state["accountant"] = name();
  state["history"] = core::Json::array();
  for (const auto& s : history_) state["history"].push_back({{"q", s.q}, {"sigma", s.sigma}, {"steps", s.steps}});
  add_json_fields(state);
  return state;
}

std::unique_ptr<Accountant> Accountant::from_json(const core::Json& state, const std::string& where) {
  check_input(state.is_object(), where + ": expected a JSON object");
  const AccountantKind kind = parse_accountant_kind(core::json_require<std::string>(state, "accountant", where));
  std::unique_ptr<Accountant> acc;
  if (kind == AccountantKind::kRdp) {
    auto orders = core::json_value<std::vector<double>>(state, "orders", default_rdp_orders(), where);
    acc = std::make_unique<RdpAccountant>(std::move(orders));
  } else {
    acc = std::make_unique<PldAccountant>();
  }
  const auto history = core::json_require<core::Json>(state, "history", where);
  check_input(history.is_array(), where + ": key 'history' must be an array");
  for (size_t i = 0; i < history.size(); ++i) {
    const std::string at = where + ": history[" + std::to_string(i) + "]";
    check_input(history[i].is_object(), at + ": expected an object");
    const StepSegment s{core::json_require<double>(history[i], "q", at), core::json_require<double>(history[i], "sigma", at),
                        core::json_require<int64_t>(history[i], "steps", at)};
    try {
      acc->step(s.q, s.sigma, s.steps);
    } catch (const Error& e) {
      throw Error(at + ": " + e.what());
    }
  }
  return acc;
}

RdpAccountant::RdpAccountant(std::vector<double> orders) : orders_(std::move(orders)), rdp_(orders_.size(), 0.0) {
  check_input(!orders_.empty(), "RDP accountant: the list of orders is empty");
  for (double a : orders_) check_input(a > 1.0 && std::isfinite(a), "RDP accountant: orders must be finite and > 1");
}

void RdpAccountant::on_step(const StepSegment& s) {
  if (s.q != cached_q_ || s.sigma != cached_sigma_) {
    cached_step_rdp_.resize(orders_.size());
    for (size_t k = 0; k < orders_.size(); ++k) cached_step_rdp_[k] = subsampled_gaussian_rdp(s.q, s.sigma, orders_[k]);
    cached_q_ = s.q;
    cached_sigma_ = s.sigma;
  }
  for (size_t k = 0; k < orders_.size(); ++k) rdp_[k] += static_cast<double>(s.steps) * cached_step_rdp_[k];
}

RdpEpsilon RdpAccountant::epsilon_and_order(double delta) const {
  validate_delta(delta);
  if (history().empty()) return {0.0, std::nan("")};
  return rdp_to_epsilon(orders_, rdp_, delta);
}

double RdpAccountant::epsilon(double delta) const { return epsilon_and_order(delta).epsilon; }

void RdpAccountant::add_json_fields(core::Json& state) const { state["orders"] = orders_; }

double PldAccountant::epsilon(double delta) const {
  validate_delta(delta);
  if (history().empty()) return 0.0;
  return pld_epsilon(history(), delta, options_);
}

std::unique_ptr<Accountant> make_accountant(AccountantKind kind) {
  if (kind == AccountantKind::kRdp) return std::make_unique<RdpAccountant>();
  return std::make_unique<PldAccountant>();
}

std::vector<double> epsilon_over_steps(AccountantKind kind, double q, double sigma,
                                       const std::vector<int64_t>& checkpoints, double delta) {
  validate_delta(delta);
  std::vector<double> out;
  out.reserve(checkpoints.size());
  for (int64_t t : checkpoints) {
    auto acc = make_accountant(kind);
    acc->step(q, sigma, t);
    out.push_back(acc->epsilon(delta));
  }
  return out;
}

}  // namespace privtune::dp
