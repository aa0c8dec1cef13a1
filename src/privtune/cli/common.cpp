#include "privtune/cli/common.h"

#include <cstdio>
#include <iostream>

namespace privtune::cli {

void add_model_flags(CLI::App& command, ModelFlags& flags) {
  command.add_option("--model", flags.model, "Hugging Face model folder (config.json, *.safetensors)")->required();
  command.add_option("--adapter", flags.adapter, "PEFT LoRA adapter folder to apply on top of --model");
  command.add_option("--device", flags.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  command.add_option("--dtype", flags.dtype, "compute dtype: auto (float32 on CPU, bfloat16 on CUDA), float32, bfloat16, float16")
      ->capture_default_str();
}

void print_json(const core::Json& j) { std::cout << j.dump(2) << "\n"; }

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

std::string format_count(double count) {
  const char* suffix[] = {"", "K", "M", "B", "T"};
  int unit = 0;
  while (count >= 1000 && unit < 4) {
    count /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f%s" : "%.1f%s", count, suffix[unit]);
  return text;
}

}  // namespace privtune::cli
