// The safetensors format (DESIGN.md section 3): an 8-byte little-endian header length N,
// N bytes of JSON describing each tensor, then the raw little-endian row-major data.
// Torch-free: tensors are byte views into a memory map; model/ converts them to torch.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace privtune::core {

class MappedFile;

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);  // "F32", "BF16", ...

struct TensorView {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  const uint8_t* data;  // into the memory map; valid while the file object lives
  size_t nbytes;
  int64_t numel() const;
};

// A validated, memory-mapped safetensors file. The constructor rejects (with Error naming
// the file and tensor) a header length past the end of the file, invalid header JSON,
// unknown dtypes, bad shapes, offsets out of range or overlapping, byte counts that
// disagree with dtype x shape, and duplicate tensor names.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();

  const std::string& path() const { return path_; }
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  std::string path_;
  std::unique_ptr<MappedFile> file_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// A tensor to write: the bytes are borrowed, not copied, until the file is written.
struct TensorBytes {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::string_view bytes;
};

// Serialises tensors (in the given order) with a header padded to 8 bytes.
std::string serialize_safetensors(const std::vector<TensorBytes>& tensors,
                                  const std::map<std::string, std::string>& metadata = {});
// serialize_safetensors + write_file_atomic.
void write_safetensors(const std::string& path, const std::vector<TensorBytes>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace privtune::core
