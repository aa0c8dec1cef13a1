// The detectors behind PiiTagger (pii_tagger.h). Each adds candidate byte ranges; the
// tagger resolves overlaps by priority. Patterns run on the tokenizer's PCRE2 wrapper
// (UTF + UCP); where only part of a match is the value (a passport number after the word
// "passport"), the pattern uses \K to start the match there.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "privtune/tokenizer/regex.h"

namespace privtune::data {

struct PiiCandidate {
  size_t begin = 0, end = 0;  // bytes
  std::string label;
  int priority = 0;  // lower wins an overlap
};

// Everything with a recognisable shape: e-mail, URL, IP, card, ids, phone, date, address.
class PatternDetectors {
 public:
  PatternDetectors();
  void detect(std::string_view text, std::vector<PiiCandidate>& out) const;

 private:
  using Regex = tokenizer::Regex;
  Regex email_, url_, ipv4_, ipv6_, card_, ssn_, ssn_context_, nino_, sin_, passport_;
  Regex phone_nanp_, phone_international_, phone_national_;
  std::vector<Regex> dates_;
  std::vector<Regex> addresses_;
};

// Person names from gazetteers (the given and family names shipped in pools/) and
// context: a title ("Dr. Okafor"), a cue ("my name is", "Thanks,", "Dear"), a capitalised
// word before a known family name ("Anna Kowalski"), and a known place around a given name
// that is also part of a place name ("North Carolina", "Milan, Italy"), which is not a name.
class NameDetector {
 public:
  NameDetector();
  void detect(std::string_view text, std::vector<PiiCandidate>& out) const;

 private:
  bool part_of_place(std::string_view text, const std::vector<tokenizer::Match>& tokens, size_t i) const;

  std::unordered_set<std::string> given_, family_, places_;
  tokenizer::Regex token_, titled_, cued_;
};

}  // namespace privtune::data
