#include "extract.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sluice::cli {
namespace {

bool write_all(int fd, ByteView b) {
  std::uint64_t off = 0;
  while (off < b.size()) {
    const ssize_t n = ::write(fd, b.data() + off, b.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<std::uint64_t>(n);
  }
  return true;
}

// A view into a sparse virtual disk is written as a sparse file: the size is
// set, only the present ranges are written, and the holes cost no disk space
// (docs/adr/0009-sparse-disks.md). Where the file system cannot hold the size,
// the write fails and is reported like any other.
bool write_sparse(int fd, ByteView b, const std::vector<Extent>& present) {
  if (::ftruncate(fd, static_cast<off_t>(b.size())) != 0) return false;
  for (const Extent& e : present) {
    const ByteView part = b.clamp(e.offset, e.length);
    std::uint64_t off = 0;
    while (off < part.size()) {
      const ssize_t n = ::pwrite(fd, part.data() + off, part.size() - off, static_cast<off_t>(e.offset + off));
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      off += static_cast<std::uint64_t>(n);
    }
  }
  return true;
}

std::string make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return path + ": " + std::strerror(errno);
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return path + ": not a directory";
  return {};
}

}  // namespace

std::string safe_file_name(std::string_view hostile, std::size_t max_len) {
  // Keep the last path component only: "../../etc/passwd" → "passwd".
  const auto slash = hostile.find_last_of("/\\");
  if (slash != std::string_view::npos) hostile.remove_prefix(slash + 1);
  std::string out;
  for (unsigned char c : hostile) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == ' ' || c == '+' || c == '(' || c == ')';
    out.push_back(ok ? static_cast<char>(c) : '_');
    if (out.size() >= max_len) break;
  }
  while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
  while (!out.empty() && (out.back() == '.' || out.back() == ' ')) out.pop_back();
  return out.empty() ? "unnamed" : out;
}

std::string extract(const ScanResult& r, const std::string& dir, std::size_t index) {
  if (auto e = make_dir(dir); !e.empty()) return e;
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%04zu-", index);
  const std::string sub = dir + "/" + prefix + safe_file_name(r.input);
  if (auto e = make_dir(sub); !e.empty()) return e;
  for (const Artifact& a : r.tree) {
    if (a.id == 0) continue;
    char id[16];
    std::snprintf(id, sizeof id, "%06u-", a.id);
    const std::string name = a.names.empty() ? std::string(to_string(a.type)) : a.names.front().value;
    const std::string path = sub + "/" + id + safe_file_name(name);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return path + ": " + std::strerror(errno);
    const auto present = r.tree.present_extents(a.bytes);
    const bool ok = present ? write_sparse(fd, a.bytes, *present) : write_all(fd, a.bytes);
    ::close(fd);
    if (!ok) return path + ": write failed";
  }
  return {};
}

}  // namespace sluice::cli
