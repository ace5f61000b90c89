// The embedded backend: one SQLite file that the CLI and the milter on one host
// share. WAL lets readers run beside the one writer; BEGIN IMMEDIATE takes the
// write lock up front, so two processes recording at once queue (busy timeout)
// instead of failing half-way through a grouping decision.
#include <sqlite3.h>

#include <map>
#include <memory>
#include <string>

#include "campaigns/db.hpp"

namespace sluice::campaigns {
namespace {

constexpr int kBusyTimeoutMs = 30'000;

struct StmtCloser {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

class SqliteDb final : public Db {
 public:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  ~SqliteDb() override {
    cache_.clear();
    sqlite3_close_v2(db_);
  }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  [[nodiscard]] Dialect dialect() const noexcept override { return Dialect::sqlite; }

  Result<std::vector<SqlRow>> query(std::string_view sql, std::span<const SqlValue> params) override {
    auto stmt = bound(sql, params);
    if (!stmt) return std::unexpected(stmt.error());
    sqlite3_stmt* raw = stmt->get();
    std::vector<SqlRow> rows;
    for (;;) {
      const int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return error("step");
      const int n = sqlite3_column_count(raw);
      SqlRow row;
      row.reserve(static_cast<std::size_t>(n));
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(raw, c)) {
          case SQLITE_INTEGER: row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(raw, c))); break;
          case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(raw, c)); break;
          case SQLITE_NULL: row.emplace_back(std::monostate{}); break;
          default: {
            const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
            row.emplace_back(std::string(t ? t : "", static_cast<std::size_t>(sqlite3_column_bytes(raw, c))));
          }
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<std::vector<std::int64_t>> query_ints(std::string_view sql, std::span<const SqlValue> params) override {
    auto stmt = bound(sql, params);
    if (!stmt) return std::unexpected(stmt.error());
    sqlite3_stmt* raw = stmt->get();
    std::vector<std::int64_t> out;
    for (;;) {
      const int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return error("step");
      const int n = sqlite3_column_count(raw);
      for (int c = 0; c < n; ++c) out.push_back(sqlite3_column_int64(raw, c));
    }
    return out;
  }

  Status begin_write() override { return simple("BEGIN IMMEDIATE"); }
  Result<std::optional<std::int64_t>> data_version() override {
    auto v = query_ints("PRAGMA data_version", {});
    if (!v) return std::unexpected(v.error());
    if (v->size() != 1) return fail(Errc::io, 0, "campaign store (SQLite): PRAGMA data_version returned no row");
    return std::optional<std::int64_t>(v->front());
  }
  Status commit() override { return simple("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  Status simple(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return std::unexpected(error(sql).error());
    return {};
  }

 private:
  std::unexpected<Error> error(std::string_view what) const {
    const int code = sqlite3_extended_errcode(db_);
    const Errc e = (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED ? Errc::limit : Errc::io;
    return fail(e, 0, "campaign store (SQLite): " + std::string(what) + ": " + sqlite3_errmsg(db_));
  }

  // A cached statement with its parameters bound; reset and unbound when the
  // handle goes, however the caller leaves.
  struct Unbind {
    void operator()(sqlite3_stmt* s) const noexcept {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
    }
  };
  using Bound = std::unique_ptr<sqlite3_stmt, Unbind>;

  Result<Bound> bound(std::string_view sql, std::span<const SqlValue> params) {
    // Statements are prepared once per connection: grouping runs the same
    // dozen for every message, and preparing them was most of its cost.
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* fresh = nullptr;
      if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &fresh,
                             nullptr) != SQLITE_OK) {
        return error("prepare");
      }
      it = cache_.emplace(std::string(sql), Stmt(fresh)).first;
    }
    Bound stmt(it->second.get());
    sqlite3_stmt* raw = stmt.get();
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(raw, at, *n);
      } else if (const auto* d = std::get_if<double>(&params[i])) {
        rc = sqlite3_bind_double(raw, at, *d);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        // SQLITE_STATIC: the parameters outlive the statement's steps (the
        // handle is reset and unbound before the caller's vector goes), so
        // SQLite need not copy each fingerprint value.
        rc = sqlite3_bind_text(raw, at, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(raw, at);
      }
      if (rc != SQLITE_OK) return error("bind");
    }
    return stmt;
  }

  sqlite3* db_;
  std::map<std::string, Stmt, std::less<>> cache_;
};

}  // namespace

Result<std::unique_ptr<Db>> open_sqlite(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close_v2(raw);
    return fail(Errc::io, 0, "campaign store (SQLite) " + path + ": " + why);
  }
  auto db = std::make_unique<SqliteDb>(raw);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  // journal_mode is the first statement that reads the file: a file that is
  // not a database fails here, with SQLite's own words ("file is not a database").
  if (auto r = db->query("PRAGMA journal_mode=WAL", {}); !r) {
    return fail(Errc::malformed, 0, r.error().what);
  }
  if (auto s = db->simple("PRAGMA foreign_keys=ON"); !s) return std::unexpected(s.error());
  // NORMAL in WAL mode: a power cut may lose the last transactions, never
  // corrupt the file; the store is a memory of verdicts, not the verdicts.
  if (auto s = db->simple("PRAGMA synchronous=NORMAL"); !s) return std::unexpected(s.error());
  // A 100,000-message store is ~100 MB of B-trees; SQLite's 2 MB default
  // page cache made every grouping read a system call. Memory-mapped reads and
  // a 64 MiB cache keep a message's lookups in memory (bench/README.md).
  if (auto s = db->simple("PRAGMA cache_size=-65536"); !s) return std::unexpected(s.error());
  // Each message recorded in a batch is a savepoint, and a savepoint's undo
  // pages (the statement sub-journal) spill to an unlinked file in /var/tmp
  // beyond 64 KiB: 25,000 writes for 520 messages. In memory they are a few
  // hundred KiB per message at most, freed at its RELEASE (bench/README.md).
  if (auto s = db->simple("PRAGMA temp_store=MEMORY"); !s) return std::unexpected(s.error());
  if (auto s = db->simple("PRAGMA mmap_size=268435456"); !s) return std::unexpected(s.error());
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace sluice::campaigns
