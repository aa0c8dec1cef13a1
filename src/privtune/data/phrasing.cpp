#include "privtune/data/phrasing.h"

#include <memory>
#include <mutex>
#include <stdexcept>

#include "privtune/data/resources.h"

namespace privtune::data {

PhrasingTable PhrasingTable::parse(std::string_view text, const std::string& name) {
  PhrasingTable table;
  table.name_ = name;
  std::vector<std::string>* current = nullptr;
  for (std::string& line : content_lines(text)) {
    if (line.front() == '[' && line.back() == ']') {
      current = &table.sections_[line.substr(1, line.size() - 2)];
      continue;
    }
    if (current == nullptr) throw std::logic_error(name + ": template before the first [section]");
    current->push_back(std::move(line));
  }
  return table;
}

const PhrasingTable& PhrasingTable::embedded(const char* name) {
  // Parsed once per process; generators ask for their table for every example.
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<PhrasingTable>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[name];
  if (!slot) {
    std::string file = "phrasings/" + std::string(name) + ".txt";
    slot = std::make_unique<PhrasingTable>(parse(resource(file), file));
  }
  return *slot;
}

const std::vector<std::string>& PhrasingTable::section(const std::string& section) const {
  auto it = sections_.find(section);
  if (it == sections_.end() || it->second.empty())
    throw std::logic_error(name_ + ": no phrasings for [" + section + "]");
  return it->second;
}

std::vector<std::string> PhrasingTable::section_names() const {
  std::vector<std::string> names;
  for (const auto& entry : sections_) names.push_back(entry.first);
  return names;
}

std::vector<std::string> template_slots(std::string_view tmpl) {
  std::vector<std::string> names;
  size_t pos = 0;
  while ((pos = tmpl.find('{', pos)) != std::string_view::npos) {
    size_t close = tmpl.find('}', pos);
    if (close == std::string_view::npos) break;
    names.emplace_back(tmpl.substr(pos + 1, close - pos - 1));
    pos = close + 1;
  }
  return names;
}

void render(std::string_view tmpl, const Slots& slots, SpanTextBuilder& out) {
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find('{', pos);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(pos));
      break;
    }
    size_t close = tmpl.find('}', open);
    if (close == std::string_view::npos) throw std::logic_error("unclosed { in template: " + std::string(tmpl));
    out.append(tmpl.substr(pos, open - pos));
    std::string key(tmpl.substr(open + 1, close - open - 1));
    auto it = slots.find(key);
    if (it != slots.end()) {
      out.append(it->second.value, it->second.label);
    } else {
      std::string lower = key;
      if (!lower.empty() && lower[0] >= 'A' && lower[0] <= 'Z') lower[0] = static_cast<char>(lower[0] - 'A' + 'a');
      it = slots.find(lower);
      if (lower == key || it == slots.end())
        throw std::logic_error("template slot {" + key + "} has no value: " + std::string(tmpl));
      std::string value = it->second.value;
      if (!value.empty() && value[0] >= 'a' && value[0] <= 'z') value[0] = static_cast<char>(value[0] - 'a' + 'A');
      out.append(value, it->second.label);
    }
    pos = close + 1;
  }
}

}  // namespace privtune::data
