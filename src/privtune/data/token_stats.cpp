#include "privtune/data/token_stats.h"

#include <cstdio>
#include <set>

namespace privtune::data {

void SplitStats::add(const Example& example, const TokenizedExample& t, const LabelVocab& vocab) {
  ++examples;
  for (const Span& s : example.spans) ++label_spans[s.label];
  for (size_t i = 0; i < t.size(); ++i) {
    ++tokens;
    if (t.special[i]) {
      ++special;
    } else if (t.sensitive[i]) {
      ++sensitive;
      ++label_tokens[t.labels[i] >= 0 ? vocab.name(t.labels[i]) : kUnlabelledSensitive];
    } else {
      ++nonsensitive;
    }
  }
}

core::Json stats_json(const std::vector<std::pair<std::string, SplitStats>>& splits) {
  core::Json out = core::Json::object();
  for (const auto& [name, s] : splits) {
    out[name] = {{"examples", s.examples},         {"tokens", s.tokens},
                 {"special", s.special},           {"sensitive", s.sensitive},
                 {"nonsensitive", s.nonsensitive}, {"label_tokens", s.label_tokens},
                 {"label_spans", s.label_spans}};
  }
  return out;
}

std::string stats_table(const std::vector<std::pair<std::string, SplitStats>>& splits) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> rows = {
      {"examples", {}}, {"tokens", {}}, {"special tokens", {}}, {"sensitive tokens", {}}, {"non-sensitive tokens", {}}};
  std::set<std::string> labels;
  for (const auto& entry : splits) {
    const SplitStats& s = entry.second;
    rows[0].second.push_back(s.examples);
    rows[1].second.push_back(s.tokens);
    rows[2].second.push_back(s.special);
    rows[3].second.push_back(s.sensitive);
    rows[4].second.push_back(s.nonsensitive);
    for (const auto& l : s.label_tokens) labels.insert(l.first);
    for (const auto& l : s.label_spans) labels.insert(l.first);
  }
  for (const std::string& label : labels) {
    std::vector<int64_t> tokens, spans;
    for (const auto& entry : splits) {
      auto t = entry.second.label_tokens.find(label);
      auto s = entry.second.label_spans.find(label);
      tokens.push_back(t == entry.second.label_tokens.end() ? 0 : t->second);
      spans.push_back(s == entry.second.label_spans.end() ? 0 : s->second);
    }
    rows.push_back({"  " + label + " tokens", tokens});
    rows.push_back({"  " + label + " spans", spans});
  }
  char cell[64];
  std::string out;
  std::snprintf(cell, sizeof cell, "%-28s", "");
  out += cell;
  for (const auto& entry : splits) {
    std::snprintf(cell, sizeof cell, "%14s", entry.first.c_str());
    out += cell;
  }
  out += "\n";
  for (const auto& row : rows) {
    std::snprintf(cell, sizeof cell, "%-28s", row.first.c_str());
    out += cell;
    for (int64_t v : row.second) {
      std::snprintf(cell, sizeof cell, "%14lld", static_cast<long long>(v));
      out += cell;
    }
    out += "\n";
  }
  return out;
}

}  // namespace privtune::data
