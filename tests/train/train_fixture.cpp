#include "train_fixture.h"

#include <gtest/gtest.h>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/data/generator.h"
#include "privtune/model/checkpoint.h"
#include "privtune/tokenizer/trainer.h"
#include "privtune/train/trainer.h"
#include "shared_fixture.h"
#include "test_util.h"

namespace privtune::test {

RunInputs tiny_run_inputs(const std::string& family, int64_t train, int64_t test, int64_t canaries) {
  std::string name = "train_inputs_" + family + "_" + std::to_string(train) + "_" + std::to_string(test);
  if (canaries > 0) name += "_c" + std::to_string(canaries);
  // Built once per build of the test program (shared_fixture_dir), so that a change to the
  // generator, the tokenizer trainer or the model code never meets a stale copy.
  const std::string root = shared_fixture_dir(name, [&](const std::string& dir) {
    data::GenerateOptions generate;
    generate.train = train;
    generate.test = test;
    generate.seed = 7;
    generate.canaries.per_repetition = canaries;
    generate.canaries.repetitions = {1, 4};
    generate.canaries.secret_length = 3;
    const data::Dataset dataset = data::generate_dataset(generate);
    data::write_dataset(dir + "/data", dataset, false);

    constexpr int32_t kVocab = 320;
    std::vector<std::string> texts;
    for (const auto& e : dataset.train) texts.push_back(e.text);
    tokenizer::TrainerOptions trainer;
    trainer.vocab_size = kVocab;
    trainer.special_tokens = {"<|endoftext|>"};
    trainer.threads = 1;
    const std::string tokenizer_json = tokenizer::train_byte_level_bpe_on_texts(texts, trainer);

    core::Json config = tiny_config_json(family);
    config["vocab_size"] = kVocab;
    config["max_position_embeddings"] = 1024;
    config["bos_token_id"] = 0;
    config["eos_token_id"] = 0;
    model::CausalLM m(model::parse_model_config(config, "tiny " + family), torch::TensorOptions().dtype(torch::kFloat));
    model::init_random(m, 3, 0.05);
    model::save_model(m, dir + "/model");
    core::write_file_atomic(dir + "/model/tokenizer.json", tokenizer_json);
  });
  return {root + "/model", root + "/data"};
}

train::TrainOptions quick_options(const RunInputs& inputs, const std::string& method, const std::string& out) {
  train::TrainOptions o;
  o.model_dir = inputs.model_dir;
  o.data_dir = inputs.data_dir;
  o.out_dir = temp_dir(out);
  o.overwrite = true;
  o.method = method;
  o.device = "cpu";
  o.seed = 1;
  o.max_steps = 6;
  o.batch_size = 4;
  o.max_length = 96;
  o.lr = 3e-3;
  o.progress = false;
  return o;
}

void expect_trainer_error(const train::TrainOptions& options, const std::string& fragment) {
  try {
    train::Trainer trainer(options);
    ADD_FAILURE() << "no error, expected one mentioning " << fragment;
  } catch (const Error& e) {
    EXPECT_TRUE(std::string(e.what()).find(fragment) != std::string::npos) << e.what();
  }
}

}  // namespace privtune::test
