#include "core/phrase_matcher.hpp"

#include <algorithm>
#include <limits>

#include "core/text.hpp"

namespace sluice::core {
namespace {
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
}

PhraseMatcher::PhraseMatcher(std::span<const std::string_view> phrases, Case c) { build(phrases, c); }

PhraseMatcher::PhraseMatcher(std::span<const std::string> phrases, Case c) {
  std::vector<std::string_view> views(phrases.begin(), phrases.end());
  build(views, c);
}

void PhraseMatcher::build(std::span<const std::string_view> phrases, Case letter_case) {
  const bool fold = letter_case == Case::ascii_insensitive;
  const auto byte = [fold](char ch) { return static_cast<unsigned char>(fold ? ascii_lower(ch) : ch); };
  // Columns only for bytes some phrase uses: the table stays small (a few
  // dozen columns, not 256) and every other byte goes back to the root.
  for (std::string_view p : phrases) {
    for (char ch : p) {
      auto& c = class_of_[byte(ch)];
      if (c == 0) c = static_cast<std::uint16_t>(classes_++);
    }
  }
  if (fold) {
    for (unsigned char b = 'a'; b <= 'z'; ++b) class_of_[b - 'a' + 'A'] = class_of_[b];
  }
  // The trie: goto_ holds kNone where no phrase continues.
  std::vector<std::uint32_t> goto_(classes_, kNone);
  std::vector<std::vector<std::uint32_t>> outputs(1);
  size_ = phrases.size();
  for (std::size_t i = 0; i < phrases.size(); ++i) {
    if (phrases[i].empty()) continue;
    longest_ = std::max(longest_, phrases[i].size());
    std::uint32_t s = 0;
    for (char ch : phrases[i]) {
      const std::size_t at = s * classes_ + class_of_[byte(ch)];
      if (goto_[at] == kNone) {
        goto_[at] = static_cast<std::uint32_t>(outputs.size());
        outputs.emplace_back();
        goto_.resize(goto_.size() + classes_, kNone);
      }
      s = goto_[at];
    }
    outputs[s].push_back(static_cast<std::uint32_t>(i));
  }
  // Breadth first, so a state's failure state (always shallower) is complete
  // before the state itself: its transitions and outputs are copied.
  const std::size_t n = outputs.size();
  next_.assign(n * classes_, 0);
  std::vector<std::uint32_t> fail(n, 0);
  std::vector<std::uint32_t> queue;
  queue.reserve(n);
  for (std::uint32_t c = 0; c < classes_; ++c) {
    const std::uint32_t v = goto_[c];
    if (v == kNone) continue;
    next_[c] = v;
    queue.push_back(v);
  }
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const std::uint32_t u = queue[head];
    const std::uint32_t f = fail[u];
    for (std::uint32_t c = 0; c < classes_; ++c) {
      const std::uint32_t v = goto_[u * classes_ + c];
      if (v == kNone) {
        next_[u * classes_ + c] = next_[f * classes_ + c];
        continue;
      }
      next_[u * classes_ + c] = v;
      fail[v] = next_[f * classes_ + c];
      const auto& inherited = outputs[fail[v]];
      outputs[v].insert(outputs[v].end(), inherited.begin(), inherited.end());
      queue.push_back(v);
    }
  }
  // Transitions as row offsets, flagged when the target ends a phrase. The
  // lexicons are Sluice's own, far below 2^31 cells; a list that would not
  // fit matches nothing rather than wrongly.
  if (n * classes_ >= kEnds) {
    next_.assign(classes_, 0);
    out_begin_.assign(2, 0);
    return;
  }
  for (std::uint32_t& t : next_) {
    const std::uint32_t target = t;
    t = target * classes_ | (outputs[target].empty() ? 0 : kEnds);
  }
  out_begin_.reserve(n + 1);
  for (const auto& o : outputs) {
    out_begin_.push_back(static_cast<std::uint32_t>(out_.size()));
    out_.insert(out_.end(), o.begin(), o.end());
  }
  out_begin_.push_back(static_cast<std::uint32_t>(out_.size()));
}

}  // namespace sluice::core
