#include "privtune/train/checkpoint.h"

#include <filesystem>
#include <set>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/safetensors.h"
#include "privtune/model/tensor_io.h"

namespace privtune::train {

namespace fs = std::filesystem;

namespace {

constexpr const char* kParametersFile = "trainable.safetensors";
constexpr const char* kOptimizerFile = "optimizer.bin";
constexpr const char* kStateFile = "state.json";
constexpr const char* kTempDir = ".checkpoint.tmp";
constexpr const char* kOldDir = ".checkpoint.old";

// The folder to read: the checkpoint, or the previous one when a swap was interrupted
// between its two renames.
std::string readable_dir(const std::string& out_dir) {
  const std::string current = core::join_path(out_dir, kCheckpointDir);
  if (core::path_exists(core::join_path(current, kStateFile))) return current;
  const std::string old = core::join_path(out_dir, kOldDir);
  if (core::path_exists(core::join_path(old, kStateFile))) return old;
  return "";
}

}  // namespace

void save_checkpoint(const std::string& out_dir, const CheckpointData& data, torch::ScalarType dtype) {
  const std::string temp = core::join_path(out_dir, kTempDir);
  const std::string current = core::join_path(out_dir, kCheckpointDir);
  const std::string old = core::join_path(out_dir, kOldDir);
  core::remove_tree(temp);
  core::make_directories(temp);

  const std::string parameters_path = core::join_path(temp, kParametersFile);
  model::write_tensors(parameters_path, data.parameters, dtype);
  core::write_file_atomic(core::join_path(temp, kOptimizerFile), data.optimizer);
  core::Json state = data.state;
  state["files"] = {{kParametersFile, fs::file_size(parameters_path)}, {kOptimizerFile, data.optimizer.size()}};
  core::write_file_atomic(core::join_path(temp, kStateFile), state.dump(1));

  // Swap: current -> old, temp -> current, drop old. Between the renames only `old` holds
  // a complete checkpoint, and readable_dir() finds it there.
  if (core::path_exists(current)) {
    core::remove_tree(old);
    std::error_code ec;
    fs::rename(current, old, ec);
    if (ec) throw Error(current + ": cannot replace the checkpoint: " + ec.message());
  }
  std::error_code ec;
  fs::rename(temp, current, ec);
  if (ec) throw Error(current + ": cannot write the checkpoint: " + ec.message());
  core::remove_tree(old);
}

bool has_checkpoint(const std::string& out_dir) { return !readable_dir(out_dir).empty(); }

bool settle_finished_run(const std::string& out_dir) {
  if (!core::path_exists(core::join_path(out_dir, kRunFile))) return false;
  for (const char* dir : {kCheckpointDir, kTempDir, kOldDir}) core::remove_tree(core::join_path(out_dir, dir));
  return true;
}

namespace {

std::string existing_checkpoint(const std::string& out_dir) {
  const std::string dir = readable_dir(out_dir);
  if (dir.empty()) throw Error(out_dir + ": no checkpoint to resume from (no " + kCheckpointDir + "/" + kStateFile + ")");
  return dir;
}

}  // namespace

core::Json read_checkpoint_state(const std::string& out_dir) {
  return core::read_json_file(core::join_path(existing_checkpoint(out_dir), kStateFile));
}

CheckpointData load_checkpoint(const std::string& out_dir, const std::vector<std::string>& expected_names) {
  const std::string dir = existing_checkpoint(out_dir);
  CheckpointData data;
  const std::string state_path = core::join_path(dir, kStateFile);
  data.state = core::read_json_file(state_path);
  const auto files = core::json_require<core::Json>(data.state, "files", state_path);
  for (const char* name : {kParametersFile, kOptimizerFile}) {
    const std::string path = core::join_path(dir, name);
    const auto expected = core::json_require<uint64_t>(files, name, state_path + ": files");
    if (!core::path_exists(path) || fs::file_size(path) != expected)
      throw Error(path + ": missing or not the size " + state_path + " records; the checkpoint is incomplete");
  }
  data.optimizer = core::read_text_file(core::join_path(dir, kOptimizerFile));

  const std::string parameters_path = core::join_path(dir, kParametersFile);
  core::SafetensorsFile file(parameters_path);
  std::set<std::string> expected(expected_names.begin(), expected_names.end());
  for (const core::TensorView& view : file.tensors())
    if (!expected.count(view.name))
      throw Error(parameters_path + ": tensor '" + view.name + "' is not a trainable parameter of this run");
  for (const std::string& name : expected_names) {
    const core::TensorView* view = file.find(name);
    if (!view) throw Error(parameters_path + ": missing tensor '" + name + "'");
    data.parameters.emplace_back(name, model::tensor_from_view(*view));
  }
  return data;
}

}  // namespace privtune::train
