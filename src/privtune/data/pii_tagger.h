// Rule-based PII tagger: finds sensitive spans in raw text so that data without labels can
// still be masked. Detectors: EMAIL, URL, IP_ADDRESS (v4 and v6), CARD_NUMBER (Luhn and
// issuer prefix checked), SSN, NATIONAL_ID (UK NI number, Canadian SIN), ID_NUMBER
// (passport numbers near the word "passport"), PHONE (NANP, international +CC, national
// 0-prefixed), DATE, ADDRESS (US/CA/UK/AU street addresses, German and French forms) and
// NAME (given-name and family-name gazetteers plus title context).
//
// Where two detectors claim overlapping text, the more specific one wins (the order
// above, e-mail first, names last), so a name inside an e-mail address or a street named
// after a person does not become a NAME span.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "privtune/data/example.h"

namespace privtune::data {

class PiiTagger {
 public:
  PiiTagger();
  ~PiiTagger();
  PiiTagger(const PiiTagger&) = delete;
  PiiTagger& operator=(const PiiTagger&) = delete;

  // Spans over valid UTF-8 `text`, code-point offsets, sorted, non-overlapping.
  std::vector<Span> tag(const std::string& text) const;

  // Every label the tagger can produce.
  static std::vector<std::string> labels();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace privtune::data
