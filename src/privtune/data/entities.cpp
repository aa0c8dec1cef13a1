#include "privtune/data/entities.h"

#include <stdexcept>

#include "privtune/core/error.h"
#include "privtune/data/resources.h"

namespace privtune::data {

namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t bar = line.find('|', pos);
    out.push_back(line.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos));
    if (bar == std::string::npos) return out;
    pos = bar + 1;
  }
}

const char* country_name(Country c) {
  switch (c) {
    case Country::kUS:
      return "United States";
    case Country::kCA:
      return "Canada";
    case Country::kUK:
      return "United Kingdom";
    case Country::kDE:
      return "Germany";
    case Country::kFR:
      return "France";
    case Country::kAU:
      return "Australia";
  }
  return "";
}

// Reads pools/cities_<code>.txt; `fields` names which column holds what (see each file).
void load_cities(EntityPools& pools, Country country, const char* file, size_t columns) {
  for (const std::string& line : resource_lines(file)) {
    std::vector<std::string> f = split_fields(line);
    if (f.size() != columns) throw std::logic_error(std::string(file) + ": bad line: " + line);
    City c;
    c.country = country;
    c.name = f[0];
    if (columns == 5) {  // name|region code|region name|postal|area
      c.region_code = f[1];
      c.region_name = f[2];
      c.postal = f[3];
      c.area_code = f[4];
    } else if (country == Country::kAU) {  // name|state|postal|area
      c.region_code = f[1];
      c.postal = f[2];
      c.area_code = f[3];
    } else {  // name|postal|area
      c.postal = f[1];
      c.area_code = f[2];
    }
    pools.cities.push_back(c);
    std::string region = !c.region_name.empty() ? c.region_name : country_name(country);
    std::string place = c.name + ", " + region;
    bool seen = false;
    for (const std::string& p : pools.birth_places) seen = seen || p == place;
    if (!seen) pools.birth_places.push_back(place);
  }
}

std::string digits(Rng& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + rng.uniform(10));
  return out;
}

// A NANP exchange or area code: first digit 2-9, not an N11 service code.
std::string nanp_code(Rng& rng) {
  for (;;) {
    std::string code = std::to_string(rng.range(2, 9)) + digits(rng, 2);
    if (code.substr(1) != "11") return code;
  }
}

const City& pick_city(const EntityPools& pools, Rng& rng, Country country) {
  for (;;) {
    const City& c = rng.pick(pools.cities);
    if (c.country == country) return c;
  }
}

Country pick_country(Rng& rng) {
  uint64_t r = rng.uniform(100);
  if (r < 50) return Country::kUS;
  if (r < 64) return Country::kUK;
  if (r < 76) return Country::kCA;
  if (r < 84) return Country::kAU;
  if (r < 92) return Country::kDE;
  return Country::kFR;
}

}  // namespace

const char* split_name(Split split) { return split == Split::kTrain ? "train" : "test"; }

const EntityPools& EntityPools::embedded() {
  static const EntityPools pools = [] {
    EntityPools p;
    p.female = resource_lines("pools/first_names_female.txt");
    p.male = resource_lines("pools/first_names_male.txt");
    p.last = resource_lines("pools/last_names.txt");
    p.streets_en = resource_lines("pools/streets_en.txt");
    p.streets_de = resource_lines("pools/streets_de.txt");
    p.streets_fr = resource_lines("pools/streets_fr.txt");
    load_cities(p, Country::kUS, "pools/cities_us.txt", 5);
    load_cities(p, Country::kCA, "pools/cities_ca.txt", 5);
    load_cities(p, Country::kUK, "pools/cities_uk.txt", 3);
    load_cities(p, Country::kDE, "pools/cities_de.txt", 3);
    load_cities(p, Country::kFR, "pools/cities_fr.txt", 3);
    load_cities(p, Country::kAU, "pools/cities_au.txt", 4);
    for (const std::string& line : resource_lines("pools/birth_cities.txt")) {
      std::vector<std::string> f = split_fields(line);
      if (f.size() != 2) throw std::logic_error("pools/birth_cities.txt: bad line: " + line);
      p.birth_places.push_back(f[0] + ", " + f[1]);
    }
    p.companies = resource_lines("pools/companies.txt");
    p.occupations = resource_lines("pools/occupations.txt");
    p.hobbies = resource_lines("pools/hobbies.txt");
    p.universities = resource_lines("pools/universities.txt");
    p.fields = resource_lines("pools/fields_of_study.txt");
    p.email_domains = resource_lines("pools/email_domains.txt");
    return p;
  }();
  return pools;
}

