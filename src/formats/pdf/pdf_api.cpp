#include "formats/pdf/pdf_api.hpp"

#include "deferred_libraries.hpp"

namespace sluice::formats::pdf {

Result<std::shared_ptr<const PdfApi>> PdfApi::load(core::LibrarySearch search) {
  return core::load_table<PdfApi>(core::DynamicLibrary::open_own(deferred::k_sluice_pdf, search), [](PdfApi& api, core::Binder& b) {
    b(api.read_document, "sluice_pdf_read_document");
  });
}

}  // namespace sluice::formats::pdf
