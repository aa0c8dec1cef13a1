// `privtune audit`: the one-run audit end to end on the built-in tiny model. Non-private
// full fine-tuning on random-token canaries gives a clearly positive lower bound; DP-SGD at
// a small theoretical epsilon never gets a lower bound above it (several seeds); secret
// canaries in the dataset's format score only their digits; impossible settings are clear
// errors that leave nothing behind; an interrupted audit resumes to the result of an
// uninterrupted one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "run_privtune.h"

namespace privtune {
namespace {

const std::string kModel = std::string(PRIVTUNE_SOURCE_DIR) + "/models/privtune-tiny";

const std::string& dataset() {
  static const std::string dir = test::generate_customersim("audit_data", "--train 8 --test 4 --seed 2");
  return dir;
}

std::string fresh(const std::string& name) {
  return test::fresh_dir("audit_" + name + "_" + std::to_string(::getpid()));
}

// 30 steps of 16 over the 8 records and about 32 canaries: each canary is seen about a
// dozen times, enough for the tiny model to memorize the random ones it saw.
std::string audit_flags(const std::string& method, int max_length = 96) {
  return "audit --model '" + kModel + "' --data '" + dataset() + "' --method " + method +
         " --batch-size 16 --max-steps 30 --lr 1e-3 --no-eval --quiet --max-length " + std::to_string(max_length);
}

int64_t count_lines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) n += !line.empty();
  return n;
}

TEST(Audit, FullFineTuningOnRandomCanariesIsClearlyNotPrivate) {
  const std::string out = fresh("full") + "/audit";
  const auto r = test::run_privtune(audit_flags("full") + " --canaries 64 --audit-seed 1 --seed 0 --out '" + out + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("empirical epsilon >= "), std::string::npos) << r.out;
  const core::Json doc = core::read_json_file(out + "/audit.json");
  const core::Json& a = doc["audit"];
  EXPECT_EQ(a["canaries"], 64);
  EXPECT_EQ(a["kind"], "random");
  EXPECT_EQ(a["best"]["k"], 32);
  EXPECT_GT(a["best"]["accuracy"].get<double>(), 0.8);
  EXPECT_GT(a["epsilon_lower_bound"].get<double>(), 1.0);
  EXPECT_FALSE(doc.contains("theory"));  // no DP, no theoretical epsilon
  // The run's training set is the dataset's 8 records and the canaries that came up "in".
  const int64_t included = a["included"].get<int64_t>();
  EXPECT_GT(included, 16);
  EXPECT_LT(included, 48);
  EXPECT_EQ(count_lines(out + "/data/train.jsonl"), 8 + included);
  EXPECT_EQ(count_lines(out + "/canaries.jsonl"), 64);
  EXPECT_TRUE(core::path_exists(out + "/model/run.json"));
  EXPECT_TRUE(core::path_exists(out + "/model/model.safetensors"));
  int64_t bins_total = 0;
  for (const auto& bin : a["histogram"]) bins_total += bin["included"].get<int64_t>() + bin["excluded"].get<int64_t>();
  EXPECT_EQ(bins_total, 64);
}

TEST(Audit, DpLowerBoundNeverExceedsTheTheoreticalEpsilon) {
  const std::string dir = fresh("dp");
  for (int seed = 1; seed <= 3; ++seed) {
    const std::string out = dir + "/seed" + std::to_string(seed);
    const auto r = test::run_privtune(audit_flags("dp") + " --canaries 64 --target-epsilon 1 --max-grad-norm 1" +
                                      " --audit-seed " + std::to_string(seed) + " --out '" + out + "'");
    ASSERT_EQ(r.code, 0) << r.err;
    const core::Json doc = core::read_json_file(out + "/audit.json");
    const double theory = doc["theory"]["epsilon"].get<double>();
    EXPECT_NEAR(theory, 1.0, 0.05);
    EXPECT_EQ(doc["theory"]["delta"], doc["audit"]["delta"]);  // the same delta on both sides
    EXPECT_LE(doc["audit"]["epsilon_lower_bound"].get<double>(), theory) << "seed " << seed;
  }
}

