// The shared backend: several gateways recording into one PostgreSQL database
// see one view of the campaigns. Writers serialise on one advisory lock for the
// length of a grouping transaction, which is what SQLite's write lock gives the
// embedded store; readers never wait.
#include <libpq-fe.h>

#include <charconv>
#include <memory>

#include "campaigns/db.hpp"
#include "core/dynamic_library.hpp"
#include "deferred_libraries.hpp"

namespace sluice::campaigns {
namespace {

// libpq, opened with the first PostgreSQL store rather than by every start
// (docs/adr/0030); each member has the type the header declares.
struct PqApi {
  decltype(&::PQconnectdb) connectdb = nullptr;
  decltype(&::PQstatus) status = nullptr;
  decltype(&::PQerrorMessage) error_message = nullptr;
  decltype(&::PQfinish) finish = nullptr;
  decltype(&::PQsetNoticeProcessor) set_notice_processor = nullptr;
  decltype(&::PQexec) exec = nullptr;
  decltype(&::PQexecParams) exec_params = nullptr;
  decltype(&::PQresultStatus) result_status = nullptr;
  decltype(&::PQresultErrorMessage) result_error_message = nullptr;
  decltype(&::PQntuples) ntuples = nullptr;
  decltype(&::PQnfields) nfields = nullptr;
  decltype(&::PQgetisnull) getisnull = nullptr;
  decltype(&::PQgetvalue) getvalue = nullptr;
  decltype(&::PQgetlength) getlength = nullptr;
  decltype(&::PQclear) clear = nullptr;
  core::DynamicLibrary lib;

  explicit PqApi(core::DynamicLibrary l) : lib(std::move(l)) {}
  static Result<std::shared_ptr<const PqApi>> load() {
    auto api = core::load_table<PqApi>(deferred::k_pq, [](PqApi& a, core::Binder& b) {
      b(a.connectdb, "PQconnectdb");
      b(a.status, "PQstatus");
      b(a.error_message, "PQerrorMessage");
      b(a.finish, "PQfinish");
      b(a.set_notice_processor, "PQsetNoticeProcessor");
      b(a.exec, "PQexec");
      b(a.exec_params, "PQexecParams");
      b(a.result_status, "PQresultStatus");
      b(a.result_error_message, "PQresultErrorMessage");
      b(a.ntuples, "PQntuples");
      b(a.nfields, "PQnfields");
      b(a.getisnull, "PQgetisnull");
      b(a.getvalue, "PQgetvalue");
      b(a.getlength, "PQgetlength");
      b(a.clear, "PQclear");
    });
    if (!api) return fail(Errc::io, 0, "campaign store (PostgreSQL): " + api.error().what);
    return api;
  }
};

// Any constant works; it only has to be the same in every Sluice.
constexpr const char* kLockSql = "SELECT pg_advisory_xact_lock(7357015)";

struct ResultCloser {
  decltype(&::PQclear) clear;
  void operator()(PGresult* r) const noexcept { clear(r); }
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
  PostgresDb(std::shared_ptr<const PqApi> api, PGconn* c) : pq_(std::move(api)), conn_(c) {}
  ~PostgresDb() override { pq_->finish(conn_); }
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
    PgResult r(pq_->exec_params(conn_, stmt.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                nullptr, nullptr, 0),
               ResultCloser{pq_->clear});
    const auto status = r ? pq_->result_status(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return error(r.get());
    std::vector<SqlRow> rows;
    if (status == PGRES_TUPLES_OK) {
      const int nrows = pq_->ntuples(r.get());
      const int ncols = pq_->nfields(r.get());
      rows.reserve(static_cast<std::size_t>(nrows));
      for (int i = 0; i < nrows; ++i) {
        SqlRow row;
        row.reserve(static_cast<std::size_t>(ncols));
        for (int c = 0; c < ncols; ++c) {
          if (pq_->getisnull(r.get(), i, c)) {
            row.emplace_back(std::monostate{});
          } else {
            row.emplace_back(std::string(pq_->getvalue(r.get(), i, c),
                                         static_cast<std::size_t>(pq_->getlength(r.get(), i, c))));
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
  void rollback() noexcept override { PgResult r(pq_->exec(conn_, "ROLLBACK"), ResultCloser{pq_->clear}); }

 private:
  std::unexpected<Error> error(const PGresult* r) const {
    const char* msg = r ? pq_->result_error_message(r) : pq_->error_message(conn_);
    std::string what = msg ? msg : "unknown error";
    while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
    return fail(pq_->status(conn_) == CONNECTION_OK ? Errc::malformed : Errc::io, 0,
                "campaign store (PostgreSQL): " + what);
  }

  std::shared_ptr<const PqApi> pq_;
  PGconn* conn_;
};

}  // namespace

Result<std::unique_ptr<Db>> open_postgresql(const std::string& conninfo) {
  auto pq = PqApi::load();
  if (!pq) return std::unexpected(pq.error());
  const PqApi& api = **pq;
  PGconn* c = api.connectdb(conninfo.c_str());
  if (c == nullptr || api.status(c) != CONNECTION_OK) {
    std::string why = c ? api.error_message(c) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    api.finish(c);
    return fail(Errc::io, 0, "campaign store (PostgreSQL): " + why);
  }
  // Notices ("relation already exists, skipping") are not errors: keep stderr
  // for what the admin must read.
  api.set_notice_processor(c, [](void*, const char*) {}, nullptr);
  auto db = std::make_unique<PostgresDb>(std::move(*pq), c);
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace sluice::campaigns
