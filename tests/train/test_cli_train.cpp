// `privtune train` as a user runs it: flags, --config, outputs, errors.
#include <gtest/gtest.h>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "run_privtune.h"
#include "test_util.h"
#include "train_fixture.h"

namespace privtune::test {
namespace {

TEST(CliTrain, TrainsLoraFromAConfigFileWithTheCommandLineWinning) {
  if (!privtune_built()) GTEST_SKIP() << "privtune not built";
  const RunInputs inputs = tiny_run_inputs("llama");
  const std::string out = temp_dir("cli_train_lora");
  const std::string config = temp_dir("cli_train_config") + "/run.toml";
  core::write_file_atomic(config, "method = \"lora\"\nmax_steps = 50\nlora-r = 4\n[train]\nlora_alpha = 8\nbatch-size = 2\n");
  CliResult r = run_privtune("train --config '" + config + "' --model '" + inputs.model_dir + "' --data '" +
                             inputs.data_dir + "' --out '" + out + "' --overwrite --max-steps 3 --seed 2 --device cpu");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.find("method lora: 3 steps") != std::string::npos) << r.out;
  const core::Json run = core::read_json_file(out + "/run.json");
  EXPECT_EQ(run["settings"]["lora_r"], 4);
  EXPECT_EQ(run["settings"]["lora_alpha"], 8.0);
  EXPECT_EQ(run["settings"]["batch_size"], 2);
  EXPECT_EQ(run["efficiency"]["steps"], 3);
  EXPECT_EQ(run["lora"]["r"], 4);
  EXPECT_TRUE(core::path_exists(out + "/adapter_model.safetensors"));
  // Plain progress lines off a terminal, on stderr.
  EXPECT_TRUE(r.err.find("train 3/3") != std::string::npos) << r.err;

  // The adapter is usable by the other commands.
  r = run_privtune("logprobs --model '" + inputs.model_dir + "' --adapter '" + out + "' --text 'Hello there'");
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(CliTrain, BadInputIsOneLineAndExitCodeTwo) {
  if (!privtune_built()) GTEST_SKIP() << "privtune not built";
  const RunInputs inputs = tiny_run_inputs("llama");
  const std::string out = temp_dir("cli_train_bad");
  const std::string base = "train --model '" + inputs.model_dir + "' --data '" + inputs.data_dir + "' --out '" + out + "' ";
  const std::string config = temp_dir("cli_train_bad_config") + "/bad.toml";
  core::write_file_atomic(config, "lora_rank = 4\n");
  for (const std::string& args :
       {base + "--method lora --lora-r 0", base + "--lr -1", base + "--method dp", base + "--method lora --lora-targets nope",
        base + "--config '" + config + "'", std::string("train --model /nonexistent --data x --out y"),
        base + "--max-steps abc", "train --resume '" + out + "'", "train --resume '" + out + "' --lr 0.1"}) {
    CliResult r = run_privtune(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("privtune: error: ", 0), 0u) << r.err;
  }
  EXPECT_FALSE(core::path_exists(out + "/run.json"));
}

// A run killed after it finished (run.json written) but while it removed its checkpoint:
// --resume says the run is complete and clears what is left, instead of failing.
TEST(CliTrain, ResumingAFinishedRunSaysItIsComplete) {
  if (!privtune_built()) GTEST_SKIP() << "privtune not built";
  const RunInputs inputs = tiny_run_inputs("llama");
  const std::string out = temp_dir("cli_train_finished");
  CliResult r = run_privtune("train --model '" + inputs.model_dir + "' --data '" + inputs.data_dir + "' --out '" + out +
                             "' --overwrite --max-steps 2 --checkpoint-every 1 --seed 2 --device cpu --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(core::path_exists(out + "/checkpoint"));
  const std::string run = core::read_text_file(out + "/run.json");
  core::make_directories(out + "/checkpoint");  // the part a kill left of it
  core::write_file_atomic(out + "/checkpoint/state.json", "{}");
  r = run_privtune("train --resume '" + out + "'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("the run is complete (run.json); nothing to resume"), std::string::npos) << r.out;
  EXPECT_FALSE(core::path_exists(out + "/checkpoint"));
  EXPECT_EQ(core::read_text_file(out + "/run.json"), run);
}

}  // namespace
}  // namespace privtune::test
