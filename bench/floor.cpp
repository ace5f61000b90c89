// The floor: the least any scanner must do with a mail — read it, decode its
// base64 parts, hash the message and every decoded part once (SHA-256). Sluice's
// cost is measured against this on the same files (bench/compare.sh); the issue
// #17 goal is at most three times it.
//   usage: sluice-floor FILE|DIR...   prints "files N bytes B decoded D seconds S"
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/text/decode.hpp"

namespace {

struct Totals {
  std::uint64_t files = 0, bytes = 0, decoded = 0, parts = 0;
  unsigned char fold = 0;  // every digest's first byte xored: the work cannot be skipped
};

void sha256(const void* data, std::size_t n, Totals& t) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data, n, md, &len, EVP_sha256(), nullptr);
  t.fold ^= md[0];
}

bool iequal_prefix(std::string_view s, std::size_t at, std::string_view lower) {
  if (s.size() - at < lower.size()) return false;
  for (std::size_t i = 0; i < lower.size(); ++i) {
    char c = s[at + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Every "Content-Transfer-Encoding: base64" header's body: from the blank line
// after it to the next boundary line ("\n--") or the end.
void decode_parts(std::string_view mail, std::vector<std::uint8_t>& out, Totals& t) {
  static constexpr std::string_view kHeader = "content-transfer-encoding:";
  for (std::size_t at = 0; (at = mail.find('\n', at)) != std::string_view::npos;) {
    ++at;
    if (!iequal_prefix(mail, at, kHeader)) continue;
    std::size_t v = at + kHeader.size();
    while (v < mail.size() && (mail[v] == ' ' || mail[v] == '\t')) ++v;
    if (!iequal_prefix(mail, v, "base64")) continue;
    std::size_t body = mail.find("\n\n", v);
    const std::size_t crlf = mail.find("\r\n\r\n", v);
    if (crlf < body) body = crlf + 4;
    else if (body != std::string_view::npos) body += 2;
    else continue;
    std::size_t end = mail.find("\n--", body);
    if (end == std::string_view::npos) end = mail.size();
    out.clear();
    sluice::codecs::text::DecodeStats stats;
    sluice::codecs::text::decode_base64(sluice::ByteView(reinterpret_cast<const std::uint8_t*>(mail.data()) + body, end - body), out, UINT64_MAX,
                                        stats);
    sha256(out.data(), out.size(), t);
    t.decoded += out.size();
    ++t.parts;
    at = end;
  }
}

void one_file(const std::filesystem::path& p, std::string& buf, std::vector<std::uint8_t>& out, Totals& t) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return;
  buf.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  sha256(buf.data(), buf.size(), t);
  decode_parts(buf, out, t);
  ++t.files;
  t.bytes += buf.size();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    if (std::filesystem::is_directory(argv[i], ec)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(argv[i], ec)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else {
      files.emplace_back(argv[i]);
    }
  }
  std::sort(files.begin(), files.end());
  Totals t;
  std::string buf;
  std::vector<std::uint8_t> out;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& f : files) one_file(f, buf, out, t);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("files %llu bytes %llu parts %llu decoded %llu seconds %.4f fold %02x\n",
              static_cast<unsigned long long>(t.files), static_cast<unsigned long long>(t.bytes),
              static_cast<unsigned long long>(t.parts), static_cast<unsigned long long>(t.decoded), s, t.fold);
  return t.files == 0 ? 1 : 0;
}
