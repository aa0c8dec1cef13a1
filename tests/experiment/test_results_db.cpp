// The SQLite results store: run lifecycle, flattened metrics, step logs, report input,
// merging shards, and refusing files it cannot read.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/experiment/results_db.h"

namespace privtune::experiment {
namespace {

std::string fresh_dir(const std::string& name) {
  const std::string dir = (std::filesystem::temp_directory_path() / ("privtune_results_db_" + name)).string();
  core::remove_tree(dir);
  core::make_directories(dir);
  return dir;
}

PlannedRun planned(const std::string& id, const std::string& method) {
  return {id, "s", method + " lr=0.1", method, "m", "d", 0, {{"method", method}, {"train", {{"lr", "0.1"}}}}, "out"};
}

RunOutcome outcome(double x) {
  RunOutcome o;
  o.run = {{"efficiency", {{"trainable_parameters", 1000}, {"train_time_s", 2.5}, {"peak_memory_bytes", 4096}}},
           {"dp", {{"epsilon", 8.0}, {"delta", 1e-5}}}};
  o.metrics = {{"leakage", {{"sens", {{"X", {{"value", x}, {"ci", {x - 1, x + 1}}}}, {"P", 0.5}}}}},
               {"exposure", {{"by_repetitions", {{{"repetitions", 4}, {"mean_exposure", 3.0}}}}}},
               {"membership", {{"roc", {{0.0, 0.0}, {1.0, 1.0}}}}}};
  o.log = {{{"event", "step"}, {"step", 1}, {"loss", 5.0}, {"epsilon", 2.0}},
           {{"event", "step"}, {"step", 2}, {"loss", 4.0}},
           {{"event", "eval"}, {"step", 2}, {"test", {{"sens", {{"loss", 3.0}}}}}}};
  o.train_seconds = 3;
  o.eval_seconds = 1;
  return o;
}

// One value of a one-row query.
core::Json query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  core::Json value;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    if (sqlite3_column_type(stmt, 0) == SQLITE_INTEGER) value = sqlite3_column_int64(stmt, 0);
    else if (sqlite3_column_type(stmt, 0) == SQLITE_FLOAT) value = sqlite3_column_double(stmt, 0);
    else if (sqlite3_column_type(stmt, 0) == SQLITE_TEXT)
      value = std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(ResultsDb, RunLifecycleAndResults) {
  const std::string path = fresh_dir("lifecycle") + "/results.db";
  {
    ResultsDb db(path);
    db.record_sweep("s", "sweep.toml", "name = 's'", "1/1");
    EXPECT_EQ(db.run_status("a"), "new");
    EXPECT_EQ(db.plan_run(planned("a", "dp")), "pending");
    EXPECT_EQ(db.plan_run(planned("b", "full")), "pending");
    db.mark_running("a", "host");
    EXPECT_EQ(db.plan_run(planned("a", "dp")), "running");  // a killed sweep's run: known, not done
    db.record_done("a", outcome(2.0));
    db.mark_running("b", "host");
    db.record_failed("b", "privtune train failed (exit 2): bad flag");
    const core::Json counts = db.status_counts();
    EXPECT_EQ(counts["done"], 1);
    EXPECT_EQ(counts["failed"], 1);
    EXPECT_EQ(counts["pending"], 0);
  }
  // Metrics flattened with their intervals; arrays of objects indexed; step log and efficiency.
  EXPECT_DOUBLE_EQ(query(path, "SELECT value FROM metrics WHERE name = 'leakage.sens.X'").get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(query(path, "SELECT ci_high FROM metrics WHERE name = 'leakage.sens.X'").get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(query(path, "SELECT value FROM metrics WHERE name = 'exposure.by_repetitions.0.mean_exposure'")
                       .get<double>(),
                   3.0);
  EXPECT_EQ(query(path, "SELECT count(*) FROM metrics WHERE name LIKE 'membership.roc%'"), 0);
  EXPECT_EQ(query(path, "SELECT count(*) FROM steps WHERE run_id = 'a'"), 2);
  EXPECT_DOUBLE_EQ(query(path, "SELECT epsilon FROM steps WHERE step = 1").get<double>(), 2.0);
  EXPECT_EQ(query(path, "SELECT trainable_parameters FROM efficiency WHERE run_id = 'a'"), 1000);
  EXPECT_DOUBLE_EQ(query(path, "SELECT epsilon FROM efficiency WHERE run_id = 'a'").get<double>(), 8.0);
  EXPECT_EQ(query(path, "SELECT attempts FROM runs WHERE run_id = 'a'"), 1);

  // Recording a run again replaces its results rather than adding to them.
  {
    ResultsDb db(path, false);
    db.mark_running("a", "host");
    db.record_done("a", outcome(5.0));
  }
  EXPECT_EQ(query(path, "SELECT count(*) FROM steps WHERE run_id = 'a'"), 2);
  EXPECT_DOUBLE_EQ(query(path, "SELECT value FROM metrics WHERE name = 'leakage.sens.X'").get<double>(), 5.0);

  ResultsDb db(path, false);
  const core::Json input = db.report_input();
  ASSERT_EQ(input["runs"].size(), 2u);
  const core::Json& a = input["runs"][0];
  EXPECT_EQ(a["run_id"], "a");
  EXPECT_EQ(a["status"], "done");
  EXPECT_EQ(a["settings"]["lr"], "0.1");
  EXPECT_EQ(a["steps"].size(), 2u);
  EXPECT_EQ(a["evals"].size(), 1u);
  EXPECT_DOUBLE_EQ(a["metrics"]["leakage"]["sens"]["X"]["value"].get<double>(), 5.0);
  const core::Json& b = input["runs"][1];
  EXPECT_EQ(b["status"], "failed");
  EXPECT_NE(b["error"].get<std::string>().find("bad flag"), std::string::npos);
  EXPECT_TRUE(b["metrics"].is_null());
}

TEST(ResultsDb, MergeTakesNewAndFinishedRuns) {
  const std::string dir = fresh_dir("merge");
  {
    ResultsDb a(dir + "/a.db");
    a.plan_run(planned("x", "full"));
    a.record_done("x", outcome(1.0));
    a.plan_run(planned("y", "lora"));
    a.record_failed("y", "crashed");
    ResultsDb b(dir + "/b.db");
    b.plan_run(planned("x", "full"));
    b.record_done("x", outcome(9.0));  // finished in both: the first copy stays
    b.plan_run(planned("y", "lora"));
    b.record_done("y", outcome(2.0));  // failed in a, finished in b: b's replaces it
    b.plan_run(planned("z", "dp"));
    b.record_done("z", outcome(3.0));
  }
  ResultsDb merged(dir + "/c.db");
  const MergeTally first = merged.merge_from(dir + "/a.db");
  EXPECT_EQ(first.added, 2);
  const MergeTally second = merged.merge_from(dir + "/b.db");
  EXPECT_EQ(second.added, 1);
  EXPECT_EQ(second.replaced, 1);
  EXPECT_EQ(second.duplicates, 1);
  const core::Json counts = merged.status_counts();
  EXPECT_EQ(counts["done"], 3);
  EXPECT_EQ(counts["failed"], 0);
  EXPECT_DOUBLE_EQ(query(dir + "/c.db", "SELECT value FROM metrics WHERE run_id = 'x' AND name = 'leakage.sens.X'")
                       .get<double>(),
                   1.0);
  EXPECT_EQ(query(dir + "/c.db", "SELECT count(*) FROM steps WHERE run_id = 'y'"), 2);
  EXPECT_EQ(query(dir + "/c.db", "SELECT count(*) FROM steps"), 6);
}

TEST(ResultsDb, RefusesOtherFiles) {
  const std::string dir = fresh_dir("refuse");
  EXPECT_THROW(ResultsDb(dir + "/missing.db", false), Error);
  core::write_file_atomic(dir + "/garbage.db", "this is not sqlite at all, just text that is long enough........");
  try {
    ResultsDb db(dir + "/garbage.db");
    FAIL() << "garbage opened";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("garbage.db: not a privtune results database"), std::string::npos)
        << e.what();
  }
  // A results database of another schema version is refused and left as it was.
  { ResultsDb db(dir + "/old.db"); }
  query(dir + "/old.db", "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  try {
    ResultsDb db(dir + "/old.db");
    FAIL() << "schema 99 opened";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
  }
  EXPECT_EQ(query(dir + "/old.db", "SELECT value FROM meta WHERE key = 'schema_version'"), "99");
  // Merging it is refused too.
  ResultsDb fresh(dir + "/new.db");
  EXPECT_THROW(fresh.merge_from(dir + "/old.db"), Error);
}

core::Json audit_document(double lower) {
  return {{"audit", {{"epsilon_lower_bound", lower}, {"delta", 1e-5}, {"confidence", 0.95}, {"canaries", 64},
                     {"included", 30}, {"kind", "random"},
                     {"best", {{"k", 32}, {"guesses", 64}, {"correct", 50}, {"accuracy", 50.0 / 64}}},
                     {"histogram", core::Json::array()}}},
          {"theory", {{"epsilon", 8.0}, {"delta", 1e-5}}}};
}

TEST(ResultsDb, AuditsAreRecordedReportedAndMerged) {
  const std::string dir = fresh_dir("audits");
  {
    ResultsDb db(dir + "/a.db");
    db.plan_run(planned("x", "dp"));
    RunOutcome audited = outcome(1.0);
    audited.audit = audit_document(0.25);
    db.record_done("x", audited);
    db.plan_run(planned("y", "full"));
    db.record_done("y", outcome(2.0));  // not audited: no row
    const core::Json input = db.report_input();
    EXPECT_EQ(input["runs"][0]["audit"]["audit"]["epsilon_lower_bound"], 0.25);
    EXPECT_FALSE(input["runs"][1].contains("audit"));
    // A rerun replaces the audit with its own (here: none).
    db.record_done("x", outcome(1.0));
  }
  EXPECT_EQ(query(dir + "/a.db", "SELECT count(*) FROM audits"), 0);
  {
    ResultsDb db(dir + "/b.db");
    db.plan_run(planned("z", "dp"));
    RunOutcome audited = outcome(1.0);
    audited.audit = audit_document(0.5);
    db.record_done("z", audited);
  }
  EXPECT_EQ(query(dir + "/b.db", "SELECT epsilon_lower FROM audits WHERE run_id = 'z'"), 0.5);
  EXPECT_EQ(query(dir + "/b.db", "SELECT correct FROM audits WHERE run_id = 'z'"), 50);
  EXPECT_EQ(query(dir + "/b.db", "SELECT theory_epsilon FROM audits WHERE run_id = 'z'"), 8.0);
  ResultsDb merged(dir + "/c.db");
  merged.merge_from(dir + "/a.db");
  merged.merge_from(dir + "/b.db");
  EXPECT_EQ(query(dir + "/c.db", "SELECT kind FROM audits WHERE run_id = 'z'"), "random");
}

TEST(ResultsDb, VersionOneGainsTheAuditsTable) {
  const std::string dir = fresh_dir("upgrade");
  {
    ResultsDb db(dir + "/v1.db");
    db.plan_run(planned("x", "full"));
    db.record_done("x", outcome(1.0));
  }
  // What version 1 wrote: no audits table.
  query(dir + "/v1.db", "DROP TABLE audits");
  query(dir + "/v1.db", "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
  {
    ResultsDb db(dir + "/v1.db");
    EXPECT_EQ(db.run_status("x"), "done");  // nothing recorded is lost
    db.plan_run(planned("y", "dp"));
    RunOutcome audited = outcome(1.0);
    audited.audit = audit_document(0.1);
    db.record_done("y", audited);
  }
  EXPECT_EQ(query(dir + "/v1.db", "SELECT value FROM meta WHERE key = 'schema_version'"),
            std::to_string(kResultsSchemaVersion));
  EXPECT_EQ(query(dir + "/v1.db", "SELECT count(*) FROM audits"), 1);
  EXPECT_EQ(query(dir + "/v1.db", "SELECT count(*) FROM metrics WHERE run_id = 'x'"),
            query(dir + "/v1.db", "SELECT count(*) FROM metrics WHERE run_id = 'y'"));
}

}  // namespace
}  // namespace privtune::experiment
