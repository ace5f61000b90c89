// 7-Zip as a second, independent reader of every disk image (issue #6:
// listings checked against mdir, 7z and fls). For each disk-image fixture, and
// each disk image in ../shared/corpora/images that 7z opens, the files 7z
// extracts from FAT/NTFS volumes and the files Sluice emits from FAT/NTFS/exFAT
// volumes must agree as multisets of (base name, SHA-256). The only
// disagreements allowed are the ones listed below by name, each with its
// reason; a listed disagreement that no longer occurs fails too, so the list
// cannot go stale.
//
// 7z (p7zip 16.02) opens a chain by itself (VHD → MBR → FAT) when each layer
// has one main member; a disk with several partitions stops at the partition
// table and yields `0.NAME.fat`, `1.img` ..., which are extracted again here.
// A disk image stored as a file inside a volume is compared as that file: 7z
// is not asked to open it, so Sluice's view of its inside would show as
// Sluice-only (no fixture or corpus image has one).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "disk_images.hpp"
#include "sluice/engine.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using testing::command_output;
using testing::corpora;
using testing::default_engine;
using testing::fixture;
using testing::read_file;
using testing::sha256_hex;

// Partition tables and virtual disks: what 7z yields from them are disks or
// volumes, extracted again. File systems: what 7z yields are the files compared.
const std::set<std::string, std::less<>> kDiskLayers{"VHD", "VHDX", "MBR", "GPT", "APM"};
const std::set<std::string, std::less<>> kFileSystems{"FAT", "NTFS"};
// Partition → volume → nothing deeper: VHD(X) → MBR/GPT → FAT is depth 2 even
// when 7z stops at every layer.
constexpr int kMaxDepth = 4;
// 7z synthesises `[SYSTEM]/` for NTFS metafiles ($MFT, $LogFile, $Bitmap,
// $Secure:$SDS ...). Sluice skips them by design (src/formats/ntfs/README.md
// "What is skipped"). Not extracted at all: on the 2000 GiB volume they are
// 130 MB of $LogFile and $Bitmap.
constexpr std::string_view kNtfsMetaFolder = "[SYSTEM]";
constexpr std::uint64_t kMaxCorpusBytes = 200ull << 20;

// The agreed disagreements, by image (path under tests/fixtures or under
// corpora/images), side and base name.
struct Disagreement {
  std::string_view image;
  std::string_view side;  // "sluice": only Sluice emits it; "7z": only 7z extracts it
  std::string_view name;
  std::string_view reason;
};
constexpr Disagreement kDisagreements[] = {
    {"fat/deleted.img", "sluice", "Deleted Invoice.exe",
     "deleted FAT entry (0xE5) whose chain Sluice recovers; 7z lists live entries only"},
};

// Images compared only in part, or not at all.
// `chain` is what 7z opens the image as ("Type =" lines, outermost first),
// checked, so an exemption fails once a newer 7z reads what it could not.
struct Exemption {
  std::string_view image;
  std::string_view what;  // "skip": not compared; "sluice-subtree:<locator>": that child of the root ignored
  std::string_view chain;
  std::string_view reason;
};
constexpr Exemption kExemptions[] = {
    {"ntfs/exfat.img.gz", "skip", "", "7z 16.02 has no exFAT reader (\"Cannot open the file as archive\")"},
    {"ntfs/exfat_files.img.gz", "skip", "", "7z 16.02 has no exFAT reader (\"Cannot open the file as archive\")"},
    {"vhd/log_pending.vhdx.gz", "sluice-subtree:disk", "VHDX,FAT",
     "7z does not replay a VHDX log (\"non-empty LOG was not replayed\"); it reads the stored disk, "
     "which Sluice scans as disk@stored beside the replayed disk"},
    {"dfvfs/ext2.vhd", "skip", "VHD,Ext", "VHD holding an Ext2 volume: 7z reads Ext, Sluice has no Ext reader"},
    {"sleuthkit/image.vhd", "skip", "VHD,Ext", "VHD holding an Ext volume: 7z reads Ext, Sluice has no Ext reader"},
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sluice-7z-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool have_7z() { return std::system("command -v 7z >/dev/null 2>&1") == 0; }

// Every "Type = X" of 7z's header blocks, outermost first (the chain it opened).
std::vector<std::string> opened_types(const std::string& out) {
  std::vector<std::string> types;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("Type = ")) types.push_back(line.substr(7));
  }
  return types;
}

