#include "core/wire.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/text.hpp"

namespace sluice::core::wire {

void put_u8(std::vector<std::uint8_t>& o, std::uint8_t v) { o.push_back(v); }
void put_u32(std::vector<std::uint8_t>& o, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<std::uint8_t>& o, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) o.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_str(std::vector<std::uint8_t>& o, std::string_view s) {
  if (s.size() > kMaxString) s = s.substr(0, kMaxString);
  put_u32(o, static_cast<std::uint32_t>(s.size()));
  o.insert(o.end(), s.begin(), s.end());
}
void put_anomalies(std::vector<std::uint8_t>& o, const std::vector<Anomaly>& list, bool skip_limits) {
  std::uint32_t n = 0;
  for (const Anomaly& a : list) n += (skip_limits && a.id == "limit.exceeded") ? 0 : 1;
  put_u32(o, n);
  for (const Anomaly& a : list) {
    // limit.exceeded is what limit_hit() adds; the parent's limit_hit adds it again.
    if (skip_limits && a.id == "limit.exceeded") continue;
    put_str(o, a.id);
    put_u8(o, static_cast<std::uint8_t>(a.severity));
    put_u64(o, a.offset);
    put_str(o, a.message);
  }
}
void put_meta(std::vector<std::uint8_t>& o, const std::vector<Meta>& list) {
  put_u32(o, static_cast<std::uint32_t>(list.size()));
  for (const Meta& m : list) {
    put_str(o, m.key);
    if (const auto* s = std::get_if<std::string>(&m.value)) {
      put_u8(o, 0);
      put_str(o, *s);
    } else if (const auto* i = std::get_if<std::int64_t>(&m.value)) {
      put_u8(o, 1);
      put_u64(o, static_cast<std::uint64_t>(*i));
    } else if (const auto* b = std::get_if<bool>(&m.value)) {
      put_u8(o, 2);
      put_u8(o, *b ? 1 : 0);
    } else if (const auto* a = std::get_if<MailAddresses>(&m.value)) {
      put_u8(o, 3);
      put_str(o, a->text);
      put_u32(o, static_cast<std::uint32_t>(a->mailboxes.size()));
      for (const Mailbox& x : a->mailboxes) {
        put_str(o, x.display);
        put_str(o, x.address);
        put_str(o, x.domain);
      }
    } else {
      put_u8(o, 4);
      put_u64(o, std::get<Hash64>(m.value).bits);
    }
  }
}

// ------------------------------------------------------------ reading

Result<std::string> get_str(Reader& r) {
  auto n = r.le<std::uint32_t>();
  if (!n) return std::unexpected(n.error());
  if (*n > kMaxString) return fail(Errc::malformed, r.offset(), "worker string too long");
  auto b = r.bytes(*n);
  if (!b) return std::unexpected(b.error());
  return to_valid_utf8(b->chars());
}

Status get_anomalies(Reader& r, std::vector<Anomaly>& out) {
  auto n = r.le<std::uint32_t>();
  if (!n) return std::unexpected(n.error());
  for (std::uint32_t i = 0; i < *n; ++i) {
    auto id = get_str(r);
    auto sev = r.u8();
    if (!id || !sev) return fail(Errc::truncated, r.offset(), "worker anomaly cut");
    auto off = r.le<std::uint64_t>();
    auto msg = get_str(r);
    if (!off || !msg) return fail(Errc::truncated, r.offset(), "worker anomaly cut");
    if (*sev > static_cast<std::uint8_t>(Severity::critical)) {
      return fail(Errc::malformed, r.offset(), "worker severity out of range");
    }
    out.push_back(Anomaly{std::move(*id), static_cast<Severity>(*sev), *off, std::move(*msg)});
  }
  return {};
}

Status get_meta(Reader& r, std::vector<Meta>& out) {
  auto n = r.le<std::uint32_t>();
  if (!n) return std::unexpected(n.error());
  for (std::uint32_t i = 0; i < *n; ++i) {
    auto key = get_str(r);
    auto tag = r.u8();
    if (!key || !tag) return fail(Errc::truncated, r.offset(), "worker meta cut");
    if (*tag == 0) {
      auto s = get_str(r);
      if (!s) return std::unexpected(s.error());
      out.push_back(Meta{std::move(*key), std::move(*s)});
    } else if (*tag == 1) {
      auto v = r.le<std::uint64_t>();
      if (!v) return std::unexpected(v.error());
      out.push_back(Meta{std::move(*key), static_cast<std::int64_t>(*v)});
    } else if (*tag == 2) {
      auto v = r.u8();
      if (!v) return std::unexpected(v.error());
      out.push_back(Meta{std::move(*key), *v != 0});
    } else if (*tag == 3) {
      auto text = get_str(r);
      auto count = r.le<std::uint32_t>();
      if (!text || !count) return fail(Errc::truncated, r.offset(), "worker meta cut");
      // Each mailbox takes at least 12 bytes: a count past the rest is a lie.
      if (*count > r.remaining() / 12) return fail(Errc::malformed, r.offset(), "worker mailbox count too large");
      MailAddresses a{std::move(*text), {}};
      for (std::uint32_t k = 0; k < *count; ++k) {
        auto display = get_str(r);
        auto address = get_str(r);
        auto domain = get_str(r);
        if (!display || !address || !domain) return fail(Errc::truncated, r.offset(), "worker meta cut");
        a.mailboxes.push_back({std::move(*display), std::move(*address), std::move(*domain)});
      }
      out.push_back(Meta{std::move(*key), std::move(a)});
    } else if (*tag == 4) {
      auto v = r.le<std::uint64_t>();
      if (!v) return std::unexpected(v.error());
      out.push_back(Meta{std::move(*key), Hash64{*v}});
    } else {
      return fail(Errc::malformed, r.offset(), "worker meta tag unknown");
    }
  }
  return {};
}

namespace {
// read() or write() until the whole buffer moved.
template <typename Byte, typename Call>
bool move_all(int fd, Byte* data, std::size_t size, Call call) {
  while (size > 0) {
    const ssize_t n = call(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = 0;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}
}  // namespace

bool write_all(int fd, const std::uint8_t* data, std::size_t size) { return move_all(fd, data, size, ::write); }
bool read_all(int fd, std::uint8_t* data, std::size_t size) { return move_all(fd, data, size, ::read); }
bool send_all(int fd, const std::uint8_t* data, std::size_t size) {
  return move_all(fd, data, size, [](int s, const std::uint8_t* p, std::size_t n) {
    return ::send(s, p, n, MSG_NOSIGNAL);
  });
}

}  // namespace sluice::core::wire
