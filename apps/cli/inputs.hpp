#pragma once
// Turning command-line paths into scan inputs: directories walked, stdin read,
// each failure a one-line message that names the path while the rest go on.
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/byte_view.hpp"
#include "sluice/engine.hpp"

namespace sluice::cli {

struct Input {
  std::string path;   // as the user will recognise it ("-" for stdin)
  std::string error;  // set when the path could not be expanded or read
};

// Expands directories recursively (symlinks are not followed, entries sorted
// for a stable order). Paths that do not exist come back with `error` set.
// In a Maildir (a folder with cur/ and new/), tmp/ holds messages still being
// delivered, possibly half-written: it is skipped, as every Maildir reader does.
[[nodiscard]] std::vector<Input> expand_paths(const std::vector<std::string>& paths);

struct Loaded {
  std::vector<std::uint8_t> bytes;
  bool cut = false;  // the input was larger than the limit and was read in part
  std::string error;
};
[[nodiscard]] Loaded load_input(const std::string& path, std::uint64_t max_bytes);

// The result of an input that could not be read: verdict error, with why.
[[nodiscard]] ScanResult unreadable_input(std::string name, std::string why);

// One message of an mbox input, scanned as an input of its own.
struct MailboxEntry {
  std::string name;                  // "<input>#N", N from 1; "<input>#partial[K]"
  ByteView bytes;                    // a view into the loaded mbox (no copy) ...
  std::vector<std::uint8_t> joined;  // ... or a reassembled message/partial set
  [[nodiscard]] ByteView view() const noexcept {
    return joined.empty() ? bytes : ByteView(joined.data(), joined.size());
  }
};
// The messages of `bytes` when they sniff as an mbox (RFC 4155), split as the
// engine's mbox unpacker splits them, plus every complete message/partial set
// among them, joined (their fragments only make sense together). Empty when
// the input is no mbox, or when it holds more than `max_messages` messages:
// the engine then scans it whole and reports the limit in that result.
[[nodiscard]] std::vector<MailboxEntry> split_mailbox(const std::string& shown, ByteView bytes,
                                                      std::size_t max_messages);

}  // namespace sluice::cli
