// Privacy accountants for DP-SGD: the interface the trainer calls each step, with resumable
// state. Two kinds (DESIGN.md section 6):
//   rdp -- Renyi DP of the subsampled Gaussian over a list of orders, converted to
//          (epsilon, delta) (rdp.h); a fast, standard upper bound, looser than the tight one.
//   pld -- the privacy loss distribution, discretised pessimistically and composed by FFT
//          (pld.h); tight: within a small, documented margin above the true epsilon.
// Both account for Poisson sampling and the add-or-remove-one neighbouring relation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/dp/pld.h"
#include "privtune/dp/rdp.h"
#include "privtune/dp/segment.h"

namespace privtune::dp {

enum class AccountantKind { kRdp, kPld };

// "rdp" / "pld"; parse_accountant_kind throws privtune::Error for anything else.
std::string to_string(AccountantKind kind);
AccountantKind parse_accountant_kind(const std::string& name);

class Accountant {
 public:
  virtual ~Accountant() = default;

  virtual AccountantKind kind() const = 0;
  std::string name() const { return to_string(kind()); }

  // Records `n` more steps with sampling rate q and noise multiplier sigma. Throws
  // privtune::Error on q outside (0, 1], sigma < 0 or n < 1. Consecutive steps with the same
  // (q, sigma) are merged into one segment.
  void step(double q, double sigma, int64_t n = 1);

  // Epsilon spent so far at `delta` (in (0, 1), else privtune::Error): 0 before any step,
  // +inf after a step with sigma = 0.
  virtual double epsilon(double delta) const = 0;

  const std::vector<StepSegment>& history() const { return history_; }
  int64_t steps() const { return total_steps(history_); }

  // State for run.json and resuming: {"accountant": "rdp"|"pld", "history": [{"q", "sigma",
  // "steps"}...]} plus, for rdp, "orders". from_json rebuilds it (privtune::Error, naming
  // `where`, on malformed input).
  core::Json to_json() const;
  static std::unique_ptr<Accountant> from_json(const core::Json& state, const std::string& where = "accountant state");

 protected:
  virtual void on_step(const StepSegment& segment) {}
  virtual void add_json_fields(core::Json& state) const {}

 private:
  std::vector<StepSegment> history_;
};

class RdpAccountant final : public Accountant {
 public:
  // Orders > 1; default_rdp_orders() unless given (opacus_default_orders() reproduces Opacus).
  explicit RdpAccountant(std::vector<double> orders = default_rdp_orders());

  AccountantKind kind() const override { return AccountantKind::kRdp; }
  double epsilon(double delta) const override;
  // Epsilon and the order attaining it.
  RdpEpsilon epsilon_and_order(double delta) const;

  const std::vector<double>& orders() const { return orders_; }
  // Accumulated RDP at each order.
  const std::vector<double>& rdp() const { return rdp_; }

 private:
  void on_step(const StepSegment& segment) override;
  void add_json_fields(core::Json& state) const override;

  std::vector<double> orders_;
  std::vector<double> rdp_;
  // One step's RDP for the last (q, sigma) seen: the trainer repeats the same pair.
  double cached_q_ = -1.0, cached_sigma_ = -1.0;
  std::vector<double> cached_step_rdp_;
};

class PldAccountant final : public Accountant {
 public:
  explicit PldAccountant(PldOptions options = {}) : options_(options) {}

  AccountantKind kind() const override { return AccountantKind::kPld; }
  // Recomputes the composition of the whole history: O(bins log bins), ~0.1 s for thousands
  // of steps; call it at logging points, not every step.
  double epsilon(double delta) const override;

  const PldOptions& options() const { return options_; }

 private:
  PldOptions options_;
};

std::unique_ptr<Accountant> make_accountant(AccountantKind kind);

// Epsilon after each of `checkpoints` (step counts, each >= 1) of steps at fixed (q, sigma):
// the "epsilon over steps" curve for run.json and plots.
std::vector<double> epsilon_over_steps(AccountantKind kind, double q, double sigma,
                                       const std::vector<int64_t>& checkpoints, double delta);

}  // namespace privtune::dp
