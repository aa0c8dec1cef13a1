// People, places and employers for the generators: entity pools shipped as project data
// (pools/*.txt) and a sampler that hands out sensitive values that are unique across the
// whole generated dataset, so train and test never share one.
//
// Values that identify a person (full name, e-mail, phone, street address, ids, card and
// order numbers, IPs, web addresses) are unique per example: the sampler remembers every
// value it gave out and draws again on a repeat. Values from small sets (place of birth,
// employer, date of birth) cannot be unique per example at any useful size; instead each
// value belongs to one split by a fixed hash, so the splits stay disjoint. Given and family
// names are split the same way, so that a first name mentioned alone ("Thanks, Ada") is
// never a training value when it appears in test.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "privtune/data/rng.h"
#include "privtune/data/value_formats.h"

namespace privtune::data {

enum class Split { kTrain, kTest };
const char* split_name(Split split);

enum class Country { kUS, kCA, kUK, kDE, kFR, kAU };

struct City {
  Country country = Country::kUS;
  std::string name;
  std::string region_code;  // state / province code where addresses use one
  std::string region_name;
  std::string postal;     // postcode prefix
  std::string area_code;  // telephone area code (national, without trunk 0)
};

struct EntityPools {
  std::vector<std::string> female, male, last;
  std::vector<std::string> streets_en, streets_de, streets_fr;
  std::vector<City> cities;
  std::vector<std::string> birth_places;  // "City, Region or Country"
  std::vector<std::string> companies, occupations, hobbies, universities, fields, email_domains;

  // The pools compiled into the library (parsed once).
  static const EntityPools& embedded();
};

struct Person {
  std::string first, last, full;
  bool female = false;
  Country country = Country::kUS;
  std::string email, phone, address, url;
  Date birth_date;
  std::string date_of_birth;  // formatted as people write it in that country
  std::string birth_place, employer;
  std::string national_id;        // SSN, UK NI number or Canadian SIN; empty elsewhere
  std::string national_id_label;  // SSN or NATIONAL_ID
  std::string national_id_name;   // how people call it ("Social Security number", ...)
  std::string passport;
};

class EntitySampler {
 public:
  explicit EntitySampler(const EntityPools& pools = EntityPools::embedded()) : pools_(pools) {}

  const EntityPools& pools() const { return pools_; }

  // A new person with every field drawn; identifying values unique, small-set values
  // from `split`'s part of their pool.
  Person person(Rng& rng, Split split);

  // draw() until it returns a value not handed out before under `kind`; Error when the
  // pools are exhausted (too many examples for them).
  std::string unique(const std::string& kind, const std::function<std::string()>& draw);
  // A pool entry that belongs to `split` (fnv1a64(value) % 4 == 0 marks test values).
  const std::string& pick_for_split(const std::vector<std::string>& pool, Split split, Rng& rng);
  static bool belongs_to(std::string_view value, Split split);

  std::string order_number(Rng& rng);
  std::string card_number(Rng& rng);
  std::string ip_address(Rng& rng);

 private:
  std::string phone(Rng& rng, const City& city);
  std::string address(Rng& rng, const City& city);
  std::string email(Rng& rng, const std::string& first, const std::string& last);
  std::string url(Rng& rng, const std::string& first, const std::string& last);
  Date birth_date(Rng& rng, Split split);

  const EntityPools& pools_;
  std::unordered_map<std::string, std::unordered_set<std::string>> used_;
};

}  // namespace privtune::data
