// A PEFT adapter_config.json: parsed as JSON, then read as a LoRA configuration (the
// adapter's weights are a safetensors file: fuzz_safetensors).
#include <string>

#include "fuzz_common.h"
#include "privtune/core/json_util.h"
#include "privtune/peft/lora_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  privtune::fuzz::accept_or_refuse([&] {
    const privtune::core::Json json =
        privtune::core::parse_json(privtune::fuzz::text_of(data, size), "fuzz/adapter_config.json");
    (void)privtune::peft::parse_adapter_config(json, "fuzz/adapter_config.json");
  });
  return 0;
}