using Multiset = std::map<std::pair<std::string, std::string>, int>;  // (base name, sha256) → count

struct SevenZipView {
  std::vector<std::string> outer_types;  // of the image itself; empty: 7z cannot open it
  Multiset files;                        // leaves of FAT/NTFS volumes
  std::vector<std::string> foreign;      // "<type>: name" of leaves from other file systems
};

std::vector<fs::path> regular_files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->symlink_status().type() == fs::file_type::regular) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Breadth-first over what 7z yields: a worklist, bounded by kMaxDepth.
SevenZipView extract_with_7z(const fs::path& image, const fs::path& work) {
  SevenZipView view;
  std::deque<std::pair<fs::path, int>> todo{{image, 0}};
  int run = 0;
  while (!todo.empty()) {
    const auto [file, depth] = todo.front();
    todo.pop_front();
    const fs::path out = work / ("x" + std::to_string(run++));
    // The 2000 GiB fixtures are safe only because 7z opens the GPT / NTFS
    // inside them; a 7z that extracted the raw disk instead would write 2 TB.
    // So every extracted file is capped (ulimit -f: 512 MiB in dash's 512-byte
    // blocks) and every run timed out: the comparison then fails, the disk
    // does not fill.
    const std::string out_text = command_output("ulimit -f 1048576; timeout 120 7z x -y -bd -o" +
                                                quote(out.string()) + " " +
                                                quote("-x!" + std::string(kNtfsMetaFolder)) + " -- " +
                                                quote(file.string()) + " 2>&1");
    const auto types = opened_types(out_text);
    if (depth == 0) view.outer_types = types;
    if (types.empty()) continue;  // a volume 7z cannot read: nothing of it is compared
    const std::string& inner = types.back();
    for (const fs::path& leaf : regular_files_under(out)) {
      if (kFileSystems.contains(inner)) {
        ++view.files[{leaf.filename().string(), sha256_hex(read_file(leaf))}];
      } else if (kDiskLayers.contains(inner) && depth + 1 <= kMaxDepth) {
        todo.emplace_back(leaf, depth + 1);
      } else {
        view.foreign.push_back(inner + ": " + leaf.filename().string());
      }
    }
  }
  return view;
}

constexpr std::string_view kVolumeViews[] = {"fat-8.3", "fat-lfn", "ntfs", "exfat"};

// The root's child above `id` (its locator names the disk view: "disk", "disk@stored").
std::string top_locator(const ArtifactTree& tree, ArtifactId id) {
  ArtifactId cur = id;
  // Bounded by the tree's size: parents always have smaller ids.
  for (std::size_t i = 0; i < tree.size() && tree[cur].parent != kNoArtifact; ++i) {
    if (tree[tree[cur].parent].parent == kNoArtifact) return tree[cur].locator;
    cur = tree[cur].parent;
  }
  return {};
}

struct SluiceView {
  Multiset files;
  int ignored = 0;  // files under an exempted subtree
};

