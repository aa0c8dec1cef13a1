#include <gtest/gtest.h>

#include "privtune/train/schedule.h"

namespace privtune::train {
namespace {

TEST(Schedule, WarmupThenDecay) {
  Schedule linear{"linear", 1.0, 4, 14};
  EXPECT_DOUBLE_EQ(linear.lr_at(0), 0.25);
  EXPECT_DOUBLE_EQ(linear.lr_at(3), 1.0);
  EXPECT_DOUBLE_EQ(linear.lr_at(4), 1.0);
  EXPECT_DOUBLE_EQ(linear.lr_at(9), 0.5);
  EXPECT_DOUBLE_EQ(linear.lr_at(14), 0.0);
  Schedule cosine{"cosine", 2.0, 0, 10};
  EXPECT_DOUBLE_EQ(cosine.lr_at(0), 2.0);
  EXPECT_NEAR(cosine.lr_at(5), 1.0, 1e-12);
  EXPECT_NEAR(cosine.lr_at(10), 0.0, 1e-12);
  Schedule constant{"constant", 0.5, 2, 10};
  EXPECT_DOUBLE_EQ(constant.lr_at(0), 0.25);
  EXPECT_DOUBLE_EQ(constant.lr_at(9), 0.5);
}

}  // namespace
}  // namespace privtune::train
