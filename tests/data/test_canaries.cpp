#include <gtest/gtest.h>

#include <set>

#include "privtune/core/error.h"
#include "privtune/data/canary.h"
#include "privtune/data/generator.h"
#include "privtune/data/record_json.h"

using namespace privtune::data;
using privtune::Error;

namespace {

Dataset with_canaries(int64_t per_rep, std::vector<int64_t> reps, int64_t train = 60) {
  GenerateOptions o;
  o.kind = GeneratorKind::kCustomerSim;
  o.train = train;
  o.test = 5;
  o.seed = 17;
  o.canaries.per_repetition = per_rep;
  o.canaries.repetitions = std::move(reps);
  return generate_dataset(o);
}

}  // namespace

TEST(Canaries, EqualNumbersOfInsertedAndReference) {
  Dataset ds = with_canaries(3, {1, 2, 4, 8, 16});
  ASSERT_EQ(ds.canaries.size(), 30u);
  std::map<int64_t, int> per_rep;
  int references = 0;
  std::set<std::string> secrets, prefixes;
  for (const Canary& c : ds.canaries) {
    if (c.inserted) {
      ++per_rep[c.repetitions];
      EXPECT_EQ(static_cast<int64_t>(c.inserted_into.size()), c.repetitions);
      std::set<std::string> distinct(c.inserted_into.begin(), c.inserted_into.end());
      EXPECT_EQ(distinct.size(), c.inserted_into.size()) << "one record got a canary twice";
    } else {
      ++references;
      EXPECT_EQ(c.repetitions, 0);
      EXPECT_TRUE(c.inserted_into.empty());
    }
    EXPECT_EQ(c.secret.size(), 6u);
    EXPECT_EQ(c.candidate_space, 1000000);
    EXPECT_EQ(c.format, "digits");
    EXPECT_TRUE(secrets.insert(c.secret).second);
    EXPECT_TRUE(prefixes.insert(c.prefix).second);
    EXPECT_EQ(c.text(), c.prefix + c.secret + c.suffix);
  }
  EXPECT_EQ(references, 15);
  for (int64_t r : {1, 2, 4, 8, 16}) EXPECT_EQ(per_rep[r], 3);
}

TEST(Canaries, TrainRecordsHoldTheSecretAsASpan) {
  Dataset ds = with_canaries(2, {1, 3});
  std::map<std::string, const Example*> by_id;
  for (const Example& ex : ds.train) by_id[ex.id] = &ex;
  for (const Canary& c : ds.canaries) {
    for (const std::string& id : c.inserted_into) {
      const Example& ex = *by_id.at(id);
      EXPECT_NE(ex.text.find(c.text()), std::string::npos);
      bool found = false;
      for (const Span& s : ex.spans) found = found || (s.label == kCanaryLabel && span_text(ex.text, s) == c.secret);
      EXPECT_TRUE(found) << id;
      EXPECT_NO_THROW(check_example(ex));
    }
    if (!c.inserted) {
      for (const Example& ex : ds.train) EXPECT_EQ(ex.text.find(c.text()), std::string::npos);
    }
  }
  for (const Example& ex : ds.test) EXPECT_EQ(ex.text.find(" code is "), std::string::npos);
}

TEST(Canaries, JsonRoundTripKeepsEverythingExposureNeeds) {
  Dataset ds = with_canaries(1, {4});
  for (const Canary& c : ds.canaries) {
    std::string line = canary_to_json(c);
    Canary back = parse_canary(line);
    EXPECT_EQ(back.id, c.id);
    EXPECT_EQ(back.prefix, c.prefix);
    EXPECT_EQ(back.secret, c.secret);
    EXPECT_EQ(back.suffix, c.suffix);
    EXPECT_EQ(back.alphabet, "0123456789");
    EXPECT_EQ(back.length, 6);
    EXPECT_EQ(back.candidate_space, 1000000);
    EXPECT_EQ(back.repetitions, c.repetitions);
    EXPECT_EQ(back.inserted, c.inserted);
    EXPECT_EQ(back.inserted_into, c.inserted_into);
    // A canaries.jsonl line is also an ordinary record with the secret as its span.
    Example ex = parse_record(line);
    ASSERT_EQ(ex.spans.size(), 1u);
    EXPECT_EQ(span_text(ex.text, ex.spans[0]), c.secret);
  }
}

TEST(Canaries, BadOptionsAreBadInput) {
  EXPECT_THROW(with_canaries(1, {0}), Error);
  EXPECT_THROW(with_canaries(1, {2, 2}), Error);
  EXPECT_THROW(with_canaries(1, {16}, 10), Error);  // more repetitions than training records
  EXPECT_THROW(
      parse_canary(R"({"text": "a1", "prefix": "a", "secret": "1", "format": "digits", "alphabet": "0123456789",
                                "length": 1, "candidate_space": 10, "repetitions": 0, "inserted": true})"),
      Error);
}
