// DP-SGD and DP-LoRA through the trainer: the update is the clipped, noised mean; DP-LoRA
// changes only adapters; run.json carries the privacy report; resume keeps the accountant
// and the noise stream; bad DP settings are named.
#include <gtest/gtest.h>

#include <cmath>

#include "privtune/core/error.h"
#include "privtune/data/dataset.h"
#include "privtune/model/checkpoint.h"
#include "privtune/train/trainer.h"
#include "test_util.h"
#include "train_fixture.h"

namespace privtune::train {
namespace {

TrainOptions dp_options(const std::string& method, const std::string& out) {
  TrainOptions o = test::quick_options(test::tiny_run_inputs("llama"), method, out);
  o.max_grad_norm = 1.0;
  o.noise_multiplier = 0.8;
  o.max_steps = 4;
  return o;
}

TEST(DpTraining, DpLoraChangesOnlyAdaptersAndReportsThePrivacySpent) {
  TrainOptions o = dp_options("dp-lora", "dp_lora_run");
  Trainer trainer(o);
  std::map<std::string, torch::Tensor> base;
  for (auto& [name, t] : model::hf_state(trainer.model())) base[name] = t.detach().clone();
  const core::Json run = trainer.run();
  for (auto& [name, t] : model::hf_state(trainer.model())) EXPECT_TRUE(torch::equal(t, base.at(name))) << name;
  const core::Json& dp = run["dp"];
  EXPECT_EQ(dp["accountant"], "rdp");
  EXPECT_EQ(dp["unit"], "example");
  EXPECT_DOUBLE_EQ(dp["sigma"].get<double>(), 0.8);
  EXPECT_DOUBLE_EQ(dp["max_grad_norm"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(dp["q"].get<double>(), 4.0 / 24.0);
  EXPECT_DOUBLE_EQ(dp["delta"].get<double>(), 1e-3);  // below 1/N for N = 24
  EXPECT_EQ(dp["steps"], 4);
  EXPECT_GT(dp["epsilon"].get<double>(), 0.0);
  EXPECT_FALSE(dp["for_release"].get<bool>());  // --seed given
  EXPECT_EQ(dp["epsilon_over_steps"].back()["step"], 4);
  EXPECT_NEAR(dp["epsilon_over_steps"].back()["epsilon"].get<double>(), dp["epsilon"].get<double>(), 1e-9);
  EXPECT_EQ(run["training"]["sampling"], "poisson");
}

// With sigma = 0, C = infinity and full batches, DP-SGD's update direction is the plain
// mean gradient: the two methods must end at the same weights (up to summation order).
TEST(DpTraining, NoNoiseAndNoClippingReproducesNonPrivateTraining) {
  TrainOptions dp = dp_options("dp", "dp_equals_full_dp");
  dp.noise_multiplier = 0.0;
  dp.max_grad_norm = std::numeric_limits<double>::infinity();
  dp.sampling = "shuffle";
  TrainOptions full = dp;
  full.method = "full";
  full.noise_multiplier = -1;
  full.max_grad_norm = 0;
  full.out_dir = test::temp_dir("dp_equals_full_full");
  full.sampling = "shuffle";
  Trainer a(dp), b(full);
  a.run();
  b.run();
  for (const auto& item : a.model()->named_parameters()) {
    const torch::Tensor other = b.model()->named_parameters()[item.key()];
    EXPECT_LT((item.value() - other).abs().max().item<double>(), 1e-5) << item.key();
  }
}

TEST(DpTraining, TargetEpsilonPicksSigma) {
  TrainOptions o = dp_options("dp-lora", "dp_target");
  o.noise_multiplier = -1;
  o.target_epsilon = 8.0;
  o.accountant = "pld";
  const core::Json run = Trainer(o).run();
  EXPECT_LE(run["dp"]["epsilon"].get<double>(), 8.0 * 1.0001);
  EXPECT_GT(run["dp"]["epsilon"].get<double>(), 4.0);
  EXPECT_GT(run["dp"]["sigma"].get<double>(), 0.0);
}

TEST(DpTraining, ResumeKeepsTheAccountantAndTheNoiseStream) {
  TrainOptions o = dp_options("dp", "dp_resume_whole");
  o.max_steps = 6;
  o.checkpoint_every = 2;
  Trainer whole(o);
  const core::Json expected = whole.run();
  TrainOptions cut = o;
  cut.out_dir = test::temp_dir("dp_resume_cut");
  {
    Trainer first(cut);
    first.stop_after_step(4);
    first.run();
  }
  TrainOptions resume;
  resume.out_dir = cut.out_dir;
  resume.resume = true;
  resume.progress = false;
  Trainer second(resume);
  const core::Json resumed = second.run();
  for (const auto& item : whole.model()->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), second.model()->named_parameters()[item.key()])) << item.key();
  EXPECT_EQ(resumed["dp"]["steps"], 6);
  EXPECT_DOUBLE_EQ(resumed["dp"]["epsilon"].get<double>(), expected["dp"]["epsilon"].get<double>());
}

TEST(DpTraining, UserLevelClipsUsersAndNeedsUserFields) {
  const auto inputs = test::tiny_run_inputs("llama");
  TrainOptions o = dp_options("dp-lora", "dp_user_missing");
  o.dp_unit = "user";
  try {
    Trainer t(o);
    ADD_FAILURE() << "data without users accepted";
  } catch (const Error& e) {
    EXPECT_TRUE(std::string(e.what()).find("user") != std::string::npos) << e.what();
  }
  // Six users of four examples each.
  data::Dataset d = data::read_dataset(inputs.data_dir, data::OnBadRecord::kFail);
  for (size_t i = 0; i < d.train.size(); ++i) d.train[i].user = "u" + std::to_string(i % 6);
  const std::string with_users = test::temp_dir("dp_user_data");
  data::write_dataset(with_users, d, true);
  o.data_dir = with_users;
  o.batch_size = 2;  // users per step
  o.micro_batch_size = 4;
  const core::Json run = Trainer(o).run();
  EXPECT_EQ(run["dp"]["unit"], "user");
  EXPECT_EQ(run["dp"]["units"], 6);
  EXPECT_DOUBLE_EQ(run["dp"]["q"].get<double>(), 2.0 / 6.0);
}

TEST(DpTraining, BadDpSettingsAreNamed) {
  TrainOptions o = dp_options("dp", "dp_bad");
  TrainOptions bad = o;
  bad.max_grad_norm = 0;
  test::expect_trainer_error(bad, "--max-grad-norm");
  bad = o;
  bad.noise_multiplier = -2;
  test::expect_trainer_error(bad, "--noise-multiplier");
  bad = o;
  bad.noise_multiplier = -1;
  test::expect_trainer_error(bad, "--noise-multiplier");
  bad = o;
  bad.noise_multiplier = -1;
  bad.target_epsilon = 1e-6;  // with every example in every step (q = 1), out of reach
  bad.batch_size = 24;
  bad.delta = 1e-10;
  test::expect_trainer_error(bad, "epsilon");
  bad = o;
  bad.delta = 1.5;
  test::expect_trainer_error(bad, "--delta");
  bad = o;
  bad.clip_method = "exact";
  test::expect_trainer_error(bad, "--clip-method");
}

}  // namespace
}  // namespace privtune::train
