#include "privtune/data/value_formats.h"

#include <cstdio>
#include <vector>

#include "privtune/data/utf8.h"

namespace privtune::data {

namespace {

std::string digits(Rng& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + rng.uniform(10));
  return out;
}

std::string pad(int64_t value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(value));
  return buf;
}

// Splits `number` into groups of the given sizes joined by `sep`.
std::string group(const std::string& number, const std::vector<int>& sizes, const std::string& sep) {
  std::string out;
  size_t pos = 0;
  for (int size : sizes) {
    if (!out.empty()) out += sep;
    out += number.substr(pos, static_cast<size_t>(size));
    pos += static_cast<size_t>(size);
  }
  return out;
}

char upper(Rng& rng, std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  return alphabet[rng.uniform(alphabet.size())];
}

}  // namespace

int luhn_check_digit(std::string_view number) {
  int sum = 0;
  bool twice = true;  // the digit next to the check digit is doubled
  for (size_t i = number.size(); i-- > 0;) {
    int d = number[i] - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return (10 - sum % 10) % 10;
}

bool luhn_valid(std::string_view number) {
  if (number.size() < 2) return false;
  for (char c : number)
    if (c < '0' || c > '9') return false;
  return luhn_check_digit(number.substr(0, number.size() - 1)) == number.back() - '0';
}

std::string card_number(Rng& rng) {
  std::string body;
  bool amex = false;
  switch (rng.uniform(8)) {
    case 0:
    case 1:
    case 2:  // Visa
      body = "4" + digits(rng, 14);
      break;
    case 3:
    case 4:  // Mastercard
      body = std::to_string(51 + rng.uniform(5)) + digits(rng, 13);
      break;
    case 5:  // Mastercard 2-series
      body = std::to_string(2221 + rng.uniform(500)) + digits(rng, 11);
      break;
    case 6:  // American Express
      body = (rng.chance(1, 2) ? "34" : "37") + digits(rng, 12);
      amex = true;
      break;
    default:  // Discover
      body = "6011" + digits(rng, 11);
      break;
  }
  std::string number = body + static_cast<char>('0' + luhn_check_digit(body));
  std::vector<int> sizes = amex ? std::vector<int>{4, 6, 5} : std::vector<int>{4, 4, 4, 4};
  switch (rng.uniform(4)) {
    case 0:
    case 1:
      return group(number, sizes, " ");
    case 2:
      return group(number, sizes, "-");
    default:
      return number;
  }
}

std::string ssn(Rng& rng) {
  int64_t area;
  do area = rng.range(1, 899);
  while (area == 666);
  std::string sep = rng.chance(4, 5) ? "-" : " ";
  return pad(area, 3) + sep + pad(rng.range(1, 99), 2) + sep + pad(rng.range(1, 9999), 4);
}

std::string uk_nino(Rng& rng) {
  // First letter: not D F I Q U V; second: not D F I O Q U V; some pairs are never issued.
  std::string prefix;
  do {
    prefix = std::string(1, upper(rng, "ABCEGHJKLMNOPRSTWXYZ")) + upper(rng, "ABCEGHJKLMNPRSTWXYZ");
  } while (prefix == "BG" || prefix == "GB" || prefix == "KN" || prefix == "NK" || prefix == "NT" || prefix == "TN" ||
           prefix == "ZZ");
  std::string number = digits(rng, 6);
  char suffix = upper(rng, "ABCD");
  if (rng.chance(1, 3)) return prefix + number + suffix;
  return prefix + " " + group(number, {2, 2, 2}, " ") + " " + suffix;
}

std::string ca_sin(Rng& rng) {
  std::string body = std::to_string(1 + rng.uniform(7)) + digits(rng, 7);
  std::string number = body + static_cast<char>('0' + luhn_check_digit(body));
  return group(number, {3, 3, 3}, rng.chance(1, 2) ? " " : "-");
}

std::string passport_number(Rng& rng) { return std::string(1, upper(rng, "ACEFGHKLMNPRTXZ")) + digits(rng, 8); }

std::string ipv4(Rng& rng) {
  for (;;) {
    int64_t a = rng.range(1, 223), b = rng.range(0, 255);
    bool reserved = a == 10 || a == 127 || (a == 169 && b == 254) || (a == 172 && b >= 16 && b <= 31) ||
                    (a == 192 && b == 168) || (a == 100 && b >= 64 && b <= 127) || a == 0;
    if (reserved) continue;
    return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(rng.range(0, 255)) + "." +
           std::to_string(rng.range(1, 254));
  }
}

std::string ipv6(Rng& rng) {
  auto hex_group = [&](bool nonzero) {
    char buf[8];
    uint64_t v = rng.uniform(0x10000);
    if (nonzero && v == 0) v = 1;
    std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(v));
    return std::string(buf);
  };
  // 2000::/3 is global unicast; 2001:db8::/32 is reserved for documentation, so avoid 2001.
  char buf[8];
  uint64_t head_value = 0x2000 + rng.uniform(0x1000);
  std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(head_value == 0x2001 ? 0x2a01 : head_value));
  std::string first = buf;
  std::vector<std::string> groups = {first};
  if (rng.chance(1, 2)) {
    for (int i = 0; i < 7; ++i) groups.push_back(hex_group(true));
    std::string out = groups[0];
    for (size_t i = 1; i < groups.size(); ++i) out += ":" + groups[i];
    return out;
  }
  int head = static_cast<int>(rng.range(1, 3)), tail = static_cast<int>(rng.range(1, 3));
  std::string out = first;
  for (int i = 1; i < head; ++i) out += ":" + hex_group(true);
  out += ":";
  for (int i = 0; i < tail; ++i) out += ":" + hex_group(true);
  return out;
}

