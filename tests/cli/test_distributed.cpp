// Data-parallel training on torch's distributed engine (Gloo on the loopback): one step of
// two workers equals one step of one process over the same examples, for full fine-tuning
// and DP-SGD (noise off); a worker killed mid-run makes the other fail with a clear error
// instead of hanging; launch refuses what it cannot run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "privtune/core/safetensors.h"
#include "run_privtune.h"

namespace privtune {
namespace {

const std::string kModel = std::string(PRIVTUNE_SOURCE_DIR) + "/models/privtune-tiny";

std::string fresh(const std::string& name) { return test::fresh_dir("dist_" + name); }

const std::string& dataset() {
  static const std::string dir = test::generate_customersim("dist_data", "--train 8 --test 4 --seed 2");
  return dir;
}

// The largest absolute difference between the float32 tensors of two safetensors files
// (and that they hold the same tensors).
double max_difference(const std::string& a, const std::string& b) {
  core::SafetensorsFile fa(a), fb(b);
  EXPECT_EQ(fa.tensors().size(), fb.tensors().size());
  double worst = 0;
  for (const core::TensorView& ta : fa.tensors()) {
    const core::TensorView* tb = fb.find(ta.name);
    if (tb == nullptr || ta.dtype != core::DType::F32 || tb->nbytes != ta.nbytes) {
      ADD_FAILURE() << ta.name << " differs in presence, dtype or size";
      return INFINITY;
    }
    const float* x = reinterpret_cast<const float*>(ta.data);
    const float* y = reinterpret_cast<const float*>(tb->data);
    for (int64_t i = 0; i < ta.numel(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(x[i]) - y[i]));
  }
  return worst;
}

// One plain-SGD step (the update is the gradient itself) over examples 0..3 in order.
std::string one_step_flags(const std::string& method) {
  std::string flags = "--model '" + kModel + "' --data '" + dataset() +
                      "' --sampling sequential --batch-size 4 --max-steps 1 --optimizer sgd --momentum 0 --lr 1.0 "
                      "--schedule constant --max-length 96 --seed 0 --no-eval --quiet --autocast off --method " + method;
  if (method == "dp") flags += " --noise-multiplier 0 --max-grad-norm 0.5";
  return flags;
}

// DP with seeded noise: rank 0 draws the same noise as the single process, so the steps
// agree only if the noise entered once (not once per worker).
std::string noisy_dp_flags() {
  return "--model '" + kModel + "' --data '" + dataset() +
         "' --sampling sequential --batch-size 4 --max-steps 1 --optimizer sgd --momentum 0 --lr 1.0 "
         "--schedule constant --max-length 96 --seed 0 --no-eval --quiet --method dp --noise-multiplier 1.0 "
         "--max-grad-norm 0.5";
}

void expect_same_step(const std::string& name, const std::string& flags) {
  const std::string dir = fresh("step_" + name);
  auto single = test::run_privtune("train " + flags + " --out '" + dir + "/single'");
  ASSERT_EQ(single.code, 0) << single.err;
  auto two = test::run_privtune("launch --nproc 2 -- train " + flags + " --out '" + dir + "/two'");
  ASSERT_EQ(two.code, 0) << two.err;
  const std::string weights = "/model.safetensors";
  // The step moved the weights (else equality would prove nothing) ...
  const double moved = max_difference(kModel + weights, dir + "/single" + weights);
  EXPECT_GT(moved, 1e-3);
  // ... and two workers moved them as one process did, up to float summation order.
  const double apart = max_difference(dir + "/single" + weights, dir + "/two" + weights);
  EXPECT_LT(apart, 2e-5) << "the step moved weights by up to " << moved;
  std::printf("%s: one step moved weights by up to %.3g; 1 and 2 workers differ by up to %.3g\n", name.c_str(), moved,
              apart);
  const core::Json run = core::read_json_file(dir + "/two/run.json");
  EXPECT_EQ(run["distributed"]["world_size"], 2);
  EXPECT_EQ(run["efficiency"]["steps"], 1);
}

TEST(Distributed, OneStepOfTwoWorkersEqualsOneProcessFull) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  expect_same_step("full", one_step_flags("full"));
}

TEST(Distributed, OneStepOfTwoWorkersEqualsOneProcessDp) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  expect_same_step("dp", one_step_flags("dp"));
}

TEST(Distributed, DpNoiseIsAddedOncePerStep) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  expect_same_step("dp_noise", noisy_dp_flags());
}

