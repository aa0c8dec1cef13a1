// Canaries (Carlini et al. 2019): secrets of a fixed format with a known space of
// alternatives, inserted into training records a chosen number of times, plus as many
// never-inserted reference canaries of the same format as a baseline for exposure.
//
// Every canary sentence reads `My <adjective> <noun> code is <secret>.`; the
// adjective-noun pair is unique per canary so that each canary has its own prefix, and
// the secret is `length` characters drawn uniformly from `alphabet` (6 digits by default,
// 10^6 candidates). A canaries.jsonl record carries everything exposure and extraction
// need later: the sentence, its spans, prefix, secret, suffix, format, candidate space,
// repetitions and whether (and where) it was inserted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "privtune/data/example.h"
#include "privtune/data/rng.h"

namespace privtune::data {

inline constexpr const char* kCanaryLabel = "CANARY";

struct Canary {
  std::string id;
  std::string prefix;  // the sentence up to the secret
  std::string secret;
  std::string suffix;  // the sentence after the secret
  std::string format = "digits";
  std::string alphabet = "0123456789";
  int64_t length = 6;           // secret length in characters
  int64_t candidate_space = 0;  // alphabet.size() ^ length
  int64_t repetitions = 0;      // times inserted into train (0 for reference canaries)
  bool inserted = false;
  std::vector<std::string> inserted_into;  // ids of the train records holding it

  std::string text() const { return prefix + secret + suffix; }
  Span secret_span() const;  // code-point span of the secret in text()
};

struct CanaryOptions {
  int64_t per_repetition = 0;  // canaries per repetition count
  std::vector<int64_t> repetitions = {1, 2, 4, 8, 16};
  int64_t secret_length = 6;  // digits
  std::string secret_noun = "code";  // `My <adjective> <noun> <secret_noun> is <secret>.`
};

// per_repetition canaries for each repetition count (inserted) and the same number of
// reference canaries (never inserted); prefixes and secrets are all distinct.
std::vector<Canary> make_canaries(const CanaryOptions& options, Rng& rng);

// Appends each inserted canary to `repetitions` distinct, randomly chosen train records
// (after `lead`, e.g. "\nCustomer: "), adds its secret span and records the record ids.
// Records must have ids. Throws Error if a canary needs more records than train has.
void insert_canaries(std::vector<Example>& train, std::vector<Canary>& canaries, const std::string& lead, Rng& rng);

// canaries.jsonl lines; each record is also a valid dataset record (text + spans).
std::string canary_to_json(const Canary& canary);
// Throws Error(reason) on a malformed record.
Canary parse_canary(std::string_view line);

}  // namespace privtune::data
