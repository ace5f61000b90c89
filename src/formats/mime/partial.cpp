#include "formats/mime/partial.hpp"

#include <charconv>
#include <algorithm>
#include <map>

#include "core/checked.hpp"

namespace sluice::formats::mime {
namespace {

bool parse_number(std::string_view s, std::uint64_t& out) {
  s = trim(s);
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

bool parse_fragment(const ParamValue& ct, Fragment& out) {
  if (ct.value != "message/partial") return false;
  const Param* id = find_param(ct, "id", false);
  const Param* number = find_param(ct, "number", false);
  if (id == nullptr || number == nullptr || id->value.empty()) return false;
  if (!parse_number(number->value, out.number) || out.number == 0) return false;
  out.id = id->value;
  out.total = 0;
  if (const Param* total = find_param(ct, "total", false)) {
    if (!parse_number(total->value, out.total)) out.total = 0;
  }
  return true;
}

std::vector<PartialSet> group_fragments(const std::vector<Fragment>& fragments,
                                        std::uint64_t max_total) {
  std::vector<PartialSet> sets;
  std::map<std::string, std::size_t> by_id;
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    const Fragment& f = fragments[i];
    auto [it, fresh] = by_id.try_emplace(f.id, sets.size());
    if (fresh) sets.push_back(PartialSet{f.id, 0, {}, false});
    PartialSet& s = sets[it->second];
    if (f.total > s.total) s.total = f.total;
    s.order.push_back(i);
  }
  for (PartialSet& s : sets) {
    if (s.total == 0 || s.total > max_total || s.order.size() < s.total) {
      continue;
    }
    // Slot each number once; anything outside 1..total or repeated is ignored.
    std::vector<std::size_t> slot(static_cast<std::size_t>(s.total), fragments.size());
    for (std::size_t i : s.order) {
      const std::uint64_t n = fragments[i].number;
      if (n >= 1 && n <= s.total && slot[n - 1] == fragments.size()) slot[n - 1] = i;
    }
    bool all = true;
    for (std::size_t v : slot) all = all && v != fragments.size();
    if (all) {
      s.order = std::move(slot);
      s.complete = true;
    }
  }
  return sets;
}

bool message_fragment(ByteView message, Fragment& f) {
  // Every message of a mailbox is asked; few are fragments, so the section
  // is read whole only for those (the MIME parse reads it again anyway).
  const auto ct = first_field_value(message, "content-type");
  if (!ct || !parse_fragment(parse_param_header(*ct), f)) return false;
  f.body = message.tail(parse_headers(message).body_offset);
  return true;
}

std::uint64_t joined_size(const std::vector<Fragment>& fragments, const PartialSet& set) {
  std::uint64_t size = 0;
  for (std::size_t i : set.order) {
    size = core::checked_add(size, fragments[i].body.size()).value_or(UINT64_MAX);
  }
  return size;
}

std::vector<std::uint8_t> join_fragments(const std::vector<Fragment>& fragments,
                                         const PartialSet& set, std::uint64_t cap) {
  std::vector<std::uint8_t> whole;
  whole.reserve(static_cast<std::size_t>(std::min(cap, joined_size(fragments, set))));
  for (std::size_t i : set.order) {
    const ByteView b = fragments[i].body;
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(b.size(), cap - whole.size()));
    whole.insert(whole.end(), b.data(), b.data() + take);
  }
  return whole;
}

}  // namespace sluice::formats::mime
