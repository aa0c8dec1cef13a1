// Command-line flags of the benchmarks that take "--flag value" pairs: --help (or -h) prints
// the usage; a flag without a value, an unknown flag or a malformed number is a one-line
// error on stderr and exit status 2.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace privtune::bench {

// Calls set(flag, value) for each pair; set returns false for an unknown flag.
inline void parse_flags(int argc, char** argv, const char* program, const char* usage,
                        const std::function<bool(const std::string&, const std::string&)>& set) {
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("usage: %s\n", usage);
      std::exit(0);
    }
    if (i + 1 == argc) {
      std::fprintf(stderr, "%s: %s needs a value (see --help)\n", program, flag.c_str());
      std::exit(2);
    }
    if (!set(flag, argv[i + 1])) {
      std::fprintf(stderr, "%s: unknown flag %s (see --help)\n", program, flag.c_str());
      std::exit(2);
    }
  }
}

// A whole decimal integer of at least `min`, or exit 2 naming the flag.
inline int64_t flag_int(const char* program, const std::string& flag, const std::string& value, int64_t min) {
  char* end = nullptr;
  const long long n = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || n < min) {
    std::fprintf(stderr, "%s: %s must be an integer >= %lld, got '%s'\n", program, flag.c_str(),
                 static_cast<long long>(min), value.c_str());
    std::exit(2);
  }
  return n;
}

}  // namespace privtune::bench