TEST(Audit, SecretCanariesScoreOnlyTheirDigits) {
  const std::string out = fresh("secret") + "/audit";
  const auto r = test::run_privtune(audit_flags("lora", 160) + " --canary-kind secret --canaries 32 --guesses 4,16" +
                                    " --audit-seed 5 --out '" + out + "' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const core::Json doc = core::parse_json(r.out, "stdout");
  EXPECT_EQ(doc["audit"]["kind"], "secret");
  EXPECT_EQ(doc["audit"]["per_k"].size(), 2u);
  EXPECT_NEAR(doc["audit"]["significance_per_k"].get<double>(), 0.05 / 2, 1e-12);
  std::ifstream in(out + "/canaries.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const core::Json c = core::parse_json(line, "canaries.jsonl");
    const std::string text = c["record"]["text"];
    EXPECT_EQ(text.rfind("My ", 0), 0u) << text;  // the sentence leads, its host follows
    EXPECT_NE(text.find(" PIN is "), std::string::npos);
    EXPECT_GT(c["record"]["spans"].size(), 1u);  // the host's own spans are kept ...
    EXPECT_GE(c["scored_tokens"].get<int64_t>(), 1);  // ... but only the digits are scored
    EXPECT_LE(c["scored_tokens"].get<int64_t>(), 7);
  }
}

// Stopped after step 10 of 30 (as a killed or time-limited job), `--resume` continues the
// training from its checkpoint, or trains again from step 0 when it left none, with the same
// canaries and coins: either way the result is that of the uninterrupted audit.
TEST(Audit, AnInterruptedAuditResumesToTheUninterruptedResult) {
  const std::string dir = fresh("resume");
  const std::string flags = audit_flags("full") + " --canaries 64 --audit-seed 3 --seed 0 --checkpoint-every 5";
  const auto whole = test::run_privtune(flags + " --out '" + dir + "/whole'");
  ASSERT_EQ(whole.code, 0) << whole.err;
  const std::string expected = core::read_text_file(dir + "/whole/canaries.jsonl");
  const core::Json expected_audit = core::read_json_file(dir + "/whole/audit.json")["audit"];
  EXPECT_FALSE(std::filesystem::exists(dir + "/whole/audit_plan.json")) << "the plan is removed with the result";

  for (const bool keep_checkpoint : {true, false}) {
    const std::string out = dir + (keep_checkpoint ? "/resumed" : "/restarted");
    const auto stopped = test::run_privtune(flags + " --stop-after 10 --out '" + out + "'");
    ASSERT_EQ(stopped.code, 0) << stopped.err;
    EXPECT_NE(stopped.out.find("continue with privtune audit --resume " + out), std::string::npos) << stopped.out;
    EXPECT_FALSE(std::filesystem::exists(out + "/audit.json"));
    EXPECT_TRUE(std::filesystem::exists(out + "/audit_plan.json"));
    if (!keep_checkpoint) std::filesystem::remove_all(out + "/model/checkpoint");
    const std::string plan = core::read_text_file(out + "/audit_plan.json");

    const auto resumed = test::run_privtune("audit --resume '" + out + "' --json");
    ASSERT_EQ(resumed.code, 0) << resumed.err;
    EXPECT_NE(resumed.err.find(keep_checkpoint ? "continuing the training run from its checkpoint"
                                               : "training again from step 0"),
              std::string::npos)
        << resumed.err;
    EXPECT_EQ(core::read_text_file(out + "/canaries.jsonl"), expected) << out;
    EXPECT_EQ(core::parse_json(resumed.out, "stdout")["audit"], expected_audit) << out;
    EXPECT_FALSE(std::filesystem::exists(out + "/audit_plan.json"));

    const auto again = test::run_privtune("audit --resume '" + out + "'");
    EXPECT_EQ(again.code, 0) << again.err;
    EXPECT_NE(again.out.find("the audit is complete"), std::string::npos) << again.out;

    // Killed after training finished but before audit.json: the trained model is read back.
    std::filesystem::remove(out + "/audit.json");
    std::filesystem::remove(out + "/canaries.jsonl");
    core::write_file_atomic(out + "/audit_plan.json", plan);
    const auto scored = test::run_privtune("audit --resume '" + out + "' --quiet");
    ASSERT_EQ(scored.code, 0) << scored.err;
    EXPECT_EQ(core::read_text_file(out + "/canaries.jsonl"), expected) << out;
  }

  // Only the display and --stop-after may come with --resume; a folder must be an unfinished audit.
  const std::string unfinished = dir + "/unfinished";
  ASSERT_EQ(test::run_privtune(flags + " --stop-after 5 --out '" + unfinished + "'").code, 0);
  const auto with_lr = test::run_privtune("audit --resume '" + unfinished + "' --lr 1");
  EXPECT_EQ(with_lr.code, 2);
  EXPECT_NE(with_lr.err.find("--lr cannot be given with it"), std::string::npos) << with_lr.err;
  const auto elsewhere = test::run_privtune("audit --resume '" + dir + "'");
  EXPECT_EQ(elsewhere.code, 2);
  EXPECT_NE(elsewhere.err.find("audit_plan.json: missing"), std::string::npos) << elsewhere.err;
  std::ofstream(unfinished + "/audit_plan.json") << "{\"train\": {}}";
  const auto corrupt = test::run_privtune("audit --resume '" + unfinished + "'");
  EXPECT_EQ(corrupt.code, 2);
  EXPECT_NE(corrupt.err.find(unfinished + "/audit_plan.json: "), std::string::npos) << corrupt.err;
  EXPECT_EQ(corrupt.err.find('\n'), corrupt.err.size() - 1) << "one line: " << corrupt.err;
}

TEST(Audit, ImpossibleSettingsAreRefusedBeforeAnythingIsWritten) {
  const std::string dir = fresh("bad");
  const std::string out = dir + "/audit";
  const std::pair<std::string, std::string> cases[] = {
      {"--canaries 64 --guesses 33", "2k <= --canaries"},
      {"--canaries 4", "cannot give an epsilon bound above 0"},
      {"--canaries 64 --audit-delta 0", "--audit-delta must be in (0, 1)"},
      {"--canaries 64 --audit-delta 1.5", "--audit-delta must be in (0, 1)"},
      {"--canaries 64 --confidence 1", "--confidence must be in (0, 1)"},
      {"--canaries 64 --canary-kind words", "--canary-kind"},
      {"--canaries 64 --stop-after -2", "--stop-after must be >= 1"},
      {"--guesses 8", "--canaries is required"},
  };
  for (const auto& [flags, message] : cases) {
    const auto r = test::run_privtune(audit_flags("full") + " " + flags + " --out '" + out + "'");
    EXPECT_EQ(r.code, 2) << flags << "\n" << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << flags << "\n" << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << flags;
  }
  const auto bogus = test::run_privtune(audit_flags("bogus") + " --canaries 64 --out '" + out + "'");
  EXPECT_EQ(bogus.code, 2);
  EXPECT_NE(bogus.err.find("bogus"), std::string::npos) << bogus.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  // A folder holding something else is not overwritten without --overwrite.
  std::filesystem::create_directories(out);
  std::ofstream(out + "/notes.txt") << "mine";
  const auto r = test::run_privtune(audit_flags("full") + " --canaries 64 --out '" + out + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not empty"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(out + "/notes.txt"));
}

}  // namespace
}  // namespace privtune
