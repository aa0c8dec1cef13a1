// Project data compiled into the library: entity pools (pools/*.txt) and phrasing tables
// (phrasings/*.txt). CMake's embed_resources.cmake turns each file into a byte array in a
// generated source at build time, so the `privtune` executable needs no data folder at run
// time and a pool edit rebuilds only that source.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace privtune::data {

// The bytes of an embedded file, by its path relative to src/privtune/data (e.g.
// "pools/last_names.txt"). Throws std::logic_error when absent: a missing resource is a
// build mistake, not bad user input.
std::string_view resource(std::string_view name);

std::vector<std::string> resource_names();

// The lines of `text`, trimmed, without blank lines and `#` comment lines: the format of
// every pool and phrasing file.
std::vector<std::string> content_lines(std::string_view text);
// content_lines of an embedded file.
std::vector<std::string> resource_lines(std::string_view name);

namespace detail {
struct EmbeddedResource {
  const char* name;
  const unsigned char* data;
  size_t size;
};
// Defined in the generated embedded_resources.cpp.
extern const EmbeddedResource kEmbeddedResources[];
extern const size_t kEmbeddedResourceCount;
}  // namespace detail

}  // namespace privtune::data
