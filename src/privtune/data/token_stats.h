// Token counts per split, class (sensitive, non-sensitive, special) and label: what
// `privtune data stats` prints, and a quick check that a dataset's masks look sane
// before any training.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/data/example.h"
#include "privtune/data/token_mask.h"

namespace privtune::data {

struct SplitStats {
  int64_t examples = 0;
  int64_t tokens = 0;
  int64_t special = 0;
  int64_t sensitive = 0;
  int64_t nonsensitive = 0;
  std::map<std::string, int64_t> label_tokens;  // sensitive tokens by label
  std::map<std::string, int64_t> label_spans;   // spans by label (text records only)

  void add(const Example& example, const TokenizedExample& tokens, const LabelVocab& vocab);
};

// {"train": {...}, "test": {...}} with the fields above.
core::Json stats_json(const std::vector<std::pair<std::string, SplitStats>>& splits);
// Plain-text table, one column per split.
std::string stats_table(const std::vector<std::pair<std::string, SplitStats>>& splits);

}  // namespace privtune::data
