#pragma once
// The fake browser a page's scripts run against (ES5 source, evaluated once per
// document before the page's own scripts). It calls four natives the runtime
// defines: __sluice_save(name, how, type, parts), __sluice_save_binary(name,
// how, type, binary_string), __sluice_navigate(url, how), __sluice_write(text),
// and reads __sluice_elements (id → {tag, inner, attrs}).
#include <string_view>

namespace sluice::formats::html {
extern const std::string_view kBrowserShim;
}  // namespace sluice::formats::html
