// Reading record files line by line with the bad-input policy of DESIGN.md section 4:
// every bad line is reported as `file:line: reason`; `fail` stops at the first one,
// `skip` leaves it out and counts it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "privtune/data/example.h"

namespace privtune::data {

enum class OnBadRecord { kFail, kSkip };

// "fail" or "skip"; anything else is an Error.
OnBadRecord parse_on_bad_record(const std::string& value);

struct ReadReport {
  std::string path;
  int64_t records = 0;                // lines accepted
  int64_t skipped = 0;                // bad lines left out (kSkip only)
  std::vector<std::string> problems;  // `file:line: reason` of each skipped line
};

// Calls handle(line) for each line that is not blank (a final '\r' is dropped). An Error
// thrown by handle becomes `path:line: reason`: rethrown under kFail, recorded under kSkip.
void for_each_line(const std::string& path, OnBadRecord policy, ReadReport& report,
                   const std::function<void(std::string_view line)>& handle);

// A JSONL file of records (see record_json.h).
std::vector<Example> read_examples(const std::string& path, OnBadRecord policy, ReadReport* report = nullptr);

// A plain text file: each non-blank line becomes one record with no spans.
std::vector<Example> read_text_lines(const std::string& path, OnBadRecord policy, ReadReport* report = nullptr);

// Records as JSONL text, one line each, validated first (an invalid record is an Error).
std::string examples_to_jsonl(const std::vector<Example>& examples);

}  // namespace privtune::data
