#include "privtune/data/record_json.h"

#include "privtune/core/error.h"
#include "privtune/data/markup.h"
#include "privtune/data/utf8.h"

namespace privtune::data {

namespace {

using Json = core::Json;

// An integer JSON value as int64, or an Error naming `what`.
int64_t require_integer(const Json& value, const std::string& what) {
  if (!value.is_number_integer()) throw Error(what + " must be an integer, got " + value.type_name());
  return value.get<int64_t>();
}

// id and user may be strings or integers (integers are common in exported data).
std::string optional_name(const Json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  throw Error(std::string("'") + key + "' must be a string or an integer, got " + it->type_name());
}

std::vector<Span> parse_spans(const Json& record) {
  std::vector<Span> spans;
  auto it = record.find("spans");
  if (it == record.end() || it->is_null()) return spans;
  if (!it->is_array()) throw Error(std::string("'spans' must be an array, got ") + it->type_name());
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& s = (*it)[i];
    std::string what = "spans[" + std::to_string(i) + "]";
    if (!s.is_object()) throw Error(what + " must be an object, got " + s.type_name());
    for (const char* key : {"start", "end", "label"})
      if (!s.contains(key)) throw Error(what + " has no '" + key + "'");
    Span span;
    span.start = require_integer(s["start"], what + ".start");
    span.end = require_integer(s["end"], what + ".end");
    if (!s["label"].is_string()) throw Error(what + ".label must be a string");
    span.label = s["label"].get<std::string>();
    spans.push_back(std::move(span));
  }
  return spans;
}

void parse_pretokenized(const Json& record, Example& ex) {
  const Json& ids = record["input_ids"];
  if (!ids.is_array()) throw Error(std::string("'input_ids' must be an array, got ") + ids.type_name());
  if (ids.empty()) throw Error("'input_ids' is empty");
  for (size_t i = 0; i < ids.size(); ++i) {
    int64_t id = require_integer(ids[i], "input_ids[" + std::to_string(i) + "]");
    if (id < 0) throw Error("input_ids[" + std::to_string(i) + "] is negative");
    ex.input_ids.push_back(id);
  }
  auto it = record.find("sensitive");
  if (it == record.end() || it->is_null()) return;
  if (!it->is_array()) throw Error(std::string("'sensitive' must be an array, got ") + it->type_name());
  if (it->size() != ids.size())
    throw Error("'sensitive' has " + std::to_string(it->size()) + " entries but 'input_ids' has " +
                std::to_string(ids.size()));
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& v = (*it)[i];
    if (v.is_boolean()) {
      ex.sensitive.push_back(v.get<bool>() ? 1 : 0);
    } else {
      int64_t flag = require_integer(v, "sensitive[" + std::to_string(i) + "]");
      if (flag != 0 && flag != 1) throw Error("sensitive[" + std::to_string(i) + "] must be 0 or 1");
      ex.sensitive.push_back(static_cast<uint8_t>(flag));
    }
  }
}

}  // namespace

std::string where(const std::string& path, int64_t line) { return path + ":" + std::to_string(line); }

Example parse_record(std::string_view line) {
  // Checked before parsing so the message gives the byte, which the JSON parser does not.
  if (auto bad = utf8_problem(line)) throw Error(*bad);
  Json record;
  try {
    record = Json::parse(line);
  } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number too large for a double
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] "; the line number is ours.
    auto bracket = what.find("] ");
    throw Error("invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
  if (!record.is_object()) throw Error(std::string("expected a JSON object, got ") + record.type_name());

  Example ex;
  ex.id = optional_name(record, "id");
  ex.user = optional_name(record, "user");
  bool has_text = record.contains("text") && !record["text"].is_null();
  bool has_markup = record.contains("markup") && !record["markup"].is_null();
  bool has_ids = record.contains("input_ids") && !record["input_ids"].is_null();
  if (has_text + has_markup + has_ids > 1) throw Error("a record has exactly one of 'text', 'markup' and 'input_ids'");
  if (has_ids) {
    parse_pretokenized(record, ex);
    if (record.contains("spans")) throw Error("a pre-tokenized record cannot have 'spans'");
    return ex;
  }
  if (has_markup) {
    if (!record["markup"].is_string()) throw Error("'markup' must be a string");
    if (record.contains("spans")) throw Error("a 'markup' record cannot also have 'spans'");
    MarkedText marked = parse_markup(record["markup"].get<std::string>());
    ex.text = std::move(marked.text);
    ex.spans = std::move(marked.spans);
  } else {
    if (!has_text) throw Error("missing 'text' (or 'markup' or 'input_ids')");
    if (!record["text"].is_string())
      throw Error(std::string("'text' must be a string, got ") + record["text"].type_name());
    ex.text = record["text"].get<std::string>();
    ex.spans = parse_spans(record);
  }
  sort_spans(ex.spans);
  if (auto problem = span_problem(ex.spans, code_points(ex.text))) throw Error(*problem);
  return ex;
}

void check_example(const Example& ex) {
  if (ex.pretokenized()) {
    check_input(ex.sensitive.empty() || ex.sensitive.size() == ex.input_ids.size(),
                "'sensitive' and 'input_ids' differ in length");
    return;
  }
  if (auto bad = utf8_problem(ex.text)) throw Error(*bad);
  std::vector<Span> sorted = ex.spans;
  sort_spans(sorted);
  if (sorted != ex.spans) throw Error("spans are not sorted by start");
  if (auto problem = span_problem(ex.spans, code_points(ex.text))) throw Error(*problem);
}

std::string dump_json_line(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::strict);
}

std::string record_to_json(const Example& ex) {
  nlohmann::ordered_json j;
  if (!ex.id.empty()) j["id"] = ex.id;
  if (ex.pretokenized()) {
    j["input_ids"] = ex.input_ids;
    if (!ex.sensitive.empty()) j["sensitive"] = ex.sensitive;
  } else {
    j["text"] = ex.text;
    j["spans"] = nlohmann::ordered_json::array();
    for (const Span& s : ex.spans) j["spans"].push_back({{"start", s.start}, {"end", s.end}, {"label", s.label}});
  }
  if (!ex.user.empty()) j["user"] = ex.user;
  return dump_json_line(j);
}

}  // namespace privtune::data
