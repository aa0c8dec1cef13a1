// Shared by the fuzz targets: an input is either accepted or refused with privtune::Error
// (what the command line turns into a one-line message and exit code 2). Any other
// exception escaping a reader is a finding, like a crash or a sanitizer report: it would
// reach the user as an internal error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "privtune/core/error.h"

namespace privtune::fuzz {

inline std::string text_of(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs `body`; privtune::Error is the expected way to refuse an input.
template <typename Body>
void accept_or_refuse(Body&& body) {
  try {
    body();
  } catch (const privtune::Error&) {
  }
}

}  // namespace privtune::fuzz
