#pragma once
// A job on the queue: one message (a file, or one message of an mbox) and
// where its bytes are. The stream entry's fields are the wire format
// (docs/scale-out.md): small messages travel in the entry, larger ones as a
// path, offset and length on storage every worker mounts, with the file's
// size and modification time so a worker never scans a file that changed
// after it was submitted.
#include <cstdint>
#include <string>
#include <string_view>
#include <deque>
#include <vector>

#include "redis_client.hpp"

namespace sluice::queue {

struct Job {
  std::string id;    // "<run>-<n>": the same for every delivery and retry
  std::string name;  // what `sluice scan` would call it ("box.mbox#3")
  bool has_data = false;
  std::string_view data;  // the message, when it travels in the entry (a view into the reply)
  std::string path;       // ... else where it is
  std::uint64_t offset = 0, length = 0, file_size = 0;
  std::int64_t mtime_ns = 0;
  bool cut = false;       // the input was larger than max_input_bytes and was cut
  unsigned attempts = 0;  // scans that crashed their sandboxed worker so far
  std::string failure;    // why the last one did
  std::int64_t submitted_ms = 0;
};

// Field/value pairs for XADD (the strings `storage` keeps alive).
[[nodiscard]] std::vector<std::string_view> job_fields(const Job& job, std::deque<std::string>& storage);
// From an entry's field array; `entry` must outlive the job (data is a view).
[[nodiscard]] Result<Job> job_from_fields(const Reply& fields);

// A stream entry: its ID and its field array.
struct Entry {
  std::string id;
  Reply fields;
};
// The entries of one stream in an XREAD/XREADGROUP/XAUTOCLAIM/XRANGE reply
// element ([id, [f, v, …]] …); entries whose fields are nil (deleted while
// pending) are skipped.
[[nodiscard]] std::vector<Entry> entries_of(const Reply& list);
// The value of `field` in an entry's field array; empty when absent.
[[nodiscard]] std::string_view field(const Reply& fields, std::string_view name) noexcept;

}  // namespace sluice::queue
