#include "privtune/core/json_util.h"

#include "privtune/core/file_io.h"

namespace privtune::core {

Json parse_json(const std::string& text, const std::string& what) {
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(what + ": invalid JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::exception& e) {  // out_of_range.406: a number too large for a double
    const std::string message = e.what();
    const size_t bracket = message.find("] ");
    throw Error(what + ": invalid JSON: " + (bracket == std::string::npos ? message : message.substr(bracket + 2)));
  }
}

Json read_json_file(const std::string& path) { return parse_json(read_text_file(path), path); }

}  // namespace privtune::core
