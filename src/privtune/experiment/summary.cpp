#include "privtune/experiment/summary.h"

#include <cmath>
#include <cstdio>

namespace privtune::experiment {

namespace {

struct Column {
  const char* name;
  const char* header;  // terminal heading
  const char* what;    // meaning, for summary.json
};

// Order of the table; the same names are summary.json's and summary.csv's keys.
const Column kColumns[] = {
    {"method", "method", "--method of the run"},
    {"utility_loss", "U (test nonsens)", "U = L(test, nonsens), nats (lower is better)"},
    {"utility_gain", "gain", "L_base(test, nonsens) - U"},
    {"leakage_P", "leakage P", "P = L_base(train, sens) - L(train, sens)"},
    {"memorization_M", "mem. gap M", "M = L(test, sens) - L(train, sens)"},
    {"excess_X", "excess X", "X = P - G: leakage only the seen values enjoy"},
    {"mia_auc", "MIA AUC", "membership inference ROC AUC, loss score, whole sequences"},
    {"exposure", "exposure", "mean exposure of the inserted canaries, bits"},
    {"extraction_train", "extraction", "exact greedy extraction rate of train spans"},
    {"epsilon", "eps (DP)", "DP epsilon, the accountant's upper bound (null: not private)"},
    {"epsilon_audit", "eps audit >=", "empirical epsilon lower bound of the one-run audit (null: not audited)"},
    {"train_seconds", "time", "wall time of training, s"},
    {"peak_memory_bytes", "peak mem", "peak memory of training (RSS on CPU, allocator on GPU)"},
    {"trainable_parameters", "trainable", "trainable parameters"},
};

const core::Json& at(const core::Json& j, std::initializer_list<const char*> path) {
  static const core::Json null_json;
  const core::Json* node = &j;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) return null_json;
    node = &(*node)[key];
  }
  return *node;
}

std::string fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  return fixed(bytes, u == 0 ? 0 : 1) + " " + units[u];
}

std::string cell_text(const char* column, const core::Json& v) {
  if (v.is_null()) return "n/a";
  const std::string name = column;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object()) {
    const int decimals = name == "exposure" ? 2 : 3;
    const double scale = name == "extraction_train" ? 100.0 : 1.0;
    std::string s = fixed(v["value"].get<double>() * scale, decimals - (scale > 1 ? 2 : 0));
    if (v["ci"][0].is_number() && v["ci"][1].is_number())
      s += " ±" + fixed((v["ci"][1].get<double>() - v["ci"][0].get<double>()) / 2 * scale, decimals - (scale > 1 ? 2 : 0));
    return s + (scale > 1 ? "%" : "");
  }
  if (name == "train_seconds") return fixed(v.get<double>(), 0) + " s";
  if (name == "peak_memory_bytes") return human_bytes(v.get<double>());
  if (name == "epsilon" || name == "epsilon_audit") return fixed(v.get<double>(), 2);
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return fixed(v.get<double>(), 3);
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_number(const core::Json& v) {
  if (!v.is_number()) return "";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", v.get<double>());
  return buffer;
}

}  // namespace

core::Json study_summary(const std::vector<RunOutcome>& outcomes) {
  core::Json columns = core::Json::array();
  for (const Column& c : kColumns) columns.push_back({{"name", c.name}, {"meaning", c.what}});
  core::Json rows = core::Json::array();
  for (const RunOutcome& o : outcomes) {
    const core::Json& m = o.metrics;
    core::Json row;
    row["name"] = o.name;
    row["method"] = o.run.value("method", "");
    row["utility_loss"] = at(m, {"leakage", "utility", "U"});
    row["utility_gain"] = at(m, {"leakage", "utility", "gain"});
    row["leakage_P"] = at(m, {"leakage", "classes", "sens", "P"});
    row["memorization_M"] = at(m, {"leakage", "classes", "sens", "M"});
    row["excess_X"] = at(m, {"leakage", "classes", "sens", "X"});
    row["mia_auc"] = at(m, {"membership", "whole", "loss", "auc"});
    row["exposure"] = at(m, {"exposure", "inserted_mean_exposure"});
    row["extraction_train"] = at(m, {"extraction", "train", "rate"});
    const core::Json& epsilon = at(o.run, {"dp", "epsilon"});
    row["epsilon"] = epsilon.is_number() ? epsilon : core::Json(nullptr);
    const core::Json& audit = at(o.audit, {"audit", "epsilon_lower_bound"});
    row["epsilon_audit"] = audit.is_number() ? audit : core::Json(nullptr);
    row["train_seconds"] = at(o.run, {"efficiency", "train_time_s"});
    row["peak_memory_bytes"] = at(o.run, {"efficiency", "peak_memory_bytes"});
    row["trainable_parameters"] = at(o.run, {"efficiency", "trainable_parameters"});
    row["tokens_per_s"] = at(o.run, {"efficiency", "tokens_per_s"});
    row["eval_seconds"] = o.eval_seconds;
    rows.push_back(row);
  }
  return {{"note",
           "end-of-training comparison: each method as trained, not at matched utility; intervals are 95% "
           "bootstrap intervals over examples (over canaries for exposure)"},
          {"columns", columns},
          {"runs", rows}};
}

std::string summary_csv(const core::Json& summary) {
  std::string header = "name", body;
  for (const Column& c : kColumns) {
    const std::string n = c.name;
    header += "," + n;
    bool is_estimate = false;
    for (const core::Json& row : summary["runs"]) is_estimate = is_estimate || row[n].is_object();
    if (is_estimate) header += "," + n + "_low," + n + "_high";
  }
  for (const core::Json& row : summary["runs"]) {
    std::string line = csv_escape(row["name"].get<std::string>());
    for (const Column& c : kColumns) {
      const std::string n = c.name;
      bool is_estimate = false;
      for (const core::Json& r : summary["runs"]) is_estimate = is_estimate || r[n].is_object();
      const core::Json& v = row[n];
      if (is_estimate) {
        line += v.is_object() ? "," + csv_number(v["value"]) + "," + csv_number(v["ci"][0]) + "," + csv_number(v["ci"][1])
                              : ",,,";
      } else {
        line += "," + (v.is_string() ? csv_escape(v.get<std::string>()) : csv_number(v));
      }
    }
    body += line + "\n";
  }
  return header + "\n" + body;
}

std::string format_summary_table(const core::Json& summary) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header = {"run"};
  for (const Column& c : kColumns)
    if (std::string(c.name) != "method") header.push_back(c.header);
  cells.push_back(header);
  for (const core::Json& row : summary["runs"]) {
    std::vector<std::string> line = {row["name"].get<std::string>()};
    for (const Column& c : kColumns)
      if (std::string(c.name) != "method") line.push_back(cell_text(c.name, row[c.name]));
    cells.push_back(line);
  }
  // Display width in code points (the ± sign is two bytes, one column).
  auto columns = [](const std::string& text) {
    size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::vector<size_t> width(header.size(), 0);
  for (const auto& line : cells)
    for (size_t k = 0; k < line.size(); ++k) width[k] = std::max(width[k], columns(line[k]));
  std::string out;
  for (const auto& line : cells) {
    std::string text;
    for (size_t k = 0; k < line.size(); ++k)
      text += line[k] + (k + 1 < line.size() ? std::string(width[k] - columns(line[k]) + 2, ' ') : "");
    out += text + "\n";
  }
  return out + summary["note"].get<std::string>() + ".\n";
}

}  // namespace privtune::experiment
