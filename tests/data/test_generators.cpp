#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "privtune/core/error.h"
#include "privtune/data/entities.h"
#include "privtune/data/generator.h"
#include "privtune/data/phrasing.h"
#include "privtune/data/record_json.h"
#include "privtune/data/resources.h"
#include "privtune/data/value_formats.h"

using namespace privtune::data;
using privtune::Error;

namespace {

GenerateOptions options(GeneratorKind kind, int64_t train, int64_t test, uint64_t seed) {
  GenerateOptions o;
  o.kind = kind;
  o.train = train;
  o.test = test;
  o.seed = seed;
  return o;
}

std::string bytes(const Dataset& ds) {
  std::string out;
  for (const OutputFile& f : dataset_files(ds)) out += f.name + "\n" + f.bytes;
  return out;
}

// label -> values, over one split.
std::map<std::string, std::vector<std::string>> values(const std::vector<Example>& split) {
  std::map<std::string, std::vector<std::string>> out;
  for (const Example& ex : split)
    for (const Span& s : ex.spans) out[s.label].push_back(span_text(ex.text, s));
  return out;
}

const GeneratorKind kKinds[] = {GeneratorKind::kCustomerSim, GeneratorKind::kSynBio};

}  // namespace

TEST(Generators, SameSeedSameBytesOtherSeedOtherBytes) {
  for (GeneratorKind kind : kKinds) {
    GenerateOptions o = options(kind, 40, 10, 5);
    o.canaries.per_repetition = 1;
    o.canaries.repetitions = {1, 4};
    std::string a = bytes(generate_dataset(o));
    EXPECT_EQ(a, bytes(generate_dataset(o)));
    o.seed = 6;
    EXPECT_NE(a, bytes(generate_dataset(o)));
  }
}

TEST(Generators, GrowingTestDoesNotChangeTrain) {
  Dataset a = generate_dataset(options(GeneratorKind::kSynBio, 20, 5, 1));
  Dataset b = generate_dataset(options(GeneratorKind::kSynBio, 20, 50, 1));
  EXPECT_EQ(examples_to_jsonl(a.train), examples_to_jsonl(b.train));
}

// Pinned digests of two small datasets: a change here means every dataset generated with
// the same command changes too (phrasings, pools, formats or the PRNG), which must be a
// deliberate decision recorded in docs/data.md, not an accident of a library upgrade.
TEST(Generators, OutputIsPinned) {
  for (auto [kind, digest] : {std::pair{GeneratorKind::kCustomerSim, 0xcf472228c26c6707ull},
                              std::pair{GeneratorKind::kSynBio, 0x7171af986308df24ull}}) {
    GenerateOptions o = options(kind, 3, 1, 42);
    o.canaries.per_repetition = 1;
    o.canaries.repetitions = {1, 2};
    Dataset ds = generate_dataset(o);
    EXPECT_EQ(fnv1a64(bytes(ds)), digest) << generator_kind_name(kind);
    EXPECT_EQ(ds.test[0].id, kind == GeneratorKind::kSynBio ? "bio-test-000000" : "cs-test-000000");
  }
}

TEST(Generators, RecordsAreValidAndSpansHoldTheirValues) {
  for (GeneratorKind kind : kKinds) {
    Dataset ds = generate_dataset(options(kind, 300, 100, 3));
    for (const auto* split : {&ds.train, &ds.test}) {
      for (const Example& ex : *split) {
        EXPECT_NO_THROW(check_example(ex)) << ex.id;
        ASSERT_FALSE(ex.spans.empty()) << ex.id;
        for (const Span& s : ex.spans) {
          std::string v = span_text(ex.text, s);
          ASSERT_FALSE(v.empty());
          EXPECT_NE(v.front(), ' ') << v;
          EXPECT_NE(v.back(), ' ') << v;
          EXPECT_NE(v.back(), '.') << v;
        }
      }
    }
    std::set<std::string> labels;
    for (const Example& ex : ds.train)
      for (const Span& s : ex.spans) labels.insert(s.label);
    for (const std::string& label : generator_labels(kind)) EXPECT_TRUE(labels.count(label)) << label;
  }
}

