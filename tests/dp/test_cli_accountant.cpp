// `privtune accountant` end to end: output, JSON, and exit codes (0 ok, 2 bad input).
// Runs the built executable; skipped, with the reason, where it has not been built.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "privtune/core/json_util.h"
#include "run_privtune.h"

namespace {

const std::string kBinary = PRIVTUNE_BINARY_DIR "/privtune";

struct Result {
  int code;
  std::string output;  // stdout and stderr
};

Result run(const std::string& args) {
  auto r = privtune::test::run_privtune("accountant " + args);
  return {r.code, r.out + r.err};
}

class CliAccountant : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kBinary)) GTEST_SKIP() << kBinary << " is not built (ninja privtune)";
  }
};

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

TEST_F(CliAccountant, PrintsEpsilonForBothAccountants) {
  const Result r = run("--q 0.01 --sigma 1 --steps 1000 --delta 1e-5");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "rdp: epsilon = 2.10137")) << r.output;
  EXPECT_TRUE(contains(r.output, "pld: epsilon = 1.828")) << r.output;
}

TEST_F(CliAccountant, JsonOutput) {
  const Result r = run("--q 0.01 --sigma 1 --steps 1000 --delta 1e-5 --accountant pld --json");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = privtune::core::Json::parse(r.output);
  EXPECT_NEAR(j["pld"]["epsilon"].get<double>(), 1.8282, 2e-3);
  EXPECT_FALSE(j.contains("rdp"));
  EXPECT_EQ(j["steps"], 1000);
}

TEST_F(CliAccountant, TargetEpsilonPrintsSigma) {
  const Result r = run("--q 0.01 --steps 1000 --delta 1e-5 --target-epsilon 3 --json");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = privtune::core::Json::parse(r.output);
  for (const char* kind : {"rdp", "pld"}) {
    EXPECT_LE(j[kind]["epsilon"].get<double>(), 3.0);
    EXPECT_GT(j[kind]["epsilon"].get<double>(), 2.98);
  }
  EXPECT_LT(j["pld"]["sigma"].get<double>(), j["rdp"]["sigma"].get<double>());
}

TEST_F(CliAccountant, ZeroSigmaSaysThereIsNoPrivacy) {
  const Result r = run("--q 0.01 --sigma 0 --steps 10 --delta 1e-5");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "epsilon = inf (sigma = 0: no noise, no privacy)")) << r.output;
}

TEST_F(CliAccountant, BadInputExitsTwoWithOneLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"--q 0 --sigma 1 --steps 10 --delta 1e-5", "sampling rate q must be in (0, 1]"},
      {"--q 1.5 --sigma 1 --steps 10 --delta 1e-5", "sampling rate q must be in (0, 1]"},
      {"--q 0.1 --sigma -1 --steps 10 --delta 1e-5", "sigma must be finite and >= 0"},
      {"--q 0.1 --sigma 1 --steps 0 --delta 1e-5", "steps must be >= 1"},
      {"--q 0.1 --sigma 1 --steps 10 --delta 0", "delta must be in (0, 1)"},
      {"--q 0.1 --sigma 1 --steps 10 --delta 1", "delta must be in (0, 1)"},
      {"--q 1 --steps 1000000 --delta 1e-5 --target-epsilon 0.1", "unreachable"},
      {"--q 0.1 --steps 10 --delta 1e-5 --target-epsilon 0", "target epsilon must be finite and > 0"},
      {"--q 0.1 --steps 10 --delta 1e-5", "give --sigma"},
      {"--q 0.1 --sigma 1 --steps 10 --delta 1e-5 --target-epsilon 1", "not both"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, message)) << args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << args << "\n" << r.output;
  }
}

TEST_F(CliAccountant, UsageErrorsExitTwo) {
  for (const char* args : {"--q 0.1 --sigma 1 --steps 10", "--q 0.1 --sigma x --steps 10 --delta 1e-5",
                           "--q 0.1 --sigma 1 --steps 10 --delta 1e-5 --accountant prv"}) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
  }
}

}  // namespace
