#pragma once
// One revision of a PDF, read through QPDF (Debian libqpdf): the facts Sluice
// judges, collected from every object (indirect ones and the dictionaries
// nested in them, so an action written inline in an annotation is seen):
// embedded files with their names, JavaScript, Launch/URI/GoToR/GoToE/
// ImportData/SubmitForm actions and their targets. QPDF throws; nothing leaves
// this file as an exception.
//
// This header and qpdf/document.cpp are C++17: QPDF 11.3's JSON.hh destroys a
// std::vector<JSON> while JSON is incomplete, which C++20's constexpr vector
// destructor rejects under clang (the fuzz build). The unpacker turns the
// outcome into a Result.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sluice::formats::pdf {

struct EmbeddedFile {
  std::string key;          // "12 0": the stream's object, for de-duplication
  std::string name;         // the file specification's /UF, else /F (UTF-8)
  std::string other_name;   // /F when it differs from /UF
  std::string description;  // /Desc
  std::string subtype;      // the stream's /Subtype (a MIME type)
  std::vector<std::uint8_t> data;
  std::uint64_t declared_size = 0;  // /Params /Size, 0 when absent
  bool capped = false;              // data stopped at the cap
  bool decode_failed = false;
  bool named = false;  // some file specification points at it
};

struct Action {
  std::string kind;    // "JavaScript", "Launch", "URI", "GoToR", "GoToE", "ImportData", "SubmitForm"
  std::string target;  // the file, command line or URL; a script's text for JavaScript
  std::string where;   // the object holding it: "7 0"
};

struct Document {
  std::vector<EmbeddedFile> files;
  std::vector<Action> actions;
  bool encrypted = false;
  std::string password;      // the one that opened it, when it needed one
  std::size_t passwords_tried = 0;
  std::size_t warnings = 0;  // what QPDF had to repair
  std::size_t objects = 0;
  std::size_t broken_objects = 0;  // objects QPDF failed to resolve
  bool deadline = false;           // stopped early: time ran out
};

struct ReadOptions {
  // Candidates tried after the empty password, asked for only when that one
  // does not open the file (harvesting them reads the whole message).
  std::function<const std::vector<std::string>&()> passwords;
  // Largest decoded size of one stream given its encoded size (the budget's
  // decode allowance); a larger one is cut and marked capped.
  std::function<std::uint64_t(std::uint64_t)> allowance;
  std::function<bool()> expired;
  std::size_t max_script_chars = 1 << 20;
};

enum class ReadOutcome : std::uint8_t { ok, encrypted, unreadable, deadline };

// `error` says why when the outcome is not ok. The one entry point of
// libsluice-pdf.so (src/formats/pdf/qpdf): QPDF and its dependency tree
// (GnuTLS, p11-kit, libjpeg …) are mapped by the first PDF instead of by every
// start (docs/adr/0031). C linkage so the engine finds it by this name; the
// types are this header's, built by the same compiler (pdf_api.hpp).
extern "C" ReadOutcome sluice_pdf_read_document(const std::uint8_t* pdf, std::size_t size, const ReadOptions& options,
                                                Document& doc, std::string& error);

}  // namespace sluice::formats::pdf
