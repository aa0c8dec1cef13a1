// The HTML page of a report. Everything it needs is inside it: the chart libraries, the data
// (as JSON in a <script type="application/json"> block), the style sheet and the script. A
// Content-Security-Policy forbids every network load, so a report that opens also proves it
// is self-contained. Headings, descriptions and the reasons for left-out charts are plain
// HTML, readable even where scripts are off.
#include "privtune/experiment/report.h"

#include <cctype>

#include "privtune/experiment/report_internal.h"

namespace privtune::experiment::report_detail {

namespace {

// Vega compiles its expressions with the Function constructor, hence 'unsafe-eval'.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:";

bool starts_with_ci(std::string_view text, size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != prefix[i]) return false;
  }
  return true;
}

std::string run_counts(const Json& model) {
  std::string text;
  for (const auto& [status, count] : model["counts"].items()) {
    if (count.get<int>() == 0) continue;
    text += (text.empty() ? "" : ", ") + std::to_string(count.get<int>()) + " " + status;
  }
  return text.empty() ? "no runs" : text;
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const Json& value) {
  // Invalid UTF-8 in a label becomes U+FFFD rather than an exception.
  const std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::string script_for_html(std::string_view js) {
  // "</script" would end the element. "<!--" would switch the HTML parser into a mode where
  // a later "<script" changes where the element ends; "\x3C" is "<" both in strings and in
  // regular expressions, the only places either can occur in these bundles.
  std::string out;
  out.reserve(js.size() + 64);
  for (size_t i = 0; i < js.size(); ++i) {
    if (js[i] == '<' && starts_with_ci(js, i, "</script")) {
      out += "<\\/";
      ++i;  // the '/' is written above
    } else if (js[i] == '<' && starts_with_ci(js, i, "<!--")) {
      out += "\\x3C";
    } else {
      out += js[i];
    }
  }
  return out;
}

std::string page_html(const Json& model, std::string_view bundle) {
  const std::string title = escape_html(model["title"].get<std::string>());
  std::string html;
  html.reserve(bundle.size() + 1'000'000);
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + std::string(kPolicy) + "\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<meta name=\"generator\" content=\"privtune report\">\n";
  html += "<title>" + title + "</title>\n<style>" + std::string(page_style()) + "</style>\n";
  html += "</head>\n<body data-report-status=\"loading\">\n";
  html += "<h1>" + title + "</h1>\n<p class=\"meta\">" + run_counts(model);
  if (!model["source"].get<std::string>().empty()) {
    html += " &middot; from <code>" + escape_html(model["source"].get<std::string>()) + "</code>";
  }
  if (!model["generated"].get<std::string>().empty()) {
    html += " &middot; generated " + escape_html(model["generated"].get<std::string>());
  }
  html += "</p>\n<nav>";
  for (const Json& c : model["charts"]) {
    html += "<a href=\"#chart-" + escape_html(c["id"].get<std::string>()) + "\">" +
            escape_html(c["title"].get<std::string>()) + "</a> ";
  }
  html += "<a href=\"#tables\">Tables</a></nav>\n";

  for (const Json& c : model["charts"]) {
    const std::string id = escape_html(c["id"].get<std::string>());
    html += "<section class=\"chart\" id=\"chart-" + id + "\">\n<h2>" +
            escape_html(c["title"].get<std::string>()) + "</h2>\n";
    if (c["omitted"].is_string()) {
      html += "<p class=\"omitted\" data-omitted=\"" + id + "\">Not shown: " +
              escape_html(c["omitted"].get<std::string>()) + ".</p>\n";
    } else {
      html += "<p class=\"desc\">" + escape_html(c["description"].get<std::string>()) + "</p>\n";
      html += "<div class=\"vis\" id=\"vis-" + id + "\"></div>\n";
    }
    html += "</section>\n";
  }
  html += "<section id=\"tables\">\n";
  for (const Json& t : model["tables"]) {
    const std::string id = escape_html(t["id"].get<std::string>());
    html += "<h2>" + escape_html(t["title"].get<std::string>()) + "</h2>\n<div id=\"holder-" + id +
            "\" class=\"table-holder\"></div>\n";
  }
  html += "</section>\n";

  html += "<script type=\"application/json\" id=\"report-data\">" + json_for_script(model) + "</script>\n";
  html += "<script>\n" + script_for_html(bundle) + "\n</script>\n";
  html += "<script>" + script_for_html(page_script()) + "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace privtune::experiment::report_detail
