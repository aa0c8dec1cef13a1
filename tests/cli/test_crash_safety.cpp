// Crash safety of training: a run SIGKILLed at random moments (while starting, stepping,
// restoring or writing a checkpoint) many times resumes every time and ends with exactly the
// weights of an uninterrupted run; a disk that fills up while a checkpoint is written gives
// a clear error and leaves the previous checkpoint intact and resumable.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "privtune/core/subprocess.h"
#include "run_privtune.h"

namespace privtune {
namespace {

const std::string kModel = std::string(PRIVTUNE_SOURCE_DIR) + "/models/privtune-tiny";

const std::string& dataset() {
  static const std::string dir = test::generate_customersim("crash_data", "--train 8 --test 4 --seed 3");
  return dir;
}

std::string fresh(const std::string& name) {
  return test::fresh_dir("crash_" + name + "_" + std::to_string(::getpid()));
}

// Full fine-tuning with AdamW, a warm-up and a cosine schedule, shuffled batches: state a
// resume must restore exactly (weights, optimizer moments, sampler, schedule position).
std::vector<std::string> train_args(const std::string& out, int steps) {
  return {test::privtune_path(), "train", "--model", kModel, "--data", dataset(), "--out", out, "--method", "full",
          "--max-steps", std::to_string(steps), "--batch-size", "3", "--max-length", "64", "--lr", "1e-3",
          "--warmup-steps", "3", "--schedule", "cosine", "--checkpoint-every", "1", "--seed", "7", "--no-eval",
          "--quiet"};
}

std::vector<std::string> resume_args(const std::string& out) {
  return {test::privtune_path(), "train", "--resume", out, "--quiet"};
}

// Waits up to `ms` for the child; kills it with SIGKILL if it is still running. Returns
// the child's exit code, or -1 when it was killed.
int run_for(int pid, int ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The step of OUT's checkpoint, -1 while there is none (or it is being swapped in).
int64_t checkpoint_step(const std::string& out) {
  try {
    return core::read_json_file(out + "/checkpoint/state.json").value("step", int64_t{-1});
  } catch (const std::exception&) {
    return -1;
  }
}

// One run killed again and again until a resume finishes; the kills it took, and the
// checkpoint step seen after each, are added to `kills` and `steps_seen`.
void kill_until_finished(const std::string& out, int steps, std::mt19937& rng, int& kills,
                         std::vector<int64_t>& steps_seen) {
  // The first start must leave a checkpoint to resume from: wait for it, then kill.
  const int first = core::start_process(train_args(out, steps), {});
  while (checkpoint_step(out) < 1) {
    int status = 0;
    ASSERT_NE(::waitpid(first, &status, WNOHANG), first) << "the first run ended before its first checkpoint";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(first, SIGKILL);
  ::waitpid(first, nullptr, 0);
  ++kills;
  // A resume takes about 0.8 s to start on 2 cores, and a step 0.05-0.3 s with its
  // checkpoint (more under the sanitizers): kills land in start-up, restore, steps and
  // checkpoint writes alike.
  // Where start-up alone outlasts the delays, the 40th resume runs to the end.
  std::uniform_int_distribution<int> delay_ms(20, 3000);
  for (int code = -1, resumes = 0; code != 0; ++kills, ++resumes) {
    code = run_for(core::start_process(resume_args(out), {}), resumes < 40 ? delay_ms(rng) : 600000);
    if (code == 0) return;  // it finished before its kill came
    ASSERT_EQ(code, -1) << "a resume failed by itself (exit " << code << ") after " << kills << " kills";
    steps_seen.push_back(checkpoint_step(out));
  }
}

TEST(CrashSafety, KilledAtRandomMomentsTwentyTimesResumesToTheSameWeights) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("kill");
  constexpr int kSteps = 80;
  ASSERT_EQ(core::run_process(train_args(dir + "/reference", kSteps), "", dir + "/reference.err"), 0)
      << core::read_text_file(dir + "/reference.err");
  const std::string reference = core::read_text_file(dir + "/reference/model.safetensors");

  // However fast training is here, 20 kills: as many runs as it takes, each to its end.
  std::mt19937 rng(12345);
  int kills = 0;
  for (int run = 0; kills < 20; ++run) {
    const std::string out = dir + "/killed" + std::to_string(run);
    std::vector<int64_t> steps_seen;
    const int before = kills;
    kill_until_finished(out, kSteps, rng, kills, steps_seen);
    if (HasFatalFailure()) return;
    std::printf("run %d: killed %d times; checkpoint steps after each kill:", run, kills - before);
    for (int64_t s : steps_seen) std::printf(" %lld", static_cast<long long>(s));
    std::printf("\n");
    EXPECT_TRUE(core::path_exists(out + "/run.json"));
    EXPECT_EQ(core::read_text_file(out + "/model.safetensors"), reference)
        << "run " << run << ": the resumed weights differ from an uninterrupted run's";
  }
}

// A small tmpfs in a private mount namespace (unshare: no root needed where user
// namespaces are allowed), too small for a second checkpoint beside the first.
TEST(CrashSafety, FullDiskWhileCheckpointingKeepsThePreviousCheckpoint) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  if (std::system("unshare --user --map-root-user --mount true > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "user and mount namespaces are not available (unshare)";
  const std::string dir = fresh("disk");
  const std::string mount = dir + "/small";
  core::make_directories(mount);
  // One checkpoint of the tiny model (weights and two AdamW moments, about 22 MB) and the
  // run's other files fit in 40 MB; a second copy beside it, as an atomic swap needs, does not.
  std::string args;
  for (const std::string& a : train_args(mount + "/run", 6)) args += " '" + a + "'";
  core::write_file_atomic(dir + "/run.sh", "mount -t tmpfs -o size=40m tmpfs '" + mount + "' || exit 99\n" +
                                               args.substr(1) + "\ncode=$?\ncp -r '" + mount + "/run' '" + dir +
                                               "/saved'\nexit $code\n");
  const std::string command = "unshare --user --map-root-user --mount sh '" + dir + "/run.sh' > '" + dir +
                              "/out.log' 2> '" + dir + "/err.log'";
  const int status = std::system(command.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ASSERT_NE(code, 99) << "could not mount a tmpfs";
  const std::string err = core::read_text_file(dir + "/err.log");
  EXPECT_NE(code, 0) << "the run fit on the small disk; the test needs a smaller one";
  EXPECT_NE(code, 1) << "a full disk is bad input, not an internal error:\n" << err;
  EXPECT_NE(err.find("No space left on device"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << "one line:\n" << err;
  // The previous checkpoint survived the failed write, whole, and resumes elsewhere.
  const int64_t step = checkpoint_step(dir + "/saved");
  ASSERT_GE(step, 1) << err;
  EXPECT_FALSE(core::path_exists(dir + "/saved/run.json"));
  const auto resumed = test::run_privtune("train --resume '" + dir + "/saved' --quiet");
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(core::path_exists(dir + "/saved/run.json"));
}

}  // namespace
}  // namespace privtune