SluiceView sluice_files(std::vector<std::uint8_t> bytes, const std::string& name, std::string_view ignored_top) {
  SluiceView view;
  const ScanResult r = default_engine().scan(std::move(bytes), name);
  for (const Artifact& a : r.tree) {
    if (a.names.empty()) continue;
    const std::string_view v = a.names.front().view;
    if (std::find(std::begin(kVolumeViews), std::end(kVolumeViews), v) == std::end(kVolumeViews)) continue;
    if (!ignored_top.empty() && top_locator(r.tree, a.id) == ignored_top) {
      ++view.ignored;
      continue;
    }
    const std::string& path = a.names.front().value;
    const std::string base = path.substr(path.rfind('/') + 1);
    const std::string sha = a.hashed && !a.hashed_by_extents ? to_hex(a.hashes.sha256)
                                                              : testing::disk::sha256_of(a.bytes);
    ++view.files[{base, sha}];
  }
  return view;
}

struct Tally {
  int images = 0;
  int agreed = 0;
  std::map<std::string, int> by_reason;
  std::vector<std::string> skipped;
  std::vector<std::string> per_image;  // "image: 7z N files, Sluice M files"
};

const Exemption* exemption_for(std::string_view image) {
  for (const Exemption& e : kExemptions) {
    if (e.image == image) return &e;
  }
  return nullptr;
}

