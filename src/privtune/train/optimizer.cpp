#include "privtune/train/optimizer.h"

#include <sstream>

#include "privtune/core/error.h"

namespace privtune::train {

Optimizer::Optimizer(const std::vector<torch::Tensor>& parameters, const OptimizerOptions& o) {
  std::vector<torch::Tensor> decayed, not_decayed;
  for (const auto& p : parameters) (p.dim() >= 2 ? decayed : not_decayed).push_back(p);
  if (o.kind == "sgd") {
    auto options = [&](double decay) {
      return std::make_unique<torch::optim::SGDOptions>(
          torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(decay));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (!decayed.empty()) groups.emplace_back(decayed, options(o.weight_decay));
    if (!not_decayed.empty()) groups.emplace_back(not_decayed, options(0.0));
    impl_ = std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(o.lr));
  } else {
    auto options = [&](double decay) {
      return std::make_unique<torch::optim::AdamWOptions>(
          torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).eps(o.eps).weight_decay(decay));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (!decayed.empty()) groups.emplace_back(decayed, options(o.weight_decay));
    if (!not_decayed.empty()) groups.emplace_back(not_decayed, options(0.0));
    impl_ = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(o.lr));
  }
}

void Optimizer::set_lr(double lr) {
  for (auto& group : impl_->param_groups()) group.options().set_lr(lr);
}

void Optimizer::step() { impl_->step(); }

void Optimizer::zero_grad() {
  for (auto& group : impl_->param_groups())
    for (auto& p : group.params()) p.mutable_grad() = torch::Tensor();
}

std::string Optimizer::save() const {
  torch::serialize::OutputArchive archive;
  impl_->save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void Optimizer::load(const std::string& bytes) {
  torch::serialize::InputArchive archive;
  std::istringstream in(bytes);
  try {
    archive.load_from(in);
    impl_->load(archive);
  } catch (const c10::Error& e) {
    throw Error(std::string("optimizer state does not match this run: ") + e.what_without_backtrace());
  }
}

}  // namespace privtune::train
