#include "privtune/tokenizer/sample_text.h"

#include <array>
#include <string_view>

namespace privtune::tokenizer {

namespace {

// splitmix64: small, fast and identical on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
  template <typename C>
  const auto& pick(const C& c) {
    return c[below(std::size(c))];
  }

 private:
  uint64_t state_;
};

const char* const kWords[] = {
    "the", "of", "and", "to", "in", "is", "was", "for", "that", "with", "as", "on", "by", "at", "from", "his",
    "her", "an", "which", "were", "are", "this", "be", "has", "had", "not", "it", "they", "their", "one", "all",
    "time", "people", "order", "customer", "address", "delivery", "account", "number", "support", "question",
    "shipping", "payment", "refund", "tomorrow", "yesterday", "morning", "London", "Paris", "Ada", "Lovelace",
    "memorization", "privacy", "tokenizer", "language", "model", "fine-tuning", "training", "gradient", "epsilon",
    "extraordinary", "internationalization", "responsibility", "unbelievable", "Mississippi", "naïve", "café",
    "résumé", "coöperate", "façade", "jalapeño", "Zürich", "São", "Paulo", "Kraków", "Ærøskøbing", "straße",
};
const char* const kContractions[] = {"it's", "don't", "we'll", "I'm", "you've", "they're", "she'd", "IT'S",
                                     "WE'LL", "He'S", "can't", "o'clock", "'tis", "rock'n'roll"};
const char* const kPunct[] = {".", ",", "!", "?", ";", ":", "...", " -", " —", "\"", "'", ")", "(", "%", "&"};

const char* const kCode[] = {
    "int main(int argc, char** argv) {\n  return 0;\n}\n",
    "def tokenize(text: str) -> list[int]:\n    return [ord(c) for c in text]\n",
    "for (size_t i = 0; i < n; ++i) {\n\tsum += a[i] * b[i];\n}\n",
    "if x != None and len(x) >= 3:\n        print(f\"{x!r:>10}\")\n",
    "const std::vector<std::pair<int, int>>& v = m.at(\"key\");",
    "{\"id\": \"c-000017\", \"text\": \"...\", \"spans\": [{\"start\": 12, \"end\": 22}]}",
    "SELECT name, email FROM users WHERE id = 42 AND created_at > '2024-01-01';",
    "#include <iostream>\n#define MAX(a,b) ((a)>(b)?(a):(b))\n",
    "    x += 1  # increment\r\n    y = x ** 2 // 3\r\n",
    "fn main() { let v: Vec<u32> = (0..10).collect(); println!(\"{:?}\", v); }",
    "<div class=\"row\"><span id='a1'>&nbsp;Hello</span></div>",
    "$ git commit -m \"Fix: handle \\\"quotes\\\" && pipes | tee log.txt\"",
};

const char* const kCjk[] = {"我们今天去北京。", "机器学习模型的隐私保护非常重要", "東京都渋谷区", "ひらがなとカタカナ",
                            "カタカナ語のテスト", "안녕하세요, 세계!", "대한민국 서울특별시", "漢字かな交じり文",
                            "「引用」と『二重引用』", "电话：010-12345678", "价格１２３元", "中文，标点；符号！"};
const char* const kArabic[] = {"مرحبا بالعالم", "السَّلَامُ عَلَيْكُمْ", "رقم الهاتف ٠١٢٣٤٥٦٧٨٩", "اللغة العربية جميلة",
                               "שלום עולם", "עִבְרִית עם ניקוד", "کتاب فارسی", "مُحَمَّد"};
const char* const kDevanagari[] = {"नमस्ते दुनिया", "हिन्दी भाषा", "क्षत्रिय ज्ञान श्री", "संस्कृतम्",
                                   "मेरा फ़ोन नंबर ९८७६५४३२१० है", "प्रयोगशाला में परीक्षण", "অসমীয়া বাংলা",
                                   "தமிழ் மொழி"};
const char* const kCombining[] = {"e\u0301", "a\u0300", "n\u0303", "o\u0308", "u\u0308\u0301", "A\u030A",
                                  "c\u0327", "i\u0302", "Vie\u0323\u0302t", "z\u0335\u0336", "q\u0307\u0323",
                                  "\u1100\u1161\u11A8", "\u0915\u094D\u0937"};
const char* const kEmoji[] = {"😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "🇯🇵", "🇺🇸🇬🇧", "❤️", "1️⃣", "🧑🏿‍💻",
                              "👩‍❤️‍👨", "✨", "🔥🔥🔥", "☕", "🙂‍↔️", "🐕‍🦺", "🏴‍☠️", "©️", "™", "½"};
const char* const kScripts[] = {"Привет, мир!", "Ελληνικά γράμματα", "Здравствуйте", "ภาษาไทยง่ายนิดเดียว",
                                "Tiếng Việt có dấu", "Türkçe ığüşöç", "Ελλάδα", "ქართული ენა", "Հայերեն",
                                "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ", "ﬁﬂ ligatures", "ℌ𝔢𝔩𝔩𝔬 𝕎𝕠𝕣𝕝𝕕"};
const char* const kSpaces[] = {" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r\n\r\n", " \n ",
                               "\u00A0", "\u3000", "\u2009", "    ", " \t ", "\n    ", "\r", "\u2003"};
const char* const kTlds[] = {"com", "org", "net", "co.uk", "de", "io", "fr"};
const char* const kNames[] = {"ada", "alan.turing", "grace_hopper", "j.doe", "maria-lopez", "li.wei", "o'brien"};

std::string words(Rng& r, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ' ';
    if (r.chance(8)) out += r.pick(kContractions);
    else out += r.pick(kWords);
  }
  return out;
}

