#include "model/features.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "analysis/names/extensions.hpp"
#include "core/hash.hpp"
#include "meta/archive.hpp"
#include "meta/fat.hpp"
#include "meta/groups.hpp"
#include "meta/ioc.hpp"
#include "meta/mime.hpp"
#include "meta/ntfs.hpp"
#include "meta/ole.hpp"
#include "meta/pdf.hpp"
#include "meta/zip.hpp"

namespace sluice::embedded {
extern const char* const kFindingsMd;
}

namespace sluice::model {
namespace {

// The structural features, in vector order. Appending is a new feature
// version like any change; the order is the model's contract.
enum S : std::size_t {
  findings_info,
  findings_low,
  findings_medium,
  findings_high,
  findings_critical,
  tree_artifacts,
  tree_max_depth,
  tree_limits_hit,
  tree_duplicates,
  tree_truncated,
  class_mail,
  class_archive,
  class_disk_image,
  class_executable,
  class_document,
  class_media,
  class_other,
  scripts,
  executable_in_disk_image,
  executable_in_archive,
  disk_image_in_archive,
  disk_image_in_mail,
  executable_in_mail,
  script_in_container,
  lnk_in_container,
  executable_max_depth,
  disk_image_max_files,
  encrypted_members,
  encrypted_opened,
  encrypted_unopened,
  hidden_files,
  names_executable_claim,
  names_document_claim_on_executable,
  names_multiple_dots,
  mail_named_parts,
  mail_urls,
  mail_has_authentication_results,
  log2_input_bytes,
  log2_largest_executable,
  executable_entropy_max,
  kStructuralCount
};

struct Def {
  std::string_view name, meaning, range;
};

constexpr std::array<Def, kStructuralCount> kStructural{{
    {"findings.info", "findings of severity info", "0 … ∞"},
    {"findings.low", "findings of severity low", "0 … ∞"},
    {"findings.medium", "findings of severity medium", "0 … ∞"},
    {"findings.high", "findings of severity high", "0 … ∞"},
    {"findings.critical", "findings of severity critical", "0 … ∞"},
    {"tree.artifacts", "artifacts in the tree (the message and everything unpacked from it)", "1 … max_artifacts"},
    {"tree.max_depth", "deepest artifact (the message is depth 0)", "0 … max_depth"},
    {"tree.limits_hit", "limits the scan reached", "0 … ∞"},
    {"tree.duplicates", "artifacts that repeat another's bytes", "0 … ∞"},
    {"tree.truncated", "artifacts whose bytes are a prefix (damage or a limit)", "0 … ∞"},
    {"class.mail", "artifacts of type class mail (email, mbox, TNEF, Outlook .msg)", "0 … ∞"},
    {"class.archive", "artifacts of type class archive (zip, 7z, rar, gzip …)", "0 … ∞"},
    {"class.disk_image", "artifacts of type class disk image (ISO, UDF, FAT, NTFS, VHD, VHDX …)", "0 … ∞"},
    {"class.executable", "artifacts of type class executable (PE, ELF, LNK, MSI, scripts …)", "0 … ∞"},
    {"class.document", "artifacts of type class document (PDF, Office, RTF, HTML, OneNote …)", "0 … ∞"},
    {"class.media", "artifacts of type class media (images, icons)", "0 … ∞"},
    {"class.other", "artifacts of any other type (text, unknown)", "0 … ∞"},
    {"scripts", "script artifacts (JS, VBS, HTA, BAT, PS1, WSF, encoded)", "0 … ∞"},
    {"chain.executable_in_disk_image", "executables with a disk image among their ancestors", "0 … ∞"},
    {"chain.executable_in_archive", "executables with an archive among their ancestors", "0 … ∞"},
    {"chain.disk_image_in_archive", "disk images with an archive among their ancestors", "0 … ∞"},
    {"chain.disk_image_in_mail", "disk images whose parent is a mail part", "0 … ∞"},
    {"chain.executable_in_mail", "executables whose parent is a mail part", "0 … ∞"},
    {"chain.script_in_container", "scripts inside an archive or disk image", "0 … ∞"},
    {"chain.lnk_in_container", "shortcuts (LNK) inside an archive or disk image", "0 … ∞"},
    {"chain.executable_max_depth", "depth of the deepest executable; 0 when none", "0 … max_depth"},
    {"image.max_files", "most artifacts directly inside one disk image or file system", "0 … ∞"},
    {"encrypted.members", "encrypted archives, members, PDFs and Office documents", "0 … ∞"},
    {"encrypted.opened", "encrypted items a candidate password opened", "0 … ∞"},
    {"encrypted.unopened", "encrypted items no candidate password opened", "0 … ∞"},
    {"hidden.files", "files with the hidden attribute (FAT, NTFS, ZIP)", "0 … ∞"},
    {"names.executable_claim", "artifacts whose shown name has an executable extension", "0 … ∞"},
    {"names.document_claim_on_executable", "executables whose shown name claims a document or image", "0 … ∞"},
    {"names.multiple_dots", "shown names with two or more extensions-like dots", "0 … ∞"},
    {"mail.named_parts", "mail parts with a file name (attachments)", "0 … ∞"},
    {"mail.urls", "URLs found in the tree's text", "0 … ∞"},
    {"mail.has_authentication_results", "1 when the message carries Authentication-Results", "0 or 1"},
    {"size.log2_input", "log2 of the input's size in bytes", "0 … 64"},
    {"size.log2_largest_executable", "log2 of the largest executable's size; 0 when none", "0 … 64"},
    {"entropy.executable_max", "highest Shannon entropy (bits per byte, first MiB) of an executable", "0 … 8"},
}};

bool is_script(FileType t) {
  switch (t) {
    case FileType::script_js:
    case FileType::script_vbs:
    case FileType::script_hta:
    case FileType::script_bat:
    case FileType::script_ps1:
    case FileType::script_wsf:
    case FileType::script_encoded: return true;
    default: return false;
  }
}

double log2_size(std::uint64_t n) { return n == 0 ? 0.0 : std::log2(static_cast<double>(n)); }

double entropy(ByteView bytes) {
  const std::uint64_t n = std::min<std::uint64_t>(bytes.size(), 1u << 20);
  if (n == 0) return 0;
  std::array<std::uint32_t, 256> counts{};
  const std::uint8_t* p = bytes.data();
  for (std::uint64_t i = 0; i < n; ++i) ++counts[p[i]];
  double h = 0;
  for (std::uint32_t c : counts) {
    if (c == 0) continue;
    const double q = static_cast<double>(c) / static_cast<double>(n);
    h -= q * std::log2(q);
  }
  return h;
}

struct Ancestry {
  bool disk_image = false, archive = false, mail_parent = false;
};

Ancestry ancestry(const ArtifactTree& tree, const Artifact& a) {
  Ancestry out;
  if (a.parent != kNoArtifact) out.mail_parent = info(tree[a.parent].type).cls == TypeClass::mail;
  for (ArtifactId p = a.parent; p != kNoArtifact; p = tree[p].parent) {
    const TypeClass c = info(tree[p].type).cls;
    out.disk_image = out.disk_image || c == TypeClass::disk_image;
    out.archive = out.archive || c == TypeClass::archive;
  }
  return out;
}

bool encrypted(const Artifact& a) {
  return a.meta_flag(meta::archive::encrypted) || a.meta_flag(meta::zip::encrypted) || a.meta_flag(meta::pdf::encrypted) ||
         a.find_meta(meta::office::encryption) != nullptr;
}

bool opened(const Artifact& a) {
  return a.find_meta(meta::archive::password) != nullptr || a.find_meta(meta::zip::password) != nullptr ||
         a.find_meta(meta::pdf::password) != nullptr || a.find_meta(meta::office::password) != nullptr;
}

std::size_t dots(std::string_view name) {
  if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  // A leading dot names a hidden Unix file, not an extension.
  if (!name.empty() && name.front() == '.') name.remove_prefix(1);
  return static_cast<std::size_t>(std::count(name.begin(), name.end(), '.'));
}

void structural(const ArtifactTree& tree, std::span<const Finding> findings, std::span<float> v) {
  namespace nm = analysis::names;
  for (const Finding& f : findings) {
    if (f.id.starts_with("model.")) continue;
    v[findings_info + static_cast<std::size_t>(f.severity)] += 1;
  }
  v[tree_artifacts] = static_cast<float>(tree.size());
  v[tree_limits_hit] = static_cast<float>(tree.limits_hit.size());
  if (!tree.empty()) v[log2_input_bytes] = static_cast<float>(log2_size(tree[0].bytes.size()));
  for (const Artifact& a : tree) {
    v[tree_max_depth] = std::max(v[tree_max_depth], static_cast<float>(a.depth));
    if (a.truncated) v[tree_truncated] += 1;
    if (a.duplicate_of) {
      v[tree_duplicates] += 1;
      continue;
    }
    const TypeClass cls = info(a.type).cls;
    switch (cls) {
      case TypeClass::mail: v[class_mail] += 1; break;
      case TypeClass::archive: v[class_archive] += 1; break;
      case TypeClass::disk_image: v[class_disk_image] += 1; break;
      case TypeClass::executable: v[class_executable] += 1; break;
      case TypeClass::document: v[class_document] += 1; break;
      case TypeClass::media: v[class_media] += 1; break;
      case TypeClass::other: v[class_other] += 1; break;
    }
    const Ancestry up = ancestry(tree, a);
    const bool script = is_script(a.type);
    if (script) v[scripts] += 1;
    if (cls == TypeClass::executable) {
      if (up.disk_image) v[executable_in_disk_image] += 1;
      if (up.archive) v[executable_in_archive] += 1;
      if (up.mail_parent) v[executable_in_mail] += 1;
      v[executable_max_depth] = std::max(v[executable_max_depth], static_cast<float>(a.depth));
      v[log2_largest_executable] =
          std::max(v[log2_largest_executable], static_cast<float>(log2_size(a.bytes.size())));
      v[executable_entropy_max] = std::max(v[executable_entropy_max], static_cast<float>(entropy(a.bytes)));
    }
    if (cls == TypeClass::disk_image) {
      if (up.archive) v[disk_image_in_archive] += 1;
      if (up.mail_parent) v[disk_image_in_mail] += 1;
      v[disk_image_max_files] = std::max(v[disk_image_max_files], static_cast<float>(a.children.size()));
    }
    if ((up.archive || up.disk_image) && script) v[script_in_container] += 1;
    if ((up.archive || up.disk_image) && a.type == FileType::lnk) v[lnk_in_container] += 1;
    if (encrypted(a)) {
      v[encrypted_members] += 1;
      v[opened(a) ? encrypted_opened : encrypted_unopened] += 1;
    }
    if (meta::any_hidden_flag(a)) v[hidden_files] += 1;
    const std::string_view shown = a.display_name();
    if (!shown.empty()) {
      const nm::Claim claim = nm::claim_of(nm::last_extension(shown));
      if (claim == nm::Claim::executable) v[names_executable_claim] += 1;
      if (cls == TypeClass::executable && (claim == nm::Claim::document || claim == nm::Claim::image)) {
        v[names_document_claim_on_executable] += 1;
      }
      if (dots(shown) >= 2) v[names_multiple_dots] += 1;
      if (up.mail_parent) v[mail_named_parts] += 1;
    }
    // One pass over the meta list, no copies: this runs for every artifact of every message.
    for (const Meta& m : a.meta) {
      if (m.key == meta::ioc::url) v[mail_urls] += 1;
      if (m.key == meta::mail::authentication_results) v[mail_has_authentication_results] = 1;
    }
  }
}

std::string digest(std::span<const FeatureInfo> features) {
  std::string all;
  for (const FeatureInfo& f : features) {
    all += f.name;
    all += '\n';
  }
  const Hashes h = core::compute_hashes(ByteView::of(all), kSha256Only);
  return "f1-" + to_hex(std::span<const std::uint8_t>(h.sha256).first(8));
}

}  // namespace

std::vector<std::string> catalog_ids(std::string_view doc) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = doc.find("\n### `", pos)) != std::string_view::npos) {
    const std::size_t start = pos + 6;
    const std::size_t end = doc.find('`', start);
    if (end == std::string_view::npos) break;
    out.emplace_back(doc.substr(start, end - start));
    pos = end;
  }
  return out;
}

