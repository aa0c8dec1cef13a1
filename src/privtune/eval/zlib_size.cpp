#include "privtune/eval/zlib_size.h"

#include <zlib.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace privtune::eval {

int64_t zlib_compressed_bytes(std::string_view text) {
  const auto* source = reinterpret_cast<const Bytef*>(text.data());
  const auto source_length = static_cast<uLong>(text.size());
  // compressBound is zlib's worst case for one-shot compression, so Z_BUF_ERROR cannot happen.
  std::vector<Bytef> output(compressBound(source_length));
  auto output_length = static_cast<uLongf>(output.size());
  const int status = compress2(output.data(), &output_length, source, source_length, 9);
  if (status != Z_OK) throw std::runtime_error("zlib compress2 failed with status " + std::to_string(status));
  return static_cast<int64_t>(output_length);
}

}  // namespace privtune::eval
