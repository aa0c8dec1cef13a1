// A dataset folder (DESIGN.md section 4): train.jsonl and test.jsonl, optionally
// canaries.jsonl.
#pragma once

#include <string>
#include <vector>

#include "privtune/data/canary.h"
#include "privtune/data/example.h"
#include "privtune/data/jsonl_reader.h"
#include "privtune/data/output_folder.h"

namespace privtune::data {

inline constexpr const char* kTrainFile = "train.jsonl";
inline constexpr const char* kTestFile = "test.jsonl";
inline constexpr const char* kCanariesFile = "canaries.jsonl";

struct Dataset {
  std::vector<Example> train;
  std::vector<Example> test;
  std::vector<Canary> canaries;  // empty when the folder has no canaries.jsonl
};

struct DatasetReadReport {
  ReadReport train, test, canaries;
  int64_t skipped() const { return train.skipped + test.skipped + canaries.skipped; }
};

// Reads the folder; train.jsonl and test.jsonl must exist. Bad records follow `policy`.
Dataset read_dataset(const std::string& dir, OnBadRecord policy, DatasetReadReport* report = nullptr);

// The folder's files as bytes (canaries.jsonl only when there are canaries), ready for
// write_output_folder. Every record is validated first.
std::vector<OutputFile> dataset_files(const Dataset& dataset);

// dataset_files + write_output_folder, removing a stale canaries.jsonl under --overwrite.
void write_dataset(const std::string& dir, const Dataset& dataset, bool overwrite);

}  // namespace privtune::data
