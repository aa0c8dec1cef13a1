#include <gtest/gtest.h>

#include "privtune/tokenizer/tokenizer.h"

TEST(TokenizerSmoke, EmptyTokenizerThrows) {
  privtune::tokenizer::Tokenizer t;
  EXPECT_FALSE(t.loaded());
}