// Compares one image; `image` is its key in the tables above.
void compare_image(const std::string& image, const fs::path& path, Tally& tally, std::set<std::string>& used,
                   bool corpus) {
  SCOPED_TRACE(image);
  const Exemption* ex = exemption_for(image);
  TempDir tmp;
  ASSERT_FALSE(tmp.path.empty());
  // 7z reads a file: a gzip'd image is inflated (zlib) into the temp dir first.
  std::vector<std::uint8_t> bytes;
  fs::path on_disk = path;
  if (path.extension() == ".gz") {
    bytes = testing::disk::load(path);
    on_disk = tmp.path / path.stem();
    std::ofstream(on_disk, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  if (corpus || ex != nullptr) {
    const auto types = opened_types(command_output("7z l -- " + quote(on_disk.string()) + " 2>&1"));
    if (ex != nullptr) {
      EXPECT_EQ(joined(types), ex->chain) << "7z opens the exempted image otherwise now";
    }
    // Only disk images: the ISOs, DMGs and split raw files there are other readers' business.
    if (corpus && (types.empty() || (!kDiskLayers.contains(types.front()) && !kFileSystems.contains(types.front())))) {
      EXPECT_EQ(ex, nullptr) << "exempted, but not a disk image 7z opens";
      return;
    }
  }
  if (ex != nullptr) used.insert(std::string(ex->image));
  if (ex != nullptr && ex->what == "skip") {
    tally.skipped.push_back(image + ": " + std::string(ex->reason));
    return;
  }
  if (bytes.empty()) bytes = read_file(path);
  const SevenZipView z = extract_with_7z(on_disk, tmp.path);
  ASSERT_FALSE(z.outer_types.empty()) << "7z cannot open this disk image; list it in kExemptions with the reason";
  EXPECT_TRUE(z.foreign.empty()) << "7z read a file system Sluice does not: " << z.foreign.front();

  std::string_view ignored_top;
  if (ex != nullptr && ex->what.starts_with("sluice-subtree:")) ignored_top = ex->what.substr(15);
  const SluiceView s = sluice_files(std::move(bytes), path.filename().string(), ignored_top);
  if (!ignored_top.empty()) {
    EXPECT_GT(s.ignored, 0) << "exemption " << ex->what << " ignores nothing";
  }
  ++tally.images;
  const auto count = [](const Multiset& m) {
    int n = 0;
    for (const auto& [k, c] : m) n += c;
    return n;
  };
  tally.per_image.push_back(image + ": 7z " + std::to_string(count(z.files)) + ", Sluice " +
                            std::to_string(count(s.files)) + " files");

  // Multiset difference, both ways.
  std::map<std::string, std::vector<std::string>> only;  // side → "name sha"
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& [k, n] : z.files) keys.insert(k);
  for (const auto& [k, n] : s.files) keys.insert(k);
  for (const auto& k : keys) {
    const int nz = z.files.contains(k) ? z.files.at(k) : 0;
    const int ns = s.files.contains(k) ? s.files.at(k) : 0;
    tally.agreed += std::min(nz, ns);
    for (int i = ns; i < nz; ++i) only["7z"].push_back(k.first + "\t" + k.second);
    for (int i = nz; i < ns; ++i) only["sluice"].push_back(k.first + "\t" + k.second);
  }
  for (const auto& [side, entries] : only) {
    for (const std::string& e : entries) {
      const std::string name = e.substr(0, e.find('\t'));
      const Disagreement* d = nullptr;
      for (const Disagreement& c : kDisagreements) {
        if (c.image == image && c.side == side && c.name == name) d = &c;
      }
      if (d == nullptr) {
        ADD_FAILURE() << "only " << side << " has \"" << name << "\" sha256 " << e.substr(e.find('\t') + 1)
                      << " (7z: " << z.files.size() << " distinct files, Sluice: " << s.files.size() << ")";
        continue;
      }
      used.insert(std::string(d->image) + "|" + std::string(d->name));
      ++tally.by_reason[std::string(d->reason)];
    }
  }
}

void print_tally(const char* what, const Tally& t) {
  std::cout << "[7z oracle] " << what << ": " << t.images << " images compared, " << t.agreed
            << " files agreed\n";
  for (const auto& [reason, n] : t.by_reason) std::cout << "  " << n << " x " << reason << "\n";
  for (const auto& s : t.skipped) std::cout << "  skipped " << s << "\n";
  for (const auto& s : t.per_image) std::cout << "  " << s << "\n";
}

// Every listed disagreement/exemption of these images must still occur.
void expect_all_used(const std::set<std::string>& used, bool corpus) {
  for (const Disagreement& d : kDisagreements) {
    const bool is_fixture = fs::exists(fixture(std::string(d.image)));
    if (is_fixture == corpus) continue;
    EXPECT_TRUE(used.contains(std::string(d.image) + "|" + std::string(d.name)))
        << "stale disagreement: " << d.image << " " << d.name;
  }
  for (const Exemption& e : kExemptions) {
    const bool is_fixture = fs::exists(fixture(std::string(e.image)));
    if (is_fixture == corpus) continue;
    EXPECT_TRUE(used.contains(std::string(e.image))) << "stale exemption: " << e.image;
  }
}

TEST(Disk7zOracle, EveryDiskFixtureAgreesWith7z) {
  ASSERT_TRUE(have_7z()) << "7z (p7zip-full, scripts/install-deps.sh) is the oracle";
  Tally tally;
  std::set<std::string> used;
  for (const char* dir : {"fat", "partition", "vhd", "ntfs"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fixture(dir))) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      compare_image(std::string(dir) + "/" + f.filename().string(), f, tally, used, false);
    }
  }
  expect_all_used(used, false);
  print_tally("fixtures", tally);
  // Guards against an oracle that silently yields nothing (a broken 7z call).
  EXPECT_GE(tally.images, 12);
  EXPECT_GE(tally.agreed, 25);
}

TEST(Disk7zOracle, CorpusDiskImagesAgreeWith7z) {
  const fs::path root = corpora();
  if (root.empty() || !fs::is_directory(root / "images")) SLUICE_SKIP_UNLESS_CI() << "../shared/corpora is absent";
  ASSERT_TRUE(have_7z()) << "7z (p7zip-full, scripts/install-deps.sh) is the oracle";
  Tally tally;
  std::set<std::string> used;
  for (const fs::path& f : regular_files_under(root / "images")) {
    if (fs::file_size(f) > kMaxCorpusBytes) continue;
    compare_image(fs::relative(f, root / "images").string(), f, tally, used, true);
  }
  expect_all_used(used, true);
  print_tally("corpus", tally);
  EXPECT_GE(tally.images, 5);
  EXPECT_GE(tally.agreed, 8);  // the rust-fatfs images hold 4 files each
}

}  // namespace
}  // namespace sluice
