#pragma once
// Deceptive icons: an executable whose icon (hashed by the PE unpacker, see
// formats/icon) is near a document-type reference icon. Like the YARA detector
// it needs the Config (threshold, the user's own reference folders, hashed once
// here), so Engine::create builds it rather than the generated register_all().
#include <memory>
#include <vector>

#include "analysis/detector.hpp"
#include "codecs/icon/reference.hpp"
#include "sluice/policy.hpp"
#include "sluice/result.hpp"

namespace sluice::analysis::icons {

// The user's folders: <dir>/<category>/<file>.png|.ico, one reference per PNG
// and per image of an ICO (every size). A folder that cannot be read or a file
// that does not decode is a config error naming it: a silently empty reference
// set would look like "no deceptive icons".
[[nodiscard]] Result<std::vector<codecs::icon::Reference>> load_reference_dirs(
    const std::vector<std::string>& dirs);

[[nodiscard]] Result<std::unique_ptr<Detector>> make_detector(const IconsConfig& config);

// For tests: a detector over an explicit reference list.
[[nodiscard]] std::unique_ptr<Detector> make_detector(std::vector<codecs::icon::Reference> refs,
                                                      std::uint32_t max_distance);

// Categories that are not documents: an icon nearest to one of them is not deceptive.
[[nodiscard]] bool deceptive_category(std::string_view category) noexcept;

}  // namespace sluice::analysis::icons
