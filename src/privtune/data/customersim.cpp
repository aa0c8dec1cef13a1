// customersim: multi-turn customer-support dialogues about orders (tracking, returns,
// address changes, billing). Sensitive: the customer's name, phone, e-mail, shipping
// address, order number, and in billing dialogues the card number and the IP address of
// the payment. The agent never gives a name, so every name in a dialogue is the customer's.
#include <cstdio>

#include "privtune/data/domain.h"
#include "privtune/data/resources.h"

namespace privtune::data {

namespace {

enum class Topic { kTracking, kReturn, kAddress, kBilling };

const std::vector<std::string> kWeekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};

// Writes alternating `Agent:` / `Customer:` lines.
class Dialogue {
 public:
  Dialogue(const PhrasingTable& table, const Slots& slots, Rng& rng, SpanTextBuilder& out)
      : table_(table), slots_(slots), rng_(rng), out_(out) {}
  void agent(const std::string& section) { line("Agent: ", section); }
  void customer(const std::string& section) { line("Customer: ", section); }

 private:
  void line(const char* speaker, const std::string& section) {
    if (!out_.empty()) out_.append("\n");
    out_.append(speaker);
    say(table_, section, slots_, rng_, out_);
  }
  const PhrasingTable& table_;
  const Slots& slots_;
  Rng& rng_;
  SpanTextBuilder& out_;
};

class CustomerSim : public Domain {
 public:
  CustomerSim()
      : table_(PhrasingTable::embedded("customersim")),
        stores_(resource_lines("pools/stores.txt")),
        carriers_(resource_lines("pools/carriers.txt")) {
    // pools/products.txt lines are `article|noun phrase`.
    for (const std::string& line : resource_lines("pools/products.txt")) {
      size_t bar = line.find('|');
      std::string article = bar == std::string::npos ? "" : line.substr(0, bar);
      std::string noun = bar == std::string::npos ? line : line.substr(bar + 1);
      products_.push_back({noun, article.empty() ? noun : article + " " + noun});
    }
  }

  const char* id_prefix() const override { return "cs"; }
  const char* canary_lead() const override { return "\nCustomer: "; }
  std::vector<std::string> labels() const override {
    return {"NAME", "PHONE", "EMAIL", "ADDRESS", "ORDER_NUMBER", "CARD_NUMBER", "IP_ADDRESS"};
  }

  void write(ExampleContext& ctx, SpanTextBuilder& out) const override {
    Rng& rng = ctx.rng;
    EntitySampler& entities = ctx.entities;
    Person person = entities.person(rng, ctx.split);
    Slots s = person_slots(person);
    auto topic = static_cast<Topic>(rng.uniform(4));
    s["order"] = {entities.order_number(rng), "ORDER_NUMBER"};
    if (topic == Topic::kBilling) {
      s["card"] = {entities.card_number(rng), "CARD_NUMBER"};
      s["ip"] = {entities.ip_address(rng), "IP_ADDRESS"};
    }
    s["store"] = {rng.pick(stores_), ""};
    s["carrier"] = {rng.pick(carriers_), ""};
    const auto& product = rng.pick(products_);
    s["item"] = {product.first, ""};
    s["a_item"] = {product.second, ""};
    s["weekday"] = {rng.pick(kWeekdays), ""};
    s["days"] = {std::to_string(rng.range(2, 10)), ""};
    char amount[32];
    std::snprintf(amount, sizeof amount, "$%d.%02d", static_cast<int>(rng.range(5, 400)),
                  static_cast<int>(rng.range(0, 99)));
    s["amount"] = {amount, ""};

    Dialogue d(table_, s, rng, out);
    d.agent("agent_greeting");
    static const char* kOpen[] = {"open_tracking", "open_return", "open_address", "open_billing"};
    d.customer(kOpen[static_cast<int>(topic)]);
    // Agents ask for the order or the name first, about equally often.
    bool order_first = rng.chance(1, 2);
    for (int step = 0; step < 2; ++step) {
      if ((step == 0) == order_first) {
        d.agent("ask_order");
        d.customer("give_order");
      } else {
        d.agent("ask_name");
        d.customer("give_name");
      }
    }
    switch (topic) {
      case Topic::kTracking:
        if (rng.chance(1, 2)) {
          d.agent("ask_phone");
          d.customer("give_phone");
        } else {
          d.agent("ask_email");
          d.customer("give_email");
        }
        d.agent("tracking_status");
        break;
      case Topic::kReturn:
        d.agent("ask_return_reason");
        d.customer("return_reason");
        d.agent("ask_email");
        d.customer("give_email");
        d.agent("return_label");
        break;
      case Topic::kAddress:
        d.agent("ask_phone");
        d.customer("give_phone");
        d.agent("ask_new_address");
        d.customer("give_address");
        d.agent("confirm_address");
        break;
      case Topic::kBilling:
        d.agent("ask_card");
        d.customer("give_card");
        d.agent("ip_check");
        d.customer("ip_reply");
        d.agent("billing_resolution");
        break;
    }
    d.customer("customer_thanks");
    d.agent("agent_closing");
  }

 private:
  const PhrasingTable& table_;
  std::vector<std::string> stores_, carriers_;
  std::vector<std::pair<std::string, std::string>> products_;  // ("toaster", "a toaster")
};

}  // namespace

std::unique_ptr<Domain> make_customersim_domain() { return std::make_unique<CustomerSim>(); }

}  // namespace privtune::data
