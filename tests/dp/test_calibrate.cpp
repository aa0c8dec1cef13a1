// Sigma calibration for a target epsilon, against the reference calibrations (Opacus' RDP
// grid search, dp_accounting's PLD search), compared by the epsilon achieved.
#include <gtest/gtest.h>

#include "privtune/core/error.h"
#include "privtune/dp/calibrate.h"
#include "reference.h"

namespace {

using namespace privtune::dp;
using privtune::Error;

class CalibrationReference : public ::testing::TestWithParam<ref::CalibrationPoint> {};

TEST_P(CalibrationReference, AchievesTheTargetClosely) {
  const auto& p = GetParam();
  for (AccountantKind kind : {AccountantKind::kRdp, AccountantKind::kPld}) {
    SCOPED_TRACE(to_string(kind));
    const Calibration c = calibrate_sigma(kind, p.q, p.steps, p.delta, p.target_eps);
    EXPECT_FALSE(c.at_sigma_min);
    EXPECT_LE(c.epsilon, p.target_eps);
    EXPECT_GE(c.epsilon, 0.995 * p.target_eps);
    // The epsilon reported is the accountant's own at that sigma.
    auto acc = make_accountant(kind);
    acc->step(p.q, c.sigma, p.steps);
    EXPECT_DOUBLE_EQ(acc->epsilon(p.delta), c.epsilon);
    if (kind == AccountantKind::kRdp) {
      // Opacus stops up to 0.01 below the target and has fewer orders: never less noise.
      EXPECT_LE(c.sigma, p.sigma_rdp * (1 + 1e-3));
      EXPECT_GE(c.sigma, p.sigma_rdp * 0.95);
    } else {
      EXPECT_NEAR(c.sigma, p.sigma_pld, 0.01 * p.sigma_pld);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Reference, CalibrationReference, ::testing::ValuesIn(ref::reference().noise_multiplier),
                         [](const auto& point) { return ref::test_name(point.param); });

TEST(Calibration, UnreachableTargetIsAClearError) {
  // Without subsampling, a million steps need sigma ~ 1000 / 4 for epsilon ~ 4; 0.1 is out of reach.
  try {
    calibrate_sigma(AccountantKind::kRdp, 1.0, 1000000, 1e-5, 0.1);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unreachable"), std::string::npos) << e.what();
  }
  EXPECT_THROW(calibrate_sigma(AccountantKind::kPld, 1.0, 1000000, 1e-5, 0.1), Error);
}

TEST(Calibration, RejectsBadInput) {
  EXPECT_THROW(calibrate_sigma(AccountantKind::kRdp, 0.0, 100, 1e-5, 1.0), Error);
  EXPECT_THROW(calibrate_sigma(AccountantKind::kRdp, 0.1, 0, 1e-5, 1.0), Error);
  EXPECT_THROW(calibrate_sigma(AccountantKind::kRdp, 0.1, 100, 1.0, 1.0), Error);
  EXPECT_THROW(calibrate_sigma(AccountantKind::kRdp, 0.1, 100, 1e-5, 0.0), Error);
  EXPECT_THROW(calibrate_sigma(AccountantKind::kRdp, 0.1, 100, 1e-5, -2.0), Error);
}

TEST(Calibration, HugeTargetClampsAtTheSmallestSigma) {
  const Calibration c = calibrate_sigma(AccountantKind::kRdp, 0.001, 10, 1e-5, 1e6);
  EXPECT_TRUE(c.at_sigma_min);
  EXPECT_EQ(c.sigma, CalibrationOptions{}.sigma_min);
  EXPECT_LE(c.epsilon, 1e6);
}

}  // namespace
