// `privtune sweep`, `sweep merge` and `report` end to end on the built-in model: a small
// sweep, its resumption, a failing run, shards merged, the report rendered in headless
// Chromium, and the refusals of bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "privtune/core/subprocess.h"
#include "run_privtune.h"

namespace privtune {
namespace {

const std::string kSource = PRIVTUNE_SOURCE_DIR;

std::string fresh(const std::string& name) { return test::fresh_dir("sweep_" + name); }

// A dataset of a few short dialogues with canaries, made once for every test here.
const std::string& dataset() {
  static const std::string dir = test::generate_customersim(
      "sweep_data", "--train 6 --test 4 --canaries 1 --canary-reps 1,2 --canary-length 2 --seed 1");
  return dir;
}

// dir/sweep.toml: the built-in model on the shared dataset, with `tables` for the runs.
std::string write_sweep_file(const std::string& dir, const std::string& tables) {
  const std::string path = dir + "/sweep.toml";
  core::write_file_atomic(path, "name = \"tiny\"\n"
                                "model = \"" + kSource + "/models/privtune-tiny\"\n"
                                "data = \"" + dataset() + "\"\n" + tables);
  return path;
}

// Two tiny runs (full and lora) of the built-in model, plus `extra` TOML.
std::string write_config(const std::string& dir, const std::string& extra = "") {
  return write_sweep_file(dir, "\n[train]\nmax-steps = 2\nbatch-size = 3\nmax-length = 256\n"
                               "\n[eval]\nbootstrap = 10\nextraction-max-spans = 2\nmax-length = 256\n"
                               "\n[grid]\nmethod = [\"full\", \"lora\"]\nlr = 1e-3\n" + extra);
}

core::Json run_json(const std::string& args) {
  auto r = test::run_privtune(args + " --json --quiet");
  EXPECT_EQ(r.code, 0) << r.err;
  return r.code == 0 ? core::parse_json(r.out, "stdout") : core::Json();
}

TEST(Sweep, RunsResumesRecordsFailuresAndReports) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("main");
  const std::string out = dir + "/out";
  // full and lora from the grid, and a DP run, every one audited, so that the report has
  // every chart.
  const std::string dp = "\n[[run]]\nmethod = \"dp\"\nlr = 1e-3\ntarget-epsilon = 8\nmax-grad-norm = 1.0\n"
                         "\n[audit]\ncanaries = 16\n";
  const std::string config = write_config(dir, dp);

  const core::Json first = run_json("sweep --config '" + config + "' --out '" + out + "' --jobs 2");
  EXPECT_EQ(first["succeeded"], 3);
  EXPECT_EQ(first["failed"], 0);
  EXPECT_TRUE(core::path_exists(out + "/results.db"));
  ASSERT_TRUE(first["report"].is_string()) << "this privtune has no chart libraries (scripts/fetch_report_js)";
  const std::string html = core::read_text_file(out + "/report.html");
  EXPECT_NE(html.find("lora"), std::string::npos);
  // Every run went through `privtune audit`: its result is in the run's folder and the report.
  int audited = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out + "/runs"))
    audited += core::path_exists(entry.path().string() + "/audit.json");
  EXPECT_EQ(audited, 3);
  EXPECT_NE(html.find("Empirical epsilon (one-run audit)"), std::string::npos);

  // The same sweep again: nothing to run.
  const core::Json again = run_json("sweep --config '" + config + "' --out '" + out + "'");
  EXPECT_EQ(again["skipped"], 3);
  EXPECT_EQ(again["succeeded"], 0);

  // A run that fails (a negative learning rate) is recorded and reported, the sweep exits 2.
  const std::string with_bad = write_config(dir, dp + "\n[[run]]\nmethod = \"full\"\nlr = -1.0\n");
  auto failed = test::run_privtune("sweep --config '" + with_bad + "' --out '" + out + "' --quiet");
  EXPECT_EQ(failed.code, 2);
  EXPECT_NE(failed.err.find("1 run(s) failed"), std::string::npos) << failed.err;
  auto listed = test::run_privtune("sweep --config '" + with_bad + "' --out '" + out + "' --dry-run");
  EXPECT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.out.find("failed"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("done"), std::string::npos) << listed.out;

  // The report of the database, with the failed run in it, renders in a real browser.
  const std::string report = dir + "/report.html";
  auto r = test::run_privtune("report --db '" + out + "/results.db' --out '" + report + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  auto refused = test::run_privtune("report --db '" + out + "/results.db' --out '" + report + "'");
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("exists"), std::string::npos);
  if (std::system("command -v chromium > /dev/null 2>&1") != 0) GTEST_SKIP() << "chromium is not installed";
  const std::string artifacts = std::string(PRIVTUNE_BINARY_DIR) + "/test-artifacts";
  core::make_directories(artifacts);
  const std::string check = "'" + kSource + "/tests/report/check_report_in_chromium' '" + report + "' '" + artifacts +
                            "/report.png' > '" + dir + "/chromium.log' 2>&1";
  EXPECT_EQ(std::system(check.c_str()), 0) << core::read_text_file(dir + "/chromium.log");
  EXPECT_NE(core::read_text_file(dir + "/chromium.log").find("report ok: 9 charts rendered"), std::string::npos)
      << core::read_text_file(dir + "/chromium.log");
  EXPECT_TRUE(core::path_exists(artifacts + "/report.png"));
}

