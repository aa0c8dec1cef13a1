#include "privtune/dp/per_example.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "privtune/core/error.h"
#include "privtune/dp/row_groups.h"
#include "privtune/dp/tape.h"

namespace privtune::dp {

NormMethod parse_norm_method(const std::string& name) {
  if (name == "auto") return NormMethod::kAuto;
  if (name == "ghost") return NormMethod::kGhost;
  if (name == "materialized") return NormMethod::kMaterialized;
  throw Error("unknown per-example norm method '" + name + "' (expected auto, ghost or materialized)");
}

std::string to_string(NormMethod method) {
  switch (method) {
    case NormMethod::kAuto: return "auto";
    case NormMethod::kGhost: return "ghost";
    case NormMethod::kMaterialized: return "materialized";
  }
  throw std::logic_error("unknown NormMethod");
}

namespace {

const std::string kWhere = "per-example clipping";

}  // namespace

PerExampleClipper::PerExampleClipper(model::CausalLM& model, const ClipOptions& options)
    : model_(model), options_(options) {
  const double C = options.max_grad_norm;
  check_input(!std::isnan(C) && C > 0,
              kWhere + ": max_grad_norm must be > 0 (or infinity for no clipping), got " + std::to_string(C));
  std::vector<torch::Tensor> tensors;
  std::vector<std::pair<std::shared_ptr<torch::nn::Module>, model::Recordable*>> layers;
  for (const auto& item : model->named_modules("", /*include_self=*/true)) {
    const std::shared_ptr<torch::nn::Module>& module = item.value();
    bool trainable = false;
    for (const auto& p : module->named_parameters(/*recurse=*/false)) {
      if (!p.value().requires_grad()) continue;
      const std::string name = item.key().empty() ? p.key() : item.key() + "." + p.key();
      std::optional<Kind> kind;
      if (dynamic_cast<model::LinearImpl*>(module.get()) != nullptr) {
        if (p.key() == "weight") kind = Kind::kLinearWeight;
        if (p.key() == "bias") kind = Kind::kBias;
      } else if (dynamic_cast<model::EmbeddingImpl*>(module.get()) != nullptr) {
        const bool tied = module.get() == model->embed.get() && !model->lm_head;
        if (p.key() == "weight") kind = tied ? Kind::kTiedEmbedding : Kind::kEmbedding;
      } else if (dynamic_cast<model::NormImpl*>(module.get()) != nullptr) {
        if (p.key() == "weight") kind = Kind::kNormWeight;
        if (p.key() == "bias") kind = Kind::kBias;
      }
      if (!kind)
        throw Error(kWhere + ": trainable parameter '" + name +
                    "' has no per-example gradient rule (there are rules for the weights and biases of "
                    "Linear, Embedding and Norm layers); freeze it or train without DP");
      parameters_.push_back({name, p.value(), *kind, ""});
      tensors.push_back(p.value());
      trainable = true;
    }
    if (!trainable) continue;
    auto* layer = dynamic_cast<model::Recordable*>(module.get());
    check_input(layer->recorder == nullptr, kWhere + ": the model already has a per-example clipper attached");
    layers.emplace_back(module, layer);
  }
  check_input(!parameters_.empty(), kWhere + ": the model has no trainable parameters");
  tape_ = std::make_unique<Tape>(tensors);
  for (auto& [module, layer] : layers) {
    layer->recorder = tape_.get();
    attached_.push_back(module);
  }
}

PerExampleClipper::~PerExampleClipper() {
  for (auto& module : attached_) dynamic_cast<model::Recordable*>(module.get())->recorder = nullptr;
}

void PerExampleClipper::check_unchanged_trainable_set() {
  size_t trainable = 0;
  for (const auto& p : model_->parameters()) trainable += p.requires_grad() ? 1 : 0;
  bool same = trainable == parameters_.size();
  for (const auto& p : parameters_) same = same && p.tensor.requires_grad();
  if (!same)
    throw std::logic_error(kWhere + ": the trainable parameters changed since the clipper was attached; "
                                    "attach a new clipper after freezing or unfreezing");
}

torch::Tensor PerExampleClipper::backward(const torch::Tensor& per_example_loss, const torch::Tensor& groups) {
  std::optional<RowGroups> grouping;
  std::vector<ParameterUses> uses;
  try {  // the recorded forward is consumed whatever happens
    if (tape_->empty())
      throw std::logic_error(kWhere + ": nothing was recorded; run the forward pass in grad mode while the "
                                      "clipper is attached, and call backward once per forward");
    const int64_t rows = tape_->batch_size();
    check_input(per_example_loss.defined() && per_example_loss.dim() == 1 && per_example_loss.size(0) == rows,
                kWhere + ": per_example_loss must hold one loss per row (" + std::to_string(rows) + "), got shape " +
                    (per_example_loss.defined() ? c10::str(per_example_loss.sizes()) : std::string("undefined")));
    if (!per_example_loss.requires_grad())
      throw std::logic_error(kWhere + ": per_example_loss does not depend on any trainable parameter");
    grouping.emplace(groups, rows);
    check_unchanged_trainable_set();
    uses = tape_->backward(per_example_loss.sum());
  } catch (...) {
    tape_->clear();
    throw;
  }
  torch::NoGradGuard no_grad;

  // Every group's squared norm over all trainable parameters, summed in float64.
  const bool ghost_ok = options_.method != NormMethod::kMaterialized;
  const bool materialize_ok = options_.method != NormMethod::kGhost;
  const std::vector<PerRowBatch> per_row = take_per_row(uses);
  std::vector<torch::Tensor> squared_parts;  // (G) each
  for (const PerRowBatch& batch : per_row) squared_parts.push_back(per_row_squared_norms(batch, *grouping));
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (uses[i].products.empty() && uses[i].per_row.empty()) continue;  // per-row, or not reached by this loss
    Parameter& p = parameters_[i];
    GroupNorms norms = squared_norms(uses[i], *grouping, ghost_ok, materialize_ok, accumulation_dtype(p.tensor));
    squared_parts.push_back(norms.squared);
    if (p.kind == Kind::kLinearWeight) p.last_rule = norms.rule == NormRule::kGhost ? "ghost" : "materialized";
  }
  torch::Tensor squared;  // (G) float64
  if (squared_parts.empty()) {
    const torch::Device device = parameters_.front().tensor.device();
    squared = torch::zeros({grouping->count()}, torch::TensorOptions().dtype(torch::kDouble).device(device));
  } else {
    const torch::ScalarType first = squared_parts.front().scalar_type();
    const bool mixed = std::any_of(squared_parts.begin(), squared_parts.end(),
                                   [&](const torch::Tensor& part) { return part.scalar_type() != first; });
    if (mixed)  // stack needs one dtype
      for (auto& part : squared_parts) part = part.to(torch::kDouble);
    squared = torch::stack(squared_parts).to(torch::kDouble).sum(0);  // (P, G) -> (G)
  }
  torch::Tensor norms = squared.sqrt();  // (G)