FeatureSpace FeatureSpace::builtin() { return from_catalog(embedded::kFindingsMd); }

FeatureSpace FeatureSpace::from_catalog(std::string_view findings_md) {
  FeatureSpace s;
  std::vector<std::string> ids = catalog_ids(findings_md);
  std::erase_if(ids, [](const std::string& id) { return id.starts_with("model."); });
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  s.features_.reserve(std::size(kStructural) + ids.size());
  for (const Def& d : kStructural) s.features_.push_back({std::string(d.name), std::string(d.meaning), std::string(d.range)});
  s.structural_ = s.features_.size();
  for (const std::string& id : ids) {
    s.features_.push_back({"finding." + id, "how many " + id + " findings the rules raised", "0 … ∞"});
  }
  s.finding_ids_ = std::move(ids);
  s.version_ = digest(s.features_);
  return s;
}

std::vector<float> FeatureSpace::extract(const ArtifactTree& tree, std::span<const Finding> findings) const {
  std::vector<float> v(features_.size(), 0.0f);
  structural(tree, findings, std::span<float>(v).first(structural_));
  for (const Finding& f : findings) {
    const auto it = std::lower_bound(finding_ids_.begin(), finding_ids_.end(), f.id);
    if (it != finding_ids_.end() && *it == f.id) v[structural_ + static_cast<std::size_t>(it - finding_ids_.begin())] += 1;
  }
  return v;
}

}  // namespace sluice::model
