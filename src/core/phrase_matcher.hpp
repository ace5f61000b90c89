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

 private:
  void build(std::span<const std::string_view> phrases, Case c);

  std::uint16_t class_of_[256]{};  // byte → column; 0 is "no phrase has this byte"
  std::uint32_t classes_ = 1;
  static constexpr std::uint32_t kEnds = 1u << 31;
  std::vector<std::uint32_t> next_;       // dense, [state * classes_ + class] = row of the next state | kEnds
  std::vector<std::uint32_t> out_begin_;  // state → its phrases in out_, suffixes' included
  std::vector<std::uint32_t> out_;
  std::size_t size_ = 0;
};

}  // namespace sluice::core