  // c_g = min(1, C / ||g_g||): 1 for a zero gradient (C / 0 = inf) and without clipping.
  const double C = options_.max_grad_norm;
  torch::Tensor factor = std::isinf(C) ? torch::ones_like(norms) : (C / norms).clamp_max(1.0);
  const RowScale row_scale(grouping->of_rows(factor));  // (B)
  std::vector<torch::Tensor> tensors;
  for (const Parameter& p : parameters_) tensors.push_back(p.tensor);
  for (const PerRowBatch& batch : per_row) add_clipped(batch, tensors, row_scale);
  for (size_t i = 0; i < parameters_.size(); ++i) {
    torch::Tensor& grad = parameters_[i].tensor.mutable_grad();
    const bool nothing_left = uses[i].products.empty() && uses[i].per_row.empty();  // batched above, or unreached
    if (!nothing_left || !grad.defined()) add_clipped(grad, parameters_[i].tensor, uses[i], row_scale);  // unreached: 0
    uses[i] = ParameterUses();  // frees this parameter's inputs and output gradients
  }
  return norms;
}

std::vector<std::pair<std::string, std::string>> PerExampleClipper::rules() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : parameters_) {
    std::string rule;
    switch (p.kind) {
      case Kind::kLinearWeight:
        rule = options_.method != NormMethod::kAuto ? to_string(options_.method)
               : p.last_rule.empty()                ? "auto"
                                                    : p.last_rule;
        break;
      case Kind::kEmbedding: rule = "ghost (embedding)"; break;
      case Kind::kTiedEmbedding: rule = "ghost (tied embedding and LM head)"; break;
      case Kind::kBias: rule = "materialized (bias)"; break;
      case Kind::kNormWeight: rule = "materialized (norm weight)"; break;
    }
    out.emplace_back(p.name, rule);
  }
  return out;
}

}  // namespace privtune::dp
