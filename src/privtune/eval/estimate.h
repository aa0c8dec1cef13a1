// A number with its 95% bootstrap interval, and how every such number appears in
// metrics.json: {"value": v, "ci": [low, high]}, or null when it is undefined (a class
// without tokens, a split without examples). Undefined is never written as zero.
#pragma once

#include <cmath>

#include "privtune/core/json_util.h"
#include "privtune/eval/bootstrap.h"

namespace privtune::eval {

struct Estimate {
  double value = std::nan("");
  Interval interval;
};

inline core::Json number_or_null(double x) { return std::isfinite(x) ? core::Json(x) : core::Json(nullptr); }

inline core::Json estimate_json(const Estimate& e) {
  if (!std::isfinite(e.value)) return nullptr;
  return {{"value", e.value}, {"ci", {number_or_null(e.interval.low), number_or_null(e.interval.high)}}};
}

}  // namespace privtune::eval
