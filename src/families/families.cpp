// The family table. Adding a family: one file with its examine() function and
// one line here (see README.md).
#include <array>

#include "families/family.hpp"
#include "families/remcos.hpp"

namespace sluice::families {
namespace {

constexpr std::array kFamilies{
    Family{"remcos", "family.remcos", "family.remcos_strings", &remcos::examine, &meta::kRemcosKeys},
};

}  // namespace

std::span<const Family> all_families() noexcept { return kFamilies; }

}  // namespace sluice::families
