// Realistic formats for generated sensitive values that need no entity pool: payment
// cards with a valid Luhn digit, SSN-like and other national ids, IP addresses, order
// numbers, dates. Every function draws from the given Rng only, so output is a function of
// the seed.
#pragma once

#include <string>
#include <string_view>

#include "privtune/data/rng.h"

namespace privtune::data {

// Luhn (mod 10) check digit for `digits` (ASCII digits only), and a full-number check.
int luhn_check_digit(std::string_view digits);
bool luhn_valid(std::string_view digits);

// Visa, Mastercard (51-55 and 2221-2720), American Express or Discover number with a
// valid Luhn digit, grouped by spaces or dashes (4-4-4-4, or 4-6-5 for Amex) or not at all.
std::string card_number(Rng& rng);

// US social security number ddd-dd-dddd (or with spaces): area 001-899 except 666, group
// 01-99, serial 0001-9999, as the SSA issues them.
std::string ssn(Rng& rng);
// UK National Insurance number (`QQ 12 34 56 C` or without spaces), valid prefix letters.
std::string uk_nino(Rng& rng);
// Canadian social insurance number, Luhn-valid, `ddd ddd ddd` or `ddd-ddd-ddd`.
std::string ca_sin(Rng& rng);
// A passport number: one letter and eight digits.
std::string passport_number(Rng& rng);

// A public (not private, loopback or link-local) IPv4 address.
std::string ipv4(Rng& rng);
// A global unicast IPv6 address, full or with one `::` run.
std::string ipv6(Rng& rng);

// An order number in one of several shop formats (ORD-48291734, 112-4829173-7738291, ...).
std::string order_number(Rng& rng);

struct Date {
  int year = 0, month = 0, day = 0;
};
Date random_date(Rng& rng, int first_year, int last_year);
// Days since 1970-01-01, for partitioning dates between splits.
int64_t days_since_epoch(const Date& date);
const char* month_name(int month);
enum class DateStyle { kUS, kEuropean, kGerman };
// The date in a format people write, chosen at random within the style's usual forms
// (`March 4, 1987`, `4 March 1987`, `1987-03-04`, `03/04/1987`, `04.03.1987`, ...).
std::string format_date(const Date& date, DateStyle style, Rng& rng);

// Lower-case ASCII for e-mail and web addresses: accents dropped (é -> e, ß -> ss,
// ø -> o, ł -> l), anything that is not a letter or digit removed.
std::string ascii_fold(std::string_view text);

}  // namespace privtune::data
