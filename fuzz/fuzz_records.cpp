// One line of a dataset file: a JSON record with spans, a pre-tokenized record, or inline
// markup. An accepted record must survive the round trip through its JSON form.
#include <string>

#include "fuzz_common.h"
#include "privtune/data/markup.h"
#include "privtune/data/record_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string line = privtune::fuzz::text_of(data, size);
  privtune::fuzz::accept_or_refuse([&] {
    const privtune::data::Example e = privtune::data::parse_record(line);
    const privtune::data::Example again = privtune::data::parse_record(privtune::data::record_to_json(e));
    if (again.text != e.text || again.spans != e.spans || again.input_ids != e.input_ids) __builtin_trap();
  });
  privtune::fuzz::accept_or_refuse([&] { (void)privtune::data::parse_markup(line); });
  return 0;
}
