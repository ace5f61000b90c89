// The shared backend: several gateways recording into one PostgreSQL database
// see one view of the campaigns. Writers serialise on one advisory lock for the
// length of a grouping transaction, which is what SQLite's write lock gives the
// embedded store; readers never wait.
#include <libpq-fe.h>

#include <charconv>
#include <memory>

#include "campaigns/db.hpp"

namespace sluice::campaigns {
namespace {

// Any constant works; it only has to be the same in every Sluice.
constexpr const char* kLockSql = "SELECT pg_advisory_xact_lock(7357015)";

struct ResultCloser {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultCloser>;

std::string numbered(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::string number_text(double d) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

class PostgresDb final : public Db {
 public:
  explicit PostgresDb(PGconn* c) : conn_(c) {}
  ~PostgresDb() override { PQfinish(conn_); }
  PostgresDb(const PostgresDb&) = delete;
  PostgresDb& operator=(const PostgresDb&) = delete;

  [[nodiscard]] Dialect dialect() const noexcept override { return Dialect::postgresql; }

  Result<std::vector<SqlRow>> query(std::string_view sql, std::span<const SqlValue> params) override {
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
        text[i] = std::to_string(*n);
      } else if (const auto* d = std::get_if<double>(&params[i])) {
        text[i] = number_text(*d);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        text[i] = *s;
      } else {
        continue;  // NULL
      }
      values[i] = text[i].c_str();
    }
    const std::string stmt = numbered(sql);
    PgResult r(PQexecParams(conn_, stmt.c_str(), static_cast<int>(params.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return error(r.get());
    std::vector<SqlRow> rows;
    if (status == PGRES_TUPLES_OK) {
      const int nrows = PQntuples(r.get());
      const int ncols = PQnfields(r.get());
      rows.reserve(static_cast<std::size_t>(nrows));
      for (int i = 0; i < nrows; ++i) {
        SqlRow row;
        row.reserve(static_cast<std::size_t>(ncols));
        for (int c = 0; c < ncols; ++c) {
          if (PQgetisnull(r.get(), i, c)) {
            row.emplace_back(std::monostate{});
          } else {
            row.emplace_back(std::string(PQgetvalue(r.get(), i, c),
                                         static_cast<std::size_t>(PQgetlength(r.get(), i, c))));
          }
        }
        rows.push_back(std::move(row));
      }
    }
    return rows;
  }

  Status begin_write() override {
    if (auto s = exec("BEGIN"); !s) return s;
    if (auto s = exec(kLockSql); !s) {
      rollback();
      return s;
    }
    return {};
  }
  Status commit() override { return exec("COMMIT"); }
  void rollback() noexcept override { PgResult r(PQexec(conn_, "ROLLBACK")); }

 private:
  std::unexpected<Error> error(const PGresult* r) const {
    const char* msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    std::string what = msg ? msg : "unknown error";
    while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
    return fail(PQstatus(conn_) == CONNECTION_OK ? Errc::malformed : Errc::io, 0,
                "campaign store (PostgreSQL): " + what);
  }

  PGconn* conn_;
};

}  // namespace

Result<std::unique_ptr<Db>> open_postgresql(const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (c == nullptr || PQstatus(c) != CONNECTION_OK) {
    std::string why = c ? PQerrorMessage(c) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    PQfinish(c);
    return fail(Errc::io, 0, "campaign store (PostgreSQL): " + why);
  }
  auto db = std::make_unique<PostgresDb>(c);
  // Notices ("relation already exists, skipping") are not errors: keep stderr
  // for what the admin must read.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace sluice::campaigns
