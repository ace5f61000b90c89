#include "milter.hpp"

#include <arpa/inet.h>
#include <libmilter/mfapi.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "decision.hpp"
#include "sluice/report.hpp"
#include "sluice/sealed_input.hpp"

namespace sluice::milter {

namespace {

// libmilter's callbacks carry no user pointer but the per-connection one, so
// the daemon they serve is reached through this one pointer, set once before
// smfi_main() starts and never changed while it runs.
Daemon* g_daemon = nullptr;

constexpr std::string_view kOwnPrefix = "x-sluice-";

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct Message {
  std::string queue_id;
  std::string sender;
  std::vector<std::string> recipients;
  std::string message_id;
  // The headers as rebuilt (CRLF throughout), held here until the body
  // starts; from then on the message goes into `input` chunk by chunk as it
  // arrives, the one copy it gets (a sandboxed worker maps the same pages).
  std::vector<std::uint8_t> head;
  std::optional<SealedInput> input;
  std::string input_error;  // why the message could not be held, if it could not
  std::uint64_t size = 0;  // bytes seen, also past max_message_bytes
  bool oversize = false;
  bool headers_done = false;
  std::optional<Unscanned> skip;
  // Every X-Sluice-* header the message arrived with: (name as sent, its
  // 1-based index among headers of that name), for smfi_chgheader.
  std::vector<std::pair<std::string, int>> forged;
  std::unordered_map<std::string, int> own_counts;  // lower-cased name → occurrences (hashed: a
                                                     // sender may send a million names)
  bool in_flight = false;
};

struct Connection {
  // The SMFIP_NR_* steps agreed with the MTA: their callbacks answer nothing.
  unsigned long unanswered = 0;
  std::string client;
  std::shared_ptr<const Settings> settings;  // fixed per message at MAIL FROM
  Message msg;
};

Connection* conn(SMFICTX* ctx) { return static_cast<Connection*>(smfi_getpriv(ctx)); }

constexpr unsigned long kActions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
// Nothing is decided before the end of the message, so no earlier step needs
// an answer: a header, a body chunk, MAIL or RCPT costs the MTA no round trip
// (about 30 fewer per message). Over TCP this needs quick_ack.cpp.
constexpr unsigned long kUnansweredSteps = SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT |
                                           SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_HDR | SMFIP_NR_EOH |
                                           SMFIP_NR_BODY;
// Steps without a callback here, which the MTA need not send at all.
constexpr unsigned long kUnusedSteps = SMFIP_NOHELO | SMFIP_NOUNKNOWN;

// A step's answer where the MTA awaits one; none where it agreed to expect
// none. A step that cannot go on (SMFIS_TEMPFAIL) then goes unanswered too:
// the end of the message, always answered, says it (on_eom tempfails a
// message without its MAIL FROM step).
sfsistat answer(const Connection* c, unsigned long step, sfsistat awaited = SMFIS_CONTINUE) {
  return c != nullptr && (c->unanswered & step) != 0 ? SMFIS_NOREPLY : awaited;
}

void end_message(Connection& c) {
  if (c.msg.in_flight) g_daemon->message_finished();
  c.msg = Message{};
}

// Counts what arrives; past the limit nothing more is kept and the message is
// handled by on_oversize.
bool keep(Message& m, std::uint64_t limit, std::size_t bytes) {
  m.size += bytes;
  if (m.oversize) return false;
  if (m.size > limit) {
    m.oversize = true;
    std::vector<std::uint8_t>().swap(m.head);
    m.input.reset();
    return false;
  }
  return true;
}

void append(Message& m, std::uint64_t limit, std::string_view a, std::string_view b = {}, std::string_view c = {},
            std::string_view d = {}) {
  for (const std::string_view part : {a, b, c, d}) {
    if (keep(m, limit, part.size())) m.head.insert(m.head.end(), part.begin(), part.end());
  }
}

// Moves the held headers, then `part`, into the message's memfd. A failure
// (no memfd, no memory) is kept for the end of the message, which answers
// with on_error: the message is deferred, never passed unscanned.
void hold(Message& m, ByteView part) {
  if (!m.input_error.empty()) return;
  if (!m.input) {
    auto in = SealedInput::create();
    if (!in) {
      m.input_error = in.error().what;
      return;
    }
    m.input = std::move(*in);
  }
  if (!m.head.empty()) {
    if (auto st = m.input->append(ByteView(m.head.data(), m.head.size())); !st) m.input_error = st.error().what;
    std::vector<std::uint8_t>().swap(m.head);
  }
  if (m.input_error.empty() && !part.empty()) {
    if (auto st = m.input->append(part); !st) m.input_error = st.error().what;
  }
}

std::string client_address(const sockaddr* addr) {
  if (addr == nullptr) return "local";
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf) != nullptr) return buf;
  } else if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    if (inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf) != nullptr) return buf;
  }
  return "unknown";
}