// A sweep killed (SIGKILL, nothing flushed) while runs are in flight: its database stays
// readable, and the next sweep finishes what was left without redoing finished runs.
TEST(Sweep, KilledSweepResumes) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  if (std::system("command -v timeout > /dev/null 2>&1") != 0) GTEST_SKIP() << "no timeout command";
  const std::string dir = fresh("killed");
  const std::string out = dir + "/out";
  const std::string config = write_config(dir);
  // --foreground: only the sweep is killed, not its children; they must die with it.
  const std::string killed = "timeout --foreground -s KILL 6 '" + test::privtune_path() + "' sweep --config '" +
                             config + "' --out '" + out + "' --quiet --no-report > /dev/null 2>&1";
  EXPECT_NE(std::system(killed.c_str()), 0) << "the sweep finished before it was killed: nothing was tested";
  // (the bracket keeps the pattern from matching the shell that runs pgrep)
  const std::string orphans = "sleep 1; pgrep -f '[ ](train|eval) .*" + out + "/runs' > /dev/null";
  EXPECT_NE(std::system(orphans.c_str()), 0) << "a child of the killed sweep is still running";
  const core::Json resumed = run_json("sweep --config '" + config + "' --out '" + out + "' --no-report");
  EXPECT_EQ(resumed["skipped"].get<int>() + resumed["succeeded"].get<int>(), 2) << resumed.dump();
  EXPECT_EQ(resumed["failed"], 0);
  const core::Json again = run_json("sweep --config '" + config + "' --out '" + out + "' --no-report");
  EXPECT_EQ(again["skipped"], 2);
}

// The one run folder of a sweep's out/runs.
std::string only_run(const std::string& out) {
  std::vector<std::string> runs;
  for (const auto& entry : std::filesystem::directory_iterator(out + "/runs")) runs.push_back(entry.path().string());
  EXPECT_EQ(runs.size(), 1u) << out;
  return runs.empty() ? "" : runs.front();
}

// The step of the checkpoint in the one run folder of `out`, -1 while there is none.
int64_t checkpoint_step(const std::string& out) {
  try {
    for (const auto& entry : std::filesystem::directory_iterator(out + "/runs"))
      return core::read_json_file(entry.path().string() + "/checkpoint/state.json").value("step", int64_t{-1});
  } catch (const std::exception&) {
  }
  return -1;
}

// A sweep killed while its run trains: the next sweep continues the run from its checkpoint
// and ends with the weights of a sweep that was never killed.
TEST(Sweep, InterruptedRunContinuesFromItsCheckpoint) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("continue");
  const std::string config =
      write_sweep_file(dir, "\n[train]\nmax-steps = 60\nbatch-size = 3\nmax-length = 128\ncheckpoint-every = 1\n"
                            "\n[eval]\nbootstrap = 10\nmax-length = 128\n"
                            "\n[[run]]\nmethod = \"full\"\nlr = 1e-3\n");
  const core::Json whole = run_json("sweep --config '" + config + "' --out '" + dir + "/whole' --no-report");
  ASSERT_EQ(whole["succeeded"], 1) << whole.dump();

  const std::string out = dir + "/killed";
  const int sweep = core::start_process(
      {test::privtune_path(), "sweep", "--config", config, "--out", out, "--quiet", "--no-report"}, {});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (checkpoint_step(out) < 5) {
    int status = 0;
    ASSERT_NE(::waitpid(sweep, &status, WNOHANG), sweep) << "the sweep ended before its run checkpointed step 5";
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no checkpoint of step 5 within 5 minutes";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(sweep, SIGKILL);  // its children die with it
  ::waitpid(sweep, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const int64_t killed_at = checkpoint_step(out);
  ASSERT_GE(killed_at, 5);
  ASSERT_LT(killed_at, 60) << "the run finished before the kill: nothing was tested";

  const auto resumed = test::run_privtune("sweep --config '" + config + "' --out '" + out + "' --no-report");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("continuing the interrupted run"), std::string::npos) << resumed.err;
  EXPECT_EQ(resumed.err.find("starting over"), std::string::npos) << resumed.err;
  EXPECT_EQ(core::read_text_file(only_run(out) + "/model.safetensors"),
            core::read_text_file(only_run(dir + "/whole") + "/model.safetensors"))
      << "continued from step " << killed_at << ", the run must end with the uninterrupted run's weights";
}

