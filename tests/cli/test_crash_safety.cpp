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

TEST(CrashSafety, KilledAtRandomMomentsTwentyTimesResumesToTheSameWeights) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("kill");
  constexpr int kSteps = 80;
  ASSERT_EQ(core::run_process(train_args(dir + "/reference", kSteps), "", dir + "/reference.err"), 0)
      << core::read_text_file(dir + "/reference.err");

  const std::string out = dir + "/killed";
  // The first start must leave a checkpoint to resume from: wait for it, then kill.
  const int first = core::start_process(train_args(out, kSteps), {});
  while (checkpoint_step(out) < 1) {
    int status = 0;
    ASSERT_NE(::waitpid(first, &status, WNOHANG), first) << "the first run ended before its first checkpoint";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(first, SIGKILL);
  ::waitpid(first, nullptr, 0);

  std::mt19937 rng(12345);
  // A resume takes about 0.8 s to start and 0.3 s per step with its checkpoint on 2 cores:
  // kills land in start-up, restore, steps and checkpoint writes alike.
  std::uniform_int_distribution<int> delay_ms(20, 3000);
  int kills = 1, finished = 0;
  std::vector<int64_t> steps_seen;
  while (kills < 24) {
    const int code = run_for(core::start_process(resume_args(out), {}), delay_ms(rng));
    if (code == 0) {  // it finished before its kill came
      ++finished;
      break;
    }
    ASSERT_EQ(code, -1) << "a resume failed by itself (exit " << code << ") after " << kills << " kills";
    ++kills;
    steps_seen.push_back(checkpoint_step(out));
  }
  // Whatever is left, to the end.
  if (finished == 0) {
    const int code = run_for(core::start_process(resume_args(out), {}), 600000);
    ASSERT_EQ(code, 0) << "the last resume failed";
  }
  EXPECT_GE(kills, 20) << "the run finished before it was killed 20 times (steps seen: " << steps_seen.size() << ")";
  std::printf("killed %d times; checkpoint steps after each kill:", kills);
  for (int64_t s : steps_seen) std::printf(" %lld", static_cast<long long>(s));
  std::printf("\n");
  EXPECT_TRUE(core::path_exists(out + "/run.json"));
  EXPECT_EQ(core::read_text_file(out + "/model.safetensors"), core::read_text_file(dir + "/reference/model.safetensors"))
      << "the resumed weights differ from an uninterrupted run's";
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
