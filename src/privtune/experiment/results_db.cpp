#include "privtune/experiment/results_db.h"

#include <sqlite3.h>

#include <cmath>
#include <ctime>
#include <map>
#include <tuple>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/subprocess.h"
#include "privtune/core/version.h"

namespace privtune::experiment {

namespace {

// The schema of version 2 (docs/sweeps.md explains every table; version 1 lacked audits).
constexpr const char* kSchema = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sweeps (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, config_path TEXT, config_text TEXT,
  shard TEXT, host TEXT, started_at TEXT NOT NULL, privtune_version TEXT);
CREATE TABLE runs (
  run_id TEXT PRIMARY KEY, sweep TEXT NOT NULL, label TEXT NOT NULL, method TEXT NOT NULL,
  model TEXT NOT NULL, data TEXT NOT NULL, seed INTEGER NOT NULL, settings TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0, error TEXT, host TEXT, started_at TEXT, finished_at TEXT,
  out_dir TEXT, train_seconds REAL, eval_seconds REAL, run_json TEXT, metrics_json TEXT);
CREATE TABLE metrics (
  run_id TEXT NOT NULL, name TEXT NOT NULL, value REAL, ci_low REAL, ci_high REAL,
  PRIMARY KEY (run_id, name));
CREATE TABLE steps (
  run_id TEXT NOT NULL, step INTEGER NOT NULL, epoch REAL, loss REAL, lr REAL, grad_norm REAL,
  rows INTEGER, tokens INTEGER, step_s REAL, tokens_per_s REAL, elapsed_s REAL,
  peak_memory_bytes REAL, epsilon REAL, PRIMARY KEY (run_id, step));
CREATE TABLE evals (
  run_id TEXT NOT NULL, step INTEGER NOT NULL, test TEXT NOT NULL, PRIMARY KEY (run_id, step));
CREATE TABLE efficiency (
  run_id TEXT PRIMARY KEY, device TEXT, trainable_parameters INTEGER, total_parameters INTEGER,
  steps INTEGER, tokens INTEGER, train_time_s REAL, time_per_step_s REAL, tokens_per_s REAL,
  peak_memory_bytes REAL, estimated_flops REAL, epsilon REAL, delta REAL, eval_seconds REAL);
)sql"
    R"sql(
CREATE TABLE audits (
  run_id TEXT PRIMARY KEY, epsilon_lower REAL, delta REAL, confidence REAL, canaries INTEGER,
  included INTEGER, kind TEXT, k INTEGER, guesses INTEGER, correct INTEGER, accuracy REAL,
  theory_epsilon REAL, audit_json TEXT NOT NULL);
)sql";
// Version 1 databases become version 2 by gaining the (empty) audits table.
constexpr int64_t kUpgradableVersion = 1;

// Tables holding one run's results, cleared when the run is run again.
constexpr const char* kResultTables[] = {"metrics", "steps", "evals", "efficiency", "audits"};

std::string now_iso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// One prepared statement; binds by position (1-based, as SQLite counts).
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::string& where) : db_(db), where_(where) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) fail();
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  Statement& bind(int i, int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  Statement& bind(int i, double v) {
    check(std::isfinite(v) ? sqlite3_bind_double(stmt_, i, v) : sqlite3_bind_null(stmt_, i));
    return *this;
  }
  Statement& bind_null(int i) {
    check(sqlite3_bind_null(stmt_, i));
    return *this;
  }
  // A JSON number or null; anything else binds NULL.
  Statement& bind_number(int i, const core::Json& v) {
    if (v.is_number_integer()) return bind(i, v.get<int64_t>());
    if (v.is_number()) return bind(i, v.get<double>());
    return bind_null(i);
  }

  // Steps once: true while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail();
    return false;
  }
  // Runs to completion, then resets for the next bindings.
  void run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const unsigned char* v = sqlite3_column_text(stmt_, col);
    return v ? reinterpret_cast<const char*>(v) : "";
  }
  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  // The column as JSON: null, an integer, a real or text.
  core::Json value(int col) const {
    switch (sqlite3_column_type(stmt_, col)) {
      case SQLITE_NULL: return nullptr;
      case SQLITE_INTEGER: return integer(col);
      case SQLITE_FLOAT: return sqlite3_column_double(stmt_, col);
      default: return text(col);
    }
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail();
  }
  [[noreturn]] void fail() { throw Error(where_ + ": " + sqlite3_errmsg(db_)); }

  sqlite3* db_;
  std::string where_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT on one connection, rolled back when an exception leaves the