std::string symbol(SMFICTX* ctx, const char* name) {
  const char* v = smfi_getsymval(ctx, const_cast<char*>(name));
  return v == nullptr ? std::string() : std::string(v);
}

std::string now_iso8601() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
  return out;
}

// Protocol 6 MTAs (Postfix >= 2.6, Sendmail >= 8.14) negotiate first: the
// connection's state is made here, with the steps agreed.
sfsistat on_negotiate(SMFICTX* ctx, unsigned long actions, unsigned long steps, unsigned long, unsigned long,
                      unsigned long* want_actions, unsigned long* want_steps, unsigned long* want2,
                      unsigned long* want3) {
  // Without header changes and quarantine the verdicts cannot be carried out:
  // refused, so the MTA applies its milter_default_action (tempfail).
  if ((actions & kActions) != kActions) return SMFIS_REJECT;
  *want_actions = kActions;
  *want_steps = steps & (kUnusedSteps | kUnansweredSteps | SMFIP_NODATA);
  *want2 = 0;
  *want3 = 0;
  auto* c = new Connection;
  c->unanswered = *want_steps & kUnansweredSteps;
  smfi_setpriv(ctx, c);
  return SMFIS_CONTINUE;
}

sfsistat on_connect(SMFICTX* ctx, char* /*hostname*/, _SOCK_ADDR* addr) {
  Connection* c = conn(ctx);
  if (c == nullptr) {  // an MTA that did not negotiate
    c = new Connection;
    smfi_setpriv(ctx, c);
  }
  c->client = client_address(addr);
  return answer(c, SMFIP_NR_CONN);
}

// An MTA that sends DATA although SMFIP_NODATA was agreed, or that did not
// negotiate, is answered: Postfix sends its next command into the connection
// with Nagle's algorithm on, and an answer carries the ACK it waits for.
sfsistat on_data(SMFICTX* ctx) { return conn(ctx) == nullptr ? SMFIS_TEMPFAIL : SMFIS_CONTINUE; }

sfsistat on_envfrom(SMFICTX* ctx, char** argv) {
  Connection* c = conn(ctx);
  if (c == nullptr) return SMFIS_TEMPFAIL;
  end_message(*c);  // a previous transaction on this connection that never ended
  c->settings = g_daemon->settings();
  c->msg.in_flight = true;
  g_daemon->message_started();
  c->msg.sender = argv != nullptr && argv[0] != nullptr ? argv[0] : "";
  c->msg.queue_id = symbol(ctx, "i");
  const MilterSettings& m = c->settings->milter;
  if (m.skip_authenticated && !symbol(ctx, "{auth_authen}").empty()) {
    c->msg.skip = Unscanned{"authenticated", Action::accept};
  } else if (!m.sender_allow.empty() && address_listed(c->msg.sender, m.sender_allow)) {
    c->msg.skip = Unscanned{"sender_allow", Action::accept};
  }
  return answer(c, SMFIP_NR_MAIL);
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) {
  Connection* c = conn(ctx);
  if (c == nullptr) return SMFIS_TEMPFAIL;
  c->msg.recipients.emplace_back(argv != nullptr && argv[0] != nullptr ? argv[0] : "");
  return answer(c, SMFIP_NR_RCPT);
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
  Connection* c = conn(ctx);
  if (c == nullptr || c->settings == nullptr) return answer(c, SMFIP_NR_HDR, SMFIS_TEMPFAIL);  // no MAIL FROM seen
  Message& m = c->msg;
  const std::string_view n = name != nullptr ? name : "";
  const std::string_view v = value != nullptr ? value : "";
  const std::string key = lower(n);
  if (key.starts_with(kOwnPrefix)) {
    m.forged.emplace_back(std::string(n), ++m.own_counts[key]);
  }
  if (key == "message-id" && m.message_id.empty()) m.message_id = std::string(v.substr(0, 998));
  // Postfix folds continuation lines with a bare LF; the body comes with CRLF.
  // The message is rebuilt with CRLF throughout, as it travelled over SMTP.
  std::string line;
  line.reserve(v.size() + 8);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\n' && (i == 0 || v[i - 1] != '\r')) line += '\r';
    line += v[i];
  }
  append(m, c->settings->milter.max_message_bytes, n, ": ", line, "\r\n");
  return answer(c, SMFIP_NR_HDR);
}