std::string order_number(Rng& rng) {
  switch (rng.uniform(5)) {
    case 0:
      return "ORD-" + digits(rng, 8);
    case 1:
      return std::to_string(rng.range(111, 119)) + "-" + digits(rng, 7) + "-" + digits(rng, 7);
    case 2:
      return std::string("#") + upper(rng) + upper(rng) + digits(rng, 6);
    case 3:
      return "W" + std::to_string(rng.range(1, 9)) + digits(rng, 8);
    default:
      return std::string("SO-") + digits(rng, 5) + "-" + upper(rng) + upper(rng);
  }
}

Date random_date(Rng& rng, int first_year, int last_year) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  Date d;
  d.year = static_cast<int>(rng.range(first_year, last_year));
  d.month = static_cast<int>(rng.range(1, 12));
  bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  d.day = static_cast<int>(rng.range(1, kDays[d.month - 1] + (d.month == 2 && leap ? 1 : 0)));
  return d;
}

int64_t days_since_epoch(const Date& date) {
  // Howard Hinnant's days_from_civil.
  int64_t y = date.year - (date.month <= 2);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

const char* month_name(int month) {
  static const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                  "July",    "August",   "September", "October", "November", "December"};
  return kMonths[month - 1];
}

std::string format_date(const Date& d, DateStyle style, Rng& rng) {
  std::string day = std::to_string(d.day), year = std::to_string(d.year), month = month_name(d.month);
  std::string iso = year + "-" + pad(d.month, 2) + "-" + pad(d.day, 2);
  switch (style) {
    case DateStyle::kUS:
      switch (rng.uniform(4)) {
        case 0:
        case 1:
          return month + " " + day + ", " + year;
        case 2:
          return pad(d.month, 2) + "/" + pad(d.day, 2) + "/" + year;
        default:
          return iso;
      }
    case DateStyle::kEuropean:
      switch (rng.uniform(4)) {
        case 0:
        case 1:
          return day + " " + month + " " + year;
        case 2:
          return pad(d.day, 2) + "/" + pad(d.month, 2) + "/" + year;
        default:
          return iso;
      }
    case DateStyle::kGerman:
      return rng.chance(2, 3) ? pad(d.day, 2) + "." + pad(d.month, 2) + "." + year : day + " " + month + " " + year;
  }
  return iso;
}

std::string ascii_fold(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    char32_t c = tokenizer::utf8::decode(text, i);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      switch (c) {
        case U'à':
        case U'á':
        case U'â':
        case U'ã':
        case U'ä':
        case U'å':
        case U'À':
        case U'Á':
        case U'Å':
        case U'Ä':
          out += 'a';
          break;
        case U'æ':
        case U'Æ':
          out += "ae";
          break;
        case U'ç':
        case U'Ç':
        case U'č':
        case U'Č':
        case U'ć':
          out += 'c';
          break;
        case U'è':
        case U'é':
        case U'ê':
        case U'ë':
        case U'ě':
        case U'É':
        case U'È':
        case U'ę':
          out += 'e';
          break;
        case U'ì':
        case U'í':
        case U'î':
        case U'ï':
        case U'Í':
        case U'İ':
        case U'ı':
          out += 'i';
          break;
        case U'ñ':
        case U'Ñ':
        case U'ń':
          out += 'n';
          break;
        case U'ò':
        case U'ó':
        case U'ô':
        case U'õ':
        case U'ö':
        case U'ø':
        case U'Ö':
        case U'Ø':
        case U'Ó':
        case U'ő':
          out += 'o';
          break;
        case U'ù':
        case U'ú':
        case U'û':
        case U'ü':
        case U'Ü':
        case U'Ú':
        case U'ů':
          out += 'u';
          break;
        case U'ý':
        case U'ÿ':
        case U'Ý':
          out += 'y';
          break;
        case U'ß':
          out += "ss";
          break;
        case U'ł':
        case U'Ł':
          out += 'l';
          break;
        case U'ś':
        case U'š':
        case U'Š':
        case U'ş':
        case U'Ş':
          out += 's';
          break;
        case U'ž':
        case U'ź':
        case U'ż':
        case U'Ž':
          out += 'z';
          break;
        case U'ř':
          out += 'r';
          break;
        case U'ğ':
          out += 'g';
          break;
        default:
          break;  // spaces, apostrophes, hyphens and anything unmapped
      }
    }
  }
  return out;
}

}  // namespace privtune::data
