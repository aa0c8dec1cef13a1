// The zlib-compressed size of a text: a cheap, model-free estimate of how much information it
// carries. The zlib-calibrated membership score (Carlini et al. 2021, "Extracting Training
// Data from Large Language Models", section 5.1) divides a model's loss on an example by it,
// so that texts that are simply repetitive (low loss for any model) do not look like members.
#pragma once

#include <cstdint>
#include <string_view>

namespace privtune::eval {

// Bytes of zlib's compress2 output (zlib format, header and checksum included) at level 9 for
// the UTF-8 bytes of `text`. Deterministic for a given zlib build; 8 bytes for empty text.
// Throws std::runtime_error if zlib fails (out of memory).
int64_t zlib_compressed_bytes(std::string_view text);

}  // namespace privtune::eval
