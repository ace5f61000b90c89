#include "formats/vhdx/log.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "core/checked.hpp"
#include "core/reader.hpp"
#include "formats/vhdx/crc32c.hpp"

namespace sluice::formats::vhdx {
namespace {

using core::load_le;

// What validating the entry that starts at one sector found (memoized: the
// search asks about the same sector many times, and validation costs a CRC
// over the whole entry).
struct Probe {
  enum class State : std::uint8_t { unknown, invalid, valid };
  State state = State::unknown;
  std::uint32_t length = 0;
  std::uint32_t tail = 0;
  std::uint64_t sequence = 0;
};

class LogReader {
 public:
  LogReader(ByteView log, const Guid& guid)
      : log_(log.clamp(0, log.size() / kLogSector * kLogSector)),
        guid_(guid),
        size_(log_.size()),
        probes_(static_cast<std::size_t>(size_ / kLogSector)),
        // A writer's valid entries do not overlap, so a real log costs about
        // one pass; four leave room for stale entries whose headers survived
        // and bound a crafted log to 4x its size in CRC work.
        work_left_(core::checked_mul(size_, 4).value_or(UINT64_MAX)),
        steps_left_(4 * probes_.size() + 64) {}

  [[nodiscard]] std::size_t sectors() const noexcept { return probes_.size(); }
  [[nodiscard]] bool exhausted() const noexcept { return exhausted_; }

  const Probe& probe(std::size_t sector) {
    Probe& p = probes_[sector];
    if (p.state != Probe::State::unknown) return p;
    p.state = Probe::State::invalid;
    if (auto e = read_entry(static_cast<std::uint64_t>(sector) * kLogSector, false, true)) {
      p = {Probe::State::valid, e->length, e->tail, e->sequence};
    }
    return p;
  }

  // Walks one chain step budget unit; false once the search has spent its
  // share (then the scan gives up and says so).
  bool take_step() {
    if (steps_left_ == 0) {
      exhausted_ = true;
      return false;
    }
    --steps_left_;
    return true;
  }

  // Reads and checks the entry at `off` (§2.3.1). With `charge`, its length
  // counts against the work cap first: validation reads every byte of it.
  std::optional<LogEntry> read_entry(std::uint64_t off, bool keep_descriptors, bool charge) {
    auto first = log_.subview(off, kLogSector);
    if (!first || !first->starts_with("loge")) return std::nullopt;
    LogEntry e;
    e.offset = off;
    // value_or: in bounds, every header field lies in the 4 KiB sector taken
    // by subview above.
    e.length = load_le<std::uint32_t>(*first, kLogeEntryLength).value_or(0);
    e.tail = load_le<std::uint32_t>(*first, kLogeTail).value_or(0);
    e.sequence = load_le<std::uint64_t>(*first, kLogeSequence).value_or(0);
    const std::uint32_t count = load_le<std::uint32_t>(*first, kLogeDescriptorCount).value_or(0);
    e.flushed_file_offset = load_le<std::uint64_t>(*first, kLogeFlushedFileOffset).value_or(0);
    e.last_file_offset = load_le<std::uint64_t>(*first, kLogeLastFileOffset).value_or(0);
    if (e.length == 0 || e.length % kLogSector != 0 || e.length > size_) return std::nullopt;
    if (e.tail % kLogSector != 0 || e.tail >= size_ || e.sequence == 0) return std::nullopt;
    if (!std::equal(guid_.begin(), guid_.end(), first->data() + kLogeGuid)) return std::nullopt;
    // The header and descriptors fill whole sectors: 126 descriptors beside
    // the 64-byte header, 128 in each further sector.
    const std::uint64_t desc_sectors =
        (std::uint64_t{count} + kLogeHeaderSize / kLogDescSize + kLogSector / kLogDescSize - 1) /
        (kLogSector / kLogDescSize);
    const std::uint64_t entry_sectors = e.length / kLogSector;
    if (desc_sectors > entry_sectors) return std::nullopt;
    if (charge) {
      if (e.length > work_left_) {
        exhausted_ = true;
        return std::nullopt;
      }
      work_left_ -= e.length;
    }

    std::uint64_t data_sectors = 0;
    if (keep_descriptors) e.descriptors.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      // 32-byte records at 32-byte offsets in a log of whole sectors never
      // straddle the wrap point.
      auto d = log_.subview(at(off, kLogeHeaderSize + i * kLogDescSize), kLogDescSize);
      if (!d) return std::nullopt;
      LogDescriptor out;
      // value_or: in bounds here and below, each descriptor (32 bytes) and
      // data sector (4 KiB) was taken by subview before its fields are read.
      out.file_offset = load_le<std::uint64_t>(*d, kDescFileOffset).value_or(0);
      if (load_le<std::uint64_t>(*d, kDescSequence).value_or(0) != e.sequence) return std::nullopt;
      if (out.file_offset % kLogSector != 0) return std::nullopt;
      if (d->starts_with("zero")) {
        out.zero = true;
        // value_or: in bounds (the descriptor).
        out.zero_length = load_le<std::uint64_t>(*d, kDescZeroLength).value_or(0);
        if (out.zero_length % kLogSector != 0) return std::nullopt;
      } else if (d->starts_with("desc")) {
        // Data sectors follow the descriptor sectors, one per "desc", in order.
        const std::uint64_t index = desc_sectors + data_sectors;
        if (index >= entry_sectors) return std::nullopt;
        ++data_sectors;
        // value_or: in bounds (the descriptor).
        out.trailing = load_le<std::uint32_t>(*d, kDescTrailingBytes).value_or(0);
        out.leading = load_le<std::uint64_t>(*d, kDescLeadingBytes).value_or(0);
        out.data_at = at(off, index * kLogSector);
        auto s = log_.subview(out.data_at, kLogSector);
        if (!s || !s->starts_with("data")) return std::nullopt;
        // value_or: in bounds (the data sector).
        const std::uint64_t seq =
            (std::uint64_t{load_le<std::uint32_t>(*s, kDataSequenceHigh).value_or(0)} << 32) |
            load_le<std::uint32_t>(*s, kDataSequenceLow).value_or(0);
        if (seq != e.sequence) return std::nullopt;
      } else {
        return std::nullopt;
      }
      if (keep_descriptors) e.descriptors.push_back(out);
    }

