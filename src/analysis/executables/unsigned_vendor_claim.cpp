// A program whose VERSIONINFO names a software vendor (Adobe, Microsoft…) but
// carries no readable signature: a real build of any of them is signed, and the
// "Adobe Acrobat Reader" that arrives in an ISO is the lure the name serves.
// The vendors are data/brands.tsv's software column, the same table lures use.
#include <string>
#include <variant>
#include <vector>

#include "analysis/detector.hpp"
#include "analysis/executables/unsigned_vendor_claim.hpp"
#include "analysis/lure/lexicon.hpp"
#include "core/text.hpp"
#include "meta/pe.hpp"

namespace sluice::analysis::executables {
namespace {

bool names_vendor(const std::vector<lure::Brand>& brands, std::string_view value) {
  const std::string v = core::ascii_lower(value);
  for (const lure::Brand& b : brands) {
    for (const std::string& word : b.software) {
      if (v.find(word) != std::string::npos) return true;
    }
  }
  return false;
}

}  // namespace

UnsignedVendorClaim::UnsignedVendorClaim() : brands_(lure::builtin_brands()) {}

void UnsignedVendorClaim::inspect(const ArtifactTree& tree, FindingSink& sink) const {
  for (const Artifact& a : tree) {
    if (a.type != FileType::pe_exe && a.type != FileType::pe_dll) continue;
    // The PE unpacker records the signer only when the signature parsed.
    if (a.find_meta(meta::pe::signer_subject) != nullptr) continue;
    for (const Meta& m : a.meta) {
      if (!meta::pe::version_field.contains(m.key)) continue;
      const std::string_view field = std::string_view(m.key).substr(meta::pe::version_field.prefix.size());
      if (field != "CompanyName" && field != "ProductName" && field != "FileDescription") continue;
      const auto* value = std::get_if<std::string>(&m.value);
      if (value == nullptr || !names_vendor(brands_, *value)) continue;
      sink.add("pe.unsigned_vendor_claim", Severity::medium, a.id,
               "VERSIONINFO " + std::string(field) + " \"" + *value +
                   "\" names a vendor product, but the file is not signed",
               {});
      break;  // the first claim, in the resource's order, speaks for the file
    }
  }
}

}  // namespace sluice::analysis::executables
