#include "privtune/core/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"

namespace privtune::core {

namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
    {DType::I16, "I16", 2}, {DType::I8, "I8", 1}, {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
};

const DTypeInfo* find_dtype(const std::string& name) {
  for (const auto& info : kDTypes)
    if (name == info.name) return &info;
  return nullptr;
}

// The header JSON with duplicate top-level keys detected (nlohmann keeps only the last).
Json parse_header(const std::string& text, const std::string& path) {
  std::set<std::string> seen;
  std::string duplicate;
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth == 1 && event == Json::parse_event_t::key) {
      auto name = parsed.get<std::string>();
      if (!seen.insert(name).second && duplicate.empty()) duplicate = name;
    }
    return true;
  };
  Json header;
  try {
    header = Json::parse(text, callback);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path + ": invalid safetensors header JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::exception&) {  // out_of_range.406: a number too large for a double
    throw Error(path + ": invalid safetensors header JSON (a number out of range)");
  }
  if (!duplicate.empty()) throw Error(path + ": duplicate tensor name '" + duplicate + "'");
  if (!header.is_object()) throw Error(path + ": safetensors header is not a JSON object");
  return header;
}

uint64_t read_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

size_t dtype_size(DType dtype) {
  for (const auto& info : kDTypes)
    if (info.dtype == dtype) return info.size;
  return 0;
}

const char* dtype_name(DType dtype) {
  for (const auto& info : kDTypes)
    if (info.dtype == dtype) return info.name;
  return "?";
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafetensorsFile::SafetensorsFile(const std::string& path)
    : path_(path), file_(std::make_unique<MappedFile>(path)) {
  const size_t size = file_->size();
  if (size < 8) throw Error(path + ": truncated safetensors file (" + std::to_string(size) + " bytes)");
  const uint64_t header_len = read_le64(file_->data());
  if (header_len > size - 8)
    throw Error(path + ": header length " + std::to_string(header_len) +
                " runs past the end of the file (" + std::to_string(size) + " bytes)");
  const std::string text(reinterpret_cast<const char*>(file_->data() + 8), header_len);
  const Json header = parse_header(text, path);
  const uint8_t* data = file_->data() + 8 + header_len;
  const uint64_t data_size = size - 8 - header_len;

  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw Error(path + ": __metadata__ is not an object");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) throw Error(path + ": __metadata__ value '" + key + "' is not a string");
        metadata_[key] = value.get<std::string>();
      }
      continue;
    }
    const std::string where = path + ": tensor '" + name + "'";
    if (!entry.is_object()) throw Error(where + ": entry is not an object");
    auto dtype_it = entry.find("dtype");
    auto shape_it = entry.find("shape");
    auto offsets_it = entry.find("data_offsets");
    if (dtype_it == entry.end() || !dtype_it->is_string()) throw Error(where + ": missing dtype");
    const DTypeInfo* info = find_dtype(dtype_it->get<std::string>());
    if (info == nullptr) throw Error(where + ": unknown dtype '" + dtype_it->get<std::string>() + "'");
    if (shape_it == entry.end() || !shape_it->is_array()) throw Error(where + ": missing shape");
    std::vector<int64_t> shape;
    uint64_t numel = 1;
    for (const auto& dim : *shape_it) {
      if (!dim.is_number_unsigned()) throw Error(where + ": shape has a negative or non-integer dimension");
      uint64_t d = dim.get<uint64_t>();
      if (d != 0 && numel > std::numeric_limits<uint64_t>::max() / 64 / d)
        throw Error(where + ": shape is too large");
      numel *= d;
      shape.push_back(static_cast<int64_t>(d));
    }
    if (offsets_it == entry.end() || !offsets_it->is_array() || offsets_it->size() != 2 ||
        !(*offsets_it)[0].is_number_unsigned() || !(*offsets_it)[1].is_number_unsigned())
      throw Error(where + ": data_offsets must be two non-negative integers");
    const uint64_t begin = (*offsets_it)[0].get<uint64_t>();
    const uint64_t end = (*offsets_it)[1].get<uint64_t>();
    if (begin > end || end > data_size)
      throw Error(where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  "] out of range (data is " + std::to_string(data_size) + " bytes)");
    if (end - begin != numel * info->size)
      throw Error(where + ": " + std::to_string(end - begin) + " bytes but " + info->name + " x " +
                  std::to_string(numel) + " elements needs " + std::to_string(numel * info->size));
    tensors_.push_back(TensorView{name, info->dtype, shape, data + begin, end - begin});
  }

  // Overlap check: sort by start offset; each tensor must end before the next begins.
  std::vector<const TensorView*> order;
  for (const auto& t : tensors_) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->data < b->data; });
  for (size_t i = 1; i < order.size(); ++i) {
    if (order[i - 1]->data + order[i - 1]->nbytes > order[i]->data)
      throw Error(path + ": tensors '" + order[i - 1]->name + "' and '" + order[i]->name +
                  "' overlap");
  }
  for (size_t i = 0; i < tensors_.size(); ++i) index_[tensors_[i].name] = i;
}

SafetensorsFile::~SafetensorsFile() = default;

const TensorView* SafetensorsFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

std::string serialize_safetensors(const std::vector<TensorBytes>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    uint64_t numel = 1;
    for (int64_t d : t.shape) numel *= static_cast<uint64_t>(d);
    if (numel * dtype_size(t.dtype) != t.bytes.size())
      throw std::logic_error("serialize_safetensors: byte count of '" + t.name + "' disagrees with shape");
    header[t.name] = {{"dtype", dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + text.size() + offset);
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += text;
  for (const auto& t : tensors) out.append(t.bytes.data(), t.bytes.size());
  return out;
}

void write_safetensors(const std::string& path, const std::vector<TensorBytes>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, serialize_safetensors(tensors, metadata));
}

}  // namespace privtune::core
