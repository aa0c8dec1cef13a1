// The results database under load: a sweep of 100 short runs with two jobs, SIGKILLed
// mid-way, then resumed. Nothing recorded before the kill is lost or run again, nothing is
// recorded twice, and the database passes SQLite's integrity check at every point.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "run_privtune.h"

namespace privtune {
namespace {

const std::string kSource = PRIVTUNE_SOURCE_DIR;

// The integer answer of a one-value query, read-only (while nothing writes).
int64_t count(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db) << ": " << sql;
  int64_t value = -1;
  if (stmt && sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

std::string integrity(const std::string& db_path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
  std::string result = "no answer";
  if (stmt && sqlite3_step(stmt) == SQLITE_ROW) result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

// Every finished run has exactly its own rows: one efficiency row, one step, and the same
// number of metric rows as every other run of its method; no rows of unfinished runs.
void expect_consistent(const std::string& db) {
  EXPECT_EQ(integrity(db), "ok");
  const int64_t done = count(db, "SELECT count(*) FROM runs WHERE status = 'done'");
  EXPECT_EQ(count(db, "SELECT count(*) FROM efficiency"), done);
  EXPECT_EQ(count(db, "SELECT count(*) FROM steps"), done);  // --max-steps 1
  EXPECT_EQ(count(db, "SELECT count(*) FROM efficiency JOIN runs USING (run_id) WHERE status <> 'done'"), 0);
  EXPECT_EQ(count(db, "SELECT count(*) FROM metrics JOIN runs USING (run_id) WHERE status <> 'done'"), 0);
  EXPECT_EQ(count(db, "SELECT count(DISTINCT method || ':' || n) FROM (SELECT method, count(*) AS n FROM metrics "
                      "JOIN runs USING (run_id) GROUP BY run_id, method)"),
            count(db, "SELECT count(DISTINCT method) FROM runs WHERE status = 'done'"));
}

TEST(SweepLoad, HundredRunsKilledMidwayLoseAndDuplicateNothing) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  if (std::system("command -v timeout > /dev/null 2>&1") != 0) GTEST_SKIP() << "no timeout command";
  const std::string dir = test::fresh_dir("sweep_load_" + std::to_string(::getpid()));
  const std::string data = test::generate_customersim("sweep_load_data", "--train 4 --test 4 --seed 5");
  std::string seeds;
  for (int s = 0; s < 50; ++s) seeds += (s ? ", " : "") + std::to_string(s);
  const std::string config = dir + "/load.toml";
  core::write_file_atomic(config, "model = \"" + kSource + "/models/privtune-tiny\"\ndata = \"" + data +
                                      "\"\nseeds = [" + seeds + "]\n"
                                      "[train]\nmax-steps = 1\nbatch-size = 2\nmax-length = 48\neval = false\n"
                                      "[eval]\nbootstrap = 10\nextraction-max-spans = 0\nmax-length = 48\n"
                                      "[grid]\nmethod = [\"full\", \"lora\"]\n");
  const std::string out = dir + "/out", db = out + "/results.db";
  const std::string sweep = "'" + test::privtune_path() + "' sweep --config '" + config + "' --out '" + out +
                            "' --jobs 2 --quiet --no-report";

  const std::string killed = "timeout -s KILL 45 " + sweep + " > /dev/null 2>&1";
  EXPECT_NE(std::system(killed.c_str()), 0) << "the sweep finished before it was killed: nothing was tested";
  ASSERT_TRUE(core::path_exists(db));
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs"), 100);
  const int64_t done_at_kill = count(db, "SELECT count(*) FROM runs WHERE status = 'done'");
  EXPECT_GT(done_at_kill, 0) << "no run finished before the kill";
  EXPECT_LT(done_at_kill, 100);
  expect_consistent(db);

  auto resumed = test::run_privtune("sweep --config '" + config + "' --out '" + out + "' --jobs 2 --quiet --no-report --json");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  const core::Json tally = core::parse_json(resumed.out, "stdout");
  EXPECT_EQ(tally["skipped"].get<int64_t>(), done_at_kill) << "finished runs were run again, or lost";
  EXPECT_EQ(tally["succeeded"].get<int64_t>(), 100 - done_at_kill);
  EXPECT_EQ(count(db, "SELECT count(*) FROM runs WHERE status = 'done'"), 100);
  EXPECT_EQ(count(db, "SELECT count(*) FROM sweeps"), 2);
  expect_consistent(db);
}

}  // namespace
}  // namespace privtune
