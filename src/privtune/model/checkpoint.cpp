#include "privtune/model/checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <memory>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "privtune/model/device.h"
#include "privtune/model/family.h"
#include "privtune/model/tensor_io.h"

namespace privtune::model {

namespace {

// Tensors some checkpoints carry that are buffers, not weights (old Pythia files).
bool is_ignorable(const std::string& name) {
  for (const char* suffix : {"rotary_emb.inv_freq", "attention.bias", "attention.masked_bias"}) {
    const std::string s(suffix);
    if (name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) return true;
  }
  return false;
}

// Every tensor of a checkpoint, by HF name, over one or more shard files.
class WeightFiles {
 public:
  explicit WeightFiles(const std::string& folder) {
    const std::string single = core::join_path(folder, "model.safetensors");
    const std::string index_path = core::join_path(folder, "model.safetensors.index.json");
    if (core::path_exists(single)) {
      add_file(single);
    } else if (core::path_exists(index_path)) {
      core::Json index = core::read_json_file(index_path);
      auto map = index.find("weight_map");
      if (map == index.end() || !map->is_object()) throw Error(index_path + ": key 'weight_map' is missing");
      std::map<std::string, size_t> opened;
      for (const auto& [name, file] : map->items()) {
        if (!file.is_string()) throw Error(index_path + ": weight_map entry '" + name + "' is not a file name");
        const std::string shard = file.get<std::string>();
        if (shard.find('/') != std::string::npos || shard == "..")
          throw Error(index_path + ": weight_map entry '" + name + "' names a file outside the folder");
        if (!opened.count(shard)) opened[shard] = add_file(core::join_path(folder, shard));
        const auto& st = *files_[opened[shard]];
        if (st.find(name) == nullptr) throw Error(st.path() + ": tensor '" + name + "' is missing (listed in " + index_path + ")");
      }
    } else {
      throw Error(folder + ": no model.safetensors or model.safetensors.index.json");
    }
  }

  const core::TensorView* find(const std::string& name, std::string* file) const {
    auto it = where_.find(name);
    if (it == where_.end()) return nullptr;
    *file = files_[it->second]->path();
    return files_[it->second]->find(name);
  }

  std::string describe() const {
    return files_.size() == 1 ? files_[0]->path() : files_[0]->path() + " (+" + std::to_string(files_.size() - 1) + " shards)";
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, index] : where_) out.push_back(name);
    return out;
  }

 private:
  size_t add_file(const std::string& path) {
    files_.push_back(std::make_unique<core::SafetensorsFile>(path));
    for (const auto& t : files_.back()->tensors()) {
      if (where_.count(t.name)) throw Error(path + ": tensor '" + t.name + "' also appears in another shard");
      where_[t.name] = files_.size() - 1;
    }
    return files_.size() - 1;
  }

  std::vector<std::unique_ptr<core::SafetensorsFile>> files_;
  std::map<std::string, size_t> where_;
};

std::string shape_text(c10::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> hf_state(CausalLM& model) {
  const std::string where = "model";
  const Family& family = family_for(model->config().model_type, where);
  std::vector<std::pair<std::string, torch::Tensor>> state;
  for (const auto& item : model->named_parameters()) {
    // Adapters (model::LinearAdapter, peft/) are saved on their own, never in the base.
    if (item.key().find(".adapter.") != std::string::npos) continue;
    state.emplace_back(hf_name(family, item.key()), item.value());
  }
  return state;
}

CausalLM load_model(const std::string& folder, const LoadOptions& options) {
  if (!core::is_directory(folder)) throw Error(folder + ": not a model folder");
  ModelConfig config = read_model_config(folder);
  WeightFiles files(folder);
  CausalLM model(config, torch::TensorOptions().dtype(options.dtype).device(options.device));
  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  for (auto& [name, param] : hf_state(model)) {
    std::string file;
    const core::TensorView* view = files.find(name, &file);
    if (view == nullptr) throw Error(files.describe() + ": tensor '" + name + "' is missing");
    if (c10::IntArrayRef(view->shape) != param.sizes())
      throw Error(file + ": tensor '" + name + "' has shape " + shape_text(view->shape) + ", expected " +
                  shape_text(param.sizes()));
    if (view->dtype != core::DType::F32 && view->dtype != core::DType::F16 && view->dtype != core::DType::BF16 &&
        view->dtype != core::DType::F64)
      throw Error(file + ": tensor '" + name + "' has non-float dtype " + core::dtype_name(view->dtype));
    param.copy_(tensor_from_view(*view));
    used.insert(name);
  }
  size_t unused = 0;
  std::string first_unused;
  for (const auto& name : files.names()) {
    if (used.count(name) || is_ignorable(name)) continue;
    if (config.tie_embeddings && generic_name(family_for(config.model_type, folder), name) == std::string("lm_head.weight"))
      continue;  // some tied checkpoints store the head too
    if (unused++ == 0) first_unused = name;
  }
  if (unused > 0)
    std::fprintf(stderr, "privtune: warning: %s: %zu tensor(s) not used by %s, e.g. '%s'\n", files.describe().c_str(),
                 unused, config.model_type.c_str(), first_unused.c_str());
  return model;
}

void save_model(CausalLM& model, const std::string& folder, const SaveOptions& options) {
  core::make_directories(folder);
  auto state = hf_state(model);
  const std::string dtype = dtype_name(options.dtype);
  int64_t total = 0;
  for (const auto& [name, t] : state) total += t.numel() * static_cast<int64_t>(torch::elementSize(options.dtype));

  if (options.max_shard_bytes <= 0 || total <= options.max_shard_bytes) {
    write_tensors(core::join_path(folder, "model.safetensors"), state, options.dtype);
  } else {
    // Greedy shards in module order, as transformers' save_pretrained does.
    std::vector<std::vector<std::pair<std::string, torch::Tensor>>> shards(1);
    int64_t current = 0;
    for (const auto& entry : state) {
      int64_t bytes = entry.second.numel() * static_cast<int64_t>(torch::elementSize(options.dtype));
      if (current > 0 && current + bytes > options.max_shard_bytes) {
        shards.emplace_back();
        current = 0;
      }
      shards.back().push_back(entry);
      current += bytes;
    }
    core::Json weight_map = core::Json::object();
    char shard_name[64];
    for (size_t i = 0; i < shards.size(); ++i) {
      std::snprintf(shard_name, sizeof shard_name, "model-%05zu-of-%05zu.safetensors", i + 1, shards.size());
      write_tensors(core::join_path(folder, shard_name), shards[i], options.dtype);
      for (const auto& entry : shards[i]) weight_map[entry.first] = shard_name;
    }
    core::Json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}};
    core::write_file_atomic(core::join_path(folder, "model.safetensors.index.json"), index.dump(2) + "\n");
  }
  core::write_file_atomic(core::join_path(folder, "config.json"),
                          model_config_to_json(model->config(), dtype).dump(2) + "\n");

  if (!options.copy_files_from.empty()) {
    for (const char* name : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                             "generation_config.json", "tokenizer.model", "vocab.json", "merges.txt"}) {
      const std::string source = core::join_path(options.copy_files_from, name);
      if (core::path_exists(source) && std::filesystem::weakly_canonical(source) !=
                                           std::filesystem::weakly_canonical(core::join_path(folder, name)))
        core::write_file_atomic(core::join_path(folder, name), core::read_text_file(source));
    }
  }
}

}  // namespace privtune::model
