#include "privtune/data/resources.h"

#include <stdexcept>

namespace privtune::data {

std::string_view resource(std::string_view name) {
  for (size_t i = 0; i < detail::kEmbeddedResourceCount; ++i) {
    const auto& r = detail::kEmbeddedResources[i];
    if (name == r.name) return {reinterpret_cast<const char*>(r.data), r.size};
  }
  throw std::logic_error("embedded resource '" + std::string(name) + "' is missing from the build");
}

std::vector<std::string> resource_names() {
  std::vector<std::string> names;
  for (size_t i = 0; i < detail::kEmbeddedResourceCount; ++i) names.emplace_back(detail::kEmbeddedResources[i].name);
  return names;
}

std::vector<std::string> resource_lines(std::string_view name) { return content_lines(resource(name)); }

std::vector<std::string> content_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos || line[b] == '#') continue;
    size_t e = line.find_last_not_of(" \t\r");
    lines.emplace_back(line.substr(b, e - b + 1));
  }
  return lines;
}

}  // namespace privtune::data