// Two workers stop after step 2, leaving a checkpoint with both samplers' positions; resumed
// with two workers, the run ends where an uninterrupted one does.
TEST(Distributed, EveryWorkerResumesFromTheCheckpoint) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("resume");
  const std::string flags = "--model '" + kModel + "' --data '" + dataset() +
                            "' --method dp --target-epsilon 8 --max-grad-norm 1.0 --batch-size 4 --max-steps 4 "
                            "--max-length 64 --seed 3 --no-eval --quiet --lr 1e-3";
  auto whole = test::run_privtune("launch --nproc 2 -- train " + flags + " --out '" + dir + "/whole'");
  ASSERT_EQ(whole.code, 0) << whole.err;
  auto first = test::run_privtune("launch --nproc 2 -- train " + flags + " --out '" + dir + "/cut' --stop-after 2");
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("stopped after step 2"), std::string::npos) << first.out;
  const core::Json state = core::read_json_file(dir + "/cut/checkpoint/state.json");
  EXPECT_EQ(state["samplers"].size(), 2u);
  auto alone = test::run_privtune("train --resume '" + dir + "/cut' --quiet");
  EXPECT_EQ(alone.code, 2);
  EXPECT_NE(alone.err.find("resume it with as many"), std::string::npos) << alone.err;
  auto second = test::run_privtune("launch --nproc 2 -- train --resume '" + dir + "/cut' --quiet");
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_LT(max_difference(dir + "/whole/model.safetensors", dir + "/cut/model.safetensors"), 1e-6);
  const core::Json a = core::read_json_file(dir + "/whole/run.json"), b = core::read_json_file(dir + "/cut/run.json");
  EXPECT_DOUBLE_EQ(a["dp"]["epsilon"].get<double>(), b["dp"]["epsilon"].get<double>());
}

TEST(Distributed, KilledWorkerMakesTheOtherFailClearly) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("killed");
  const std::string port = std::to_string(20000 + ::getpid() % 20000);
  const std::string flags = "train --model '" + kModel + "' --data '" + dataset() + "' --out '" + dir +
                            "/run' --batch-size 2 --max-steps 100000 --max-length 64 --no-eval --quiet --dist-timeout 60";
  const std::string env = "WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + port;
  // Rank 1 is killed after a few seconds of training; rank 0, bounded by `timeout` so that
  // a hang fails the test instead of stalling it, must stop on its own with an error.
  const std::string script = "(" + env + " RANK=1 timeout -s KILL 8 '" + test::privtune_path() + "' " + flags +
                             " > /dev/null 2>&1 &) ; " + env + " RANK=0 timeout 120 '" + test::privtune_path() + "' " +
                             flags + " 2> '" + dir + "/rank0.err'; echo $? > '" + dir + "/rank0.code'";
  ASSERT_EQ(std::system(script.c_str()), 0) << "the shell could not run: " << script;
  const std::string code = core::read_text_file(dir + "/rank0.code");
  const std::string err = core::read_text_file(dir + "/rank0.err");
  EXPECT_EQ(code, "2\n") << "rank 0 did not fail cleanly (124: it hung): " << err;
  EXPECT_NE(err.find("distributed training: rank 0 of 2"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), err.size() - 1) << "not one line: " << err;
}

TEST(Distributed, LaunchRefusesWhatItCannotRun) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("refuse");
  auto zero = test::run_privtune("launch --nproc 0 -- train --model x");
  EXPECT_EQ(zero.code, 2);
  EXPECT_NE(zero.err.find("--nproc"), std::string::npos) << zero.err;
  auto eval = test::run_privtune("launch --nproc 2 -- eval --model x");
  EXPECT_EQ(eval.code, 2);
  // An uneven split of a step's rows is refused by every worker before training.
  auto uneven = test::run_privtune("launch --nproc 2 -- train --model '" + kModel + "' --data '" + dataset() +
                                   "' --out '" + dir + "/run' --batch-size 3 --max-steps 1 --quiet");
  EXPECT_EQ(uneven.code, 2);
  EXPECT_NE(uneven.err.find("not a multiple of WORLD_SIZE 2"), std::string::npos) << uneven.err;
  EXPECT_FALSE(core::path_exists(dir + "/run/run.json"));
  // An unknown backend, and NCCL for workers on the CPU: one line each, before any training.
  const std::string train = "launch --nproc 2 -- train --model '" + kModel + "' --data '" + dataset() + "' --out '" +
                            dir + "/run2' --max-steps 1 --quiet --device cpu --dist-backend ";
  auto unknown = test::run_privtune(train + "mpi");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("--dist-backend: unknown value 'mpi' (auto, gloo, nccl)"), std::string::npos)
      << unknown.err;
  auto nccl = test::run_privtune(train + "nccl");
  EXPECT_EQ(nccl.code, 2);
  EXPECT_NE(nccl.err.find("--dist-backend nccl: rank "), std::string::npos) << nccl.err;
  EXPECT_FALSE(core::path_exists(dir + "/run2/run.json"));
}

}  // namespace
}  // namespace privtune