sfsistat on_eoh(SMFICTX* ctx) {
  Connection* c = conn(ctx);
  if (c == nullptr || c->settings == nullptr) return answer(c, SMFIP_NR_EOH, SMFIS_TEMPFAIL);  // no MAIL FROM seen
  append(c->msg, c->settings->milter.max_message_bytes, "\r\n");
  c->msg.headers_done = true;
  return answer(c, SMFIP_NR_EOH);
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t len) {
  Connection* c = conn(ctx);
  if (c == nullptr || c->settings == nullptr) return answer(c, SMFIP_NR_BODY, SMFIS_TEMPFAIL);  // no MAIL FROM seen
  if (keep(c->msg, c->settings->milter.max_message_bytes, len)) hold(c->msg, ByteView(chunk, len));
  return answer(c, SMFIP_NR_BODY);
}

// Removes every X-Sluice-* header the sender put in, highest index first so
// the lower indexes stay valid whichever way the MTA renumbers.
void strip_forged(SMFICTX* ctx, const Message& m) {
  for (auto it = m.forged.rbegin(); it != m.forged.rend(); ++it) {
    smfi_chgheader(ctx, const_cast<char*>(it->first.c_str()), it->second, nullptr);
  }
}

void add_headers(SMFICTX* ctx, const Decision& d, const std::string& campaign) {
  const std::string verdict = verdict_header(d);
  const std::string findings = findings_header(d);
  smfi_addheader(ctx, const_cast<char*>("X-Sluice-Verdict"), const_cast<char*>(verdict.c_str()));
  smfi_addheader(ctx, const_cast<char*>("X-Sluice-Findings"), const_cast<char*>(findings.c_str()));
  smfi_addheader(ctx, const_cast<char*>("X-Sluice-Scan-ID"), const_cast<char*>(d.scan_id.c_str()));
  if (!campaign.empty()) {
    smfi_addheader(ctx, const_cast<char*>("X-Sluice-Campaign"), const_cast<char*>(campaign.c_str()));
  }
}

