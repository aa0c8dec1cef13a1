// The JavaScript that `privtune report` inlines into every HTML report: the browser builds of
// vega, vega-lite and vega-embed, concatenated. The definitions are generated at build time
// by cmake/embed_report_js.cmake from the npm packages that scripts/fetch_report_js installs.
#pragma once

#include <string_view>

namespace privtune::experiment {

// The three bundles, verbatim; empty when they were not embedded.
std::string_view report_bundle();

// False when privtune was built before scripts/fetch_report_js had installed the bundles.
bool report_bundles_embedded();

}  // namespace privtune::experiment