TEST(Sweep, ShardsMerge) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("shards");
  const std::string config = write_config(dir);
  const core::Json a = run_json("sweep --config '" + config + "' --out '" + dir + "/a' --shard 1/2 --no-report");
  const core::Json b = run_json("sweep --config '" + config + "' --out '" + dir + "/b' --shard 2/2 --no-report");
  EXPECT_EQ(a["in_shard"], 1);
  EXPECT_EQ(b["in_shard"], 1);
  auto merged = test::run_privtune("sweep merge '" + dir + "/a/results.db' '" + dir + "/b/results.db' --out '" + dir +
                                   "/all.db'");
  ASSERT_EQ(merged.code, 0) << merged.err;
  EXPECT_NE(merged.out.find("2 runs"), std::string::npos) << merged.out;
  // Every run of the sweep is in the merged database: a dry run against it lists both as done.
  core::make_directories(dir + "/all");
  std::filesystem::copy_file(dir + "/all.db", dir + "/all/results.db");
  const core::Json listed = run_json("sweep --config '" + config + "' --out '" + dir + "/all' --dry-run");
  ASSERT_EQ(listed["runs"].size(), 2u);
  for (const core::Json& run : listed["runs"]) EXPECT_EQ(run["status"], "done") << run.dump();
  auto exists = test::run_privtune("sweep merge '" + dir + "/a/results.db' --out '" + dir + "/all.db'");
  EXPECT_EQ(exists.code, 2);
}

TEST(Sweep, BadInputIsRefusedWithFileLineAndKey) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("bad");
  auto expect_error = [&](const std::string& extra, const std::string& needle) {
    core::remove_tree(dir + "/out");
    const std::string config = write_config(dir, extra);
    auto r = test::run_privtune("sweep --config '" + config + "' --out '" + dir + "/out' --quiet");
    EXPECT_EQ(r.code, 2) << extra;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_FALSE(core::path_exists(dir + "/out")) << "a refused sweep left an output folder";
  };
  expect_error("\n[[run]]\nmethod = \"full\"\nlearning-rate = 0.1\n", "sweep.toml:21: key 'run.learning-rate'");
  expect_error("\n[[run]]\nmethod = \"full\"\nepochs = \"many\"\n", "sweep.toml:21: key 'run.epochs'");
  expect_error("\n[[run]]\nmethod = \"fast\"\n", "sweep.toml:20: key 'run.method'");
  expect_error("\n[[run]]\nmethod = \"full\"\nout = \"x\"\n", "key 'run.out'");
  expect_error("\n[audit]\nlr = 0.1\n", "not a flag of the audit itself");
  expect_error("\n[audit]\ncanaries = \"many\"\n", "key 'audit.canaries'");
  expect_error("\n[[run]]\nmethod = \"full\"\nmodel = \"/no/such/model\"\n", "/no/such/model");
  auto shard = test::run_privtune("sweep --config '" + write_config(dir) + "' --out '" + dir + "/out' --shard 3/2");
  EXPECT_EQ(shard.code, 2);
  EXPECT_NE(shard.err.find("--shard '3/2'"), std::string::npos) << shard.err;
  // A folder of other files is not a sweep's.
  core::make_directories(dir + "/mine");
  core::write_file_atomic(dir + "/mine/notes.txt", "mine");
  auto foreign = test::run_privtune("sweep --config '" + write_config(dir) + "' --out '" + dir + "/mine'");
  EXPECT_EQ(foreign.code, 2);
  EXPECT_NE(foreign.err.find("not a sweep's folder"), std::string::npos) << foreign.err;
  EXPECT_EQ(core::read_text_file(dir + "/mine/notes.txt"), "mine");
  // A file that is not a results database.
  auto report = test::run_privtune("report --db '" + dir + "/mine/notes.txt' --out '" + dir + "/r.html'");
  EXPECT_EQ(report.code, 2);
  EXPECT_NE(report.err.find("not a privtune results database"), std::string::npos) << report.err;
  EXPECT_FALSE(core::path_exists(dir + "/r.html"));
}

TEST(Sweep, ExamplesParse) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("examples");
  for (const char* name : {"builtin", "pythia", "llama", "gemma", "qwen"}) {
    auto r = test::run_privtune("sweep --config '" + kSource + "/examples/" + name + ".toml' --out '" + dir + "/" +
                                name + "' --dry-run --json");
    ASSERT_EQ(r.code, 0) << name << ": " << r.err;
    EXPECT_GE(core::parse_json(r.out, name)["runs"].size(), 20u) << name;
  }
}

}  // namespace
}  // namespace privtune
