#include "inputs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/sniff.hpp"
#include "formats/mime/mbox.hpp"
#include "formats/mime/partial.hpp"

namespace sluice::cli {
namespace fs = std::filesystem;

namespace {

bool maildir_tmp(const fs::path& dir) {
  if (dir.filename() != "tmp") return false;
  std::error_code ec;
  const fs::path parent = dir.parent_path();
  return fs::is_directory(parent / "cur", ec) && fs::is_directory(parent / "new", ec);
}

}  // namespace

std::vector<Input> expand_paths(const std::vector<std::string>& paths) {
  std::vector<Input> out;
  for (const std::string& p : paths) {
    if (p == "-") {
      out.push_back({p, {}});
      continue;
    }
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      out.push_back({p, ec ? ec.message() : "no such file or directory"});
      continue;
    }
    if (!fs::is_directory(st)) {
      out.push_back({p, {}});
      continue;
    }
    std::vector<std::string> found;
    auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      out.push_back({p, ec.message()});
      continue;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      std::error_code fec;
      if (it->is_directory(fec) && !it->is_symlink(fec) && maildir_tmp(it->path())) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(fec) && !it->is_symlink(fec)) found.push_back(it->path().string());
    }
    if (ec) out.push_back({p, "while listing: " + ec.message()});
    std::sort(found.begin(), found.end());
    for (auto& f : found) out.push_back({std::move(f), {}});
  }
  return out;
}

namespace {

// A pipe, a terminal or a file whose size the kernel does not know (procfs):
// read until EOF, at most max_bytes kept.
void read_stream(int fd, std::uint64_t max_bytes, Loaded& l) {
  std::uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      l.error = std::strerror(errno);
      return;
    }
    if (n == 0) return;
    const std::uint64_t room = max_bytes - l.bytes.size();
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(room, static_cast<std::uint64_t>(n)));
    l.bytes.insert(l.bytes.end(), buf, buf + take);
    if (take < static_cast<std::size_t>(n)) {
      l.cut = true;
      return;
    }
  }
}

// A regular file is read as large as it was when opened, straight into the
// buffer: no copy through a staging buffer and no last read to find EOF (one
// system call of five per message, and system calls are dear on a VM). A
// file that grows meanwhile is scanned as it was; one that shrinks, as it is.
void read_regular(int fd, std::uint64_t size, std::uint64_t max_bytes, Loaded& l) {
  const auto want = static_cast<std::size_t>(std::min(size, max_bytes));
  l.bytes.resize(want);
  std::size_t got = 0;
  while (got < want) {
    const ssize_t n = ::read(fd, l.bytes.data() + got, want - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      l.error = std::strerror(errno);
      break;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  l.bytes.resize(got);
  l.cut = l.error.empty() && got == want && size > max_bytes;
}

}  // namespace

Loaded load_input(const std::string& path, std::uint64_t max_bytes) {
  Loaded l;
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    l.error = std::strerror(errno);
    return l;
  }
  struct stat st{};
  if (!is_stdin && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    read_regular(fd, static_cast<std::uint64_t>(st.st_size), max_bytes, l);
  } else {
    read_stream(fd, max_bytes, l);
  }
  if (!is_stdin) ::close(fd);
  return l;
}

ScanResult unreadable_input(std::string name, std::string why) {
  ScanResult r;
  r.input = std::move(name);
  r.verdict = Verdict::error;
  r.error = Error{Errc::io, 0, std::move(why)};
  return r;
}

std::vector<MailboxEntry> split_mailbox(const std::string& shown, ByteView bytes,
                                        std::size_t max_messages) {
  namespace mime = sluice::formats::mime;
  std::vector<MailboxEntry> out;
  // Only a "From " line starts an mbox (core::sniff's rule); anything else
  // is one message, and the engine sniffs it once, not twice.
  if (!bytes.chars().starts_with("From ") || core::sniff(bytes) != FileType::mbox) return out;
  const mime::MboxSplit split = mime::split_mbox(bytes, max_messages);
  if (split.limited || split.messages.empty()) return out;
  std::vector<mime::Fragment> fragments;
  std::size_t n = 0;
  for (const auto& m : split.messages) {
    out.push_back({shown + "#" + std::to_string(++n), m.bytes, {}});
    mime::Fragment f;
    if (mime::message_fragment(m.bytes, f)) fragments.push_back(std::move(f));
  }
  // The joined set is no larger than the mbox, which max_input_bytes bounded.
  std::size_t k = 0;
  for (const auto& set : mime::group_fragments(fragments, max_messages)) {
    if (!set.complete) continue;
    out.push_back({shown + "#partial[" + std::to_string(++k) + "]", {},
                   mime::join_fragments(fragments, set, bytes.size())});
  }
  return out;
}

}  // namespace sluice::cli
