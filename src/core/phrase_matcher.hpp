#pragma once
// Every occurrence of every phrase of a fixed list in one pass over a text
// (Aho–Corasick). Lexicons (lure phrases, brands, script idioms) used to be
// searched one `find` per phrase: 60 phrases meant 60 passes over the same
// 64 KiB of mail text, a quarter of a ham scan (issue #17). The automaton is
// built once per list, when the engine or its detector is made, and the scan
// is one table lookup per byte whatever the number of phrases.
//
// Bytes are matched exactly, or with ASCII letters of either case alike
// (Case::ascii_insensitive: both cases of a letter share the letter's column,
// so the scan costs the same and no caller lower-cases a copy of its text).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::core {

class PhraseMatcher {
 public:
  enum class Case : std::uint8_t { exact, ascii_insensitive };

  // Phrase i of the list is reported as index i. Empty phrases never match;
  // a phrase listed twice is reported under each of its indices.
  explicit PhraseMatcher(std::span<const std::string_view> phrases, Case c = Case::exact);
  explicit PhraseMatcher(std::span<const std::string> phrases, Case c = Case::exact);

  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  // on_match(phrase, end) for every occurrence, `end` one past its last byte,
  // in order of `end` (longest phrase first among those ending together).
  // Returning false from on_match stops the scan.
  template <class F>
  void scan(std::string_view text, F&& on_match) const {
    // One load per byte: a transition holds the next state's row offset,
    // its top bit set when that state ends a phrase.
    std::uint32_t row = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      row = next_[row + class_of_[static_cast<unsigned char>(text[i])]];
      if ((row & kEnds) == 0) continue;
      row &= ~kEnds;
      const std::uint32_t s = row / classes_;
      for (std::uint32_t o = out_begin_[s]; o < out_begin_[s + 1]; ++o) {
        if (!on_match(static_cast<std::size_t>(out_[o]), i + 1)) return;
      }
    }
  }

  // on_match(phrase, end) for every occurrence scan() reports, in no
  // particular order and without stopping: for callers that only collect.
  // Each transition waits on the one before it, so one walk leaves the core
  // idle most of every byte; four stretches of the text are walked at once.
  // Each walk after the first starts `longest_` bytes before its stretch,
  // from the root: an automaton state is a suffix of the text no longer than
  // the longest phrase, so by the stretch's start it is the state a single
  // walk would be in, and what it reports before then is the previous walk's.
  template <class F>
  void scan_unordered(std::string_view text, F&& on_match) const {
    const std::size_t n = text.size();
    const std::size_t stretch = n / 4;
    if (stretch <= 2 * longest_ + 64) {
      scan(text, [&on_match](std::size_t phrase, std::size_t end) {
        on_match(phrase, end);
        return true;
      });
      return;
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    // Walk w covers the matches ending in (w * stretch, (w + 1) * stretch],
    // the last one to the end; it starts reading `longest_` bytes early.
    const std::size_t a1 = stretch, a2 = 2 * stretch, a3 = 3 * stretch;
    const unsigned char* p0 = bytes;
    const unsigned char* p1 = bytes + (a1 - longest_);
    const unsigned char* p2 = bytes + (a2 - longest_);
    const unsigned char* p3 = bytes + (a3 - longest_);
    std::uint32_t r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    const std::uint32_t* next = next_.data();
    auto report = [this, bytes, &on_match](std::uint32_t r, const unsigned char* at, std::size_t past) {
      const auto end = static_cast<std::size_t>(at - bytes) + 1;
      if (end <= past) return;
      const std::uint32_t s = r / classes_;
      for (std::uint32_t o = out_begin_[s]; o < out_begin_[s + 1]; ++o) on_match(static_cast<std::size_t>(out_[o]), end);
    };
    // All four read `stretch` bytes in lock step.
    for (std::size_t k = 0; k < stretch; ++k) {
      r0 = next[r0 + class_of_[p0[k]]];
      r1 = next[r1 + class_of_[p1[k]]];
      r2 = next[r2 + class_of_[p2[k]]];
      r3 = next[r3 + class_of_[p3[k]]];
      if (((r0 | r1 | r2 | r3) & kEnds) == 0) [[likely]] continue;
      if ((r0 & kEnds) != 0) report(r0 &= ~kEnds, p0 + k, 0);
      if ((r1 & kEnds) != 0) report(r1 &= ~kEnds, p1 + k, a1);
      if ((r2 & kEnds) != 0) report(r2 &= ~kEnds, p2 + k, a2);
      if ((r3 & kEnds) != 0) report(r3 &= ~kEnds, p3 + k, a3);
    }
    // Then each reads on to where the next walk's stretch begins (its
    // lead-in's length), the last to the end.
    auto finish = [&](std::uint32_t r, const unsigned char* p, const unsigned char* stop, std::size_t past) {
      for (; p < stop; ++p) {
        r = next[r + class_of_[*p]];
        if ((r & kEnds) != 0) report(r &= ~kEnds, p, past);
      }
    };
    finish(r1, p1 + stretch, bytes + a2, a1);
    finish(r2, p2 + stretch, bytes + a3, a2);
    finish(r3, p3 + stretch, bytes + n, a3);
  }

 private:
  void build(std::span<const std::string_view> phrases, Case c);

  std::uint16_t class_of_[256]{};  // byte → column; 0 is "no phrase has this byte"
  std::uint32_t classes_ = 1;
  static constexpr std::uint32_t kEnds = 1u << 31;
  std::vector<std::uint32_t> next_;       // dense, [state * classes_ + class] = row of the next state | kEnds
  std::vector<std::uint32_t> out_begin_;  // state → its phrases in out_, suffixes' included
  std::vector<std::uint32_t> out_;
  std::size_t size_ = 0;
  std::size_t longest_ = 0;  // bytes of the longest phrase
};

}  // namespace sluice::core
