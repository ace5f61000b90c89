// How the files inside a mailed image are arranged. The 2020 campaigns and
// their successors share shapes that benign images do not: one or two files of
// which the main one runs; an executable hidden beside a visible decoy; a
// shortcut that starts a system binary on a DLL lying next to it.
#include <algorithm>

#include "analysis/detector.hpp"
#include "core/passwords.hpp"
#include "core/text.hpp"
#include "meta/archive.hpp"
#include "meta/fat.hpp"
#include "meta/groups.hpp"
#include "meta/lnk.hpp"
#include "meta/ole.hpp"
#include "meta/pdf.hpp"
#include "meta/zip.hpp"

namespace sluice::analysis::images {
namespace {

bool filesystem(FileType t) {
  return t == FileType::fat || t == FileType::iso9660 || t == FileType::udf || t == FileType::ntfs ||
         t == FileType::exfat;
}

bool hidden(const Artifact& a) {
  if (meta::any_hidden_flag(a)) return true;
  return std::any_of(a.anomalies.begin(), a.anomalies.end(), [](const Anomaly& an) {
    return an.id == "iso.hidden_file" || an.id == "udf.hidden_file";
  });
}

std::string base_name(std::string_view path) {
  const auto slash = path.find_last_of("/\\");
  if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  if (const auto semi = path.rfind(';'); semi != std::string_view::npos) path = path.substr(0, semi);
  return core::ascii_lower(path);
}

class ImageLayout final : public Detector {
 public:
  std::string_view name() const noexcept override { return "images"; }

  void inspect(const ArtifactTree& tree, FindingSink& sink) const override {
    for (const Artifact& a : tree) {
      if (filesystem(a.type) && a.parent != kNoArtifact) inspect_volume(tree, a, sink);
      std::string pw = a.meta_string(meta::zip::password);
      if (pw.empty()) pw = a.meta_string(meta::archive::password);  // 7z opened by sevenzip_open
      if (pw.empty()) pw = a.meta_string(meta::pdf::password);
      if (pw.empty()) pw = a.meta_string(meta::office::password);
      if (!pw.empty()) {
        message_password(tree, a, pw, sink);
      } else if (a.meta_flag(meta::zip::encrypted) || a.meta_flag(meta::archive::encrypted)) {
        sink.add("archive.encrypted_unopened", Severity::medium, a.id,
                 "encrypted member that no candidate password opened: its content was not scanned",
                 {{"name", std::string(a.display_name())}});
      }
    }
  }

 private:
  static void inspect_volume(const ArtifactTree& tree, const Artifact& vol, FindingSink& sink) {
    std::vector<const Artifact*> files;
    for (ArtifactId c : vol.children) {
      const Artifact& f = tree[c];
      if (!f.names.empty() && !f.meta_flag(meta::fat::deleted)) files.push_back(&f);
    }
    const Artifact* biggest_exe = nullptr;
    for (const Artifact* f : files) {
      if (is_executable(f->type) && (!biggest_exe || f->bytes.size() > biggest_exe->bytes.size())) biggest_exe = f;
    }
    if (biggest_exe != nullptr && files.size() <= 3) {
      sink.add("image.few_files_with_executable", Severity::high, biggest_exe->id,
               "a " + std::string(info(vol.type).description) + " holding " + std::to_string(files.size()) +
                   " file(s), the main one executable",
               {{"files", std::to_string(files.size())}, {"volume", tree.evidence_path(vol.id)}});
    }
    const bool visible_decoy = std::any_of(files.begin(), files.end(), [](const Artifact* f) {
      return !hidden(*f) && !is_executable(f->type);
    });
    const bool visible_lnk = std::any_of(files.begin(), files.end(), [](const Artifact* f) {
      return !hidden(*f) && f->type == FileType::lnk;
    });
    for (const Artifact* f : files) {
      if (hidden(*f) && is_executable(f->type) && (visible_decoy || visible_lnk)) {
        sink.add("image.hidden_executable", Severity::high, f->id,
                 "a hidden " + std::string(info(f->type).description) + " beside visible files in the image",
                 {{"name", std::string(f->display_name())}});
      }
    }
    for (const Artifact* f : files) {
      if (f->type != FileType::lnk) continue;
      const std::string cmd = core::ascii_lower(f->meta_string(meta::lnk::command_line));
      if (cmd.empty()) continue;
      for (const Artifact* sib : files) {
        if (sib == f) continue;
        const std::string sib_name = base_name(sib->display_name());
        if (sib_name.size() < 3 || cmd.find(sib_name) == std::string::npos) continue;
        sink.add("lnk.runs_sibling", Severity::high, f->id,
                 "the shortcut runs \"" + f->meta_string(meta::lnk::command_line) + "\" on " +
                     std::string(sib->display_name()) + " in the same image",
                 {{"sibling", tree.evidence_path(sib->id)}, {"command_line", f->meta_string(meta::lnk::command_line)}});
      }
    }
  }

  // The ZIP opened with a password taken from the message itself: the sender
  // encrypted it so gateways could not look, and told the victim how to open it.
  static void message_password(const ArtifactTree& tree, const Artifact& a, const std::string& pw,
                               FindingSink& sink) {
    // A member carries its archive's password; a PDF or Office file carries its own.
    const bool own = a.parent == kNoArtifact || a.type == FileType::pdf || a.type == FileType::ole2;
    const auto candidates = core::password_candidates(tree, own ? a.id : a.parent);
    const auto defaults = core::default_passwords();
    const bool from_message = std::find(candidates.begin(), candidates.end(), pw) != candidates.end() &&
                              std::find(defaults.begin(), defaults.end(), pw) == defaults.end();
    if (!from_message) return;
    sink.add("archive.password_from_message", Severity::medium, a.id,
             "encrypted member opened with \"" + pw + "\", which the message itself supplies",
             {{"password", pw}});
  }
};

}  // namespace

Status register_detector(Detectors& d, const Config&) {
  d.push_back(std::make_unique<ImageLayout>());
  return {};
}

}  // namespace sluice::analysis::images
