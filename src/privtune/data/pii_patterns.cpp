// Shape-based PII detectors. Patterns are anchored on both sides by look-arounds rather
// than \b where a neighbouring '+', '-' or '.' would otherwise let a longer number match
// in part (a card number inside an order number, a phone inside a card number).
#include <arpa/inet.h>

#include <string>

#include "privtune/data/pii_detectors.h"
#include "privtune/data/value_formats.h"

namespace privtune::data {

namespace {

enum Priority { kEmail = 0, kUrl, kIp, kCard, kId, kPhone, kDate, kAddress };

std::string only_digits(std::string_view s) {
  std::string d;
  for (char c : s)
    if (c >= '0' && c <= '9') d += c;
  return d;
}

// Issuer prefixes and lengths of the major card networks; a Luhn-valid number outside
// them is more likely an account or order number than a card.
bool plausible_card(const std::string& d) {
  size_t n = d.size();
  auto starts = [&](const char* p) { return d.rfind(p, 0) == 0; };
  int two = std::stoi(d.substr(0, 2)), four = std::stoi(d.substr(0, 4));
  if (d[0] == '4') return n == 13 || n == 16 || n == 19;                                 // Visa
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return n == 16;        // Mastercard
  if (two == 34 || two == 37) return n == 15;                                            // Amex
  if (starts("6011") || starts("65") || (four >= 6440 && four <= 6499)) return n >= 16;  // Discover
  if (two == 35) return n >= 16;                                                         // JCB
  if (two == 36 || two == 38 || starts("30")) return n == 14;                            // Diners
  return false;
}

// Separators, when present, must split the number the way cards are printed.
bool card_grouping(std::string_view s) {
  std::vector<size_t> groups;
  size_t run = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      ++run;
    } else {
      groups.push_back(run);
      run = 0;
    }
  }
  groups.push_back(run);
  if (groups.size() == 1) return true;
  if (groups == std::vector<size_t>{4, 6, 5} || groups == std::vector<size_t>{4, 6, 4}) return true;
  for (size_t i = 0; i + 1 < groups.size(); ++i)
    if (groups[i] != 4) return false;
  return groups.back() >= 1 && groups.back() <= 4;
}

void trim_trailing(std::string_view text, size_t begin, size_t& end, std::string_view chars) {
  while (end > begin && chars.find(text[end - 1]) != std::string_view::npos) --end;
}

const char* kWhere = "PII tagger";

const char* kMonths =
    "(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)";
const char* kWord = "(?:St\\.\\s)?\\p{Lu}[\\p{L}'’-]*";
const char* kStreetTypes =
    "(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Boulevard|Blvd|Terrace|Circle|"
    "Close|Gardens|Crescent|Grove|Parade|Highway|Hwy|Parkway|Pkwy|Square|Row|Mews)";
const char* kPostcode =
    "(?:\\d{5}(?:-\\d{4})?|\\d{4}|[A-Z]\\d[A-Z]\\s?\\d[A-Z]\\d|[A-Z]{1,2}\\d[A-Z\\d]?\\s\\d[A-Z]{2})";

std::string english_address() {
  std::string w = kWord;
  return std::string("(?<![\\w/])(?:(?:Flat|Apartment)\\s+\\d+[A-Z]?,\\s+)?(?:\\d{1,4}/)?\\d{1,5}[A-Za-z]?\\s+") +
         "(?:" + w + "\\s+){1,3}" + kStreetTypes + "\\b(?:\\s+(?:North|South|East|West|NE|NW|SE|SW)\\b)?" +
         "(?:,?\\s+(?:Apt|Apartment|Unit|Suite|Ste|#)\\.?\\s*[\\w-]+)?" + "(?:,\\s+" + w + "(?:\\s+(?:upon\\s+)?" + w +
         "){0,3},?\\s+(?:[A-Z]{2,3}\\s+)?" + kPostcode + "\\b)?";
}

}  // namespace

