// Training checkpoints for --resume: OUT/checkpoint/ holds the trainable parameters
// (trainable.safetensors), the optimizer state (optimizer.bin) and everything else a run
// needs to continue exactly (state.json: step, sampler, accountant and noise state,
// counters, settings). state.json is written last and lists every other file with its
// size, and the folder replaces the previous checkpoint by renames, so a killed run leaves
// either the old checkpoint or the new one, never one that loads but is incomplete.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::train {

inline constexpr const char* kCheckpointDir = "checkpoint";
inline constexpr const char* kRunFile = "run.json";  // written when a run finishes, before its checkpoint goes

struct CheckpointData {
  std::vector<std::pair<std::string, torch::Tensor>> parameters;  // trainable, by privtune name
  std::string optimizer;                                          // Optimizer::save() bytes
  core::Json state;                                               // the trainer's counters and states
};

// Writes `data` as OUT/checkpoint (atomically, see above); tensors are stored in `dtype`.
void save_checkpoint(const std::string& out_dir, const CheckpointData& data, torch::ScalarType dtype);

// Whether OUT holds a checkpoint (or the previous one a killed swap left behind).
bool has_checkpoint(const std::string& out_dir);

// Whether OUT's run finished (its run.json exists). A run killed after writing run.json, while
// it removed its checkpoint, is finished too: what is left of the checkpoint is removed here.
bool settle_finished_run(const std::string& out_dir);

// state.json of OUT's checkpoint (Error when there is none).
core::Json read_checkpoint_state(const std::string& out_dir);

// Reads OUT's checkpoint; `parameters` gets the stored tensors for the names in
// `expected_names` (Error for a missing, extra or mis-shaped tensor, a truncated file or a
// state.json that does not list what is there).
CheckpointData load_checkpoint(const std::string& out_dir, const std::vector<std::string>& expected_names);

}  // namespace privtune::train
