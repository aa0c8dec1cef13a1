#include "privtune/core/error.h"
#include "privtune/train/aggregation.h"

namespace privtune::train {

std::unique_ptr<GradientAggregator> make_dp_aggregator(model::CausalLM&, const std::vector<torch::Tensor>&,
                                                       const DpAggregatorOptions&) {
  throw Error("DP methods are being integrated");  // TEMPORARY until dp::PerExampleClipper lands
}

}  // namespace privtune::train
