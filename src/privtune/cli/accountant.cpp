// `privtune accountant`: epsilon of DP-SGD's mechanism for given (q, sigma, steps, delta), or
// the noise multiplier sigma that meets a target epsilon, by the RDP and the PLD accountants.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "privtune/cli/commands.h"
#include "privtune/core/error.h"
#include "privtune/core/json_util.h"
#include "privtune/dp/accountant.h"
#include "privtune/dp/calibrate.h"

namespace privtune::cli {
namespace {

struct AccountantArgs {
  double q = 0.0;
  double sigma = -1.0;
  int64_t steps = 0;
  double delta = 0.0;
  double target_epsilon = 0.0;
  std::string accountant = "both";
  bool json = false;
  CLI::Option* sigma_option = nullptr;
  CLI::Option* target_option = nullptr;
};

std::string fmt(double x) {
  if (std::isinf(x)) return "inf";
  std::ostringstream out;
  out.precision(6);
  out << x;
  return out.str();
}

// JSON has no infinity: epsilon = +inf (sigma = 0) is written as null with no_privacy = true.
core::Json epsilon_json(double eps) { return std::isinf(eps) ? core::Json(nullptr) : core::Json(eps); }

void run(const AccountantArgs& a) {
  const bool have_sigma = a.sigma_option->count() > 0, have_target = a.target_option->count() > 0;
  check_input(have_sigma != have_target, have_sigma ? "give either --sigma or --target-epsilon, not both"
                                                    : "give --sigma (to get epsilon) or --target-epsilon (to get sigma)");
  dp::validate_segment({a.q, have_sigma ? a.sigma : 1.0, a.steps});
  dp::validate_delta(a.delta);
  std::vector<dp::AccountantKind> kinds;
  if (a.accountant != "pld") kinds.push_back(dp::AccountantKind::kRdp);
  if (a.accountant != "rdp") kinds.push_back(dp::AccountantKind::kPld);

  core::Json out{{"q", a.q}, {"steps", a.steps}, {"delta", a.delta}};
  std::vector<std::string> lines;
  if (have_sigma) {
    out["sigma"] = a.sigma;
    lines.push_back("q = " + fmt(a.q) + ", sigma = " + fmt(a.sigma) + ", steps = " + std::to_string(a.steps) +
                    ", delta = " + fmt(a.delta));
    for (auto kind : kinds) {
      auto acc = dp::make_accountant(kind);
      acc->step(a.q, a.sigma, a.steps);
      core::Json r;
      std::string line = acc->name() + ": epsilon = ";
      double eps;
      if (kind == dp::AccountantKind::kRdp) {
        const dp::RdpEpsilon e = static_cast<const dp::RdpAccountant&>(*acc).epsilon_and_order(a.delta);
        eps = e.epsilon;
        line += fmt(eps);
        if (std::isfinite(eps)) {
          r["order"] = e.order;
          line += " (best order " + fmt(e.order) + ")";
        }
      } else {
        eps = acc->epsilon(a.delta);
        line += fmt(eps);
      }
      r["epsilon"] = epsilon_json(eps);
      if (a.sigma == 0.0) {
        r["no_privacy"] = true;
        line += " (sigma = 0: no noise, no privacy)";
      }
      out[acc->name()] = r;
      lines.push_back(line);
    }
  } else {
    out["target_epsilon"] = a.target_epsilon;
    lines.push_back("target epsilon = " + fmt(a.target_epsilon) + " at q = " + fmt(a.q) + ", steps = " +
                    std::to_string(a.steps) + ", delta = " + fmt(a.delta));
    const dp::CalibrationOptions options;
    for (auto kind : kinds) {
      const dp::Calibration c = dp::calibrate_sigma(kind, a.q, a.steps, a.delta, a.target_epsilon, options);
      std::string line = dp::to_string(kind) + ": sigma = " + fmt(c.sigma) + " (epsilon " + fmt(c.epsilon) + ")";
      if (c.at_sigma_min) line += " -- the target allows less noise; sigma is clamped at the search minimum " + fmt(options.sigma_min);
      out[dp::to_string(kind)] = {{"sigma", c.sigma}, {"epsilon", c.epsilon}, {"at_sigma_min", c.at_sigma_min}};
      lines.push_back(line);
    }
  }

  if (a.json) {
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const auto& line : lines) std::printf("%s\n", line.c_str());
  }
}

}  // namespace

void add_accountant_command(CLI::App& app) {
  auto args = std::make_shared<AccountantArgs>();
  CLI::App* cmd = app.add_subcommand(
      "accountant", "Epsilon of DP-SGD (Poisson-subsampled Gaussian) by the RDP and PLD accountants, or sigma for a target");
  cmd->add_option("--q", args->q, "Poisson sampling rate, expected batch / N, in (0, 1]")->required();
  args->sigma_option = cmd->add_option("--sigma,--noise-multiplier", args->sigma, "noise multiplier (noise std / clipping norm)");
  cmd->add_option("--steps", args->steps, "number of steps")->required();
  cmd->add_option("--delta", args->delta, "delta, in (0, 1)")->required();
  args->target_option = cmd->add_option("--target-epsilon", args->target_epsilon, "find the sigma that meets this epsilon");
  cmd->add_option("--accountant", args->accountant, "rdp, pld or both")
      ->check(CLI::IsMember({"rdp", "pld", "both"}))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "print JSON");
  cmd->callback([args] { run(*args); });
}

}  // namespace privtune::cli