    // CRC-32C over the whole entry with its checksum field as zeros; the
    // entry may run past the end of the log and continue at its start.
    static constexpr std::array<std::uint8_t, 4> kZero{};
    const std::uint64_t before_wrap = std::min<std::uint64_t>(e.length, size_ - off);
    std::uint32_t crc = 0xFFFFFFFFu;
    crc = crc32c_update(crc, log_.clamp(off, kLogeChecksum));
    crc = crc32c_update(crc, ByteView(kZero.data(), kZero.size()));
    crc = crc32c_update(crc, log_.clamp(off + kLogeChecksum + 4, before_wrap - kLogeChecksum - 4));
    crc = crc32c_update(crc, log_.clamp(0, e.length - before_wrap));
    // value_or: in bounds (the entry's first sector).
    if (~crc != load_le<std::uint32_t>(*first, kLogeChecksum).value_or(0)) return std::nullopt;
    return e;
  }

  // The log offset of byte `k` of the entry at `off` (both below the log
  // size, which is below 2^32: no overflow).
  [[nodiscard]] std::uint64_t at(std::uint64_t off, std::uint64_t k) const noexcept {
    return (off + k) % size_;
  }

 private:
  ByteView log_;
  Guid guid_;
  std::uint64_t size_;
  std::vector<Probe> probes_;
  std::uint64_t work_left_;
  std::uint64_t steps_left_;
  bool exhausted_ = false;
};

// §2.3.3: a sequence runs from the entry its head's Tail names, entry after
// entry (each starts where the previous ends, modulo the log size), each
// sequence number one more than the last, and ends at the head. Returns the
// entries' offsets, tail first, or nothing.
std::optional<std::vector<std::uint64_t>> walk_from_tail(LogReader& r, std::size_t head) {
  const std::uint64_t size = static_cast<std::uint64_t>(r.sectors()) * kLogSector;
  const Probe h = r.probe(head);
  const std::size_t tail = static_cast<std::size_t>(h.tail / kLogSector);
  const Probe t = r.probe(tail);
  if (t.state != Probe::State::valid || t.sequence > h.sequence) return std::nullopt;
  // A sequence cannot hold more entries than the log has sectors.
  if (h.sequence - t.sequence >= r.sectors()) return std::nullopt;
  std::vector<std::uint64_t> offsets{static_cast<std::uint64_t>(tail) * kLogSector};
  std::uint64_t used = t.length;
  Probe cur = t;
  for (std::uint64_t n = h.sequence - t.sequence; n > 0; --n) {
    if (!r.take_step()) return std::nullopt;
    const std::uint64_t next_off = r.at(offsets.back(), cur.length);
    const Probe next = r.probe(static_cast<std::size_t>(next_off / kLogSector));
    if (next.state != Probe::State::valid || next.sequence != cur.sequence + 1) return std::nullopt;
    used += next.length;
    if (used > size) return std::nullopt;  // the sequence would overwrite itself
    offsets.push_back(next_off);
    cur = next;
  }
  if (offsets.back() != static_cast<std::uint64_t>(head) * kLogSector) return std::nullopt;
  return offsets;
}

}  // namespace

