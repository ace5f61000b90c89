#pragma once
#include <vector>

#include "analysis/detector.hpp"
#include "analysis/lure/lexicon.hpp"

namespace sluice::analysis::executables {

class UnsignedVendorClaim final : public Detector {
 public:
  UnsignedVendorClaim();
  std::string_view name() const noexcept override { return "unsigned_vendor_claim"; }
  void inspect(const ArtifactTree& tree, FindingSink& sink) const override;

 private:
  std::vector<lure::Brand> brands_;
};

}  // namespace sluice::analysis::executables
