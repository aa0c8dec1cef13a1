#include "privtune/data/tagger_eval.h"

#include <cstdio>
#include <set>

#include "privtune/data/utf8.h"

namespace privtune::data {

namespace {

// The label of every code point ("" outside spans).
std::vector<std::string> char_labels(const std::vector<Span>& spans, int64_t length) {
  std::vector<std::string> labels(static_cast<size_t>(length));
  for (const Span& s : spans)
    for (int64_t i = s.start; i < s.end; ++i) labels[static_cast<size_t>(i)] = s.label;
  return labels;
}

}  // namespace

double LabelScore::precision() const {
  int64_t predicted = true_positives + false_positives;
  return predicted == 0 ? 1.0 : static_cast<double>(true_positives) / static_cast<double>(predicted);
}

double LabelScore::recall() const {
  int64_t actual = true_positives + false_negatives;
  return actual == 0 ? 1.0 : static_cast<double>(true_positives) / static_cast<double>(actual);
}

TaggerEvaluation evaluate_tagger(const PiiTagger& tagger, const std::vector<Example>& truth) {
  TaggerEvaluation ev;
  for (const Example& ex : truth) {
    if (ex.pretokenized()) continue;
    ++ev.records;
    std::vector<Span> predicted = tagger.tag(ex.text);
    std::set<std::tuple<int64_t, int64_t, std::string>> gold;
    for (const Span& s : ex.spans) gold.insert({s.start, s.end, s.label});
    for (const Span& s : predicted) {
      if (gold.erase({s.start, s.end, s.label}) > 0)
        ++ev.spans[s.label].true_positives;
      else
        ++ev.spans[s.label].false_positives;
    }
    for (const auto& g : gold) ++ev.spans[std::get<2>(g)].false_negatives;

    int64_t length = code_points(ex.text);
    std::vector<std::string> want = char_labels(ex.spans, length), got = char_labels(predicted, length);
    for (size_t i = 0; i < want.size(); ++i) {
      if (want[i] == got[i]) {
        if (!want[i].empty()) ++ev.characters[want[i]].true_positives;
        continue;
      }
      if (!got[i].empty()) ++ev.characters[got[i]].false_positives;
      if (!want[i].empty()) ++ev.characters[want[i]].false_negatives;
    }
  }
  return ev;
}

std::string evaluation_table(const TaggerEvaluation& ev) {
  std::string out =
      "| label | truth spans | span precision | span recall | char precision | char recall |\n"
      "|---|---:|---:|---:|---:|---:|\n";
  for (const auto& [label, s] : ev.spans) {
    LabelScore c;
    auto it = ev.characters.find(label);
    if (it != ev.characters.end()) c = it->second;
    char row[256];
    std::snprintf(row, sizeof row, "| %s | %lld | %.3f | %.3f | %.3f | %.3f |\n", label.c_str(),
                  static_cast<long long>(s.true_positives + s.false_negatives), s.precision(), s.recall(),
                  c.precision(), c.recall());
    out += row;
  }
  return out;
}

}  // namespace privtune::data
