#include "privtune/eval/canary_exposure.h"

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "privtune/core/error.h"
#include "privtune/eval/bootstrap.h"
#include "privtune/eval/continuations.h"
#include "privtune/eval/estimate.h"

namespace privtune::eval {

namespace {

// The code points of a canary's alphabet (UTF-8 aware, so any alphabet works).
std::vector<std::string> alphabet_symbols(const std::string& alphabet) {
  std::vector<std::string> symbols;
  for (size_t i = 0; i < alphabet.size();) {
    size_t next = i + 1;
    while (next < alphabet.size() && (static_cast<unsigned char>(alphabet[next]) & 0xC0) == 0x80) ++next;
    symbols.push_back(alphabet.substr(i, next - i));
    i = next;
  }
  return symbols;
}

// Candidate number `index` in base |alphabet|, most significant symbol first.
std::string candidate_secret(const std::vector<std::string>& symbols, int64_t length, uint64_t index) {
  std::vector<std::string> digits(static_cast<size_t>(length));
  for (int64_t p = length - 1; p >= 0; --p) {
    digits[static_cast<size_t>(p)] = symbols[index % symbols.size()];
    index /= symbols.size();
  }
  std::string out;
  for (const auto& d : digits) out += d;
  return out;
}

// A stable per-canary seed (std::hash differs between standard libraries).
uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

}  // namespace

CanaryExposure canary_exposure(model::CausalLM& model, const tokenizer::Tokenizer& tok, const data::Canary& canary,
                               const ExposureOptions& options) {
  const std::vector<std::string> symbols = alphabet_symbols(canary.alphabet);
  if (symbols.empty() || canary.length < 1) throw Error("canary " + canary.id + ": empty alphabet or length");
  const double log2_space = static_cast<double>(canary.length) * std::log2(static_cast<double>(symbols.size()));
  const bool enumerate = log2_space <= std::log2(static_cast<double>(options.enumerate_limit)) + 1e-9;

  // Candidate 0 is the canary itself; the rest are the whole space (enumerated, the
  // canary's own secret skipped) or random draws that differ from it.
  std::vector<std::string> secrets = {canary.secret};
  if (enumerate) {
    const auto space = static_cast<uint64_t>(std::llround(std::pow(2.0, log2_space)));
    for (uint64_t i = 0; i < space; ++i) {
      std::string s = candidate_secret(symbols, canary.length, i);
      if (s != canary.secret) secrets.push_back(std::move(s));
    }
  } else {
    std::mt19937_64 rng(options.seed ^ fnv1a(canary.id));
    while (static_cast<int64_t>(secrets.size()) <= options.samples) {
      std::string s;
      for (int64_t p = 0; p < canary.length; ++p) s += symbols[rng() % symbols.size()];
      if (s != canary.secret) secrets.push_back(std::move(s));
    }
  }

  std::vector<std::vector<int64_t>> encoded;
  encoded.reserve(secrets.size());
  size_t shared = SIZE_MAX;  // tokens every candidate sentence starts with
  for (const std::string& secret : secrets) {
    tokenizer::Encoding e = tok.encode(canary.prefix + secret + canary.suffix, /*add_special_tokens=*/true);
    encoded.emplace_back(e.ids.begin(), e.ids.end());
    const auto& first = encoded.front();
    const auto& ids = encoded.back();
    size_t common = 0;
    while (common < first.size() && common < ids.size() && first[common] == ids[common]) ++common;
    shared = std::min({shared, common, ids.size() - 1});
  }
  if (shared == 0) throw Error("canary " + canary.id + ": the sentence encodes to fewer than two tokens");
  const std::vector<int64_t> prefix(encoded.front().begin(), encoded.front().begin() + static_cast<long>(shared));
  std::vector<std::vector<int64_t>> continuations;
  continuations.reserve(encoded.size());
  for (const auto& ids : encoded) continuations.emplace_back(ids.begin() + static_cast<long>(shared), ids.end());
  encoded.clear();
  const std::vector<double> losses = continuation_losses(model, prefix, continuations);

  CanaryExposure out;
  out.canary = &canary;
  out.loss = losses[0];
  out.log2_space = log2_space;
  out.candidates = static_cast<int64_t>(losses.size()) - (enumerate ? 0 : 1);
  out.estimate = enumerate ? exact_exposure(losses[0], losses)
                           : sampled_exposure(losses[0], std::vector<double>(losses.begin() + 1, losses.end()),
                                              log2_space);
  return out;
}

core::Json exposure_metrics(model::CausalLM& model, const tokenizer::Tokenizer& tok,
                            const std::vector<data::Canary>& canaries, const ExposureOptions& options) {
  if (canaries.empty()) return nullptr;
  core::Json list = core::Json::array();
  std::map<int64_t, std::vector<double>> by_repetitions;
  for (const data::Canary& canary : canaries) {
    const CanaryExposure e = canary_exposure(model, tok, canary, options);
    list.push_back({{"id", canary.id},
                    {"repetitions", canary.repetitions},
                    {"inserted", canary.inserted},
                    {"exposure", e.estimate.exposure},
                    {"rank", e.estimate.rank},
                    {"method", e.estimate.method},
                    {"loss", e.loss},
                    {"candidates", e.candidates},
                    {"log2_space", e.log2_space}});
    by_repetitions[canary.inserted ? canary.repetitions : 0].push_back(e.estimate.exposure);
  }
  // Mean exposure over canaries with a bootstrap interval over canaries.
  auto mean_json = [&](const std::vector<double>& exposures, uint64_t seed) {
    const std::vector<uint32_t> once(exposures.size(), 1u);
    const std::vector<double> ones(exposures.size(), 1.0);
    Resamples draws(static_cast<int64_t>(exposures.size()), options.replicates, seed);
    std::vector<double> means;
    for (int64_t r = 0; r < options.replicates; ++r) means.push_back(weighted_ratio(draws.counts(r), exposures, ones));
    return estimate_json({weighted_ratio(once, exposures, ones), percentile_interval(means)});
  };
  core::Json summary = core::Json::array();
  std::vector<double> inserted;
  for (const auto& [repetitions, exposures] : by_repetitions) {
    summary.push_back({{"repetitions", repetitions},
                       {"canaries", exposures.size()},
                       {"mean_exposure", mean_json(exposures, options.seed + 7 + static_cast<uint64_t>(repetitions))}});
    if (repetitions > 0) inserted.insert(inserted.end(), exposures.begin(), exposures.end());
  }
  const core::Json inserted_mean = inserted.empty() ? core::Json(nullptr) : mean_json(inserted, options.seed + 5);
  return {{"canaries", list}, {"by_repetitions", summary}, {"inserted_mean_exposure", inserted_mean}};
}

}  // namespace privtune::eval
