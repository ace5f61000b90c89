#pragma once
// What an HTML or SVG document runs and carries, read with the MIME format's
// tokenizer (formats/mime/html.hpp): <script> blocks, event-handler
// attributes, javascript: URLs, data: URIs, and the elements a script can look
// up by id (smuggling pages park the payload in a hidden <div> or <textarea>).
// Pure and bounded: one forward pass, at most `max_items` of each list.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/text/html.hpp"

namespace sluice::formats::html {

enum class ScriptKind : std::uint8_t { block, handler, javascript_url };

struct ScriptSource {
  ScriptKind kind = ScriptKind::block;
  std::string code;
  std::uint64_t offset = 0;  // of the element's tag in the document
  std::string where;         // "script[1]", "onload of <body>", "javascript: URL of <a>"
  std::string src;           // <script src=…>: a file the page loads
  std::string event;         // handler attribute name without "on" ("load", "click")
  bool runs = true;          // JavaScript (not VBScript, JSON, a template)
};

struct DataUri {
  std::string where;       // "data: URI of <a>"
  std::string media_type;  // lower case, parameters dropped
  std::string payload;     // after the comma, still encoded
  std::string download;    // the element's download= attribute, if any
  std::uint64_t offset = 0;
  bool base64 = false;
};

struct Element {
  std::string id;
  std::string tag;
  std::string inner;  // raw markup up to the first matching end tag, cut at max_inner
  std::vector<codecs::text::HtmlAttribute> attributes;
};

struct Markup {
  std::vector<ScriptSource> scripts;
  std::vector<DataUri> data_uris;
  std::vector<Element> elements;
  bool svg = false;      // an <svg> root: script text may be XML-escaped
  bool limited = false;  // a list reached max_items
};

[[nodiscard]] Markup read_markup(std::string_view doc, std::size_t max_items, std::size_t max_inner);

}  // namespace sluice::formats::html
