// Reading columns whatever the backend handed back: SQLite gives typed values,
// libpq text. A number column that does not parse reads as 0 — the store wrote
// every such column itself, so this only happens to a damaged store, which the
// schema check reports before any query runs.
#include <charconv>
#include <cstdlib>

#include "campaigns/db.hpp"

namespace sluice::campaigns {

std::int64_t as_int(const SqlValue& v) noexcept {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

double as_real(const SqlValue& v) noexcept {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

std::string as_text(const SqlValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return {};
}

bool is_null(const SqlValue& v) noexcept { return std::holds_alternative<std::monostate>(v); }

Result<std::vector<std::int64_t>> Db::query_ints(std::string_view sql, std::span<const SqlValue> params) {
  auto rows = query(sql, params);
  if (!rows) return std::unexpected(rows.error());
  std::vector<std::int64_t> out;
  for (const SqlRow& row : *rows) {
    for (const SqlValue& v : row) out.push_back(as_int(v));
  }
  return out;
}

}  // namespace sluice::campaigns
