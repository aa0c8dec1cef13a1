// Synthetic datasets whose sensitive values are known exactly (DESIGN.md section 4):
// `customersim` (customer-support dialogues) and `synbio` (short biographies), with
// optional canaries. Output is a function of the options alone: same seed, same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "privtune/data/canary.h"
#include "privtune/data/dataset.h"

namespace privtune::data {

enum class GeneratorKind { kCustomerSim, kSynBio };

// "customersim" or "synbio"; anything else is an Error.
GeneratorKind parse_generator_kind(const std::string& name);
const char* generator_kind_name(GeneratorKind kind);

struct GenerateOptions {
  GeneratorKind kind = GeneratorKind::kCustomerSim;
  int64_t train = 0;
  int64_t test = 0;
  uint64_t seed = 0;
  CanaryOptions canaries;  // per_repetition = 0: no canaries
};

// Train is generated first (PRNG stream "cs/train" or "bio/train"), then test (".../test"), drawing
// identifying values from one registry so no value is in both; canaries come last
// (".../canaries"). Throws Error for bad counts or when the pools run out.
Dataset generate_dataset(const GenerateOptions& options);

// The span labels a generator can produce (for documentation and checks).
std::vector<std::string> generator_labels(GeneratorKind kind);

}  // namespace privtune::data
