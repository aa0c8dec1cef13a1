// The results store of sweeps: one SQLite file holding every run of a sweep (or of several
// sweeps), its settings, status, metrics, step log and efficiency figures. The schema is
// documented in docs/sweeps.md; `meta.schema_version` guards it: a database written by an
// incompatible privtune is refused, never rewritten; one of version 1 gains the (empty)
// audits table of version 2 when opened.
//
// Writes are transactions: a run's results appear whole or not at all, so a sweep killed
// at any point loses at most the runs that were in flight (left as 'running', retried by
// the next sweep).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/experiment/run_outcome.h"

struct sqlite3;

namespace privtune::experiment {

constexpr int kResultsSchemaVersion = 2;

// What a sweep knows about a run before running it.
struct PlannedRun {
  std::string run_id, sweep, label, method, model, data;
  int64_t seed = 0;
  core::Json settings;  // SweepRun::settings()
  std::string out_dir;  // the run's output folder
};

struct MergeTally {
  int64_t added = 0;       // runs new to the output
  int64_t replaced = 0;    // unfinished or failed runs replaced by a finished one
  int64_t duplicates = 0;  // runs finished in both: the first input's copy is kept
};

class ResultsDb {
 public:
  // Opens `path`, creating it with the current schema when it does not exist (and
  // `create`). Error naming the file when it is not a privtune results database or its
  // schema version differs.
  explicit ResultsDb(const std::string& path, bool create = true);
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;

  const std::string& path() const { return path_; }

  // Records one invocation of a sweep (its config text, shard, host).
  void record_sweep(const std::string& name, const std::string& config_path, const std::string& config_text,
                    const std::string& shard);

  // The run's status, or "new" when the database does not know it.
  std::string run_status(const std::string& run_id);
  // Adds the run as 'pending' unless it is known; returns its status.
  std::string plan_run(const PlannedRun& run);
  void mark_running(const std::string& run_id, const std::string& host);
  void record_done(const std::string& run_id, const RunOutcome& result);
  void record_failed(const std::string& run_id, const std::string& error);

  // Status counts: {"pending": n, "running": n, "done": n, "failed": n}.
  core::Json status_counts();

  // Every run with its settings, results, step log and evaluations: the input of
  // render_report() (report.h).
  core::Json report_input();

  // Adds the runs of another results database (shards of one sweep run elsewhere).
  MergeTally merge_from(const std::string& other_path);

 private:
  void exec(const std::string& sql);
  void check_schema();
  void create_schema();
  void upgrade_schema();
  void record_audit(const std::string& run_id, const core::Json& audit_document);

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace privtune::experiment