// scope.
class Transaction {
 public:
  explicit Transaction(sqlite3* db, const std::string& where) : db_(db), where_(where) { exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    exec("COMMIT");
    done_ = true;
  }

 private:
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throw Error(where_ + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  std::string where_;
  bool done_ = false;
};

// An {"value": v, "ci": [lo, hi]} estimate (eval/estimate.h).
bool is_estimate(const core::Json& v) { return v.is_object() && v.contains("value") && v.contains("ci"); }

// Every number of metrics.json as (dotted name, value, ci): estimates become one row with
// their interval, arrays of objects are indexed (`exposure.by_repetitions.0.mean_exposure`);
// arrays of numbers (ROC points) stay in metrics_json only.
void flatten_metrics(const core::Json& node, const std::string& name,
                     std::vector<std::tuple<std::string, core::Json, core::Json>>& rows) {
  if (is_estimate(node)) {
    rows.emplace_back(name, node["value"], node["ci"]);
  } else if (node.is_number()) {
    rows.emplace_back(name, node, nullptr);
  } else if (node.is_object()) {
    for (const auto& [key, child] : node.items()) flatten_metrics(child, name.empty() ? key : name + "." + key, rows);
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i)
      if (node[i].is_object()) flatten_metrics(node[i], name + "." + std::to_string(i), rows);
  }
}

const core::Json& member(const core::Json& obj, const char* key) {
  static const core::Json null_json;
  if (!obj.is_object()) return null_json;
  auto it = obj.find(key);
  return it == obj.end() ? null_json : *it;
}

}  // namespace

ResultsDb::ResultsDb(const std::string& path, bool create) : path_(path) {
  const bool exists = core::path_exists(path);
  if (!exists && !create) throw Error(path + ": no such results database");
  if (exists && core::is_directory(path)) throw Error(path + ": is a folder, not a results database");
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(path + ": cannot open the results database: " + why);
  }
  sqlite3_busy_timeout(db_, 10000);
  try {
    if (exists) {
      check_schema();
    } else {
      create_schema();
    }
    // Write-ahead log: readers (a report drawn while the sweep runs) neither block its
    // writes nor see a run half recorded. synchronous stays FULL, SQLite's default, so a
    // committed run survives even a power cut; a transaction a kill interrupts is rolled
    // back on the next open. A file system without WAL support keeps its rollback journal.
    exec("PRAGMA journal_mode = WAL");
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

ResultsDb::~ResultsDb() { sqlite3_close(db_); }

void ResultsDb::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw Error(path_ + ": " + why);
  }
}

void ResultsDb::create_schema() {
  Transaction tx(db_, path_);
  exec(kSchema);
  Statement put(db_, "INSERT INTO meta (key, value) VALUES (?, ?)", path_);
  put.bind(1, "schema_version").bind(2, std::to_string(kResultsSchemaVersion)).run();
  Statement app(db_, "INSERT INTO meta (key, value) VALUES (?, ?)", path_);
  app.bind(1, "application").bind(2, "privtune").run();
  tx.commit();
}

void ResultsDb::upgrade_schema() {
  Transaction tx(db_, path_);
  const std::string schema(kSchema);
  exec(schema.substr(schema.find("CREATE TABLE audits")));
  Statement put(db_, "UPDATE meta SET value = ? WHERE key = 'schema_version'", path_);
  put.bind(1, std::to_string(kResultsSchemaVersion)).run();
  tx.commit();
}

