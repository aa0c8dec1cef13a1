// Phrasing tables: for each turn or sentence type, many interchangeable templates such as
// `Sure, my name is {name}.`, kept as project data (phrasings/*.txt) so that the variety of
// the generated text is reviewed as text, not as C++.
//
// File format: `[section]` starts a section; each following non-blank, non-`#` line is one
// template. In a template `{slot}` is replaced by the slot's value; when no slot has that
// exact name and it starts with an upper-case letter, the lower-case slot is used with its
// first letter capitalised (`{He}` from `he`). A slot with a label becomes a span.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "privtune/data/rng.h"
#include "privtune/data/text_builder.h"

namespace privtune::data {

struct Slot {
  std::string value;
  std::string label;  // empty: not sensitive
};
using Slots = std::map<std::string, Slot>;

class PhrasingTable {
 public:
  // Parses a table; a template line before any section is a std::logic_error (the tables
  // ship with the project, so a mistake in one is a bug, not bad input).
  static PhrasingTable parse(std::string_view text, const std::string& name);
  // The embedded table "phrasings/<name>.txt".
  static const PhrasingTable& embedded(const char* name);  // a literal: no temporary for the reference to outlive

  const std::vector<std::string>& section(const std::string& section) const;
  std::vector<std::string> section_names() const;
  const std::string& pick(const std::string& section, Rng& rng) const { return rng.pick(this->section(section)); }

 private:
  std::string name_;
  std::map<std::string, std::vector<std::string>> sections_;
};

// The slot names a template uses, in order (for table checks).
std::vector<std::string> template_slots(std::string_view tmpl);

// Appends `tmpl` with its slots filled. An unknown slot is a std::logic_error.
void render(std::string_view tmpl, const Slots& slots, SpanTextBuilder& out);

}  // namespace privtune::data
