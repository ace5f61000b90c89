// libsluice-pdf.so: the QPDF side of the PDF reader, loaded by the engine on
// the first PDF (formats/pdf/pdf_api.hpp, docs/adr/0031).
#include "formats/pdf/document.hpp"

// QPDF 11 asks callers to declare they use std::shared_ptr, not its old PointerHolder.
#define POINTERHOLDER_TRANSITION 4

// JSON first: QPDF's headers use std::vector<JSON> with JSON only declared,
// which clang (the fuzz build) rejects.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <qpdf/JSON.hh>
#include <qpdf/Pipeline.hh>
#include <qpdf/Pl_Discard.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFLogger.hh>

namespace sluice::formats::pdf {
namespace {

// Thrown by the sink when the cap is reached, so QPDF stops decoding; not a
// std::exception, so QPDF's own handlers do not turn it into a warning.
struct CapReached {};

class CappedSink final : public Pipeline {
 public:
  CappedSink(std::vector<std::uint8_t>& out, std::uint64_t cap)
      : Pipeline("sluice-capped", nullptr), out_(out), cap_(cap) {}
  void write(unsigned char const* data, size_t len) override {
    const std::uint64_t room = cap_ - std::min<std::uint64_t>(cap_, out_.size());
    const std::size_t take = len < room ? len : static_cast<std::size_t>(room);
    out_.insert(out_.end(), data, data + take);
    if (take < len) {
      capped = true;
      throw CapReached{};
    }
  }
  void finish() override {}
  bool capped = false;

 private:
  std::vector<std::uint8_t>& out_;
  std::uint64_t cap_;
};

std::string key_of(QPDFObjectHandle& h) {
  const QPDFObjGen g = h.getObjGen();
  return std::to_string(g.getObj()) + " " + std::to_string(g.getGen());
}

std::string text_of(QPDFObjectHandle h) {
  if (h.isString()) return h.getUTF8Value();
  if (h.isName()) return h.getName().substr(1);
  return {};
}

// A file specification: a string, or a dictionary with /UF, /F or the
// platform keys (ISO 32000 7.11.3).
std::string file_of(QPDFObjectHandle h) {
  if (h.isString()) return h.getUTF8Value();
  if (!h.isDictionary()) return {};
  for (const char* k : {"/UF", "/F", "/DOS", "/Unix", "/Mac"}) {
    if (std::string v = text_of(h.getKey(k)); !v.empty()) return v;
  }
  return {};
}

struct Pending {
  QPDFObjectHandle stream;
  EmbeddedFile file;
};

class Walker {
 public:
  Walker(const ReadOptions& o, Document& d) : opt_(o), doc_(d) {}

  void walk(QPDF& q) {
    std::vector<QPDFObjectHandle> all = q.getAllObjects();
    doc_.objects = all.size();
    std::size_t n = 0;
    for (QPDFObjectHandle& top : all) {
      if ((++n & 255) == 0 && opt_.expired && opt_.expired()) {
        doc_.deadline = true;
        return;
      }
      // One object QPDF cannot resolve costs that object, not the document.
      try {
        visit_object(top);
      } catch (const std::exception&) {
        ++doc_.broken_objects;
      }
    }
    decode_files();
  }

 private:
  static constexpr int kMaxNesting = 64;

  void visit_object(QPDFObjectHandle& top) {
    const std::string where = key_of(top);
    // Direct objects nested in this one; indirect references are visited as
    // objects of their own, so the walk is bounded by the file.
    std::vector<std::pair<QPDFObjectHandle, int>> stack{{top, 0}};
    while (!stack.empty()) {
      auto [h, depth] = stack.back();
      stack.pop_back();
      if (h.isStream()) {
        QPDFObjectHandle d = h.getDict();
        visit_dict(d, where);
        if (d.getKey("/Type").isNameAndEquals("/EmbeddedFile")) note_stream(h);
        continue;
      }
      if (h.isDictionary()) {
        visit_dict(h, where);
        if (depth < kMaxNesting) {
          for (auto& item : h.ditems()) {
            if (!item.second.isIndirect() && (item.second.isDictionary() || item.second.isArray())) {
              stack.emplace_back(item.second, depth + 1);
            }
          }
        }
      } else if (h.isArray() && depth < kMaxNesting) {
        for (auto& item : h.aitems()) {
          if (!item.isIndirect() && (item.isDictionary() || item.isArray())) stack.emplace_back(item, depth + 1);
        }
      }
    }
  }

  Pending& note_stream(QPDFObjectHandle& s) {
    const std::string k = key_of(s);
    auto [it, fresh] = pending_.try_emplace(k);
    if (fresh) {
      it->second.stream = s;
      it->second.file.key = k;
    }
    return it->second;
  }