TEST(Generators, TrainAndTestValuesAreDisjoint) {
  for (GeneratorKind kind : kKinds) {
    Dataset ds = generate_dataset(options(kind, 600, 200, 9));
    auto train = values(ds.train), test = values(ds.test);
    for (const auto& [label, test_values] : test) {
      std::set<std::string> seen(train[label].begin(), train[label].end());
      for (const std::string& v : test_values) EXPECT_EQ(seen.count(v), 0u) << label << " value in both splits: " << v;
    }
  }
}

TEST(Generators, IdentifyingValuesAreUniquePerExample) {
  // Full names, phones, e-mails, addresses, ids and numbers: one example each.
  const std::set<std::string> identifying = {"PHONE",      "EMAIL", "ADDRESS",     "ORDER_NUMBER", "CARD_NUMBER",
                                             "IP_ADDRESS", "SSN",   "NATIONAL_ID", "ID_NUMBER",    "URL"};
  for (GeneratorKind kind : kKinds) {
    Dataset ds = generate_dataset(options(kind, 800, 200, 2));
    std::map<std::string, std::map<std::string, std::string>> owner;  // label -> value -> example id
    for (const auto* split : {&ds.train, &ds.test}) {
      for (const Example& ex : *split) {
        for (const Span& s : ex.spans) {
          std::string v = span_text(ex.text, s);
          bool full_name = s.label == "NAME" && v.find(' ') != std::string::npos;
          if (!identifying.count(s.label) && !full_name) continue;
          auto [it, inserted] = owner[s.label].emplace(v, ex.id);
          EXPECT_TRUE(inserted || it->second == ex.id)
              << s.label << " " << v << " in " << it->second << " and " << ex.id;
        }
      }
    }
  }
}

TEST(Generators, PhrasingTablesHaveThirtyDistinctTemplatesPerTurn) {
  for (const char* name : {"customersim", "synbio"}) {
    const PhrasingTable& table = PhrasingTable::embedded(name);
    EXPECT_GE(table.section_names().size(), 10u) << name;
    for (const std::string& section : table.section_names()) {
      const auto& templates = table.section(section);
      std::set<std::string> distinct(templates.begin(), templates.end());
      EXPECT_GE(distinct.size(), 30u) << name << " [" << section << "]";
      EXPECT_EQ(distinct.size(), templates.size()) << name << " [" << section << "] has duplicates";
    }
  }
}

TEST(Generators, EveryTemplateIsUsedAndRenders) {
  // Enough examples that each of the ~30 phrasings of every turn type shows up.
  for (GeneratorKind kind : kKinds) {
    Dataset ds = generate_dataset(options(kind, 3000, 0, 4));
    const PhrasingTable& table = PhrasingTable::embedded(generator_kind_name(kind));
    std::string all;
    for (const Example& ex : ds.train) all += ex.text + "\n";
    for (const std::string& section : table.section_names()) {
      for (const std::string& t : table.section(section)) {
        // The longest literal piece of the template must occur somewhere.
        std::string longest, piece;
        bool in_slot = false;
        for (char c : t + "{") {
          if (c == '{') {
            if (piece.size() > longest.size()) longest = piece;
            piece.clear();
            in_slot = true;
          } else if (c == '}') {
            in_slot = false;
          } else if (!in_slot) {
            piece += c;
          }
        }
        if (longest.size() >= 4) {
          EXPECT_NE(all.find(longest), std::string::npos) << "[" << section << "] " << t;
        }
      }
    }
  }
}

