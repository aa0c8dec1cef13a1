// tests/dp/dp_accounting.json is a copy of ../shared/reference/dp_accounting.json, so that the
// tests do not depend on that folder; where the folder is present, the copy must not drift.
#include <gtest/gtest.h>

#include <filesystem>

#include "privtune/core/json_util.h"

namespace {

TEST(ReferenceCopy, MatchesTheSharedReference) {
  const std::string shared = PRIVTUNE_SOURCE_DIR "/../shared/reference/dp_accounting.json";
  if (!std::filesystem::exists(shared)) GTEST_SKIP() << shared << " is absent; using the copy in tests/dp";
  EXPECT_EQ(privtune::core::read_json_file(PRIVTUNE_SOURCE_DIR "/tests/dp/dp_accounting.json"),
            privtune::core::read_json_file(shared));
}

}  // namespace
