#include "privtune/train/optimizer.h"

#include <cmath>
#include <map>
#include <sstream>
#include <type_traits>

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
    const bool on_gpu = !parameters.empty() && parameters.front().is_cuda();
    multi_tensor_ = o.multi_tensor == OptimizerOptions::MultiTensor::kOn ||
                    (o.multi_tensor == OptimizerOptions::MultiTensor::kAuto && on_gpu);
  }
}

namespace {

// torch::optim keys a parameter's state by its TensorImpl: as text in libtorch 1.x, as the
// pointer itself in 2.x. The text is what c10::guts::to_string prints for a pointer.
template <typename Map>
typename Map::key_type state_key(const Map&, const torch::Tensor& p) {
  if constexpr (std::is_same_v<typename Map::key_type, std::string>) {
    std::ostringstream text;
    text << p.unsafeGetTensorImpl();
    return text.str();
  } else {
    return p.unsafeGetTensorImpl();
  }
}

// The parameters of one group that share a step count, with their gradients and moments.
struct AdamWBucket {
  std::vector<torch::Tensor> params, grads, exp_avg, exp_avg_sq;
};

}  // namespace

// torch's AdamW step (libtorch's adamw.cpp, amsgrad off), each line applied to a whole
// bucket at once:
//   p <- p (1 - lr wd);  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
//   p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
void Optimizer::step_adamw_multi_tensor() {
  torch::NoGradGuard no_grad;
  auto& state = impl_->state();
  for (auto& group : impl_->param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamWOptions&>(group.options());
    std::map<int64_t, AdamWBucket> by_step;  // a parameter skipped by earlier steps counts fewer
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& slot = state[state_key(state, p)];
      if (!slot) {
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& s = static_cast<torch::optim::AdamWParamState&>(*slot);
      s.step(s.step() + 1);
      AdamWBucket& bucket = by_step[s.step()];
      bucket.params.push_back(p);
      bucket.grads.push_back(p.grad());
      bucket.exp_avg.push_back(s.exp_avg());
      bucket.exp_avg_sq.push_back(s.exp_avg_sq());
    }
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    for (auto& [step, b] : by_step) {
      const double correction1 = 1 - std::pow(beta1, static_cast<double>(step));
      const double correction2 = 1 - std::pow(beta2, static_cast<double>(step));
      if (o.weight_decay() != 0) torch::_foreach_mul_(b.params, 1 - o.lr() * o.weight_decay());
      torch::_foreach_mul_(b.exp_avg, beta1);
      torch::_foreach_add_(b.exp_avg, b.grads, 1 - beta1);
      torch::_foreach_mul_(b.exp_avg_sq, beta2);
      torch::_foreach_addcmul_(b.exp_avg_sq, b.grads, b.grads, 1 - beta2);
      std::vector<torch::Tensor> denominator = torch::_foreach_sqrt(b.exp_avg_sq);
      torch::_foreach_div_(denominator, std::sqrt(correction2));
      torch::_foreach_add_(denominator, o.eps());
      torch::_foreach_addcdiv_(b.params, b.exp_avg, denominator, -o.lr() / correction1);
    }
  }
}

void Optimizer::set_lr(double lr) {
  for (auto& group : impl_->param_groups()) group.options().set_lr(lr);
}

void Optimizer::step() {
  if (multi_tensor_)
    step_adamw_multi_tensor();
  else
    impl_->step();
}

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
