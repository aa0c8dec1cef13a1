// The part of a generator that differs between customersim and synbio: how one example's
// text is put together from phrasing tables and entities. Everything else (entity
// sampling and uniqueness, phrasing tables, span recording, ids, splits, canaries) is
// shared machinery in generator.cpp, entities.h, phrasing.h and text_builder.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "privtune/data/entities.h"
#include "privtune/data/phrasing.h"
#include "privtune/data/rng.h"
#include "privtune/data/text_builder.h"

namespace privtune::data {

struct ExampleContext {
  Rng& rng;
  EntitySampler& entities;
  Split split;
};

class Domain {
 public:
  virtual ~Domain() = default;
  virtual const char* id_prefix() const = 0;    // record ids are <prefix>-<split>-<index>
  virtual const char* canary_lead() const = 0;  // text put before an inserted canary
  virtual std::vector<std::string> labels() const = 0;
  virtual void write(ExampleContext& ctx, SpanTextBuilder& out) const = 0;
};

std::unique_ptr<Domain> make_customersim_domain();
std::unique_ptr<Domain> make_synbio_domain();

// Slots every domain fills from a person: name and first (NAME), email, phone, address,
// and the pronouns he/his/him.
Slots person_slots(const Person& person);

// Renders one randomly chosen phrasing of `section`.
void say(const PhrasingTable& table, const std::string& section, const Slots& slots, Rng& rng, SpanTextBuilder& out);

}  // namespace privtune::data