std::string EntitySampler::unique(const std::string& kind, const std::function<std::string()>& draw) {
  auto& used = used_[kind];
  // Far more tries than a healthy pool needs; running out means the request outgrew it.
  for (int attempt = 0; attempt < 20000; ++attempt) {
    std::string value = draw();
    if (used.insert(value).second) return value;
  }
  throw Error("data generate: ran out of distinct " + kind + " values after " + std::to_string(used.size()) +
              " examples; the entity pools are too small for this many examples");
}

bool EntitySampler::belongs_to(std::string_view value, Split split) {
  return (fnv1a64(value) % 4 == 0) == (split == Split::kTest);
}

const std::string& EntitySampler::pick_for_split(const std::vector<std::string>& pool, Split split, Rng& rng) {
  // A quarter of a pool is test, so a few draws find a value; a pool with none for this
  // split (only possible with a tiny custom pool) must not loop forever.
  for (int attempt = 0; attempt < 10000; ++attempt) {
    const std::string& value = rng.pick(pool);
    if (belongs_to(value, split)) return value;
  }
  throw Error(std::string("data generate: an entity pool has no values for the ") + split_name(split) + " split");
}

std::string EntitySampler::order_number(Rng& rng) {
  return unique("ORDER_NUMBER", [&] { return data::order_number(rng); });
}
std::string EntitySampler::card_number(Rng& rng) {
  return unique("CARD_NUMBER", [&] { return data::card_number(rng); });
}
std::string EntitySampler::ip_address(Rng& rng) {
  return unique("IP_ADDRESS", [&] { return rng.chance(4, 5) ? ipv4(rng) : ipv6(rng); });
}

std::string EntitySampler::phone(Rng& rng, const City& city) {
  switch (city.country) {
    case Country::kUS:
    case Country::kCA: {
      std::string area = rng.chance(7, 10) ? city.area_code : nanp_code(rng);
      std::string ex = nanp_code(rng), line = digits(rng, 4);
      switch (rng.uniform(6)) {
        case 0:
        case 1:
          return "(" + area + ") " + ex + "-" + line;
        case 2:
          return area + "-" + ex + "-" + line;
        case 3:
          return area + "." + ex + "." + line;
        case 4:
          return "+1 " + area + " " + ex + " " + line;
        default:
          return "+1 (" + area + ") " + ex + "-" + line;
      }
    }
    case Country::kUK: {
      bool mobile = rng.chance(1, 3);
      std::string area = mobile ? "7" + std::to_string(rng.range(400, 999)) : city.area_code;
      // UK numbers have ten digits after the trunk 0.
      std::string rest = digits(rng, static_cast<int>(10 - area.size()));
      if (area.size() == 2) rest = std::to_string(rng.range(3, 8)) + rest.substr(1);
      std::string body = area.size() == 2   ? area + " " + rest.substr(0, 4) + " " + rest.substr(4)
                         : area.size() == 3 ? area + " " + rest.substr(0, 3) + " " + rest.substr(3)
                                            : area + " " + rest;
      return rng.chance(1, 2) ? "+44 " + body : "0" + body;
    }
    case Country::kDE: {
      bool mobile = rng.chance(1, 3);
      std::string area = mobile ? "15" + std::to_string(rng.range(1, 9)) : city.area_code;
      std::string rest = std::to_string(rng.range(2, 9)) + digits(rng, static_cast<int>(10 - area.size()));
      return rng.chance(2, 3) ? "+49 " + area + " " + rest : "0" + area + " " + rest;
    }
    case Country::kFR: {
      std::string first = rng.chance(1, 3) ? std::to_string(rng.range(6, 7)) : city.area_code;
      std::string body = first;
      for (int i = 0; i < 4; ++i) body += " " + digits(rng, 2);
      return rng.chance(1, 2) ? "+33 " + body : "0" + body;
    }
    case Country::kAU: {
      if (rng.chance(1, 3)) {
        std::string m = "4" + digits(rng, 2), a = digits(rng, 3), b = digits(rng, 3);
        return rng.chance(1, 2) ? "+61 " + m + " " + a + " " + b : "0" + m + " " + a + " " + b;
      }
      std::string a = std::to_string(rng.range(3, 9)) + digits(rng, 3), b = digits(rng, 4);
      return rng.chance(1, 2) ? "+61 " + city.area_code + " " + a + " " + b
                              : "(0" + city.area_code + ") " + a + " " + b;
    }
  }
  return "";
}

