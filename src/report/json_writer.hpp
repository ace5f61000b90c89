#pragma once
// A JSON writer that appends straight to a string: the report used to be built
// as a DOM and then dumped, one allocation per value and a tenth of a ham
// scan (issue #17). The output is what nlohmann::json::dump gave — the same
// layout (compact, or pretty with an indent of 2), escapes and number forms —
// so the schema, the golden reports and every consumer see no change.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::report {

class JsonWriter {
 public:
  // indent < 0: compact; otherwise pretty with that many spaces per level.
  JsonWriter(std::string& out, int indent) : out_(out), indent_(indent) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // The member name; the next call writes its value.
  void key(std::string_view name);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(std::int64_t v);
  void value(std::uint64_t v);
  void value(int v) { value(static_cast<std::int64_t>(v)); }
  void value(unsigned v) { value(static_cast<std::uint64_t>(v)); }
  void value(double v);
  void value(bool v);
  void null();

  // A member in one call.
  template <class T>
  void member(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

  // `s` as a JSON string, quotes included: escapes as dump() does, and any
  // byte sequence that is not UTF-8 becomes U+FFFD (names were made valid at
  // the source; this is the second line of defence).
  static void quote(std::string& out, std::string_view s);

 private:
  void open(char c);
  void close(char c);
  void before_value();
  void newline(std::size_t level);

  std::string& out_;
  int indent_;
  std::vector<bool> has_items_;  // per open container
  bool after_key_ = false;
};

}  // namespace sluice::report
