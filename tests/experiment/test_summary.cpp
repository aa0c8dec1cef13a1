// The study summary: rows from run.json and metrics.json, CSV with interval columns, and
// "n/a" (never zero) for what a run does not have.
#include <gtest/gtest.h>

#include "privtune/experiment/summary.h"

namespace privtune::experiment {
namespace {

core::Json estimate(double value, double low, double high) { return {{"value", value}, {"ci", {low, high}}}; }

RunOutcome outcome(const std::string& name, bool dp) {
  RunOutcome o;
  o.name = name;
  o.run = {{"method", name},
           {"efficiency", {{"train_time_s", 12.5}, {"peak_memory_bytes", 3 * 1024 * 1024}, {"trainable_parameters", 1000}}}};
  if (dp) o.run["dp"] = {{"epsilon", 7.99}};
  o.metrics["leakage"]["utility"] = {{"U", estimate(2.5, 2.4, 2.6)}, {"gain", estimate(0.5, 0.4, 0.6)}};
  o.metrics["leakage"]["classes"]["sens"] = {{"P", estimate(1.0, 0.9, 1.1)}, {"M", estimate(0.3, 0.2, 0.4)},
                                             {"X", estimate(0.25, 0.1, 0.4)}};
  o.metrics["membership"]["whole"]["loss"]["auc"] = estimate(0.6, 0.55, 0.65);
  o.metrics["exposure"] = nullptr;  // a dataset without canaries
  o.metrics["extraction"]["train"]["rate"] = estimate(0.1, 0.05, 0.15);
  o.eval_seconds = 3;
  return o;
}

TEST(StudySummary, RowsCarryEstimatesAndUnavailableValues) {
  const core::Json s = study_summary({outcome("full", false), outcome("dp", true)});
  ASSERT_EQ(s["runs"].size(), 2u);
  const core::Json& full = s["runs"][0];
  EXPECT_EQ(full["utility_loss"]["value"], 2.5);
  EXPECT_EQ(full["excess_X"]["ci"][1], 0.4);
  EXPECT_TRUE(full["epsilon"].is_null()) << "not private: no epsilon";
  EXPECT_TRUE(full["exposure"].is_null()) << "no canaries: n/a";
  EXPECT_EQ(s["runs"][1]["epsilon"], 7.99);
  EXPECT_NE(s["note"].get<std::string>().find("end-of-training"), std::string::npos);
}

TEST(StudySummary, CsvHasIntervalColumnsAndEmptyCellsForNA) {
  const std::string csv = summary_csv(study_summary({outcome("full", false), outcome("dp", true)}));
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_NE(header.find("utility_loss,utility_loss_low,utility_loss_high"), std::string::npos) << header;
  EXPECT_NE(header.find(",epsilon,"), std::string::npos) << header;
  EXPECT_EQ(header.find("epsilon_low"), std::string::npos) << "epsilon is a plain number";
  const std::string first_row = csv.substr(header.size() + 1, csv.find('\n', header.size() + 1) - header.size() - 1);
  EXPECT_EQ(first_row.rfind("full,full,2.5,2.4,2.6,", 0), 0u) << first_row;
  EXPECT_NE(first_row.find(",,"), std::string::npos) << "n/a cells are empty: " << first_row;
}

TEST(StudySummary, TableShowsEveryRunAndTheNote) {
  const std::string table = format_summary_table(study_summary({outcome("full", false), outcome("dp", true)}));
  EXPECT_NE(table.find("full"), std::string::npos);
  EXPECT_NE(table.find("7.99"), std::string::npos) << table;
  EXPECT_NE(table.find("n/a"), std::string::npos) << table;
  EXPECT_NE(table.find("2.500 ±0.100"), std::string::npos) << table;
  EXPECT_NE(table.find("3.0 MiB"), std::string::npos) << table;
}

}  // namespace
}  // namespace privtune::experiment
