// Person names. A capitalised token in the given-name gazetteer, joined with the next
// token when that one is in the family-name gazetteer ("Ada Lovelace"), or alone ("Thanks,
// Ada"). Without a known given name, context decides: a title ("Dr. Lovelace"), a cue
// ("my name is", "Thanks,"), or a capitalised word right before a known family name ("Anna
// Kowalski"). A family name alone is not enough, because family names are often also
// places, streets and companies. A trailing possessive 's stays outside the span.
//
// The gazetteers are the generator's own name pools, so recall on generated data is an
// upper bound for real text; docs/data.md reports it as such.
#include <algorithm>

#include "privtune/data/pii_detectors.h"
#include "privtune/data/resources.h"

namespace privtune::data {

namespace {

constexpr int kNamePriority = 8;

// Capitalised words that start place names or sentences rather than names: "Santa Cruz",
// "Meet Yusuf Healy", "A Hamilton".
const std::unordered_set<std::string> kNotGivenNames = {
    "A",     "An",    "The",  "Meet",  "Santa", "San",    "Saint",   "St",        "Port",  "Fort",
    "Mount", "Lake",  "New",  "North", "South", "East",   "West",    "Upper",     "Lower", "Little",
    "Great", "Old",   "Dear", "Hi",    "Hello", "Thanks", "Contact", "Call",      "Ask",   "Email",
    "Mail",  "Visit", "Dr",   "Mr",    "Mrs",   "Ms",     "Prof",    "Professor", "Agent", "Customer"};

// Length in bytes of `token` without a possessive suffix ('s or ’s).
size_t without_possessive(std::string_view token) {
  for (std::string_view suffix : {std::string_view("'s"), std::string_view("’s")})
    if (token.size() > suffix.size() && token.substr(token.size() - suffix.size()) == suffix)
      return token.size() - suffix.size();
  return token.size();
}

}  // namespace

NameDetector::NameDetector()
    : token_("(?<![\\p{L}\\p{N}'’-])\\p{Lu}[\\p{L}'’-]*", "PII tagger"),
      titled_("\\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\\.?\\s+\\K\\p{Lu}[\\p{L}'’-]*", "PII tagger"),
      // Cues that introduce a person; "this is" and "Hi" are left out because they
      // introduce businesses just as often ("Hi, this is Acme support").
      cued_(
          "(?:\\b[Mm]y name is|\\b[Nn]ame's|\\bI'm|\\bI am|\\bThanks,|\\bThank you,|\\bDear|\\b[Cc]ontact)\\s+"
          "\\K(?!(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|I)\\b)\\p{Lu}[\\p{L}'’-]*(?:\\s\\p{Lu}[\\p{L}'’-]*)?",
          "PII tagger") {
  for (const char* file : {"pools/first_names_female.txt", "pools/first_names_male.txt"})
    for (std::string& name : resource_lines(file)) given_.insert(std::move(name));
  for (std::string& name : resource_lines("pools/last_names.txt")) family_.insert(std::move(name));
  // Places: every city, region and country named in the pools (`|`-separated columns that
  // start with a capital and are not postcodes or area codes).
  for (const std::string& file : resource_names()) {
    if (file.rfind("pools/cities_", 0) != 0 && file != "pools/birth_cities.txt") continue;
    for (const std::string& line : resource_lines(file)) {
      size_t pos = 0;
      while (pos <= line.size()) {
        size_t bar = std::min(line.find('|', pos), line.size());
        std::string field = line.substr(pos, bar - pos);
        if (!field.empty() && field[0] >= 'A' && field[0] <= 'Z' && field.size() > 3) places_.insert(field);
        pos = bar + 1;
      }
    }
  }
}

bool NameDetector::part_of_place(std::string_view text, const std::vector<tokenizer::Match>& tokens, size_t i) const {
  auto raw = [&](size_t k) { return std::string(text.substr(tokens[k].begin, tokens[k].end - tokens[k].begin)); };
  // "North Carolina", "San Diego": the previous word and this one form a place.
  if (i > 0 && tokens[i - 1].end + 1 == tokens[i].begin && places_.count(raw(i - 1) + " " + raw(i)) > 0) return true;
  // "Milan, Italy": a place followed by a comma and another place (one or two words).
  if (places_.count(raw(i)) == 0 || i + 1 >= tokens.size()) return false;
  if (text.substr(tokens[i].end, 2) != ", " || tokens[i + 1].begin != tokens[i].end + 2) return false;
  if (places_.count(raw(i + 1)) > 0) return true;
  return i + 2 < tokens.size() && tokens[i + 1].end + 1 == tokens[i + 2].begin &&
         places_.count(raw(i + 1) + " " + raw(i + 2)) > 0;
}

void NameDetector::detect(std::string_view text, std::vector<PiiCandidate>& out) const {
  std::vector<tokenizer::Match> tokens, titled;
  token_.find_all(text, tokens);
  auto word = [&](size_t i) {
    std::string_view t = text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
    return t.substr(0, without_possessive(t));
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string_view first = word(i);
    if (given_.count(std::string(first)) == 0) {
      // An unknown capitalised word right before a known family name: "Anna Kowalski".
      bool before_family = i + 1 < tokens.size() && first.size() == tokens[i].end - tokens[i].begin &&
                           tokens[i + 1].begin == tokens[i].end + 1 && text[tokens[i].end] == ' ' &&
                           family_.count(std::string(word(i + 1))) > 0 && !places_.count(std::string(first)) &&
                           !places_.count(std::string(first) + " " + std::string(word(i + 1))) &&
                           !kNotGivenNames.count(std::string(first));
      if (before_family) {
        out.push_back({tokens[i].begin, tokens[i + 1].begin + word(i + 1).size(), "NAME", kNamePriority});
        ++i;
      }
      continue;
    }
    size_t begin = tokens[i].begin, end = begin + first.size();
    // The family name must follow after exactly one space, and the given name must not
    // carry a possessive ("Ada's Lovelace" is not one name).
    bool joined = i + 1 < tokens.size() && first.size() == tokens[i].end - tokens[i].begin &&
                  tokens[i + 1].begin == tokens[i].end + 1 && text[tokens[i].end] == ' ' &&
                  family_.count(std::string(word(i + 1))) > 0;
    if (joined) {
      ++i;
      end = tokens[i].begin + word(i).size();
    } else if (part_of_place(text, tokens, i)) {
      continue;
    }
    out.push_back({begin, end, "NAME", kNamePriority});
  }
  // After a title or a cue any capitalised word is taken as a name: the context is the
  // evidence, the gazetteer is not needed.
  for (const tokenizer::Regex* context : {&titled_, &cued_}) {
    context->find_all(text, titled);
    for (const auto& m : titled) {
      size_t n = without_possessive(text.substr(m.begin, m.end - m.begin));
      out.push_back({m.begin, m.begin + n, "NAME", kNamePriority});
    }
  }
}

}  // namespace privtune::data
