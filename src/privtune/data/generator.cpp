#include "privtune/data/generator.h"

#include <cstdio>

#include "privtune/core/error.h"
#include "privtune/data/domain.h"

namespace privtune::data {

namespace {

std::unique_ptr<Domain> make_domain(GeneratorKind kind) {
  return kind == GeneratorKind::kCustomerSim ? make_customersim_domain() : make_synbio_domain();
}

std::vector<Example> generate_split(const Domain& domain, EntitySampler& entities, Split split, int64_t count,
                                    uint64_t seed) {
  // The stream names the domain too, so customersim and synbio with one seed do not
  // describe the same people.
  Rng rng(seed, std::string(domain.id_prefix()) + "/" + split_name(split));
  std::vector<Example> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    SpanTextBuilder builder;
    ExampleContext ctx{rng, entities, split};
    domain.write(ctx, builder);
    char id[64];
    std::snprintf(id, sizeof id, "%s-%s-%06lld", domain.id_prefix(), split_name(split), static_cast<long long>(i));
    Example ex;
    ex.id = id;
    ex.text = builder.text();
    ex.spans = builder.spans();
    out.push_back(std::move(ex));
  }
  return out;
}

}  // namespace

GeneratorKind parse_generator_kind(const std::string& name) {
  if (name == "customersim") return GeneratorKind::kCustomerSim;
  if (name == "synbio") return GeneratorKind::kSynBio;
  throw Error("--kind must be 'customersim' or 'synbio', got '" + name + "'");
}

const char* generator_kind_name(GeneratorKind kind) {
  return kind == GeneratorKind::kCustomerSim ? "customersim" : "synbio";
}

Dataset generate_dataset(const GenerateOptions& o) {
  check_input(o.train >= 0 && o.test >= 0, "--train and --test must not be negative");
  check_input(o.train + o.test > 0, "nothing to generate: --train and --test are both 0");
  auto domain = make_domain(o.kind);
  EntitySampler entities;
  Dataset ds;
  ds.train = generate_split(*domain, entities, Split::kTrain, o.train, o.seed);
  ds.test = generate_split(*domain, entities, Split::kTest, o.test, o.seed);
  if (o.canaries.per_repetition > 0) {
    Rng rng(o.seed, std::string(domain->id_prefix()) + "/canaries");
    ds.canaries = make_canaries(o.canaries, rng);
    insert_canaries(ds.train, ds.canaries, domain->canary_lead(), rng);
  }
  return ds;
}

std::vector<std::string> generator_labels(GeneratorKind kind) { return make_domain(kind)->labels(); }

Slots person_slots(const Person& p) {
  Slots s;
  s["name"] = {p.full, "NAME"};
  s["first"] = {p.first, "NAME"};
  s["email"] = {p.email, "EMAIL"};
  s["phone"] = {p.phone, "PHONE"};
  s["address"] = {p.address, "ADDRESS"};
  s["he"] = {p.female ? "she" : "he", ""};
  s["his"] = {p.female ? "her" : "his", ""};
  s["him"] = {p.female ? "her" : "him", ""};
  return s;
}

void say(const PhrasingTable& table, const std::string& section, const Slots& slots, Rng& rng, SpanTextBuilder& out) {
  render(table.pick(section, rng), slots, out);
}

}  // namespace privtune::data