PatternDetectors::PatternDetectors()
    : email_(
          "(?<![\\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
          "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\\.[A-Za-z]{2,24}(?![\\w-])",
          kWhere),
      url_("\\b(?:https?://|www\\.)[^\\s<>\"'()\\[\\]{}]+", kWhere),
      ipv4_(
          "(?<![\\w.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
          "(?![\\w]|\\.\\d)",
          kWhere),
      ipv6_("(?<![\\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\\w:])", kWhere),
      card_("(?<![\\d+.-])\\d(?:[ -]?\\d){12,18}(?![\\d-])", kWhere),
      ssn_("(?<![\\d-])(?!000|666|9\\d\\d)\\d{3}([- ])(?!00)\\d{2}\\1(?!0000)\\d{4}(?![\\d-])", kWhere),
      ssn_context_("(?:SSN|[Ss]ocial [Ss]ecurity (?:[Nn]umber|[Nn]o\\.?))\\D{0,20}?(?<!\\d)\\K\\d{9}(?!\\d)", kWhere),
      nino_(
          "(?<![\\w])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
          "(?:\\d{6}|\\s\\d{2}\\s\\d{2}\\s\\d{2}\\s)[A-D](?![\\w])",
          kWhere),
      // A SIN-shaped group right after a country code is the end of a phone number.
      sin_("(?<![\\d-])(?<!\\+\\d )(?<!\\+\\d\\d )(?<!\\+\\d\\d\\d )[0-79]\\d{2}([- ])\\d{3}\\1\\d{3}(?![\\d-])",
           kWhere),
      passport_("(?i:passport|travel document)(?:\\s+no\\.)?[^.\\n]{0,50}?(?<![\\w])\\K[A-Z]\\d{8}(?![\\w])", kWhere),
      phone_nanp_(
          "(?<![\\w+(])(?:\\+1[ .-]?|1-)?(?:\\([2-9]\\d{2}\\)\\s?|[2-9]\\d{2}[ .-])[2-9]\\d{2}[ .-]\\d{4}(?![\\w-])",
          kWhere),
      phone_international_("(?<![\\w+])\\+[1-9]\\d{0,2}(?:[ .-]\\(?\\d{1,10}\\)?){1,6}(?![\\w-])", kWhere),
      phone_national_("(?<![\\w+(])(?:\\(0\\d{1,4}\\)|0\\d{1,4})(?:[ ]\\d{2,10}){1,4}(?![\\w-])", kWhere) {
  std::string m = kMonths;
  dates_.emplace_back("\\b" + m + "\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b", kWhere);
  dates_.emplace_back("\\b\\d{1,2}(?:st|nd|rd|th)?(?:\\s+of)?\\s+" + m + "\\.?,?\\s+\\d{4}\\b", kWhere);
  dates_.emplace_back("\\b\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])\\b", kWhere);
  dates_.emplace_back(
      "(?<![\\d./])(?:0?[1-9]|[12]\\d|3[01])([/.])(?:0?[1-9]|[12]\\d|3[01])\\1(?:1[89]|20)\\d{2}(?![\\d/]|\\.\\d)",
      kWhere);
  std::string w = kWord;
  addresses_.emplace_back(english_address(), kWhere);
  addresses_.emplace_back(
      "\\b\\p{Lu}[\\p{L}-]*(?:straße|strasse|weg|allee|platz|gasse)\\s+\\d{1,4}[a-z]?,\\s+\\d{5}\\s+" + w +
          "(?:\\s+(?:am|im|an der)\\s+" + w + ")?",
      kWhere);
  addresses_.emplace_back(
      "(?<![\\w])\\d{1,4}(?:\\s+bis)?\\s+(?:rue|avenue|boulevard|impasse|allée|place|chemin|quai|cours)"
      "\\b[^,\\n]{1,40},\\s+\\d{5}\\s+" +
          w + "(?:[ -]" + w + "){0,2}",
      kWhere);
}

void PatternDetectors::detect(std::string_view text, std::vector<PiiCandidate>& out) const {
  auto add = [&](size_t b, size_t e, const char* label, int priority) {
    if (e > b) out.push_back({b, e, label, priority});
  };
  std::vector<tokenizer::Match> found;
  auto matches = [&](const Regex& r) -> const std::vector<tokenizer::Match>& {
    r.find_all(text, found);
    return found;
  };
  for (const auto& m : matches(email_)) add(m.begin, m.end, "EMAIL", kEmail);
  for (const auto& m : matches(url_)) {
    size_t end = m.end;
    trim_trailing(text, m.begin, end, ".,;:!?");
    add(m.begin, end, "URL", kUrl);
  }
  for (const auto& m : matches(ipv4_)) add(m.begin, m.end, "IP_ADDRESS", kIp);
  for (const auto& m : matches(ipv6_)) {
    std::string candidate(text.substr(m.begin, m.end - m.begin));
    unsigned char buf[16];
    if (candidate.size() >= 6 && inet_pton(AF_INET6, candidate.c_str(), buf) == 1)
      add(m.begin, m.end, "IP_ADDRESS", kIp);
  }
  for (const auto& m : matches(card_)) {
    std::string_view s = text.substr(m.begin, m.end - m.begin);
    std::string d = only_digits(s);
    if (d.size() >= 13 && d.size() <= 19 && luhn_valid(d) && plausible_card(d) && card_grouping(s))
      add(m.begin, m.end, "CARD_NUMBER", kCard);
  }
  for (const auto& m : matches(ssn_)) add(m.begin, m.end, "SSN", kId);
  for (const auto& m : matches(ssn_context_)) add(m.begin, m.end, "SSN", kId);
  for (const auto& m : matches(nino_)) add(m.begin, m.end, "NATIONAL_ID", kId);
  for (const auto& m : matches(sin_))
    if (luhn_valid(only_digits(text.substr(m.begin, m.end - m.begin)))) add(m.begin, m.end, "NATIONAL_ID", kId);
  for (const auto& m : matches(passport_)) add(m.begin, m.end, "ID_NUMBER", kId);
  for (const auto& m : matches(phone_nanp_)) add(m.begin, m.end, "PHONE", kPhone);
  for (const auto& m : matches(phone_international_)) {
    size_t digits = only_digits(text.substr(m.begin, m.end - m.begin)).size();
    if (digits >= 8 && digits <= 15) add(m.begin, m.end, "PHONE", kPhone);
  }
  for (const auto& m : matches(phone_national_)) {
    size_t digits = only_digits(text.substr(m.begin, m.end - m.begin)).size();
    if (digits >= 10 && digits <= 12) add(m.begin, m.end, "PHONE", kPhone);
  }
  for (const Regex& r : dates_)
    for (const auto& m : matches(r)) add(m.begin, m.end, "DATE", kDate);
  for (const Regex& r : addresses_)
    for (const auto& m : matches(r)) add(m.begin, m.end, "ADDRESS", kAddress);
}

}  // namespace privtune::data