std::string sentence(Rng& r) {
  std::string s = words(r, 3 + r.below(14));
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 32);
  if (r.chance(30)) s += r.pick(kPunct);
  s += r.chance(80) ? "." : "!";
  return s;
}

std::string digits(Rng& r, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>('0' + r.below(10));
  return s;
}

std::string number(Rng& r) {
  switch (r.below(9)) {
    case 0: return digits(r, 1 + r.below(12));
    case 1: return digits(r, 1 + r.below(4)) + "." + digits(r, 1 + r.below(5));
    case 2: return "-" + digits(r, 1 + r.below(6));
    case 3: return digits(r, 1 + r.below(3)) + "," + digits(r, 3) + "," + digits(r, 3);
    case 4: return "20" + digits(r, 2) + "-0" + digits(r, 1) + "-1" + digits(r, 1);
    case 5: return digits(r, 2) + ":" + digits(r, 2) + ":" + digits(r, 2);
    case 6: return digits(r, 1) + "." + digits(r, 3) + "e-" + digits(r, 2);
    case 7: return "$" + digits(r, 1 + r.below(5)) + ".99";
    default: return "0x" + std::string("DEADbeef").substr(r.below(4)) + digits(r, 2);
  }
}

std::string phone(Rng& r) {
  switch (r.below(6)) {
    case 0: return "+1 (" + digits(r, 3) + ") " + digits(r, 3) + "-" + digits(r, 4);
    case 1: return "0" + digits(r, 2) + " " + digits(r, 4) + " " + digits(r, 4);
    case 2: return "+44 20 " + digits(r, 4) + " " + digits(r, 4);
    case 3: return "+91-" + digits(r, 5) + "-" + digits(r, 5);
    case 4: return digits(r, 3) + "." + digits(r, 3) + "." + digits(r, 4);
    default: return "+33 6 " + digits(r, 2) + " " + digits(r, 2) + " " + digits(r, 2) + " " + digits(r, 2);
  }
}

std::string email(Rng& r) {
  std::string user = r.pick(kNames);
  if (r.chance(40)) user += digits(r, 2);
  if (r.chance(20)) user += "+tag";
  return user + "@" + std::string(r.pick(kWords)) + "." + r.pick(kTlds);
}

std::string url(Rng& r) {
  std::string u = r.chance(70) ? "https://" : "http://";
  if (r.chance(50)) u += "www.";
  u += std::string(r.pick(kWords)) + "-" + r.pick(kWords) + "." + r.pick(kTlds);
  size_t parts = r.below(4);
  for (size_t i = 0; i < parts; ++i) u += "/" + std::string(r.pick(kWords));
  if (r.chance(40)) u += "?id=" + digits(r, 5) + "&lang=en#section-" + digits(r, 1);
  if (r.chance(20)) u += "/%E2%9C%93";
  return u;
}

std::string whitespace_text(Rng& r) {
  std::string s;
  if (r.chance(50)) s += r.pick(kSpaces);
  size_t n = 1 + r.below(6);
  for (size_t i = 0; i < n; ++i) {
    s += r.pick(kWords);
    s += r.pick(kSpaces);
    if (r.chance(30)) s += r.pick(kSpaces);
  }
  if (r.chance(30)) s += std::string(1 + r.below(20), ' ');
  if (r.chance(30)) s += std::string(1 + r.below(6), '\n');
  return s;
}

std::string long_word(Rng& r) {
  size_t n = 100 + r.below(2500);
  std::string s;
  switch (r.below(6)) {
    case 0:
      while (s.size() < n) s += static_cast<char>('a' + r.below(26));
      break;
    case 1:
      s.assign(n, static_cast<char>('a' + r.below(3)));
      break;
    case 2:
      s = digits(r, n);
      break;
    case 3:
      while (s.size() < n) s += r.pick(kWords);
      break;
    case 4:
      while (s.size() < n) s += "漢字";
      break;
    default:
      while (s.size() < n) s += r.chance(50) ? "=" : "-";
      break;
  }
  return r.chance(50) ? s : "Word: " + s + " end";
}

}  // namespace

