// The Accountant interface the trainer uses: steps, history, resume from JSON, bad input,
// epsilon over steps.
#include <gtest/gtest.h>

#include <cmath>

#include "privtune/core/error.h"
#include "privtune/dp/accountant.h"
#include "privtune/dp/log_math.h"

namespace {

using namespace privtune::dp;
using privtune::Error;
using privtune::core::Json;

class EachAccountant : public ::testing::TestWithParam<AccountantKind> {};

TEST_P(EachAccountant, StepsAddUpToOneRun) {
  auto stepwise = make_accountant(GetParam()), at_once = make_accountant(GetParam());
  EXPECT_EQ(stepwise->epsilon(1e-5), 0.0);  // nothing spent yet
  for (int i = 0; i < 200; ++i) stepwise->step(0.01, 1.0);
  at_once->step(0.01, 1.0, 200);
  EXPECT_EQ(stepwise->history().size(), 1u);  // identical steps merge
  EXPECT_EQ(stepwise->steps(), 200);
  EXPECT_NEAR(stepwise->epsilon(1e-5), at_once->epsilon(1e-5), 1e-9 * at_once->epsilon(1e-5));
}

TEST_P(EachAccountant, ResumesFromJson) {
  auto acc = make_accountant(GetParam());
  acc->step(0.01, 1.0, 100);
  acc->step(0.02, 1.5, 50);
  const Json state = Json::parse(acc->to_json().dump());  // through text, as in run.json
  EXPECT_EQ(state["accountant"], to_string(GetParam()));
  EXPECT_EQ(state["history"].size(), 2u);
  auto resumed = Accountant::from_json(state);
  EXPECT_EQ(resumed->kind(), GetParam());
  EXPECT_EQ(resumed->steps(), 150);
  EXPECT_DOUBLE_EQ(resumed->epsilon(1e-5), acc->epsilon(1e-5));
  // Training goes on after resuming exactly as without the interruption.
  acc->step(0.01, 1.0, 25);
  resumed->step(0.01, 1.0, 25);
  EXPECT_DOUBLE_EQ(resumed->epsilon(1e-5), acc->epsilon(1e-5));
}

TEST_P(EachAccountant, RejectsBadInput) {
  auto acc = make_accountant(GetParam());
  EXPECT_THROW(acc->step(0.0, 1.0), Error);
  EXPECT_THROW(acc->step(1.5, 1.0), Error);
  EXPECT_THROW(acc->step(std::nan(""), 1.0), Error);
  EXPECT_THROW(acc->step(0.1, -0.5), Error);
  EXPECT_THROW(acc->step(0.1, kInf), Error);
  EXPECT_THROW(acc->step(0.1, 1.0, 0), Error);
  EXPECT_EQ(acc->steps(), 0);  // nothing recorded by failed calls
  acc->step(0.1, 1.0);
  EXPECT_THROW(acc->epsilon(0.0), Error);
  EXPECT_THROW(acc->epsilon(1.0), Error);
  EXPECT_THROW(acc->epsilon(-1e-5), Error);
}

TEST_P(EachAccountant, ZeroNoiseIsInfiniteEpsilon) {
  auto acc = make_accountant(GetParam());
  acc->step(0.01, 1.0, 10);
  acc->step(0.01, 0.0, 1);
  EXPECT_EQ(acc->epsilon(1e-5), kInf);
}

TEST_P(EachAccountant, EpsilonOverStepsIsIncreasingAndMatchesSingleRuns) {
  const std::vector<int64_t> checkpoints = {1, 10, 100, 1000};
  const auto curve = epsilon_over_steps(GetParam(), 0.01, 1.0, checkpoints, 1e-5);
  ASSERT_EQ(curve.size(), checkpoints.size());
  for (size_t i = 1; i < curve.size(); ++i) EXPECT_GT(curve[i], curve[i - 1]);
  auto acc = make_accountant(GetParam());
  acc->step(0.01, 1.0, 100);
  EXPECT_DOUBLE_EQ(curve[2], acc->epsilon(1e-5));
}

INSTANTIATE_TEST_SUITE_P(Kinds, EachAccountant, ::testing::Values(AccountantKind::kRdp, AccountantKind::kPld),
                         [](const auto& kind) { return to_string(kind.param); });

TEST(Accountant, PldIsTighterThanRdp) {
  RdpAccountant rdp;
  PldAccountant pld;
  for (auto* acc : std::vector<Accountant*>{&rdp, &pld}) acc->step(0.004, 0.9, 5000);
  EXPECT_LT(pld.epsilon(1e-6), rdp.epsilon(1e-6));
}

TEST(Accountant, RdpStateKeepsItsOrders) {
  RdpAccountant acc(opacus_default_orders());
  acc.step(0.01, 1.0, 10);
  const auto resumed = Accountant::from_json(acc.to_json());
  EXPECT_EQ(static_cast<const RdpAccountant&>(*resumed).orders(), opacus_default_orders());
  const RdpEpsilon e = acc.epsilon_and_order(1e-5);
  EXPECT_GT(e.order, 1.0);
  EXPECT_EQ(e.epsilon, acc.epsilon(1e-5));
}

TEST(Accountant, MalformedStateIsAClearError) {
  auto expect_error = [](const std::string& text, const std::string& needle) {
    try {
      Accountant::from_json(Json::parse(text), "run.json: accountant");
      FAIL() << "accepted " << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error("[]", "expected a JSON object");
  expect_error(R"({"history": []})", "'accountant' is missing");
  expect_error(R"({"accountant": "prv", "history": []})", "unknown accountant 'prv'");
  expect_error(R"({"accountant": "rdp"})", "'history' is missing");
  expect_error(R"({"accountant": "pld", "history": {}})", "must be an array");
  expect_error(R"({"accountant": "pld", "history": [{"q": 0.1, "sigma": 1}]})", "history[0]: key 'steps' is missing");
  expect_error(R"({"accountant": "pld", "history": [{"q": 2, "sigma": 1, "steps": 3}]})", "history[0]: sampling rate q");
  expect_error(R"({"accountant": "rdp", "orders": [0.5], "history": []})", "orders must be finite and > 1");
}

TEST(Accountant, KindNames) {
  EXPECT_EQ(parse_accountant_kind("rdp"), AccountantKind::kRdp);
  EXPECT_EQ(parse_accountant_kind("pld"), AccountantKind::kPld);
  EXPECT_THROW(parse_accountant_kind("RDP"), Error);
}

}  // namespace