void log_message(const Connection& c, const Decision& d, std::chrono::milliseconds waited,
                 const std::string& campaign) {
  nlohmann::ordered_json j;
  j["time"] = now_iso8601();
  j["queue_id"] = c.msg.queue_id;
  j["message_id"] = c.msg.message_id;
  j["client"] = c.client;
  j["sender"] = c.msg.sender;
  j["recipients"] = c.msg.recipients.size();
  j["size"] = c.msg.size;
  j["verdict"] = to_string(d.verdict);
  j["score"] = d.score;
  j["action"] = to_string(d.action);
  j["findings"] = d.findings;
  j["scan_ms"] = waited.count();
  j["scan_id"] = d.scan_id;
  if (!d.reason.empty()) j["reason"] = d.reason;
  if (!d.detail.empty()) j["detail"] = d.detail;
  if (!campaign.empty()) j["campaign"] = campaign;
  g_daemon->log(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

sfsistat on_eom(SMFICTX* ctx) {
  Connection* c = conn(ctx);
  if (c == nullptr || c->settings == nullptr) return SMFIS_TEMPFAIL;  // no MAIL FROM seen
  Message& m = c->msg;
  if (const std::string id = symbol(ctx, "i"); !id.empty()) m.queue_id = id;
  const Settings& s = *c->settings;
  const MilterSettings& ms = s.milter;
  if (!m.skip && !ms.recipient_allow.empty() && !m.recipients.empty() &&
      std::ranges::all_of(m.recipients, [&](const std::string& r) { return address_listed(r, ms.recipient_allow); })) {
    m.skip = Unscanned{"recipient_allow", Action::accept};
  }
  if (!m.skip && m.oversize) m.skip = Unscanned{"oversize", ms.on_oversize};
  if (!m.skip) {
    hold(m, {});  // a message without a body is all headers
    if (m.input_error.empty()) {
      if (auto st = m.input->seal(); !st) m.input_error = st.error().what;
    }
    if (!m.input_error.empty()) {
      g_daemon->log(nlohmann::json{{"event", "message_not_held"}, {"queue_id", m.queue_id},
                                   {"error", m.input_error}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      m.skip = Unscanned{"error", ms.on_error};
    }
  }

  Metrics& metrics = g_daemon->metrics();
  const auto started = std::chrono::steady_clock::now();
  Decision d;
  std::shared_ptr<const ScanResult> result;
  Bytes bytes;
  std::string campaign;  // the campaign store's label for this message, when recorded
  if (m.skip) {
    d = unscanned(*m.skip, new_scan_id());
    if (d.reason == "error") {  // the message could not be held for its scan
      d.verdict = Outcome::error;
      metrics.error();
    }
  } else {
    bytes = std::make_shared<const SealedInput>(std::move(*m.input));
    const std::string name = m.queue_id.empty() ? "message" : m.queue_id;
    ScanOptions in_flight;
    in_flight.in_flight = true;  // the message is arriving now (docs/adr/0043)
    const ScanOutcome outcome = g_daemon->scanner().scan(bytes, name, s.deadline(), in_flight);
    result = outcome.result;
    d = decide(ms, outcome, new_scan_id());
    if (outcome.status == ScanStatus::busy) metrics.busy();
    if (result) metrics.scan(result->elapsed, bytes->size());
    if (d.verdict == Outcome::error) {
      metrics.error();
      if (d.reason == "timeout" || d.reason == "deadline") metrics.timeout();
    }
    if (result && g_daemon->campaigns().enabled()) {
      std::string why;
      const campaigns::Envelope env{m.sender, m.recipients};
      if (auto a = g_daemon->campaigns().record(*result, &env, static_cast<std::int64_t>(std::time(nullptr)), why)) {
        campaign = a->label;
        metrics.campaign_recorded();
      } else if (!why.empty()) {
        metrics.campaign_error();
        g_daemon->log(nlohmann::json{{"event", "campaign_store_failed"}, {"scan_id", d.scan_id},
                                     {"error", why}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
    }
  }
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

  if ((d.action == Action::reject || d.action == Action::quarantine) && !ms.quarantine_dir.empty()) {
    if (bytes && result) {
      const std::string_view raw = bytes->bytes().chars();
      if (auto st = write_quarantine(ms.quarantine_dir, d.scan_id, raw, report::to_json(*result, true)); !st) {
        g_daemon->log(nlohmann::json{{"event", "quarantine_write_failed"}, {"scan_id", d.scan_id},
                                     {"error", st.error().what}}.dump());
      }
    }
  }

  sfsistat answer = SMFIS_ACCEPT;
  switch (d.action) {
    case Action::reject: {
      const std::string text = render_text(ms.reject_text, d);
      smfi_setreply(ctx, const_cast<char*>("550"), const_cast<char*>("5.7.1"), const_cast<char*>(text.c_str()));
      answer = SMFIS_REJECT;
      break;
    }
    case Action::tempfail: {
      const std::string text = render_text(ms.tempfail_text, d);
      smfi_setreply(ctx, const_cast<char*>("451"), const_cast<char*>("4.7.1"), const_cast<char*>(text.c_str()));
      answer = SMFIS_TEMPFAIL;
      break;
    }
    case Action::discard:
      answer = SMFIS_DISCARD;
      break;
    case Action::quarantine: {
      strip_forged(ctx, m);
      add_headers(ctx, d, campaign);
      const std::string reason = render_text(ms.quarantine_text, d);
      smfi_quarantine(ctx, const_cast<char*>(reason.c_str()));
      break;
    }
    case Action::tag:
      strip_forged(ctx, m);
      add_headers(ctx, d, campaign);
      break;
    case Action::accept:
      strip_forged(ctx, m);  // even unmarked mail never carries a sender's X-Sluice-*
      break;
  }
  metrics.message(d.verdict, d.action, m.size);
  log_message(*c, d, waited, campaign);
  end_message(*c);
  return answer;
}

sfsistat on_abort(SMFICTX* ctx) {
  if (Connection* c = conn(ctx)) end_message(*c);
  return SMFIS_CONTINUE;
}

sfsistat on_close(SMFICTX* ctx) {
  if (Connection* c = conn(ctx)) {
    end_message(*c);
    delete c;
    smfi_setpriv(ctx, nullptr);
  }
  return SMFIS_CONTINUE;
}

std::vector<int> open_fds() {
  std::vector<int> fds;
  rlimit lim{};
  const int max = getrlimit(RLIMIT_NOFILE, &lim) == 0 ? static_cast<int>(std::min<rlim_t>(lim.rlim_cur, 65536)) : 1024;
  for (int fd = 0; fd < max; ++fd) {
    if (fcntl(fd, F_GETFD) != -1) fds.push_back(fd);
  }
  return fds;
}

// libmilter writes each header change and the final answer as separate small
// segments to an MTA that does not answer them: with Nagle's algorithm every
// message waits out the MTA's delayed ACK (40 ms on Linux) at the end of DATA.
// libmilter does not expose its sockets, so TCP_NODELAY is set on the listening
// socket it just opened; Linux copies it to every accepted connection.
void no_delay_on_new_listeners(const std::vector<int>& before) {
  for (const int fd : open_fds()) {
    if (std::ranges::find(before, fd) != before.end()) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6) continue;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
}

// The path of a unix socket address in Postfix/libmilter notation; empty for inet.
std::string unix_socket_path(std::string_view listen) {
  for (const std::string_view prefix : {"unix:", "local:"}) {
    if (listen.starts_with(prefix)) return std::string(listen.substr(prefix.size()));
  }
  return listen.starts_with("/") ? std::string(listen) : std::string();
}

// libmilter makes the socket under the process umask (0077 under the systemd
// unit): the MTA's user could not connect without this.
Status set_socket_access(const std::string& path, const MilterSettings& s) {
  if (!s.socket_group.empty()) {
    std::vector<char> buf(16384);
    group entry{};
    group* found = nullptr;
    if (getgrnam_r(s.socket_group.c_str(), &entry, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
      return fail(Errc::invalid_argument, 0, "milter.socket_group: no group named " + s.socket_group);
    }
    if (chown(path.c_str(), static_cast<uid_t>(-1), found->gr_gid) != 0) {
      return fail(Errc::io, 0, "cannot give " + path + " to group " + s.socket_group + ": " + std::strerror(errno) +
                                   " (the daemon must be a member of it)");
    }
  }
  if (chmod(path.c_str(), static_cast<mode_t>(s.socket_mode)) != 0) {
    return fail(Errc::io, 0, "cannot set the mode of " + path + ": " + std::strerror(errno));
  }
  return {};
}

}  // namespace

Status open_milter(Daemon& daemon, const MilterSettings& settings) {
  const std::string& listen = settings.listen;
  g_daemon = &daemon;
  const std::string socket_path = unix_socket_path(listen);
  smfiDesc desc{};
  desc.xxfi_name = const_cast<char*>("sluice");
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags = kActions;

  desc.xxfi_negotiate = on_negotiate;
  desc.xxfi_connect = on_connect;
  desc.xxfi_envfrom = on_envfrom;
  desc.xxfi_envrcpt = on_envrcpt;
  desc.xxfi_data = on_data;
  desc.xxfi_header = on_header;
  desc.xxfi_eoh = on_eoh;
  desc.xxfi_body = on_body;
  desc.xxfi_eom = on_eom;
  desc.xxfi_abort = on_abort;
  desc.xxfi_close = on_close;
  if (smfi_register(desc) != MI_SUCCESS) return fail(Errc::io, 0, "smfi_register failed");
  if (smfi_setconn(const_cast<char*>(listen.c_str())) != MI_SUCCESS) {
    return fail(Errc::invalid_argument, 0, "cannot use listen address " + listen);
  }
  // A stale unix socket from a previous run is removed; the socket is made
  // now so a bad address fails at start, not on the first connection.
  const std::vector<int> before = open_fds();
  if (smfi_opensocket(1) != MI_SUCCESS) return fail(Errc::io, 0, "cannot listen on " + listen);
  if (!socket_path.empty()) return set_socket_access(socket_path, settings);
  no_delay_on_new_listeners(before);
  return {};
}

Status serve_milter(const std::string& listen) {
  if (smfi_main() != MI_SUCCESS) return fail(Errc::io, 0, "the milter listener on " + listen + " stopped with an error");
  return {};
}

void stop_milter() { smfi_stop(); }

}  // namespace sluice::milter
