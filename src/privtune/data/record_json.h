// One dataset record <-> one JSON line (DESIGN.md section 4):
//   {"id": "c-000017", "text": "...", "spans": [{"start": 12, "end": 22, "label": "NAME"}], "user": "u-91"}
//   {"input_ids": [...], "sensitive": [0, 1, ...]}          (pre-tokenized)
//   {"markup": "My name is [[NAME:Ada Lovelace]]."}         (hand-written, see markup.h)
#pragma once

#include <string>
#include <string_view>

#include "privtune/core/json_util.h"
#include "privtune/data/example.h"

namespace privtune::data {

// Parses and validates one line: valid UTF-8, a JSON object, `text` (or `markup`, or
// `input_ids`) present and well typed, spans in range, not inverted, not empty, not
// overlapping. Unknown keys are ignored. Throws privtune::Error(reason); the reason does
// not name the file, callers prefix `file:line: `.
Example parse_record(std::string_view line);

// Validates an Example built in memory the same way (used before writing).
void check_example(const Example& example);

// The record as one JSON line without the trailing newline; keys in the order id, text,
// spans (or input_ids, sensitive), user as in DESIGN.md; non-ASCII written as UTF-8.
std::string record_to_json(const Example& example);

// JSON text of any value, UTF-8 as is, keys in insertion order for ordered_json.
std::string dump_json_line(const nlohmann::ordered_json& value);

// `where: ` prefix helpers shared by the record readers.
std::string where(const std::string& path, int64_t line);

}  // namespace privtune::data
