// The report's input, checked once so that the views below can trust its structure. The
// run's own outputs (run.json, metrics.json, log events) are read leniently: a number that
// is missing there is left out of the charts rather than failing the whole report, since a
// report of a half-finished sweep is still useful.
#include <map>
#include <set>

#include "privtune/experiment/report_internal.h"

namespace privtune::experiment::report_detail {

namespace {

const std::set<std::string> kStatuses = {"done", "failed", "running", "pending"};

// A key that must be an object or array of the given kind when present; null is allowed.
const Json* optional_of(const Json& obj, const std::string& key, Json::value_t type,
                        const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  if (it->type() != type) {
    throw Error(where + ": key '" + key + "' has the wrong type (" + it->type_name() + ")");
  }
  return &*it;
}

void require_string_or_null(const Json& obj, const std::string& key, const std::string& where) {
  auto it = obj.find(key);
  if (it != obj.end() && !it->is_null() && !it->is_string()) {
    throw Error(where + ": key '" + key + "' has the wrong type (" + it->type_name() + ")");
  }
}

void require_number_or_null(const Json& obj, const std::string& key, const std::string& where) {
  auto it = obj.find(key);
  if (it != obj.end() && !it->is_null() && !it->is_number()) {
    throw Error(where + ": key '" + key + "' has the wrong type (" + it->type_name() + ")");
  }
}

// "lr=0.001, lora-r=16": the train flags as given, in key order. Values may be strings (as
// the store keeps them) or plain JSON scalars.
std::string settings_text(const Json* settings, const std::string& where) {
  if (settings == nullptr) return "";
  std::string text;
  for (auto it = settings->begin(); it != settings->end(); ++it) {
    if (it->is_object() || it->is_array()) {
      throw Error(where + ": settings: key '" + it.key() + "' must be a string");
    }
    if (!text.empty()) text += ", ";
    text += it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump());
  }
  return text;
}

}  // namespace

std::vector<ReportRun> read_runs(const Json& input) {
  check_input(input.is_object(), "report input: expected a JSON object");
  for (const char* key : {"title", "generated", "source"}) {
    require_string_or_null(input, key, "report input");
  }
  const Json* runs = optional_of(input, "runs", Json::value_t::array, "report input");
  check_input(runs != nullptr, "report input: key 'runs' is missing");

  std::vector<ReportRun> out;
  std::map<std::string, int> label_count;
  std::set<std::string> ids;
  for (size_t i = 0; i < runs->size(); ++i) {
    const Json& r = (*runs)[i];
    const std::string where = "report input: runs[" + std::to_string(i) + "]";
    check_input(r.is_object(), where + ": expected an object");
    ReportRun run;
    run.input = &r;
    run.run_id = core::json_require<std::string>(r, "run_id", where);
    check_input(ids.insert(run.run_id).second, where + ": run_id '" + run.run_id + "' appears twice");
    run.label = core::json_value<std::string>(r, "label", run.run_id, where);
    run.method = core::json_value<std::string>(r, "method", "", where);
    run.status = core::json_require<std::string>(r, "status", where);
    check_input(kStatuses.count(run.status) == 1,
                where + ": status '" + run.status + "' is not done, failed, running or pending");
    for (const char* key : {"sweep", "model", "data", "error"}) require_string_or_null(r, key, where);
    for (const char* key : {"seed", "train_seconds", "eval_seconds"}) require_number_or_null(r, key, where);
    run.settings = settings_text(optional_of(r, "settings", Json::value_t::object, where), where);
    run.run = optional_of(r, "run", Json::value_t::object, where);
    run.metrics = optional_of(r, "metrics", Json::value_t::object, where);
    run.steps = optional_of(r, "steps", Json::value_t::array, where);
    run.evals = optional_of(r, "evals", Json::value_t::array, where);
    run.audit = optional_of(r, "audit", Json::value_t::object, where);
    for (const Json* events : {run.steps, run.evals}) {
      if (events == nullptr) continue;
      for (const Json& e : *events) {
        check_input(e.is_object(), where + ": every step and eval event must be an object");
      }
    }
    ++label_count[run.label];
    out.push_back(std::move(run));
  }
  // Charts key their colours and axes by name, so two runs must never share one.
  for (ReportRun& run : out) {
    run.name = label_count[run.label] > 1 ? run.label + " (" + run.run_id + ")" : run.label;
  }
  return out;
}

const Json* find_path(const Json* root, std::initializer_list<std::string_view> path) {
  const Json* node = root;
  for (std::string_view key : path) {
    if (node == nullptr || !node->is_object()) return nullptr;
    auto it = node->find(std::string(key));
    if (it == node->end() || it->is_null()) return nullptr;
    node = &*it;
  }
  return node;
}

const Json* find_number(const Json* root, std::initializer_list<std::string_view> path) {
  const Json* node = find_path(root, path);
  return node != nullptr && node->is_number() ? node : nullptr;
}

Json find_estimate(const Json* root, std::initializer_list<std::string_view> path) {
  const Json* node = find_path(root, path);
  const Json* value = find_number(node, {"value"});
  if (value == nullptr) return nullptr;
  Json estimate = {{"value", *value}, {"ci", nullptr}};
  const Json* ci = find_path(node, {"ci"});
  if (ci != nullptr && ci->is_array() && ci->size() == 2 && (*ci)[0].is_number() &&
      (*ci)[1].is_number()) {
    estimate["ci"] = *ci;
  }
  return estimate;
}

std::pair<std::string, std::string> main_attack(const std::vector<ReportRun>& runs) {
  // Reference calibration removes what the base model already knew, so it is the sharpest
  // of the four attacks; sensitive-token scores are what the study is about.
  for (const char* scope : {"sensitive", "whole"}) {
    for (const char* attack : {"reference", "loss", "zlib", "min_k"}) {
      for (const ReportRun& run : runs) {
        const Json* roc = find_path(run.metrics, {"membership", scope, attack, "roc"});
        if (roc != nullptr && roc->is_array() && !roc->empty()) return {attack, scope};
      }
    }
  }
  return {};
}

}  // namespace privtune::experiment::report_detail