TEST(Generators, ValueFormatsAreRealistic) {
  Dataset ds = generate_dataset(options(GeneratorKind::kCustomerSim, 400, 0, 8));
  Dataset bio = generate_dataset(options(GeneratorKind::kSynBio, 400, 0, 8));
  auto v = values(ds.train), b = values(bio.train);
  ASSERT_FALSE(v["CARD_NUMBER"].empty());
  for (const std::string& card : v["CARD_NUMBER"]) {
    std::string digits;
    for (char c : card)
      if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    EXPECT_TRUE(luhn_valid(digits)) << card;
    EXPECT_TRUE(digits.size() == 15 || digits.size() == 16) << card;
  }
  const std::regex ssn(R"((\d{3})[- ](\d{2})[- ](\d{4}))");
  for (const std::string& s : b["SSN"]) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(s, m, ssn)) << s;
    EXPECT_NE(m[1], "000");
    EXPECT_NE(m[1], "666");
    EXPECT_LT(m[1].str()[0], '9');
    EXPECT_NE(m[2], "00");
    EXPECT_NE(m[3], "0000");
  }
  // NANP numbers: area code and exchange start with 2-9; international ones with +CC.
  const std::regex nanp(R"((?:\+1 \(?|\()?([2-9]\d{2})\)?[ .-]([2-9]\d{2})[ .-]\d{4})");
  int nanp_count = 0, international = 0;
  for (const std::string& p : v["PHONE"]) {
    if (std::regex_match(p, nanp)) ++nanp_count;
    if (p[0] == '+' && p.rfind("+1 ", 0) != 0) ++international;
  }
  EXPECT_GT(nanp_count, 50);
  EXPECT_GT(international, 10);
  // E-mails come from the person's name (some forms keep only an initial of one part).
  for (const Example& ex : bio.train) {
    std::string name, email;
    for (const Span& s : ex.spans) {
      if (s.label == "NAME" && name.empty()) name = span_text(ex.text, s);
      if (s.label == "EMAIL") email = span_text(ex.text, s);
    }
    if (email.empty()) continue;
    std::string first = ascii_fold(name.substr(0, name.find(' ')));
    std::string last = ascii_fold(name.substr(name.rfind(' ') + 1));
    EXPECT_TRUE(email.find(first) != std::string::npos || email.find(last) != std::string::npos)
        << name << " / " << email;
  }
}

TEST(Generators, LuhnAndAsciiFold) {
  EXPECT_TRUE(luhn_valid("4111111111111111"));
  EXPECT_FALSE(luhn_valid("4111111111111112"));
  EXPECT_EQ(luhn_check_digit("7992739871"), 3);
  EXPECT_EQ(ascii_fold("Zoë O'Brien-Müller"), "zoeobrienmuller");
  EXPECT_EQ(ascii_fold("Łukasz Straße"), "lukaszstrasse");
}

TEST(Generators, BadCountsAndKindsAreBadInput) {
  EXPECT_THROW(generate_dataset(options(GeneratorKind::kSynBio, -1, 1, 0)), Error);
  EXPECT_THROW(generate_dataset(options(GeneratorKind::kSynBio, 0, 0, 0)), Error);
  EXPECT_THROW(parse_generator_kind("emails"), Error);
}

TEST(Generators, ExhaustedPoolsAreReportedNotLooped) {
  EntityPools tiny = EntityPools::embedded();
  tiny.female = {"Ada"};
  tiny.male = {"Alan"};
  tiny.last = {"Lovelace", "Turing"};
  EntitySampler sampler(tiny);
  Rng rng(1);
  EXPECT_THROW(
      {
        for (int i = 0; i < 10; ++i) sampler.person(rng, Split::kTrain);
      },
      Error);
}

TEST(Generators, PoolsAreLargeAndEmbedded) {
  const EntityPools& p = EntityPools::embedded();
  EXPECT_GE(p.female.size() + p.male.size(), 400u);
  EXPECT_GE(p.last.size(), 450u);
  EXPECT_GE(p.streets_en.size(), 150u);
  EXPECT_GE(p.cities.size(), 150u);
  EXPECT_GE(p.companies.size(), 100u);
  EXPECT_NE(resource("pools/last_names.txt").find("Abbott"), std::string::npos);
  EXPECT_THROW(resource("pools/none.txt"), std::logic_error);
}
