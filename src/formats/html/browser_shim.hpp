#pragma once
// The fake browser a page's scripts run against (ES5 source, loaded into each
// page's interpreter before the page is known). It calls four natives the
// runtime defines: __sluice_save(name, how, type, parts), __sluice_save_binary(name,
// how, type, binary_string), __sluice_navigate(url, how), __sluice_write(text),
// and leaves __sluice_bind(elements) for the runtime to hand it the page's
// elements (id → {tag, inner, attrs}) before the page's code runs.
#include <string_view>

namespace sluice::formats::html {
extern const std::string_view kBrowserShim;
}  // namespace sluice::formats::html
