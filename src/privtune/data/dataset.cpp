#include "privtune/data/dataset.h"

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"

namespace privtune::data {

Dataset read_dataset(const std::string& dir, OnBadRecord policy, DatasetReadReport* report) {
  check_input(core::is_directory(dir), dir + ": not a dataset folder (expected train.jsonl and test.jsonl)");
  DatasetReadReport local;
  DatasetReadReport& r = report ? *report : local;
  Dataset ds;
  for (const char* name : {kTrainFile, kTestFile})
    check_input(core::path_exists(core::join_path(dir, name)), dir + ": dataset folder has no " + name);
  ds.train = read_examples(core::join_path(dir, kTrainFile), policy, &r.train);
  ds.test = read_examples(core::join_path(dir, kTestFile), policy, &r.test);
  std::string canaries = core::join_path(dir, kCanariesFile);
  if (core::path_exists(canaries))
    for_each_line(canaries, policy, r.canaries,
                  [&](std::string_view line) { ds.canaries.push_back(parse_canary(line)); });
  return ds;
}

std::vector<OutputFile> dataset_files(const Dataset& ds) {
  std::vector<OutputFile> files;
  files.push_back({kTrainFile, examples_to_jsonl(ds.train)});
  files.push_back({kTestFile, examples_to_jsonl(ds.test)});
  if (!ds.canaries.empty()) {
    std::string bytes;
    for (const Canary& c : ds.canaries) bytes += canary_to_json(c) + "\n";
    files.push_back({kCanariesFile, std::move(bytes)});
  }
  return files;
}

void write_dataset(const std::string& dir, const Dataset& dataset, bool overwrite) {
  write_output_folder(dir, dataset_files(dataset), overwrite, {kTrainFile, kTestFile, kCanariesFile});
}

}  // namespace privtune::data
