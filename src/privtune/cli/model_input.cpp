#include "privtune/cli/model_input.h"

#include "privtune/core/json_util.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/device.h"
#include "privtune/peft/adapter_io.h"
#include "privtune/peft/merge.h"

namespace privtune::cli {

namespace {

void check_id(int64_t id, int64_t vocab_size, const std::string& where) {
  if (id < 0 || id >= vocab_size)
    throw Error(where + ": token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                std::to_string(vocab_size) + ")");
}

}  // namespace

model::CausalLM load_flagged_model(const ModelFlags& flags) {
  torch::Device device = model::parse_device(flags.device);
  auto m = model::load_model(flags.model, {device, model::parse_dtype(flags.dtype, device)});
  if (!flags.adapter.empty()) {
    peft::load_adapter(m, flags.adapter);
    // These commands only run the model, so the adapters are folded into the weights
    // (W + scale B A), saving their two extra products per adapted layer in every forward.
    // Only for float32/float64 weights, where the sum is rounded at W's own precision; in
    // bfloat16 or half it would round away most of a small update, so there they stay apart.
    const auto dtype = m->embed->weight.scalar_type();
    if (dtype == torch::kFloat || dtype == torch::kDouble) peft::merge_lora(m);
  }
  m->eval();
  return m;
}

std::vector<model::TokenIds> read_ids_file(const std::string& path, int64_t vocab_size) {
  core::Json j = core::read_json_file(path);
  if (!j.is_array() || j.empty()) throw Error(path + ": expected a non-empty JSON array of token id arrays");
  std::vector<model::TokenIds> batch;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string where = path + ": sequence " + std::to_string(i);
    if (!j[i].is_array() || j[i].empty()) throw Error(where + ": expected a non-empty array of token ids");
    model::TokenIds ids;
    for (size_t k = 0; k < j[i].size(); ++k) {
      if (!j[i][k].is_number_integer()) throw Error(where + ", position " + std::to_string(k) + ": not an integer");
      ids.push_back(j[i][k].get<int64_t>());
      check_id(ids.back(), vocab_size, where + ", position " + std::to_string(k));
    }
    batch.push_back(std::move(ids));
  }
  return batch;
}

model::TokenIds parse_id_list(const std::string& text, int64_t vocab_size, const std::string& flag) {
  model::TokenIds ids;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    size_t used = 0;
    int64_t id = 0;
    try {
      id = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size()) throw Error(flag + ": '" + item + "' is not a token id");
    check_id(id, vocab_size, flag);
    ids.push_back(id);
    start = end + 1;
  }
  return ids;
}

}  // namespace privtune::cli
