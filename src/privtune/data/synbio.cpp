// synbio: short biographies. Sensitive: name, date and place of birth, address, e-mail,
// phone, employer, national id (SSN, UK NI number or Canadian SIN), passport number and
// personal website. Not sensitive: occupation, education, hobbies and other generic facts.
#include "privtune/data/domain.h"

namespace privtune::data {

namespace {

class SynBio : public Domain {
 public:
  SynBio() : table_(PhrasingTable::embedded("synbio")) {}

  const char* id_prefix() const override { return "bio"; }
  const char* canary_lead() const override { return " "; }
  std::vector<std::string> labels() const override {
    return {"NAME", "DATE", "PLACE", "ADDRESS", "EMAIL", "PHONE", "EMPLOYER", "SSN", "NATIONAL_ID", "ID_NUMBER", "URL"};
  }

  void write(ExampleContext& ctx, SpanTextBuilder& out) const override {
    Rng& rng = ctx.rng;
    const EntityPools& pools = ctx.entities.pools();
    Person p = ctx.entities.person(rng, ctx.split);
    Slots s = person_slots(p);
    s["dob"] = {p.date_of_birth, "DATE"};
    s["place"] = {p.birth_place, "PLACE"};
    s["employer"] = {p.employer, "EMPLOYER"};
    s["passport"] = {p.passport, "ID_NUMBER"};
    s["url"] = {p.url, "URL"};
    if (!p.national_id.empty()) {
      s["national_id"] = {p.national_id, p.national_id_label};
      s["id_name"] = {p.national_id_name, ""};
    }
    const std::string& occupation = rng.pick(pools.occupations);
    s["occupation"] = {occupation, ""};
    s["a_occupation"] = {(occupation.find_first_of("aeiou") == 0 ? "an " : "a ") + occupation, ""};
    s["university"] = {rng.pick(pools.universities), ""};
    s["field"] = {rng.pick(pools.fields), ""};
    std::string hobby = rng.pick(pools.hobbies), hobby2;
    do hobby2 = rng.pick(pools.hobbies);
    while (hobby2 == hobby);
    s["hobby"] = {hobby, ""};
    s["hobby2"] = {hobby2, ""};
    s["years"] = {std::to_string(rng.range(2, 15)), ""};
    s["count"] = {std::to_string(rng.range(2, 6)), ""};

    // The introduction comes first; the other sentences in random order, some optional,
    // so that biographies differ in length and in which facts they reveal.
    std::vector<std::string> sentences = {"occupation", "education", "hobbies"};
    for (const char* section : {"address", "email", "phone"})
      if (rng.chance(5, 6)) sentences.push_back(section);
    if (!p.national_id.empty() && rng.chance(3, 4)) sentences.push_back("national_id");
    if (rng.chance(2, 5)) sentences.push_back("passport");
    if (rng.chance(2, 5)) sentences.push_back("website");
    if (rng.chance(1, 2)) sentences.push_back("generic");
    rng.shuffle(sentences);
    say(table_, "intro", s, rng, out);
    for (const std::string& section : sentences) {
      out.append(" ");
      say(table_, section, s, rng, out);
    }
  }

 private:
  const PhrasingTable& table_;
};

}  // namespace

std::unique_ptr<Domain> make_synbio_domain() { return std::make_unique<SynBio>(); }

}  // namespace privtune::data
