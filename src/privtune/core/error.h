// Errors and exit codes shared by every module.
//
// privtune::Error is bad input: a file, flag or record the user gave is wrong. Its message
// is one line that names the file and the field (`config.json: key 'hidden_size' is missing`)
// and the command line exits with code 2. Any other exception is an internal error (exit 1).
#pragma once

#include <stdexcept>
#include <string>

namespace privtune {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum ExitCode : int { kExitOk = 0, kExitInternal = 1, kExitBadInput = 2 };

// Throws Error(message) unless `condition` holds.
inline void check_input(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

}  // namespace privtune
