#include "privtune/experiment/sweep.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/subprocess.h"
#include "privtune/experiment/results_db.h"
#include "privtune/experiment/study.h"

namespace privtune::experiment {

namespace {

// An exclusive lock on OUT/sweep.lock for the sweep's lifetime: two sweeps writing the
// same folder would retry each other's runs in flight.
class FolderLock {
 public:
  explicit FolderLock(const std::string& dir) {
    const std::string path = core::join_path(dir, "sweep.lock");
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw Error(dir + ": another sweep is running in this folder (" + path + " is locked)");
    }
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

// Every model and dataset folder must exist before the first run starts, so that a typo
// fails in a second, not after hours of other runs.
void check_inputs(const SweepConfig& config, const std::vector<const SweepRun*>& runs) {
  for (const SweepRun* run : runs) {
    if (!core::path_exists(core::join_path(run->model, "config.json")))
      throw Error(config.path + ": run " + run->label + ": model '" + run->model_as_written +
                  "' is not a model folder (no " + core::join_path(run->model, "config.json") + ")");
    if (!core::is_directory(run->data))
      throw Error(config.path + ": run " + run->label + ": data '" + run->data_as_written + "' is not a folder (" +
                  run->data + ")");
  }
}

}  // namespace

std::pair<int, int> parse_shard(const std::string& text, const std::string& flag) {
  const std::string usage = flag + " '" + text + "': expected i/n with 1 <= i <= n, e.g. 1/4";
  const size_t slash = text.find('/');
  if (slash == std::string::npos) throw Error(usage);
  try {
    size_t used_i = 0, used_n = 0;
    const int i = std::stoi(text.substr(0, slash), &used_i);
    const int n = std::stoi(text.substr(slash + 1), &used_n);
    if (used_i != slash || used_n != text.size() - slash - 1 || i < 1 || n < 1 || i > n) throw Error(usage);
    return {i, n};
  } catch (const std::logic_error&) {
    throw Error(usage);
  }
}

SweepTally run_sweep(const SweepConfig& config, const SweepOptions& options) {
  if (options.jobs < 1) throw Error("--jobs must be >= 1");
  if (options.shard_count < 1 || options.shard_index < 1 || options.shard_index > options.shard_count)
    throw Error("--shard: expected i/n with 1 <= i <= n");

  std::vector<const SweepRun*> shard;
  for (size_t i = 0; i < config.runs.size(); ++i)
    if (static_cast<int>(i % options.shard_count) == options.shard_index - 1) shard.push_back(&config.runs[i]);
  check_inputs(config, shard);

  const std::string runs_dir = core::join_path(options.out_dir, "runs");
  const std::string logs_dir = core::join_path(options.out_dir, "logs");
  core::make_directories(runs_dir);
  core::make_directories(logs_dir);
  FolderLock lock(options.out_dir);
  ResultsDb db(core::join_path(options.out_dir, "results.db"));
  const std::string shard_text = std::to_string(options.shard_index) + "/" + std::to_string(options.shard_count);
  db.record_sweep(config.name, config.path, config.text, shard_text);

  SweepTally tally;
  tally.in_shard = static_cast<int64_t>(shard.size());
  std::vector<const SweepRun*> todo;
  for (const SweepRun* run : shard) {
    PlannedRun planned{run->run_id, config.name, run->label, run->method, run->model_as_written,
                       run->data_as_written, run->seed, run->settings(), core::join_path(runs_dir, run->run_id)};
    if (db.plan_run(planned) == "done") {
      ++tally.skipped;
    } else {
      todo.push_back(run);
    }
  }
  std::mutex mutex;  // guards db, tally and stderr lines
  auto say = [&](const std::string& line) {
    if (!options.progress) return;
    std::lock_guard<std::mutex> hold(mutex);
    std::fprintf(stderr, "%s\n", line.c_str());
  };
  say("sweep " + config.name + ": " + std::to_string(shard.size()) + " runs in shard " + shard_text + ", " +
      std::to_string(tally.skipped) + " already done, " + std::to_string(todo.size()) + " to run with " +
      std::to_string(options.jobs) + " job(s)");

  // Runs in flight share the cores: each child gets its share of torch's threads.
  const int jobs = std::min<int>(options.jobs, std::max<size_t>(todo.size(), 1));
  std::vector<std::string> env;
  if (jobs > 1) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    env.push_back("OMP_NUM_THREADS=" + std::to_string(std::max(1u, cores / static_cast<unsigned>(jobs))));
  }
  const std::string host = core::host_name();
  std::atomic<size_t> next{0};
  std::exception_ptr fatal;  // a results-database error: the sweep stops
  auto run_one = [&](const SweepRun& run, const std::string& tag) {
    {
      std::lock_guard<std::mutex> hold(mutex);
      db.mark_running(run.run_id, host);
    }
    TrainEvalJob job{run.run_id, run.method, run.model, run.data, core::join_path(runs_dir, run.run_id), logs_dir,
                     flag_args(run.train), flag_args(config.eval), env, {}, options.resumable};
    const std::string seed = std::to_string(run.seed);
    job.train_flags.insert(job.train_flags.end(), {"--seed", seed});
    job.eval_flags.insert(job.eval_flags.end(), {"--seed", seed});
    job.audit_flags = flag_args(run.audit);
    const bool own_audit_seed =
        std::any_of(run.audit.begin(), run.audit.end(), [](const SweepFlag& f) { return f.name == "audit-seed"; });
    if (!run.audit.empty() && !own_audit_seed) job.audit_flags.insert(job.audit_flags.end(), {"--audit-seed", seed});
    try {
      const RunOutcome outcome = run_train_eval(job, [&](const std::string& line) { say(tag + ": " + line); });
      std::lock_guard<std::mutex> hold(mutex);
      db.record_done(run.run_id, outcome);
      ++tally.succeeded;
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> hold(mutex);
      db.record_failed(run.run_id, e.what());
      ++tally.failed;
      tally.failures.push_back(run.run_id + ": " + e.what());
      if (options.progress) std::fprintf(stderr, "%s: FAILED: %s\n", tag.c_str(), e.what());
    }
  };
  auto work = [&] {
    for (size_t k = next++; k < todo.size(); k = next++) {
      try {
        run_one(*todo[k], "[" + std::to_string(k + 1) + "/" + std::to_string(todo.size()) + "] " + todo[k]->label);
      } catch (...) {
        std::lock_guard<std::mutex> hold(mutex);
        if (!fatal) fatal = std::current_exception();
        next = todo.size();
      }
    }
  };
  std::vector<std::thread> workers;
  for (int j = 1; j < jobs; ++j) workers.emplace_back(work);
  work();
  for (std::thread& w : workers) w.join();
  if (fatal) std::rethrow_exception(fatal);
  return tally;
}

}  // namespace privtune::experiment
