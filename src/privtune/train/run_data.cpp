#include "privtune/train/run_data.h"

#include <cstdio>
#include <unordered_map>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/data/dataset.h"
#include "privtune/data/encode.h"

namespace privtune::train {

data::Example scrub_example(const data::Example& example) {
  data::Example out = example;
  out.spans.clear();
  out.text.clear();
  int64_t cursor = 0;  // in code points
  for (const data::Span& span : example.spans) {
    out.text += data::span_text(example.text, {cursor, span.start, ""});
    out.text += "[" + span.label + "]";
    cursor = span.end;
  }
  // The rest of the text: everything from the cursor on. span_text needs an end, so count
  // the code points (continuation bytes are 10xxxxxx).
  int64_t length = 0;
  for (unsigned char c : example.text) length += (c & 0xC0) != 0x80;
  out.text += data::span_text(example.text, {cursor, length, ""});
  return out;
}

std::string fingerprint_files(const std::vector<std::string>& paths) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const std::string& path : paths) {
    core::MappedFile file(path);
    const uint8_t* bytes = file.data();
    for (size_t i = 0; i < file.size(); ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

RunData read_run_data(const std::string& data_dir, const tokenizer::Tokenizer& tok, const RunDataOptions& options) {
  data::Dataset dataset = data::read_dataset(data_dir, data::OnBadRecord::kFail);
  const std::string train_path = core::join_path(data_dir, data::kTrainFile);
  if (dataset.train.empty()) throw Error(train_path + ": no training examples");

  RunData run;
  std::unordered_map<std::string, int64_t> user_index;
  for (size_t i = 0; i < dataset.train.size(); ++i) {
    const data::Example& example = dataset.train[i];
    const std::string where = train_path + ": record " + std::to_string(i + 1);
    if (options.scrub && example.pretokenized())
      throw Error(where + ": --method scrub needs text records, this one is pre-tokenized");
    if (options.require_users && example.user.empty())
      throw Error(where + ": --dp-unit user needs a \"user\" field on every record");
    if (options.scrub) run.scrubbed_spans += static_cast<int64_t>(example.spans.size());
    run.train.push_back(data::encode_example(tok, options.scrub ? scrub_example(example) : example, true, run.labels));
    // Without a user field an example is its own user, so example-level and user-level
    // accounting agree on data without users.
    const std::string key = example.user.empty() ? "\x01#" + std::to_string(i) : example.user;
    auto found = user_index.emplace(key, static_cast<int64_t>(user_index.size())).first;
    run.train_users.push_back(found->second);
    run.train_lengths.push_back(static_cast<int64_t>(run.train.back().size()));
  }
  run.users = static_cast<int64_t>(user_index.size());
  for (const data::Example& example : dataset.test) run.test.push_back(data::encode_example(tok, example, true, run.labels));
  run.fingerprint = fingerprint_files({train_path, core::join_path(data_dir, data::kTestFile)});
  return run;
}

}  // namespace privtune::train
