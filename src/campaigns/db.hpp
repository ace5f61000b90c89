#pragma once
// The little SQL both store backends speak. Grouping and reporting are written
// once against this interface; SQLite and PostgreSQL differ only in how they
// connect, lock and spell an auto-increment key. Statements use `?`
// placeholders; the PostgreSQL backend renumbers them as $1, $2 ….
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sluice/result.hpp"

namespace sluice::campaigns {

using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string>;
using SqlRow = std::vector<SqlValue>;

enum class Dialect : std::uint8_t { sqlite, postgresql };

class Db {
 public:
  virtual ~Db() = default;
  [[nodiscard]] virtual Dialect dialect() const noexcept = 0;
  // Rows of a statement (none for DDL and plain writes).
  virtual Result<std::vector<SqlRow>> query(std::string_view sql, std::span<const SqlValue> params) = 0;
  // A statement whose columns are all integers, its rows laid end to end
  // (row r, column c at r × columns + c; NULL reads 0). Grouping reads
  // hundreds of candidate rows per message, and a vector of variants per row
  // was most of what recording cost (bench/README.md). The default goes
  // through query(); SQLite reads the columns straight into the vector.
  virtual Result<std::vector<std::int64_t>> query_ints(std::string_view sql, std::span<const SqlValue> params);
  // A transaction that writes: other writers (threads, processes, hosts) wait
  // until commit() or rollback(). SQLite: BEGIN IMMEDIATE with a busy timeout;
  // PostgreSQL: a transaction holding one advisory lock.
  virtual Status begin_write() = 0;
  // A number that changes whenever another connection commits to the store
  // (SQLite's PRAGMA data_version), so what this connection read may be
  // kept; nullopt where the backend cannot tell (PostgreSQL).
  virtual Result<std::optional<std::int64_t>> data_version() { return std::optional<std::int64_t>{}; }
  virtual Status commit() = 0;
  virtual void rollback() noexcept = 0;

  Status exec(std::string_view sql, std::span<const SqlValue> params = {}) {
    auto r = query(sql, params);
    if (!r) return std::unexpected(r.error());
    return {};
  }
};

// SQLite file (created when missing), WAL mode, foreign keys on.
Result<std::unique_ptr<Db>> open_sqlite(const std::string& path);
// A libpq connection string or URI ("postgresql://user@127.0.0.1:5432/sluice").
Result<std::unique_ptr<Db>> open_postgresql(const std::string& conninfo);

// Column readers that accept what either backend returns (PostgreSQL text
// results carry numbers as strings).
[[nodiscard]] std::int64_t as_int(const SqlValue& v) noexcept;
[[nodiscard]] double as_real(const SqlValue& v) noexcept;
[[nodiscard]] std::string as_text(const SqlValue& v);
[[nodiscard]] bool is_null(const SqlValue& v) noexcept;

}  // namespace sluice::campaigns
