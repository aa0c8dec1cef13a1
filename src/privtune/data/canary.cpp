#include "privtune/data/canary.h"

#include <cstdio>
#include <set>
#include <unordered_set>

#include "privtune/core/error.h"
#include "privtune/core/json_util.h"
#include "privtune/data/record_json.h"
#include "privtune/data/utf8.h"

namespace privtune::data {

namespace {

// Word pairs make each canary's prefix distinct without putting anything sensitive in it.
const std::vector<std::string> kAdjectives = {
    "amber",  "silver", "crimson", "quiet",  "golden",  "hidden", "frozen",  "velvet",  "copper", "wild",
    "lunar",  "misty",  "rusty",   "bright", "hollow",  "coral",  "ivory",   "scarlet", "gentle", "rapid",
    "silent", "cobalt", "jade",    "marble", "olive",   "polar",  "sandy",   "stormy",  "tidal",  "violet",
    "woolen", "azure",  "bronze",  "dusty",  "emerald", "fuzzy",  "granite", "humble",  "indigo", "lucky"};
const std::vector<std::string> kNouns = {
    "falcon",  "harbor", "lantern", "meadow",  "river",  "orchid",  "canyon",   "beacon",  "glacier", "willow",
    "compass", "ember",  "feather", "garden",  "island", "jigsaw",  "kettle",   "lagoon",  "mirror",  "nutmeg",
    "otter",   "pebble", "quartz",  "raven",   "saddle", "thimble", "umbrella", "valley",  "walnut",  "yarrow",
    "anchor",  "badger", "cactus",  "dolphin", "engine", "fossil",  "gazelle",  "hammock", "igloo",   "juniper"};

std::string random_secret(const CanaryOptions& options, const std::string& alphabet, Rng& rng) {
  std::string secret;
  for (int64_t i = 0; i < options.secret_length; ++i) secret += alphabet[rng.uniform(alphabet.size())];
  return secret;
}

}  // namespace

Span Canary::secret_span() const {
  int64_t start = code_points(prefix);
  return {start, start + code_points(secret), kCanaryLabel};
}

std::vector<Canary> make_canaries(const CanaryOptions& options, Rng& rng) {
  check_input(options.per_repetition >= 0, "--canaries must not be negative");
  check_input(options.secret_length >= 1 && options.secret_length <= 18, "canary secrets have 1 to 18 digits");
  for (int64_t r : options.repetitions) check_input(r >= 1, "--canary-reps entries must be at least 1");
  std::set<int64_t> distinct(options.repetitions.begin(), options.repetitions.end());
  check_input(distinct.size() == options.repetitions.size(), "--canary-reps has a repeated entry");
  const size_t count = static_cast<size_t>(options.per_repetition) * options.repetitions.size() * 2;
  check_input(count <= kAdjectives.size() * kNouns.size(), "too many canaries: at most " +
                                                               std::to_string(kAdjectives.size() * kNouns.size()) +
                                                               " (inserted and reference together)");

  int64_t space = 1;
  for (int64_t i = 0; i < options.secret_length; ++i) space *= 10;
  // Draw distinct prefixes and secrets in one pass so the set does not depend on order.
  std::vector<size_t> pairs(kAdjectives.size() * kNouns.size());
  for (size_t i = 0; i < pairs.size(); ++i) pairs[i] = i;
  rng.shuffle(pairs);
  std::unordered_set<std::string> secrets;
  std::vector<Canary> out;
  for (size_t k = 0; k < count; ++k) {
    Canary c;
    bool reference = k >= count / 2;
    size_t rep_index = (reference ? k - count / 2 : k) / static_cast<size_t>(options.per_repetition);
    c.inserted = !reference;
    c.repetitions = reference ? 0 : options.repetitions[rep_index];
    c.length = options.secret_length;
    c.candidate_space = space;
    size_t pair = pairs[k];
    c.prefix = "My " + kAdjectives[pair / kNouns.size()] + " " + kNouns[pair % kNouns.size()] + " " + options.secret_noun + " is ";
    c.suffix = ".";
    do {
      c.secret = random_secret(options, c.alphabet, rng);
    } while (!secrets.insert(c.secret).second);
    char id[32];
    std::snprintf(id, sizeof id, "canary-%04zu", k + 1);
    c.id = id;
    out.push_back(std::move(c));
  }
  return out;
}

void insert_canaries(std::vector<Example>& train, std::vector<Canary>& canaries, const std::string& lead, Rng& rng) {
  for (Canary& c : canaries) {
    if (!c.inserted) continue;
    check_input(c.repetitions <= static_cast<int64_t>(train.size()),
                "canary " + c.id + " needs " + std::to_string(c.repetitions) + " training records, train has " +
                    std::to_string(train.size()));
    // A partial Fisher-Yates shuffle picks `repetitions` distinct records.
    std::vector<size_t> order(train.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (int64_t r = 0; r < c.repetitions; ++r) {
      size_t j = static_cast<size_t>(r) + rng.uniform(order.size() - static_cast<size_t>(r));
      std::swap(order[static_cast<size_t>(r)], order[j]);
      Example& ex = train[order[static_cast<size_t>(r)]];
      check_input(!ex.id.empty(), "canaries are inserted only into records with ids");
      ex.text += lead;
      Span span = c.secret_span();
      int64_t offset = code_points(ex.text);
      ex.spans.push_back({offset + span.start, offset + span.end, span.label});
      ex.text += c.text();
      c.inserted_into.push_back(ex.id);
    }
  }
}

std::string canary_to_json(const Canary& c) {
  nlohmann::ordered_json j;
  Span span = c.secret_span();
  j["id"] = c.id;
  j["text"] = c.text();
  j["spans"] = nlohmann::ordered_json::array({{{"start", span.start}, {"end", span.end}, {"label", span.label}}});
  j["prefix"] = c.prefix;
  j["secret"] = c.secret;
  j["suffix"] = c.suffix;
  j["format"] = c.format;
  j["alphabet"] = c.alphabet;
  j["length"] = c.length;
  j["candidate_space"] = c.candidate_space;
  j["repetitions"] = c.repetitions;
  j["inserted"] = c.inserted;
  j["inserted_into"] = c.inserted_into;
  return dump_json_line(j);
}

Canary parse_canary(std::string_view line) {
  // The record is first a dataset record (text, spans validated), then a canary.
  Example ex = parse_record(line);
  core::Json j = core::Json::parse(line);
  const std::string w = "canary";
  Canary c;
  c.id = ex.id;
  c.prefix = core::json_require<std::string>(j, "prefix", w);
  c.secret = core::json_require<std::string>(j, "secret", w);
  c.suffix = core::json_value<std::string>(j, "suffix", "", w);
  c.format = core::json_require<std::string>(j, "format", w);
  c.alphabet = core::json_require<std::string>(j, "alphabet", w);
  c.length = core::json_require<int64_t>(j, "length", w);
  c.candidate_space = core::json_require<int64_t>(j, "candidate_space", w);
  c.repetitions = core::json_require<int64_t>(j, "repetitions", w);
  c.inserted = core::json_require<bool>(j, "inserted", w);
  c.inserted_into = core::json_value<std::vector<std::string>>(j, "inserted_into", {}, w);
  check_input(c.text() == ex.text, "canary 'text' is not prefix + secret + suffix");
  check_input(code_points(c.secret) == c.length, "canary 'secret' does not have 'length' characters");
  check_input(c.candidate_space >= 1, "canary 'candidate_space' must be positive");
  check_input(c.repetitions >= 0, "canary 'repetitions' must not be negative");
  check_input(c.inserted == (c.repetitions > 0), "canary 'inserted' disagrees with 'repetitions'");
  return c;
}

}  // namespace privtune::data
