// privtune sweep --config sweep.toml [--out DIR] [--jobs N] [--shard i/n] [--dry-run]:
// every run of a grid of methods, models and hyper-parameters, trained and evaluated, into
// one SQLite results database and an HTML report (docs/sweeps.md).
// privtune sweep merge A.db B.db ... --out C.db: joins the databases of shards.
// privtune report --db F.db --out report.html: the report of any results database.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/experiment/report.h"
#include "privtune/experiment/results_db.h"
#include "privtune/experiment/sweep.h"
#include "privtune/train/checkpoint.h"
#include "privtune/train/options.h"

namespace privtune::cli {

namespace {

// A run an earlier sweep left unfinished that its command can continue: a training
// checkpoint (or a finished run.json, when the kill came during evaluation), or an unfinished
// audit's plan.
bool interrupted_run(const std::string& dir, bool audited) {
  if (audited) return audit_can_resume(dir);
  return train::has_checkpoint(dir) || core::path_exists(core::join_path(dir, train::kRunFile));
}

// Flags the sweep sets itself for every run; a config must not set them.
bool set_by_sweep(const std::string& flag) {
  for (const char* own : {"model", "data", "out", "overwrite", "quiet", "json", "seed", "config", "adapter", "base", "resume"})
    if (flag == own) return true;
  return false;
}

// Checks a config value the way `privtune <command>` would parse it, through that
// command's own option (its type and validators), then forgets it.
experiment::FlagCheck flag_check(CLI::App& root, const std::string& command_name) {
  return [&root, command_name](const std::string& flag, const experiment::SweepFlag& value) {
    CLI::App* command = root.get_subcommand(command_name);
    CLI::Option* option = command->get_option_no_throw("--" + flag);
    if (flag != "method" && set_by_sweep(flag)) throw Error("set by the sweep for every run; remove it");
    if (command_name == "train" && flag == "method") train::parse_method(value.text);  // checked when training starts
    if (!option) throw Error("unknown flag (no --" + flag + " for privtune " + command_name + ")");
    const bool is_switch = option->get_expected_min() == 0;
    if (is_switch && !value.boolean) throw Error("--" + flag + " is a switch: write true or false");
    if (!is_switch && value.boolean) throw Error("--" + flag + " takes a value, not true/false");
    if (is_switch) return;
    try {
      option->add_result(value.text);
      option->run_callback();
    } catch (const CLI::Error& e) {
      option->clear();
      throw Error(e.what());
    }
    option->clear();
  };
}

// [audit] holds the audit's own flags; training flags belong in [train], where they also
// reach runs without an audit.
experiment::FlagCheck audit_check(CLI::App& root) {
  const experiment::FlagCheck check = flag_check(root, "audit");
  return [check](const std::string& flag, const experiment::SweepFlag& value) {
    static const char* const kAuditFlags[] = {"canaries",   "canary-kind", "canary-length", "guesses",
                                              "audit-delta", "confidence",  "audit-seed"};
    if (std::find(std::begin(kAuditFlags), std::end(kAuditFlags), flag) == std::end(kAuditFlags))
      throw Error("not a flag of the audit itself (its flags: canaries, canary-kind, canary-length, guesses, "
                  "audit-delta, confidence, audit-seed; training flags go in [train])");
    check(flag, value);
  };
}

// An output folder is a sweep's when it is new, empty, or has a results database.
void check_out_folder(const std::string& out) {
  if (core::path_exists(out) && !core::is_directory(out)) throw Error(out + ": exists and is not a folder");
  if (core::is_directory(out) && !std::filesystem::is_empty(out) &&
      !core::path_exists(core::join_path(out, "results.db")))
    throw Error(out + ": not empty and not a sweep's folder (no results.db); choose another --out");
}

void write_report(const std::string& db_path, const std::string& out, const std::string& title) {
  experiment::ResultsDb db(db_path, false);
  core::Json input = db.report_input();
  input["title"] = title;
  core::write_file_atomic(out, experiment::render_report(input));
}

void add_sweep_merge_command(CLI::App& sweep) {
  struct Flags {
    std::vector<std::string> inputs;
    std::string out;
    bool overwrite = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = sweep.add_subcommand("merge", "Join the results databases of sweep shards into one");
  cmd->add_option("inputs", f->inputs, "Results databases (results.db of each shard)")->required()->expected(1, -1);
  cmd->add_option("--out", f->out, "The merged database to write")->required();
  cmd->add_flag("--overwrite", f->overwrite, "Replace an existing --out");
  cmd->callback([f] {
    for (const std::string& input : f->inputs)
      if (!core::path_exists(input)) throw Error(input + ": no such results database");
    if (core::path_exists(f->out) && !f->overwrite) throw Error(f->out + ": exists (pass --overwrite to replace it)");
    // Built next to the output and renamed at the end: a failed merge leaves nothing.
    const std::string partial = f->out + ".partial";
    std::filesystem::remove(partial);
    try {
      experiment::MergeTally total;
      {
        experiment::ResultsDb merged(partial);
        for (const std::string& input : f->inputs) {
          const experiment::MergeTally t = merged.merge_from(input);
          std::fprintf(stderr, "%s: %lld runs added, %lld replaced, %lld already there\n", input.c_str(),
                       static_cast<long long>(t.added), static_cast<long long>(t.replaced),
                       static_cast<long long>(t.duplicates));
          total.added += t.added;
        }
      }
      std::filesystem::rename(partial, f->out);
      std::printf("Wrote %s (%lld runs)\n", f->out.c_str(), static_cast<long long>(total.added));
    } catch (...) {
      std::filesystem::remove(partial);
      throw;
    }
  });
}

}  // namespace

void add_sweep_command(CLI::App& root) {
  struct Flags {
    std::string config, out, shard = "1/1";
    int jobs = 1;
    bool dry_run = false, json = false, quiet = false, no_report = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("sweep", "Run a grid of fine-tuning runs into a results database and report");
  cmd->add_option("--config", f->config, "Sweep file (TOML; docs/sweep_config.md)");
  cmd->add_option("--out", f->out, "Results folder (default: the config's `out`)");
  cmd->add_option("--jobs", f->jobs, "Runs in flight at once")->capture_default_str();
  cmd->add_option("--shard", f->shard, "Run only shard i of n (i/n, 1-based) of the runs")->capture_default_str();
  cmd->add_flag("--dry-run", f->dry_run, "List the runs and their status; run nothing");
  cmd->add_flag("--json", f->json, "Print the outcome as JSON");
  cmd->add_flag("--quiet", f->quiet, "No progress lines on stderr");
  cmd->add_flag("--no-report", f->no_report, "Do not write OUT/report.html");
  add_sweep_merge_command(*cmd);
  cmd->callback([cmd, f, &root] {
    if (cmd->get_subcommand("merge")->parsed()) return;
    if (f->config.empty()) throw Error("--config is required (or use `privtune sweep merge`)");
    const auto [shard_index, shard_count] = experiment::parse_shard(f->shard, "--shard");
    if (f->jobs < 1) throw Error("--jobs must be >= 1");
    const experiment::SweepConfig config =
        experiment::load_sweep_config(f->config, flag_check(root, "train"), flag_check(root, "eval"), audit_check(root));
    const std::string out = f->out.empty() ? config.out : f->out;
    if (out.empty()) throw Error(f->config + ": no output folder: pass --out or set `out` in the file");
    check_out_folder(out);

    if (f->dry_run) {
      core::Json runs = core::Json::array();
      const std::string db_path = core::join_path(out, "results.db");
      std::unique_ptr<experiment::ResultsDb> db;
      if (core::path_exists(db_path)) db = std::make_unique<experiment::ResultsDb>(db_path, false);
      for (size_t i = 0; i < config.runs.size(); ++i) {
        if (static_cast<int>(i % shard_count) != shard_index - 1) continue;
        const experiment::SweepRun& run = config.runs[i];
        const std::string status = db ? db->run_status(run.run_id) : "new";
        runs.push_back({{"run_id", run.run_id}, {"label", run.label}, {"status", status}, {"settings", run.settings()}});
        if (!f->json) std::printf("%-20s %-8s %s\n", run.run_id.c_str(), status.c_str(), run.label.c_str());
      }
      if (f->json) print_json({{"out", out}, {"runs", runs}});
      return;
    }

    experiment::SweepOptions options{out, f->jobs, shard_index, shard_count, !f->quiet, interrupted_run};
    const experiment::SweepTally tally = experiment::run_sweep(config, options);
    const std::string db_path = core::join_path(out, "results.db");
    std::string report;
    if (!f->no_report && experiment::report_bundles_embedded()) {
      report = core::join_path(out, "report.html");
      write_report(db_path, report, config.name);
    }
    if (f->json) {
      print_json({{"out", out},
                  {"database", db_path},
                  {"report", report.empty() ? core::Json() : core::Json(report)},
                  {"in_shard", tally.in_shard},
                  {"skipped", tally.skipped},
                  {"succeeded", tally.succeeded},
                  {"failed", tally.failed},
                  {"failures", tally.failures}});
    } else {
      std::printf("sweep %s: %lld runs in shard, %lld already done, %lld ran, %lld failed\nResults in %s%s%s\n",
                  config.name.c_str(), static_cast<long long>(tally.in_shard), static_cast<long long>(tally.skipped),
                  static_cast<long long>(tally.succeeded), static_cast<long long>(tally.failed), db_path.c_str(),
                  report.empty() ? "" : ", report in ", report.c_str());
    }
    if (tally.failed > 0)
      throw Error(std::to_string(tally.failed) + " run(s) failed (logs in " + core::join_path(out, "logs") +
                  "); run the sweep again to retry them");
  });
}

void add_report_command(CLI::App& root) {
  struct Flags {
    std::string db, out, title;
    bool overwrite = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("report", "Write the self-contained HTML report of a results database");
  cmd->add_option("--db", f->db, "Results database (a sweep's results.db)")->required();
  cmd->add_option("--out", f->out, "HTML file to write")->required();
  cmd->add_option("--title", f->title, "Title of the report (default: the database's file name)");
  cmd->add_flag("--overwrite", f->overwrite, "Replace an existing --out");
  cmd->callback([f] {
    if (!core::path_exists(f->db)) throw Error(f->db + ": no such results database");
    if (core::path_exists(f->out) && !f->overwrite) throw Error(f->out + ": exists (pass --overwrite to replace it)");
    write_report(f->db, f->out, f->title.empty() ? std::filesystem::path(f->db).filename().string() : f->title);
    std::printf("Wrote %s\n", f->out.c_str());
  });
}

}  // namespace privtune::cli