void ResultsDb::check_schema() {
  const std::string not_ours = path_ + ": not a privtune results database";
  int64_t tables = 0;
  try {
    Statement count(db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", path_);
    if (count.step()) tables = count.integer(0);
  } catch (const Error&) {
    throw Error(not_ours + " (not an SQLite file)");
  }
  if (tables == 0) throw Error(not_ours + " (no meta table)");
  std::string found;
  {  // closed before an upgrade changes the schema
    Statement version(db_, "SELECT value FROM meta WHERE key = 'schema_version'", path_);
    if (!version.step()) throw Error(not_ours + " (no schema_version)");
    found = version.text(0);
  }
  if (found == std::to_string(kUpgradableVersion)) {
    upgrade_schema();
    return;
  }
  if (found != std::to_string(kResultsSchemaVersion))
    throw Error(path_ + ": results schema version " + found + ", this privtune reads version " +
                std::to_string(kResultsSchemaVersion) + " (use the privtune that wrote it, or start a new database)");
}

void ResultsDb::record_sweep(const std::string& name, const std::string& config_path, const std::string& config_text,
                             const std::string& shard) {
  Statement put(db_,
                "INSERT INTO sweeps (name, config_path, config_text, shard, host, started_at, privtune_version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                path_);
  put.bind(1, name).bind(2, config_path).bind(3, config_text).bind(4, shard).bind(5, core::host_name()).bind(6, now_iso());
  put.bind(7, std::string(kVersion)).run();
}

std::string ResultsDb::run_status(const std::string& run_id) {
  Statement find(db_, "SELECT status FROM runs WHERE run_id = ?", path_);
  find.bind(1, run_id);
  return find.step() ? find.text(0) : "new";
}

std::string ResultsDb::plan_run(const PlannedRun& run) {
  const std::string known = run_status(run.run_id);
  if (known != "new") return known;
  Statement put(db_,
                "INSERT INTO runs (run_id, sweep, label, method, model, data, seed, settings, status, out_dir) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                path_);
  put.bind(1, run.run_id).bind(2, run.sweep).bind(3, run.label).bind(4, run.method).bind(5, run.model);
  put.bind(6, run.data).bind(7, run.seed).bind(8, run.settings.dump()).bind(9, run.out_dir).run();
  return "pending";
}

void ResultsDb::mark_running(const std::string& run_id, const std::string& host) {
  Statement put(db_,
                "UPDATE runs SET status = 'running', attempts = attempts + 1, error = NULL, host = ?, "
                "started_at = ?, finished_at = NULL WHERE run_id = ?",
                path_);
  put.bind(1, host).bind(2, now_iso()).bind(3, run_id).run();
}

void ResultsDb::record_failed(const std::string& run_id, const std::string& error) {
  Statement put(db_, "UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE run_id = ?", path_);
  put.bind(1, error).bind(2, now_iso()).bind(3, run_id).run();
}

void ResultsDb::record_done(const std::string& run_id, const RunOutcome& result) {
  Transaction tx(db_, path_);
  for (const char* table : kResultTables) {
    Statement clear(db_, std::string("DELETE FROM ") + table + " WHERE run_id = ?", path_);
    clear.bind(1, run_id).run();
  }
  Statement run(db_,
                "UPDATE runs SET status = 'done', error = NULL, finished_at = ?, train_seconds = ?, "
                "eval_seconds = ?, run_json = ?, metrics_json = ? WHERE run_id = ?",
                path_);
  run.bind(1, now_iso()).bind(2, result.train_seconds).bind(3, result.eval_seconds).bind(4, result.run.dump());
  run.bind(5, result.metrics.dump()).bind(6, run_id).run();

  std::vector<std::tuple<std::string, core::Json, core::Json>> rows;
  flatten_metrics(result.metrics, "", rows);
  Statement metric(db_, "INSERT OR REPLACE INTO metrics (run_id, name, value, ci_low, ci_high) VALUES (?, ?, ?, ?, ?)",
                   path_);
  for (const auto& [name, value, ci] : rows) {
    const bool has_ci = ci.is_array() && ci.size() == 2;
    metric.bind(1, run_id).bind(2, name).bind_number(3, value);
    metric.bind_number(4, has_ci ? ci[0] : core::Json()).bind_number(5, has_ci ? ci[1] : core::Json()).run();
  }

  Statement step(db_,
                 "INSERT OR REPLACE INTO steps (run_id, step, epoch, loss, lr, grad_norm, rows, tokens, step_s, "
                 "tokens_per_s, elapsed_s, peak_memory_bytes, epsilon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 path_);
  Statement eval(db_, "INSERT OR REPLACE INTO evals (run_id, step, test) VALUES (?, ?, ?)", path_);
  for (const core::Json& line : result.log) {
    const std::string event = member(line, "event").is_string() ? line["event"].get<std::string>() : "";
    if (event == "step") {
      step.bind(1, run_id).bind_number(2, member(line, "step"));
      int col = 3;
      for (const char* key : {"epoch", "loss", "lr", "grad_norm", "rows", "tokens", "step_s", "tokens_per_s",
                              "elapsed_s", "peak_memory_bytes", "epsilon"})
        step.bind_number(col++, member(line, key));
      step.run();
    } else if (event == "eval") {
      eval.bind(1, run_id).bind_number(2, member(line, "step")).bind(3, member(line, "test").dump()).run();
    }
  }

  const core::Json& efficiency = member(result.run, "efficiency");
  const core::Json& dp = member(result.run, "dp");
  Statement put(db_,
                "INSERT INTO efficiency (run_id, device, trainable_parameters, total_parameters, steps, tokens, "
                "train_time_s, time_per_step_s, tokens_per_s, peak_memory_bytes, estimated_flops, epsilon, delta, "
                "eval_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                path_);
  put.bind(1, run_id);
  if (member(efficiency, "device").is_string()) {
    put.bind(2, efficiency["device"].get<std::string>());
  } else {
    put.bind_null(2);
  }
  int col = 3;
  for (const char* key : {"trainable_parameters", "total_parameters", "steps", "tokens", "train_time_s",
                          "time_per_step_s", "tokens_per_s", "peak_memory_bytes", "estimated_flops"})
    put.bind_number(col++, member(efficiency, key));
  put.bind_number(12, member(dp, "epsilon")).bind_number(13, member(dp, "delta"));
  put.bind(14, result.eval_seconds).run();
  if (result.audit.is_object()) record_audit(run_id, result.audit);
  tx.commit();
}

void ResultsDb::record_audit(const std::string& run_id, const core::Json& doc) {
  const core::Json& audit = member(doc, "audit");
  const core::Json& best = member(audit, "best");
  Statement put(db_,
                "INSERT INTO audits (run_id, epsilon_lower, delta, confidence, canaries, included, kind, k, guesses, "
                "correct, accuracy, theory_epsilon, audit_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                path_);
  put.bind(1, run_id);
  int col = 2;
  for (const char* key : {"epsilon_lower_bound", "delta", "confidence", "canaries", "included"})
    put.bind_number(col++, member(audit, key));
  if (member(audit, "kind").is_string()) {
    put.bind(7, audit["kind"].get<std::string>());
  } else {
    put.bind_null(7);
  }
  col = 8;
  for (const char* key : {"k", "guesses", "correct", "accuracy"}) put.bind_number(col++, member(best, key));
  put.bind_number(12, member(member(doc, "theory"), "epsilon"));
  put.bind(13, doc.dump()).run();
}

core::Json ResultsDb::status_counts() {
  core::Json counts{{"pending", 0}, {"running", 0}, {"done", 0}, {"failed", 0}};
  Statement count(db_, "SELECT status, count(*) FROM runs GROUP BY status", path_);
  while (count.step()) counts[count.text(0)] = count.integer(1);
  return counts;
}

core::Json ResultsDb::report_input() {
  core::Json runs = core::Json::array();
  Statement select(db_,
                   "SELECT run_id, label, sweep, method, model, data, seed, settings, status, error, train_seconds, "
                   "eval_seconds, run_json, metrics_json FROM runs ORDER BY rowid",
                   path_);
  auto parse = [&](const Statement& row, int col) -> core::Json {
    if (row.is_null(col)) return nullptr;
    return core::parse_json(row.text(col), path_ + ": run " + row.text(0));
  };
  while (select.step()) {
    core::Json run{{"run_id", select.text(0)},      {"label", select.text(1)},
                   {"sweep", select.text(2)},       {"method", select.text(3)},
                   {"model", select.text(4)},       {"data", select.text(5)},
                   {"seed", select.integer(6)},     {"status", select.text(8)},
                   {"error", select.value(9)},      {"train_seconds", select.value(10)},
                   {"eval_seconds", select.value(11)}};
    const core::Json settings = parse(select, 7);
    run["settings"] = settings.is_object() && settings.contains("train") ? settings["train"] : core::Json::object();
    run["run"] = parse(select, 12);
    run["metrics"] = parse(select, 13);
    run["steps"] = core::Json::array();
    run["evals"] = core::Json::array();
    runs.push_back(std::move(run));
  }

  // Step logs and evaluations, attached to their runs.
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < runs.size(); ++i) index[runs[i]["run_id"].get<std::string>()] = i;
  Statement steps(db_,
                  "SELECT run_id, step, epoch, loss, lr, grad_norm, rows, tokens, step_s, tokens_per_s, elapsed_s, "
                  "peak_memory_bytes, epsilon FROM steps ORDER BY run_id, step",
                  path_);
  const char* names[] = {"step", "epoch", "loss", "lr", "grad_norm", "rows", "tokens", "step_s", "tokens_per_s",
                         "elapsed_s", "peak_memory_bytes", "epsilon"};
  while (steps.step()) {
    auto it = index.find(steps.text(0));
    if (it == index.end()) continue;
    core::Json line{{"event", "step"}};
    for (int col = 1; col <= 12; ++col)
      if (!steps.is_null(col)) line[names[col - 1]] = steps.value(col);
    runs[it->second]["steps"].push_back(std::move(line));
  }
  Statement evals(db_, "SELECT run_id, step, test FROM evals ORDER BY run_id, step", path_);
  while (evals.step()) {
    auto it = index.find(evals.text(0));
    if (it == index.end()) continue;
    runs[it->second]["evals"].push_back(
        {{"event", "eval"}, {"step", evals.integer(1)}, {"test", core::parse_json(evals.text(2), path_)}});
  }
  Statement audits(db_, "SELECT run_id, audit_json FROM audits", path_);
  while (audits.step()) {
    auto it = index.find(audits.text(0));
    if (it != index.end()) runs[it->second]["audit"] = core::parse_json(audits.text(1), path_ + ": audit");
  }
  return {{"source", path_}, {"generated", now_iso()}, {"runs", std::move(runs)}};
}

MergeTally ResultsDb::merge_from(const std::string& other_path) {
  { ResultsDb other(other_path, false); }  // refuses a file of another schema version
  MergeTally tally;
  Statement attach(db_, "ATTACH DATABASE ? AS other", path_);
  attach.bind(1, other_path).run();
  try {
    Transaction tx(db_, path_);
    // Runs to take: new ones, and finished ones whose copy here is unfinished.
    exec("CREATE TEMP TABLE taken (run_id TEXT PRIMARY KEY, replaces INTEGER)");
    exec("INSERT INTO taken SELECT o.run_id, m.run_id IS NOT NULL FROM other.runs o LEFT JOIN main.runs m "
         "ON m.run_id = o.run_id WHERE m.run_id IS NULL OR (o.status = 'done' AND m.status <> 'done')");
    {  // statements closed before the temporary table is dropped
      Statement count(db_, "SELECT count(*) - coalesce(sum(replaces), 0), coalesce(sum(replaces), 0) FROM taken",
                      path_);
      if (count.step()) {
        tally.added = count.integer(0);
        tally.replaced = count.integer(1);
      }
      Statement duplicates(db_,
                           "SELECT count(*) FROM other.runs o JOIN main.runs m ON m.run_id = o.run_id "
                           "WHERE o.status = 'done' AND m.status = 'done'",
                           path_);
      if (duplicates.step()) tally.duplicates = duplicates.integer(0);
    }
    for (const char* table : {"runs", "metrics", "steps", "evals", "efficiency", "audits"}) {
      const std::string t(table);
      exec("DELETE FROM main." + t + " WHERE run_id IN (SELECT run_id FROM taken)");
      exec("INSERT INTO main." + t + " SELECT * FROM other." + t + " WHERE run_id IN (SELECT run_id FROM taken)");
    }
    exec("INSERT INTO main.sweeps (name, config_path, config_text, shard, host, started_at, privtune_version) "
         "SELECT name, config_path, config_text, shard, host, started_at, privtune_version FROM other.sweeps");
    exec("DROP TABLE taken");
    tx.commit();
  } catch (...) {
    sqlite3_exec(db_, "DROP TABLE IF EXISTS temp.taken", nullptr, nullptr, nullptr);
    sqlite3_exec(db_, "DETACH DATABASE other", nullptr, nullptr, nullptr);
    throw;
  }
  exec("DETACH DATABASE other");
  return tally;
}

}  // namespace privtune::experiment
