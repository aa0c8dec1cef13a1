// The reference values of tests/dp/dp_accounting.json (a copy of
// ../shared/reference/dp_accounting.json: Opacus 1.4 RDP and PRV, Google dp_accounting PLD).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::dp::ref {

struct EpsilonPoint {
  double q, sigma, delta;
  int64_t steps;
  std::optional<double> eps_rdp, eps_pld, eps_prv;  // empty: that library failed here

  std::string name() const {
    return "q=" + std::to_string(q) + " sigma=" + std::to_string(sigma) + " steps=" + std::to_string(steps);
  }
};

// So that gtest prints a point by name rather than as bytes.
inline void PrintTo(const EpsilonPoint& p, std::ostream* os) { *os << p.name(); }

struct CalibrationPoint {
  double q, target_eps, delta, sigma_rdp, sigma_pld;
  int64_t steps;
};

struct Reference {
  std::vector<double> rdp_orders;
  std::vector<EpsilonPoint> epsilon;
  std::vector<CalibrationPoint> noise_multiplier;
};

// gtest-safe names: 0.001 -> "0_001".
inline std::string number_name(double x) {
  std::string s = std::to_string(x);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  for (char& c : s)
    if (c == '.') c = '_';
  return s;
}
inline std::string test_name(const EpsilonPoint& p) {
  return "q" + number_name(p.q) + "_sigma" + number_name(p.sigma) + "_steps" + std::to_string(p.steps);
}
inline std::string test_name(const CalibrationPoint& p) {
  return "q" + number_name(p.q) + "_steps" + std::to_string(p.steps) + "_eps" + number_name(p.target_eps);
}

inline std::optional<double> optional_number(const core::Json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<double>();
}

inline const Reference& reference() {
  static const Reference ref = [] {
    const core::Json j = core::read_json_file(PRIVTUNE_SOURCE_DIR "/tests/dp/dp_accounting.json");
    Reference r;
    r.rdp_orders = j.at("rdp_orders").get<std::vector<double>>();
    for (const auto& e : j.at("epsilon"))
      r.epsilon.push_back({e.at("q").get<double>(), e.at("sigma").get<double>(), e.at("delta").get<double>(),
                           e.at("steps").get<int64_t>(), optional_number(e, "eps_rdp"),
                           optional_number(e, "eps_pld"), optional_number(e, "eps_prv")});
    for (const auto& e : j.at("noise_multiplier"))
      r.noise_multiplier.push_back({e.at("q").get<double>(), e.at("target_eps").get<double>(),
                                    e.at("delta").get<double>(), e.at("sigma_rdp").get<double>(),
                                    e.at("sigma_pld").get<double>(), e.at("steps").get<int64_t>()});
    return r;
  }();
  return ref;
}

}  // namespace privtune::dp::ref
