// safetensors: round trip, and every malformed file the reader must reject (DESIGN.md 3).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/safetensors.h"

namespace {

using privtune::Error;
using namespace privtune::core;

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "privtune_test_core";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string with_header(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

void write_raw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Expects the file to be rejected with a message containing each of `needles`.
void expect_rejected(const std::string& bytes, std::vector<std::string> needles) {
  // ctest runs tests in parallel processes: one file per test.
  std::string path = temp_path(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                               ".safetensors");
  write_raw(path, bytes);
  try {
    SafetensorsFile file(path);
    FAIL() << "accepted a malformed file";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    for (const auto& needle : needles) EXPECT_NE(message.find(needle), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "error must be one line";
  }
}

TEST(Safetensors, RoundTrip) {
  std::vector<float> a = {1.f, 2.f, 3.f, 4.f, 5.f, 6.f};
  std::vector<int64_t> b = {7, -8};
  std::string path = temp_path("ok.safetensors");
  write_safetensors(path,
                    {{"a", DType::F32, {2, 3}, {reinterpret_cast<const char*>(a.data()), 24}},
                     {"b.bias", DType::I64, {2}, {reinterpret_cast<const char*>(b.data()), 16}}},
                    {{"format", "pt"}});
  SafetensorsFile file(path);
  ASSERT_EQ(file.tensors().size(), 2u);
  const TensorView* ta = file.find("a");
  ASSERT_NE(ta, nullptr);
  EXPECT_EQ(ta->dtype, DType::F32);
  EXPECT_EQ(ta->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(ta->data, a.data(), 24), 0);
  const TensorView* tb = file.find("b.bias");
  ASSERT_NE(tb, nullptr);
  EXPECT_EQ(std::memcmp(tb->data, b.data(), 16), 0);
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.find("missing"), nullptr);
  // The header is padded so that the data starts 8-byte aligned.
  EXPECT_EQ((reinterpret_cast<uintptr_t>(ta->data) - reinterpret_cast<uintptr_t>(ta->data)) % 8, 0u);
}

TEST(Safetensors, RejectsTruncatedFile) { expect_rejected("abc", {"truncated"}); }

TEST(Safetensors, RejectsHeaderLengthPastEnd) {
  std::string bytes = with_header("{}", "");
  bytes[0] = 100;
  expect_rejected(bytes, {"header length 100", "past the end"});
}

TEST(Safetensors, RejectsInvalidJson) { expect_rejected(with_header("{\"a\": ", ""), {"invalid"}); }

TEST(Safetensors, RejectsNumbersOutOfRange) {  // found by fuzz_records in the same JSON parser
  expect_rejected(with_header("{\"a\": {\"dtype\": \"F32\", \"shape\": [1e999], \"data_offsets\": [0, 4]}}", "abcd"),
                  {"invalid safetensors header JSON", "out of range"});
}

TEST(Safetensors, RejectsOverlappingOffsets) {
  expect_rejected(with_header(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                              R"("y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                              std::string(12, '\0')),
                  {"overlap"});
}

TEST(Safetensors, RejectsOffsetsOutOfRange) {
  expect_rejected(with_header(R"({"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
                              std::string(8, '\0')),
                  {"'x'", "out of range"});
}

TEST(Safetensors, RejectsByteCountMismatch) {
  expect_rejected(with_header(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                              std::string(8, '\0')),
                  {"'x'", "needs 12"});
}

TEST(Safetensors, RejectsUnknownDtype) {
  expect_rejected(with_header(R"({"x":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}})",
                              std::string(1, '\0')),
                  {"'x'", "unknown dtype"});
}

TEST(Safetensors, RejectsDuplicateNames) {
  expect_rejected(with_header(R"({"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                              R"("x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                              std::string(2, '\0')),
                  {"duplicate", "'x'"});
}

TEST(Safetensors, RejectsNegativeShape) {
  expect_rejected(with_header(R"({"x":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})", ""),
                  {"'x'", "negative"});
}

TEST(FileIo, AtomicWriteReplacesWholeFile) {
  // Its own folder, so that other tests' temporary files cannot show up in the check below.
  std::filesystem::create_directories(temp_path("atomic"));
  std::string path = temp_path("atomic/atomic.txt");
  write_file_atomic(path, "first");
  write_file_atomic(path, "second version");
  EXPECT_EQ(read_text_file(path), "second version");
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << "temporary left behind";
}

TEST(FileIo, MissingFileIsInputError) {
  EXPECT_THROW(read_text_file("/nonexistent/privtune/file"), Error);
  EXPECT_THROW(MappedFile("/nonexistent/privtune/file"), Error);
}

}  // namespace