const std::vector<std::string>& sample_categories() {
  static const std::vector<std::string> k = {
      "prose",        "code",       "numbers", "phones",     "emails",   "urls",       "whitespace",
      "cjk",          "arabic",     "indic",   "combining",  "emoji",    "added_tokens", "long_words",
      "other_scripts", "mixed",
  };
  return k;
}

namespace {

std::string sample(Rng& r, size_t category, const std::vector<std::string>& inline_tokens) {
  const std::string& name = sample_categories()[category];
  auto token = [&]() -> std::string { return inline_tokens.empty() ? "" : r.pick(inline_tokens); };
  if (name == "prose") {
    std::string s;
    size_t n = 1 + r.below(4);
    for (size_t i = 0; i < n; ++i) s += (i ? " " : "") + sentence(r);
    return s;
  }
  if (name == "code") return r.pick(kCode) + std::string(r.chance(30) ? r.pick(kCode) : "");
  if (name == "numbers") return words(r, 2) + " " + number(r) + " " + number(r) + (r.chance(50) ? " and " + number(r) : "");
  if (name == "phones") return "Call me at " + phone(r) + (r.chance(50) ? " or " + phone(r) : ".");
  if (name == "emails") return "Contact: " + email(r) + (r.chance(50) ? ", cc " + email(r) : "");
  if (name == "urls") return "See " + url(r) + (r.chance(50) ? " and (" + url(r) + ")." : "");
  if (name == "whitespace") return whitespace_text(r);
  if (name == "cjk") return std::string(r.pick(kCjk)) + (r.chance(50) ? " " + words(r, 2) + r.pick(kCjk) : "");
  if (name == "arabic") return std::string(r.pick(kArabic)) + (r.chance(50) ? " " + number(r) + " " + r.pick(kArabic) : "");
  if (name == "indic") return std::string(r.pick(kDevanagari)) + (r.chance(50) ? "। " + std::string(r.pick(kDevanagari)) : "");
  if (name == "combining") {
    std::string s = words(r, 1);
    size_t n = 1 + r.below(4);
    for (size_t i = 0; i < n; ++i) s += std::string(" ") + r.pick(kCombining) + r.pick(kWords);
    return s;
  }
  if (name == "emoji") {
    std::string s = words(r, 2);
    size_t n = 1 + r.below(4);
    for (size_t i = 0; i < n; ++i) s += (r.chance(50) ? " " : "") + std::string(r.pick(kEmoji));
    return s;
  }
  if (name == "added_tokens") {
    std::string s;
    size_t n = 1 + r.below(3);
    for (size_t i = 0; i < n; ++i) {
      s += token();
      if (r.chance(50)) s += r.chance(50) ? "\n" : " ";
      s += sentence(r);
      if (r.chance(40)) s += " ";
    }
    return s + (r.chance(50) ? token() : "");
  }
  if (name == "long_words") return long_word(r);
  if (name == "other_scripts") return std::string(r.pick(kScripts)) + " " + r.pick(kScripts);
  // mixed: a bit of everything
  std::string s;
  size_t n = 2 + r.below(4);
  for (size_t i = 0; i < n; ++i) {
    size_t c = r.below(sample_categories().size() - 2);
    if (sample_categories()[c] == "long_words") c = 0;
    s += sample(r, c, inline_tokens);
    s += r.pick(kSpaces);
  }
  return s;
}

}  // namespace

std::vector<std::string> sample_corpus(size_t count, uint64_t seed, const std::vector<std::string>& inline_tokens) {
  Rng r(seed);
  std::vector<std::string> out;
  out.reserve(count);
  size_t k = sample_categories().size();
  for (size_t i = 0; i < count; ++i) out.push_back(sample(r, i % k, inline_tokens));
  return out;
}

std::vector<std::string> sample_documents(size_t total_bytes, uint64_t seed) {
  Rng r(seed);
  std::vector<std::string> docs;
  size_t bytes = 0;
  const std::vector<std::string> none;
  while (bytes < total_bytes) {
    std::string doc;
    size_t target = 1000 + r.below(4000);
    while (doc.size() < target) {
      size_t roll = r.below(100);
      size_t c;
      if (roll < 55) c = 0;        // prose
      else if (roll < 70) c = 1;   // code
      else c = 2 + r.below(sample_categories().size() - 2);
      if (sample_categories()[c] == "long_words" && r.chance(80)) c = 0;
      if (sample_categories()[c] == "added_tokens") c = 0;
      doc += sample(r, c, none);
      doc += r.chance(70) ? " " : "\n";
    }
    bytes += doc.size();
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace privtune::tokenizer
