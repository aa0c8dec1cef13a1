// The sweep configuration: grid expansion, defaults, seeds, ids, labels and errors that
// name the file, line and key.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/experiment/sweep_config.h"

namespace privtune::experiment {
namespace {

// A stand-in for the command line's check: a few train flags with their kinds.
void check_train(const std::string& flag, const SweepFlag& value) {
  static const std::map<std::string, std::string> kinds = {
      {"method", "method"}, {"lr", "number"},        {"epochs", "number"}, {"max-length", "number"},
      {"lora-r", "number"}, {"lora-targets", "list"}, {"target-epsilon", "number"}, {"packing", "bool"}};
  auto kind = kinds.find(flag);
  if (kind == kinds.end()) throw std::runtime_error("unknown flag --" + flag);
  if (kind->second == "method" && !std::set<std::string>{"full", "lora", "dp", "dp-lora"}.count(value.text))
    throw std::runtime_error("unknown method '" + value.text + "'");
  if (kind->second == "number" && (value.boolean || value.text.empty() ||
                                   value.text.find_first_not_of("0123456789.e-+") != std::string::npos))
    throw std::runtime_error("--" + flag + ": '" + value.text + "' is not a number");
  if (kind->second == "bool" && !value.boolean) throw std::runtime_error("--" + flag + " is a switch");
}

void check_eval(const std::string& flag, const SweepFlag&) {
  if (flag != "bootstrap" && flag != "per-token") throw std::runtime_error("unknown flag --" + flag);
}

void check_audit(const std::string& flag, const SweepFlag& value) {
  if (flag != "canaries" && flag != "canary-kind") throw std::runtime_error("unknown flag --" + flag);
  if (flag == "canaries" && value.text.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("--canaries: not an integer");
}

SweepConfig parse(const std::string& text, const std::string& path = "studies/sweep.toml") {
  return parse_sweep_config(text, path, check_train, check_eval, check_audit);
}

// The message of the Error that parsing `text` throws ("" when it does not throw).
std::string error_of(const std::string& text, const std::string& path = "studies/sweep.toml") {
  try {
    parse(text, path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string flag_text(const SweepRun& run, const std::string& name) {
  for (const SweepFlag& flag : run.train)
    if (flag.name == name) return flag.text;
  return "<unset>";
}

const char* const kHeader = "model = \"../models/tiny\"\ndata = \"../data/support\"\n";

TEST(SweepConfig, GridIsTheCartesianProductInFileOrder) {
  const SweepConfig config = parse(std::string(kHeader) + R"(
[grid]
method = ["full", "lora"]
lr = [1e-4, 5e-4, 1e-3]
epochs = 2
)");
  ASSERT_EQ(config.runs.size(), 6u);
  // The last key varies fastest, the first slowest.
  EXPECT_EQ(config.runs[0].method, "full");
  EXPECT_EQ(flag_text(config.runs[0], "lr"), "0.0001");
  EXPECT_EQ(flag_text(config.runs[1], "lr"), "0.0005");
  EXPECT_EQ(flag_text(config.runs[2], "lr"), "0.001") << "shortest round-trip text";
  EXPECT_EQ(config.runs[3].method, "lora");
  EXPECT_EQ(flag_text(config.runs[3], "lr"), "0.0001");
  for (const SweepRun& run : config.runs) EXPECT_EQ(flag_text(run, "epochs"), "2") << "a scalar is fixed";
}

TEST(SweepConfig, KeysExpandInFileOrderNotAlphabetically) {
  // "lr" sorts after "epochs"; the file puts it first, so it varies slowest.
  const SweepConfig config = parse(std::string(kHeader) + R"(
[grid]
method = "full"
lr = [1e-4, 2e-4]
epochs = [1, 2]
)");
  ASSERT_EQ(config.runs.size(), 4u);
  EXPECT_EQ(flag_text(config.runs[0], "lr"), "0.0001");
  EXPECT_EQ(flag_text(config.runs[1], "lr"), "0.0001");
  EXPECT_EQ(flag_text(config.runs[1], "epochs"), "2");
  EXPECT_EQ(config.runs[0].label, "full lr=0.0001 epochs=1") << "label keys in file order too";
}

TEST(SweepConfig, SeveralGridsThenRunsThenSeeds) {
  const SweepConfig config = parse(std::string(kHeader) + R"(
seeds = [0, 1]

[[run]]
method = "dp"
lr = 1.5e-2
target-epsilon = 8

[[grid]]
method = "full"
lr = [1e-4, 2e-4]

[[grid]]
method = "lora"
lora-r = [8, 16]
)");
  // Runs come after every grid, wherever they are written; each is repeated per seed.
  ASSERT_EQ(config.runs.size(), 10u);
  const std::vector<std::string> methods = {"full", "full", "full", "full", "lora",
                                            "lora", "lora", "lora", "dp",   "dp"};
  for (size_t i = 0; i < methods.size(); ++i) EXPECT_EQ(config.runs[i].method, methods[i]) << i;
  EXPECT_EQ(config.runs[0].seed, 0);
  EXPECT_EQ(config.runs[1].seed, 1);
  EXPECT_EQ(flag_text(config.runs[1], "lr"), "0.0001") << "seeds repeat each run in place";
  EXPECT_EQ(flag_text(config.runs[9], "lr"), "0.015");
  EXPECT_EQ(flag_text(config.runs[9], "target-epsilon"), "8");
  EXPECT_EQ(config.runs[9].label, "dp lr=0.015 target-epsilon=8 seed=1");
}

TEST(SweepConfig, ARunThatSetsItsSeedIsNotRepeated) {
  const SweepConfig config = parse(std::string(kHeader) + R"(
seeds = [0, 1, 2]
[[run]]
method = "full"
seed = 7
[grid]
method = "lora"
seed = [3, 4]
)");
  ASSERT_EQ(config.runs.size(), 3u);
  EXPECT_EQ(config.runs[0].seed, 3);
  EXPECT_EQ(config.runs[1].seed, 4);
  EXPECT_EQ(config.runs[2].seed, 7);
}

TEST(SweepConfig, DuplicatesAreKeptOnceFirstWins) {
  const SweepConfig config = parse(std::string(kHeader) + R"(
seeds = [0, 0]
[[grid]]
method = ["full", "lora"]
lr = [1e-4]
[[grid]]
method = "lora"
lr = 0.0001
[[run]]
method = "full"
lr = 1e-4
)");
  ASSERT_EQ(config.runs.size(), 2u);
  EXPECT_EQ(config.runs[0].method, "full");
  EXPECT_EQ(config.runs[1].method, "lora");
  EXPECT_NE(config.runs[0].run_id, config.runs[1].run_id);
}

TEST(SweepConfig, ListFlagsAndDefaults) {
  const SweepConfig config = parse(std::string(kHeader) + R"(
[train]
lora-targets = ["q", "v"]
max_length = 512

[grid]
method = "lora"
lora-targets = [["q", "v", "o"], ["all-linear"], "k,v"]

[[run]]
method = "lora"
lora-targets = ["q", "k"]
[[run]]
method = "lora"
)");
  ASSERT_EQ(config.runs.size(), 5u);
  EXPECT_EQ(flag_text(config.runs[0], "lora-targets"), "q,v,o");
  EXPECT_EQ(flag_text(config.runs[1], "lora-targets"), "all-linear");
  EXPECT_EQ(flag_text(config.runs[2], "lora-targets"), "k,v");
  EXPECT_EQ(flag_text(config.runs[3], "lora-targets"), "q,k") << "in a run an array is a list value";
  EXPECT_EQ(flag_text(config.runs[4], "lora-targets"), "q,v") << "the [train] default";
  EXPECT_EQ(flag_text(config.runs[4], "max-length"), "512") << "'_' is spelled '-'";
  // Sorted by name, never the run keys.
  ASSERT_EQ(config.runs[0].train.size(), 2u);
  EXPECT_EQ(config.runs[0].train[0].name, "lora-targets");
  EXPECT_EQ(config.runs[0].train[1].name, "max-length");
}

TEST(SweepConfig, BooleansBecomeSwitches) {
  const SweepConfig config = parse(std::string(kHeader) + R"(
[train]
packing = true
[eval]
bootstrap = 200
per-token = false
[grid]
method = "full"
packing = [true, false]
)");
  ASSERT_EQ(config.runs.size(), 2u);
  ASSERT_EQ(config.runs[0].train.size(), 1u);
  EXPECT_TRUE(config.runs[0].train[0].boolean);
  EXPECT_EQ(flag_args(config.runs[0].train), (std::vector<std::string>{"--packing=true"}));
  EXPECT_EQ(config.runs[1].train[0].text, "false");
  EXPECT_EQ(flag_args(config.runs[1].train), (std::vector<std::string>{"--packing=false"}));
  EXPECT_EQ(flag_args(config.eval), (std::vector<std::string>{"--bootstrap", "200", "--per-token=false"}));
  EXPECT_EQ(flag_args({{"lora-targets", "q,v", false}, {"lr", "0.001", false}}),
            (std::vector<std::string>{"--lora-targets", "q,v", "--lr", "0.001"}));
}

TEST(SweepConfig, RunIdsDependOnTheTextNotWhereTheFileLives) {
  const std::string text = std::string(kHeader) + "[grid]\nmethod = [\"full\", \"lora\"]\nlr = [1e-3, 1e-4]\n";
  const SweepConfig here = parse(text, "studies/sweep.toml");
  const SweepConfig there = parse(text, "/mnt/other/machine/a/b/sweep.toml");
  ASSERT_EQ(here.runs.size(), there.runs.size());
  std::set<std::string> ids;
  for (size_t i = 0; i < here.runs.size(); ++i) {
    EXPECT_EQ(here.runs[i].run_id, there.runs[i].run_id);
    ids.insert(here.runs[i].run_id);
  }
  EXPECT_EQ(ids.size(), here.runs.size()) << "different settings, different ids";
  EXPECT_EQ(here.runs[0].model, "models/tiny");
  EXPECT_EQ(there.runs[0].model, "/mnt/other/machine/a/models/tiny");
  EXPECT_EQ(here.runs[0].model_as_written, "../models/tiny");
  // "<method>-<8 lowercase hex>"
  const std::string& id = here.runs[0].run_id;
  ASSERT_EQ(id.size(), std::string("full-").size() + 8) << id;
  EXPECT_EQ(id.rfind("full-", 0), 0u) << id;
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 5), std::string::npos) << id;
  // The id is of settings(), which records the paths as written.
  EXPECT_EQ(here.runs[0].settings()["model"], "../models/tiny");
  EXPECT_EQ(here.runs[0].settings()["train"]["lr"], "0.001");
  EXPECT_EQ(here.runs[0].settings()["seed"], 0);
}

TEST(SweepConfig, LabelsShowOnlyWhatVaries) {
  const SweepConfig config = parse(std::string(kHeader) + R"(
[train]
epochs = 3
[grid]
method = "lora"
lr = [0.001, 0.002]
lora-r = [16]
data = "../data/support"
)");
  ASSERT_EQ(config.runs.size(), 2u);
  EXPECT_EQ(config.runs[0].label, "lora lr=0.001") << "one seed, fixed lora-r, data and epochs: left out";

  const SweepConfig two = parse(std::string(kHeader) + R"(
seeds = [0, 1]
[grid]
method = "lora"
lr = [0.001]
lora-r = [16, 32]
[[run]]
method = "full"
model = "../models/other"
)");
  ASSERT_EQ(two.runs.size(), 6u);
  // The model differs between runs, so every label shows it; lr too, since the full run
  // leaves it at train's default. Keys come in the order they first appear in the file.
  EXPECT_EQ(two.runs[0].label, "lora lr=0.001 lora-r=16 model=../models/tiny seed=0");
  EXPECT_EQ(two.runs[3].label, "lora lr=0.001 lora-r=32 model=../models/tiny seed=1");
  EXPECT_EQ(two.runs[4].label, "full model=../models/other seed=0");
}

TEST(SweepConfig, PathsAreRelativeToTheConfigFolder) {
  const SweepConfig config = parse(R"(
name = "study"
model = "../models/tiny/"
data = "/srv/data/./support"
out = "results"
[[run]]
method = "full"
[[run]]
method = "full"
data = "local/../data"
)", "configs/sweeps/s.toml");
  EXPECT_EQ(config.name, "study");
  EXPECT_EQ(config.out, "configs/sweeps/results");
  ASSERT_EQ(config.runs.size(), 2u);
  EXPECT_EQ(config.runs[0].model, "configs/models/tiny");
  EXPECT_EQ(config.runs[0].data, "/srv/data/support") << "absolute paths are kept, normalised";
  EXPECT_EQ(config.runs[1].data, "configs/sweeps/data");
  EXPECT_EQ(config.runs[1].data_as_written, "local/../data");
  EXPECT_EQ(parse(std::string(kHeader) + "[[run]]\nmethod = \"full\"\n", "x/my-study.toml").name, "my-study")
      << "the name defaults to the file's stem";
  EXPECT_EQ(parse(std::string(kHeader) + "[[run]]\nmethod = \"full\"\n", "sweep.toml").runs[0].model,
            "../models/tiny");
}

#ifdef PRIVTUNE_SOURCE_DIR
// The full example of docs/sweep_config.md parses and gives the run count it states.
TEST(SweepConfig, DocumentedExampleParses) {
  const std::string doc = core::read_text_file(std::string(PRIVTUNE_SOURCE_DIR) + "/docs/sweep_config.md");
  const size_t begin = doc.find("```toml\n");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = doc.find("```", begin + 8);
  const SweepConfig config = parse(doc.substr(begin + 8, end - begin - 8), "studies/sweep.toml");
  EXPECT_EQ(config.name, "support-lora-vs-dp");
  EXPECT_EQ(config.out, "results/support");
  ASSERT_EQ(config.runs.size(), 31u);
  EXPECT_EQ(config.runs[0].label, "full lr=0.0001 seed=0");
  EXPECT_EQ(config.runs[23].label, "lora lr=0.0005 lora-r=16 lora-targets=all-linear seed=2");
  EXPECT_EQ(config.runs[27].label, "dp-lora target-epsilon=8 seed=0");
  EXPECT_EQ(config.runs.back().label, "dp lr=0.015 target-epsilon=8 seed=0");
  EXPECT_EQ(config.runs.back().method, "dp");
  EXPECT_EQ(config.runs.back().seed, 0);
  EXPECT_EQ(config.runs.back().settings()["audit"]["canaries"], "200");
}
#endif

// Each error names the file, the line and the key.
void expect_error(const std::string& text, const std::vector<std::string>& parts) {
  const std::string message = error_of(text);
  ASSERT_FALSE(message.empty()) << "expected an error for:\n" << text;
  for (const std::string& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message;
}

TEST(SweepConfigErrors, UnknownTopLevelKey) {
  expect_error(std::string(kHeader) + "sedes = [1]\n[[run]]\nmethod = \"full\"\n",
               {"studies/sweep.toml:3:", "key 'sedes'", "unknown key"});
  expect_error(std::string(kHeader) + "[[run]]\nmethod = \"full\"\n[evaluation]\nbootstrap = 1\n",
               {"studies/sweep.toml:5:", "key 'evaluation'"});
}

TEST(SweepConfigErrors, UnknownFlag) {
  expect_error(std::string(kHeader) + "[grid]\nmethod = \"full\"\nlearning-rate = [1e-3]\n",
               {"studies/sweep.toml:5:", "key 'grid.learning-rate'", "unknown flag --learning-rate"});
  expect_error(std::string(kHeader) + "[train]\nepochs = 1\nwarmup = 3\n[[run]]\nmethod = \"full\"\n",
               {"studies/sweep.toml:5:", "key 'train.warmup'", "unknown flag --warmup"});
  expect_error(std::string(kHeader) + "[eval]\nbootstraps = 3\n[[run]]\nmethod = \"full\"\n",
               {"studies/sweep.toml:4:", "key 'eval.bootstraps'"});
  expect_error(std::string(kHeader) + "[[run]]\nmethod = \"sgd\"\n",
               {"studies/sweep.toml:4:", "key 'run.method'", "unknown method 'sgd'"});
  // An invalid value is reported at the line of the offending item.
  expect_error(std::string(kHeader) + "[grid]\nmethod = \"full\"\nlr = [1e-3,\n  \"fast\"]\n",
               {"studies/sweep.toml:6:", "key 'grid.lr'", "not a number"});
}

TEST(SweepConfigErrors, WrongType) {
  expect_error(std::string(kHeader) + "[grid]\nmethod = \"full\"\n[grid.lr]\nx = 1\n",
               {"studies/sweep.toml:5:", "key 'grid.lr'", "expected a number, string or boolean, got a table"});
  expect_error(std::string(kHeader) + "seeds = [0, -1]\n[[run]]\nmethod = \"full\"\n",
               {"studies/sweep.toml:3:", "key 'seeds'", "non-negative"});
  expect_error(std::string(kHeader) + "seeds = 3\n[[run]]\nmethod = \"full\"\n", {":3:", "key 'seeds'"});
  expect_error("model = 5\n[[run]]\nmethod = \"full\"\n", {"studies/sweep.toml:1:", "key 'model'", "got an integer"});
  expect_error(std::string(kHeader) + "[[run]]\nmethod = \"full\"\nseed = 1.5\n", {":5:", "key 'run.seed'"});
  expect_error(std::string(kHeader) + "[[run]]\nmethod = \"full\"\nout = \"x\"\n", {":5:", "key 'run.out'", "set by the sweep"});
  expect_error(std::string(kHeader) + "[eval]\nbase = \"x\"\n[[run]]\nmethod = \"full\"\n",
               {":4:", "key 'eval.base'", "set by the sweep"});
  expect_error(std::string(kHeader) + "[train]\nstop-after = 3\n[[run]]\nmethod = \"full\"\n",
               {":4:", "key 'train.stop-after'", "runs every run to its end"});
  expect_error(std::string(kHeader) + "[[run]]\nmethod = \"full\"\nstop-after = 3\n",
               {":5:", "key 'run.stop-after'", "runs every run to its end"});
  expect_error(std::string(kHeader) + "[train]\nmodel = \"x\"\n[[run]]\nmethod = \"full\"\n",
               {":4:", "key 'train.model'", "at the top level"});
  expect_error(std::string(kHeader) + "[[run]]\nmethod = \"full\"\nlora-targets = [[\"q\"]]\n",
               {":5:", "key 'run.lora-targets'"});
}

TEST(SweepConfigErrors, EmptyAxis) {
  expect_error(std::string(kHeader) + "[grid]\nmethod = [\"full\"]\nlr = []\n",
               {"studies/sweep.toml:5:", "key 'grid.lr'", "empty grid axis"});
}

TEST(SweepConfigErrors, MissingMethodModelOrRuns) {
  expect_error(std::string(kHeader) + "\n[[grid]]\nlr = [1e-3]\n", {"studies/sweep.toml:4:", "key 'grid'", "no `method`"});
  expect_error(std::string(kHeader) + "[[run]]\nmethod = \"full\"\n[[run]]\nlr = 1e-3\n",
               {"studies/sweep.toml:5:", "key 'run'", "no `method`"});
  expect_error("data = \"d\"\n[[run]]\nmethod = \"full\"\n", {"studies/sweep.toml:2:", "key 'run'", "no `model`"});
  expect_error(std::string(kHeader) + "[train]\nepochs = 1\n", {"studies/sweep.toml", "no runs"});
}

TEST(SweepConfigErrors, DuplicateSpellings) {
  expect_error(std::string(kHeader) + "[[run]]\nmethod = \"full\"\nmax_length = 1\nmax-length = 2\n",
               {":6:", "key 'run.max-length'", "'max_length'"});
}

TEST(SweepConfigErrors, SyntaxErrorNamesFileAndLine) {
  const std::string message = error_of(std::string(kHeader) + "[grid]\nmethod = [\"full\",, ]\n");
  EXPECT_EQ(message.rfind("studies/sweep.toml:4: ", 0), 0u) << message;
}

TEST(SweepConfigErrors, UnreadableFile) {
  try {
    load_sweep_config("/nonexistent/sweep.toml", check_train, check_eval);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/sweep.toml: cannot"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace privtune::experiment

namespace privtune::experiment {
namespace {

TEST(SweepConfig, AnAuditTableAuditsEveryRunAndEntersItsId) {
  const std::string runs = "[grid]\nmethod = [\"full\", \"dp\"]\n";
  const SweepConfig plain = parse_sweep_config(std::string(kHeader) + runs, "s.toml", check_train, check_eval, check_audit);
  const SweepConfig audited = parse_sweep_config(std::string(kHeader) + runs + "[audit]\ncanaries = 64\ncanary-kind = \"random\"\n",
                                                 "s.toml", check_train, check_eval, check_audit);
  ASSERT_EQ(audited.runs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(plain.runs[i].audit.empty());
    EXPECT_FALSE(plain.runs[i].settings().contains("audit"));  // ids of runs without audits as before
    ASSERT_EQ(audited.runs[i].audit.size(), 2u);
    EXPECT_EQ(audited.runs[i].settings()["audit"]["canaries"], "64");
    EXPECT_NE(audited.runs[i].run_id, plain.runs[i].run_id);  // an audited run trains on other data
  }
  EXPECT_EQ(flag_args(audited.runs[0].audit), (std::vector<std::string>{"--canaries", "64", "--canary-kind", "random"}));
}

TEST(SweepConfigErrors, AuditTable) {
  auto error = [](const std::string& text, const FlagCheck& audit) {
    try {
      parse_sweep_config(std::string(kHeader) + "[[run]]\nmethod = \"full\"\n" + text, "s.toml", check_train,
                         check_eval, audit);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("[audit]\ncanaries = \"many\"\n", check_audit).find("s.toml:6: key 'audit.canaries'"),
            std::string::npos);
  EXPECT_NE(error("[audit]\nguesses = 3\n", check_audit).find("unknown flag --guesses"), std::string::npos);
  EXPECT_NE(error("[audit]\n", check_audit).find("empty [audit] table"), std::string::npos);
  EXPECT_NE(error("[audit]\ncanaries = 8\n", {}).find("not available"), std::string::npos);
}

}  // namespace
}  // namespace privtune::experiment
