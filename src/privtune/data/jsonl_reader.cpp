#include "privtune/data/jsonl_reader.h"

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/data/record_json.h"
#include "privtune/data/utf8.h"

namespace privtune::data {

OnBadRecord parse_on_bad_record(const std::string& value) {
  if (value == "fail") return OnBadRecord::kFail;
  if (value == "skip") return OnBadRecord::kSkip;
  throw Error("--on-bad-record must be 'fail' or 'skip', got '" + value + "'");
}

void for_each_line(const std::string& path, OnBadRecord policy, ReadReport& report,
                   const std::function<void(std::string_view line)>& handle) {
  report.path = path;
  std::string content = core::read_text_file(path);
  size_t pos = 0;
  int64_t line_number = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string_view line(content.data() + pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    try {
      handle(line);
      ++report.records;
    } catch (const Error& e) {
      std::string problem = where(path, line_number) + ": " + e.what();
      if (policy == OnBadRecord::kFail) throw Error(problem);
      ++report.skipped;
      report.problems.push_back(std::move(problem));
    }
  }
}

std::vector<Example> read_examples(const std::string& path, OnBadRecord policy, ReadReport* report) {
  ReadReport local;
  std::vector<Example> out;
  for_each_line(path, policy, report ? *report : local,
                [&](std::string_view line) { out.push_back(parse_record(line)); });
  return out;
}

std::vector<Example> read_text_lines(const std::string& path, OnBadRecord policy, ReadReport* report) {
  ReadReport local;
  std::vector<Example> out;
  for_each_line(path, policy, report ? *report : local, [&](std::string_view line) {
    if (auto bad = utf8_problem(line)) throw Error(*bad);
    Example ex;
    ex.text = std::string(line);
    out.push_back(std::move(ex));
  });
  return out;
}

std::string examples_to_jsonl(const std::vector<Example>& examples) {
  std::string out;
  for (size_t i = 0; i < examples.size(); ++i) {
    try {
      check_example(examples[i]);
    } catch (const Error& e) {
      throw Error("record " + std::to_string(i + 1) + (examples[i].id.empty() ? "" : " (" + examples[i].id + ")") +
                  ": " + e.what());
    }
    out += record_to_json(examples[i]);
    out += '\n';
  }
  return out;
}

}  // namespace privtune::data