  void visit_dict(QPDFObjectHandle& d, const std::string& where) {
    if (QPDFObjectHandle ef = d.getKey("/EF"); ef.isDictionary()) {
      const std::string uf = text_of(d.getKey("/UF"));
      const std::string f = text_of(d.getKey("/F"));
      for (auto& item : ef.ditems()) {
        if (!item.second.isStream()) continue;
        Pending& p = note_stream(item.second);
        if (p.file.named) continue;
        p.file.named = true;
        p.file.name = uf.empty() ? f : uf;
        if (!uf.empty() && !f.empty() && f != uf) p.file.other_name = f;
        p.file.description = text_of(d.getKey("/Desc"));
      }
    }
    QPDFObjectHandle s = d.getKey("/S");
    if (!s.isName()) return;
    const std::string kind = s.getName().substr(1);
    Action a{kind, {}, where};
    if (kind == "JavaScript") {
      a.target = script_of(d.getKey("/JS"));
    } else if (kind == "Launch") {
      a.target = file_of(d.getKey("/F"));
      if (QPDFObjectHandle win = d.getKey("/Win"); a.target.empty() && win.isDictionary()) {
        a.target = text_of(win.getKey("/F"));
        if (std::string p = text_of(win.getKey("/P")); !p.empty()) a.target += " " + p;
      }
    } else if (kind == "URI") {
      a.target = text_of(d.getKey("/URI"));
    } else if (kind == "GoToR" || kind == "GoToE" || kind == "ImportData" || kind == "SubmitForm") {
      a.target = file_of(d.getKey("/F"));
    } else {
      return;
    }
    doc_.actions.push_back(std::move(a));
  }

  std::string script_of(QPDFObjectHandle js) {
    if (js.isString()) {
      std::string s = js.getUTF8Value();
      if (s.size() > opt_.max_script_chars) s.resize(opt_.max_script_chars);
      return s;
    }
    if (!js.isStream()) return {};
    std::vector<std::uint8_t> out;
    decode(js, out, opt_.max_script_chars);
    return {out.begin(), out.end()};
  }

  // Returns whether QPDF decoded the whole stream; `capped` when the cap cut
  // it.
  bool decode(QPDFObjectHandle& s, std::vector<std::uint8_t>& out, std::uint64_t cap, bool* capped = nullptr) {
    CappedSink sink(out, cap);
    bool ok = false;
    try {
      ok = s.pipeStreamData(&sink, nullptr, 0, qpdf_dl_specialized, true, false);
    } catch (const CapReached&) {
      ok = true;
    } catch (const std::exception&) {
      ok = false;
    }
    if (capped) *capped = sink.capped;
    return ok;
  }

  void decode_files() {
    for (auto& [k, p] : pending_) {
      if (opt_.expired && opt_.expired()) {
        doc_.deadline = true;
        return;
      }
      QPDFObjectHandle dict = p.stream.getDict();
      p.file.subtype = text_of(dict.getKey("/Subtype"));
      if (QPDFObjectHandle params = dict.getKey("/Params"); params.isDictionary()) {
        if (QPDFObjectHandle size = params.getKey("/Size"); size.isInteger() && size.getIntValue() > 0) {
          p.file.declared_size = static_cast<std::uint64_t>(size.getIntValue());
        }
      }
      std::uint64_t encoded = 0;
      if (QPDFObjectHandle len = dict.getKey("/Length"); len.isInteger() && len.getIntValue() > 0) {
        encoded = static_cast<std::uint64_t>(len.getIntValue());
      }
      const std::uint64_t cap = opt_.allowance ? opt_.allowance(encoded) : UINT64_MAX;
      bool capped = false;
      p.file.decode_failed = !decode(p.stream, p.file.data, cap, &capped);
      p.file.capped = capped;
      doc_.files.push_back(std::move(p.file));
    }
  }

  const ReadOptions& opt_;
  Document& doc_;
  std::map<std::string, Pending> pending_;
};

enum class Open : std::uint8_t { ok, password, broken };

Open try_open(QPDF& q, const std::uint8_t* pdf, std::size_t size, const char* password, std::string& error) {
  try {
    q.processMemoryFile("attachment", reinterpret_cast<const char*>(pdf), size, password);
    return Open::ok;
  } catch (const QPDFExc& e) {
    error = e.getMessageDetail();
    return e.getErrorCode() == qpdf_e_password ? Open::password : Open::broken;
  } catch (const std::exception& e) {
    error = e.what();
    return Open::broken;
  }
}

std::shared_ptr<QPDFLogger> silent_logger() {
  auto logger = QPDFLogger::create();
  auto discard = std::make_shared<Pl_Discard>();
  logger->setInfo(discard);
  logger->setWarn(discard);
  logger->setError(discard);
  return logger;
}

}  // namespace

ReadOutcome sluice_pdf_read_document(const std::uint8_t* pdf, std::size_t size, const ReadOptions& options,
                                     Document& doc, std::string& error) {
  std::vector<const char*> tries{nullptr};
  const auto logger = silent_logger();
  for (std::size_t i = 0; i < tries.size(); ++i) {
    if (options.expired && options.expired()) {
      error = "the scan's time ran out opening a PDF";
      return ReadOutcome::deadline;
    }
    QPDF q;
    q.setLogger(logger);
    q.setSuppressWarnings(true);
    q.setAttemptRecovery(true);
    const Open o = try_open(q, pdf, size, tries[i], error);
    if (o == Open::broken) {
      error = "QPDF cannot read it: " + error;
      return ReadOutcome::unreadable;
    }
    if (o == Open::password) {
      if (!doc.encrypted && options.passwords) {
        for (const std::string& p : options.passwords()) tries.push_back(p.c_str());
      }
      doc.encrypted = true;
      doc.passwords_tried = i;
      continue;
    }
    try {
      doc.encrypted = q.isEncrypted();
      if (tries[i] != nullptr) doc.password = tries[i];
      Walker(options, doc).walk(q);
      doc.warnings = q.numWarnings();
    } catch (const std::exception& e) {
      error = std::string("QPDF stopped reading it: ") + e.what();
      return ReadOutcome::unreadable;
    }
    return ReadOutcome::ok;
  }
  error = "encrypted: no candidate password opens it";
  return ReadOutcome::encrypted;
}

}  // namespace sluice::formats::pdf