LogScan scan_log(ByteView log, const Guid& guid) {
  LogScan out;
  LogReader r(log, guid);
  if (r.sectors() == 0) {
    out.why_none = "the log region is smaller than one sector";
    return out;
  }
  std::vector<std::size_t> heads;
  for (std::size_t s = 0; s < r.sectors(); ++s) {
    if (r.probe(s).state == Probe::State::valid) heads.push_back(s);
  }
  out.valid_entries = heads.size();
  // Highest sequence number first; ties by offset so the answer is stable.
  std::sort(heads.begin(), heads.end(), [&](std::size_t a, std::size_t b) {
    const std::uint64_t sa = r.probe(a).sequence, sb = r.probe(b).sequence;
    return sa != sb ? sa > sb : a < b;
  });
  std::optional<std::vector<std::uint64_t>> best;
  for (std::size_t h : heads) {
    if (r.exhausted()) break;
    best = walk_from_tail(r, h);
    if (best) break;
  }
  if (r.exhausted()) {
    out.why_none = "the log's entries overlap and chain more than any writer's; the search stopped";
    return out;
  }
  if (!best) {
    out.why_none = heads.empty() ? "no log entry passes its checks (signature, LogGuid, sequence "
                                   "numbers, CRC-32C)"
                                 : "no sequence of valid entries leads from a head's tail to it";
    return out;
  }
  for (std::uint64_t off : *best) {
    auto e = r.read_entry(off, true, false);
    if (!e) {  // validated above; cannot change, but never trust that silently
      out.active.clear();
      out.why_none = "a log entry changed between reads";
      return out;
    }
    out.active.push_back(std::move(*e));
  }
  return out;
}

std::uint64_t replayed_size(std::uint64_t file_size, std::span<const LogEntry> active) {
  std::uint64_t size = file_size;
  for (const LogEntry& e : active) {
    size = std::max(size, e.last_file_offset);
    for (const LogDescriptor& d : e.descriptors) {
      size = std::max(size, core::checked_add(d.file_offset, d.zero ? d.zero_length : kLogSector)
                                .value_or(UINT64_MAX));
    }
  }
  return size;
}

ReplayStats replay_log(ByteView log, std::span<const LogEntry> active, std::span<std::uint8_t> image,
                       std::uint64_t write_cap) {
  ReplayStats st;
  const std::uint64_t size = image.size();
  for (const LogEntry& e : active) {
    for (const LogDescriptor& d : e.descriptors) {
      const std::uint64_t want = d.zero ? d.zero_length : kLogSector;
      if (want == 0) continue;
      if (d.file_offset >= size) {
        st.clipped = true;
        continue;
      }
      std::uint64_t n = std::min(want, size - d.file_offset);
      if (n < want) st.clipped = true;
      if (n > write_cap - st.written) {
        st.clipped = true;
        return st;
      }
      const auto dst = image.subspan(static_cast<std::size_t>(d.file_offset), static_cast<std::size_t>(n));
      if (d.zero) {
        std::fill(dst.begin(), dst.end(), std::uint8_t{0});
      } else {
        std::array<std::uint8_t, kLogSector> sector{};
        for (std::size_t i = 0; i < kDescLeadingBytes; ++i) {
          sector[i] = static_cast<std::uint8_t>(d.leading >> (8 * i));
        }
        const ByteView payload = log.clamp(d.data_at + kDataPayload, kDataPayloadSize);
        std::copy(payload.data(), payload.data() + payload.size(), sector.begin() + kDescLeadingBytes);
        for (std::size_t i = 0; i < 4; ++i) {
          sector[kLogSector - 4 + i] = static_cast<std::uint8_t>(d.trailing >> (8 * i));
        }
        std::copy(sector.begin(), sector.begin() + static_cast<std::ptrdiff_t>(n), dst.begin());
      }
      st.written += n;
      ++st.descriptors;
    }
  }
  return st;
}

}  // namespace sluice::formats::vhdx