std::string EntitySampler::address(Rng& rng, const City& city) {
  static const std::vector<std::string> kUsTypes = {"Street", "Avenue", "Road",      "Lane",    "Drive",  "Court",
                                                    "Way",    "Place",  "Boulevard", "Terrace", "Circle", "St",
                                                    "Ave",    "Rd",     "Ln",        "Dr",      "Blvd"};
  static const std::vector<std::string> kUkTypes = {"Road",   "Street", "Lane", "Close", "Gardens", "Crescent",
                                                    "Avenue", "Drive",  "Way",  "Grove", "Terrace"};
  static const std::vector<std::string> kAuTypes = {"Street", "Road", "Avenue", "Parade", "Crescent", "Place", "Drive"};
  static const std::vector<std::string> kDeTypes = {"straße", "weg", "allee", "platz", "gasse"};
  const std::string letters = "ABCEGHJKLMNPRSTVXY";  // letters valid in Canadian postcodes
  auto letter = [&](std::string_view set) { return std::string(1, set[rng.uniform(set.size())]); };
  std::string number = std::to_string(rng.range(1, rng.chance(1, 2) ? 199 : 9999));
  switch (city.country) {
    case Country::kUS:
    case Country::kCA: {
      std::string street = number + " " + rng.pick(pools_.streets_en) + " " + rng.pick(kUsTypes);
      switch (rng.uniform(6)) {
        case 0:
          street += ", Apt " + std::to_string(rng.range(1, 40)) + letter("ABCDEF");
          break;
        case 1:
          street += ", Unit " + std::to_string(rng.range(1, 300));
          break;
        case 2:
          street += ", Suite " + std::to_string(rng.range(100, 999));
          break;
        default:
          break;
      }
      if (city.country == Country::kUS)
        return street + ", " + city.name + ", " + city.region_code + " " + city.postal + digits(rng, 2);
      return street + ", " + city.name + ", " + city.region_code + " " + city.postal + digits(rng, 1) +
             letter(letters) + " " + digits(rng, 1) + letter(letters) + digits(rng, 1);
    }
    case Country::kUK: {
      number = std::to_string(rng.range(1, 240));  // British and Australian streets are short
      std::string flat = rng.chance(1, 5) ? "Flat " + std::to_string(rng.range(1, 30)) + ", " : "";
      return flat + number + " " + rng.pick(pools_.streets_en) + " " + rng.pick(kUkTypes) + ", " + city.name + " " +
             city.postal + std::to_string(rng.range(1, 20)) + " " + digits(rng, 1) + letter("ABDEFGHJLNPQRSTUWXYZ") +
             letter("ABDEFGHJLNPQRSTUWXYZ");
    }
    case Country::kAU: {
      number = std::to_string(rng.range(1, 240));
      std::string unit = rng.chance(1, 4) ? std::to_string(rng.range(1, 40)) + "/" : "";
      return unit + number + " " + rng.pick(pools_.streets_en) + " " + rng.pick(kAuTypes) + ", " + city.name + " " +
             city.region_code + " " + city.postal + digits(rng, 3);
    }
    case Country::kDE:
      return rng.pick(pools_.streets_de) + rng.pick(kDeTypes) + " " + std::to_string(rng.range(1, 180)) +
             (rng.chance(1, 6) ? letter("abc") : "") + ", " + city.postal + digits(rng, 3) + " " + city.name;
    case Country::kFR:
      return std::to_string(rng.range(1, 180)) + (rng.chance(1, 8) ? " bis" : "") + " " + rng.pick(pools_.streets_fr) +
             ", " + city.postal + digits(rng, 3) + " " + city.name;
  }
  return "";
}

