#pragma once
// The PDF reader's QPDF side, libsluice-pdf.so, opened by the first PDF rather
// than by every start: QPDF's dependency tree (GnuTLS, p11-kit, nettle, gmp,
// libjpeg …) cost a one-file scan about a fifth of its start-up (ADR 0031).
// Sandboxed workers cannot open files, so the worker pool opens it before it
// forks them (src/isolation/pool.cpp), as it does The Sleuth Kit.
#include <memory>

#include "core/dynamic_library.hpp"
#include "formats/pdf/document.hpp"
#include "sluice/result.hpp"

namespace sluice::formats::pdf {

struct PdfApi {
  decltype(&sluice_pdf_read_document) read_document = nullptr;
  core::DynamicLibrary lib;

  explicit PdfApi(core::DynamicLibrary l) : lib(std::move(l)) {}
  // In a sandboxed worker (`loaded_only`), only the copy its pool loaded.
  [[nodiscard]] static Result<std::shared_ptr<const PdfApi>> load(core::LibrarySearch search);
};

}  // namespace sluice::formats::pdf