std::string EntitySampler::email(Rng& rng, const std::string& first, const std::string& last) {
  std::string f = ascii_fold(first), l = ascii_fold(last);
  return unique("EMAIL", [&] {
    std::string n2 = std::to_string(rng.range(10, 99));
    std::string local;
    switch (rng.uniform(8)) {
      case 0:
      case 1:
        local = f + "." + l;
        break;
      case 2:
        local = f + l;
        break;
      case 3:
        local = f.substr(0, 1) + l;
        break;
      case 4:
        local = f + "_" + l + n2;
        break;
      case 5:
        local = f + "." + l + n2;
        break;
      case 6:
        local = l + "." + f;
        break;
      default:
        local = f + l.substr(0, 1) + std::to_string(rng.range(100, 999));
        break;
    }
    return local + "@" + rng.pick(pools_.email_domains);
  });
}

std::string EntitySampler::url(Rng& rng, const std::string& first, const std::string& last) {
  std::string f = ascii_fold(first), l = ascii_fold(last);
  return unique("URL", [&] {
    std::string name = rng.chance(3, 4) ? f + l : f + l + std::to_string(rng.range(1, 99));
    switch (rng.uniform(6)) {
      case 0:
        return "https://www." + name + ".com";
      case 1:
        return "https://" + f + "-" + l + ".dev";
      case 2:
        return "https://" + name + ".github.io";
      case 3:
        return "www." + name + ".net";
      case 4:
        return "https://" + name + ".org/blog";
      default:
        return "https://" + name + ".me";
    }
  });
}

Date EntitySampler::birth_date(Rng& rng, Split split) {
  // Dates belong to a split by a hash of the ISO date, so every format of a date of birth
  // stays on one side; within the split a date is reused only when the side is full.
  auto& used = used_["DATE_OF_BIRTH"];
  Date fallback{};
  for (int attempt = 0; attempt < 200; ++attempt) {
    Date d = random_date(rng, 1940, 2004);
    std::string key = std::to_string(days_since_epoch(d));
    if (!belongs_to(key, split)) continue;
    fallback = d;
    if (used.insert(key).second) return d;
  }
  if (fallback.year == 0) throw std::logic_error("no date of birth in this split");
  return fallback;
}

Person EntitySampler::person(Rng& rng, Split split) {
  Person p;
  p.female = rng.chance(1, 2);
  const std::vector<std::string>& given = p.female ? pools_.female : pools_.male;
  p.full = unique("NAME", [&] {
    p.first = pick_for_split(given, split, rng);
    p.last = pick_for_split(pools_.last, split, rng);
    return p.first + " " + p.last;
  });
  p.country = pick_country(rng);
  const City& city = pick_city(pools_, rng, p.country);
  p.phone = unique("PHONE", [&] { return phone(rng, city); });
  p.address = unique("ADDRESS", [&] { return address(rng, city); });
  p.email = email(rng, p.first, p.last);
  p.url = url(rng, p.first, p.last);
  p.birth_date = birth_date(rng, split);
  DateStyle style = p.country == Country::kUS   ? DateStyle::kUS
                    : p.country == Country::kDE ? DateStyle::kGerman
                                                : DateStyle::kEuropean;
  p.date_of_birth = format_date(p.birth_date, style, rng);
  p.birth_place = pick_for_split(pools_.birth_places, split, rng);
  p.employer = pick_for_split(pools_.companies, split, rng);
  p.passport = unique("ID_NUMBER", [&] { return passport_number(rng); });
  switch (p.country) {
    case Country::kUS:
      p.national_id = unique("SSN", [&] { return ssn(rng); });
      p.national_id_label = "SSN";
      p.national_id_name = "Social Security number";
      break;
    case Country::kUK:
      p.national_id = unique("NATIONAL_ID", [&] { return uk_nino(rng); });
      p.national_id_label = "NATIONAL_ID";
      p.national_id_name = "National Insurance number";
      break;
    case Country::kCA:
      p.national_id = unique("NATIONAL_ID", [&] { return ca_sin(rng); });
      p.national_id_label = "NATIONAL_ID";
      p.national_id_name = "Social Insurance Number";
      break;
    default:
      break;
  }
  return p;
}

}  // namespace privtune::data
