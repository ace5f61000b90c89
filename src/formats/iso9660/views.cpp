#include "formats/iso9660/views.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace sluice::formats::iso9660 {
namespace {

// Extents, size, and whether it is an ECMA-119 associated file: an associated
// file never merges with its owner, even when a writer points both at one extent.
using ExtentKey =
    std::tuple<std::vector<std::tuple<std::uint64_t, std::uint64_t, bool>>, std::uint64_t, bool>;

bool is_session(const std::string& v) { return v.find('@') != std::string::npos; }

// Names as a reader compares them: ISO 9660 ";1" versions and a bare trailing
// dot dropped, case folded (Windows is case-insensitive).
std::string normalise(std::string_view path) {
  std::string out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string part(path.substr(start, end - start));
    if (const auto semi = part.rfind(';'); semi != std::string::npos) part.erase(semi);
    if (!part.empty() && part.back() == '.') part.pop_back();
    for (char& c : part) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (!part.empty()) out += "/" + part;
    start = end + 1;
  }
  return out;
}

std::string leaf(const std::string& normalised) {
  const auto slash = normalised.rfind('/');
  return slash == std::string::npos ? normalised : normalised.substr(slash + 1);
}

// The extension as an ISO 9660 writer would have to spell it: d-characters only
// (others become '_'), so "HTM" from "html" and "_" from "é" are not lies.
std::string d_extension(const std::string& leaf_name) {
  const auto dot = leaf_name.rfind('.');
  if (dot == std::string::npos) return {};
  std::string e = leaf_name.substr(dot + 1);
  for (char& c : e) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  }
  return e;
}

// ISO 9660 level 1 keeps 8.3 upper-case d-characters, so mastering tools
// (genisoimage, mkisofs, ImgBurn) shorten "Meeting_Agenda.pdf" to
// "MEETING_.PDF" and may append a digit or "~N" to keep names unique. That is
// the format's rule, not a trick: only names that are not such a shortening
// of one another are reported. Both paths are normalised (upper case, no ";1").
bool is_shortening(std::string_view shorter, std::string_view longer) {
  auto split_ext = [](std::string_view n) {
    const auto dot = n.rfind('.');
    return dot == std::string_view::npos ? std::pair{n, std::string_view{}}
                                         : std::pair{n.substr(0, dot), n.substr(dot + 1)};
  };
  auto d_chars = [](std::string_view n) {
    std::string o;
    for (char c : n) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      o.push_back(ok ? c : '_');
    }
    return o;
  };
  std::size_t a = 0, b = 0;
  while (true) {
    const std::size_t ae = std::min(shorter.find('/', a + 1), shorter.size());
    const std::size_t be = std::min(longer.find('/', b + 1), longer.size());
    const std::string_view sc = shorter.substr(a, ae - a), lc = longer.substr(b, be - b);
    if (sc != lc) {
      const auto [sb, sx] = split_ext(sc);
      const auto [lb, lx] = split_ext(lc);
      std::string sbase(sb);
      // "~1" or trailing digits added for uniqueness.
      if (const auto t = sbase.find('~'); t != std::string::npos) sbase.erase(t);
      while (sbase.size() > 1 && lb.size() > sbase.size() && sbase.back() >= '0' && sbase.back() <= '9' &&
             d_chars(lb).rfind(sbase, 0) != 0) {
        sbase.pop_back();
      }
      const std::string lbase = d_chars(lb), lext = d_chars(lx);
      if (sbase.empty() || lbase.rfind(d_chars(sbase), 0) != 0) return false;
      if (lext.rfind(d_chars(sx), 0) != 0 || (sx.empty() != lx.empty())) return false;
    }
    if (ae >= shorter.size() || be >= longer.size()) return ae >= shorter.size() && be >= longer.size();
    a = ae;
    b = be;
  }
}

bool same_extension(const std::string& a, const std::string& b) {
  const std::string ea = d_extension(a), eb = d_extension(b);
  if (ea == eb) return true;
  // ISO 9660 level 1 keeps three characters of the extension.
  const auto& shorter = ea.size() < eb.size() ? ea : eb;
  const auto& longer = ea.size() < eb.size() ? eb : ea;
  return shorter.size() == 3 && longer.starts_with(shorter);
}

}  // namespace

int view_rank(const std::string& v) {
  if (v == "udf") return 0;
  if (v.starts_with("joliet")) return v == "joliet" ? 1 : 2;
  if (v == "iso9660") return 3;
  if (v == "iso9660-svd") return 4;
  if (v == "rockridge") return 5;
  if (v == "eltorito") return 6;
  if (v == "udf-stream") return 7;
  return is_session(v) ? 8 : 9;
}

namespace {

// One MergedFile per distinct content (extents, size, fork) across the views,
// holding every view's names, meta and notes for it; empty files are one file
// per name.
std::vector<MergedFile> collect(const std::vector<const View*>& views) {
  std::vector<MergedFile> out;
  std::map<ExtentKey, std::size_t> by_extent;
  std::map<std::string, std::size_t> empty_by_name;
  for (const View* v : views) {
    for (const FileRecord& f : v->files) {
      std::size_t idx = 0;
      if (f.size == 0 || f.extents.empty()) {
        // Empty files share no bytes: they are the same file only by name.
        const std::string key = normalise(f.path);
        auto [it, fresh] = empty_by_name.try_emplace(key, out.size());
        if (fresh) out.push_back(MergedFile{{}, 0, {}, {}, false, f.record_offset, {}, {}, std::nullopt});
        idx = it->second;
      } else {
        ExtentKey key;
        for (const Extent& e : f.extents) std::get<0>(key).emplace_back(e.offset, e.length, e.sparse);
        std::get<1>(key) = f.size;
        std::get<2>(key) = f.associated;
        auto [it, fresh] = by_extent.try_emplace(std::move(key), out.size());
        if (fresh) out.push_back(MergedFile{f.extents, f.size, {}, {}, false, f.record_offset, {}, {}, std::nullopt});
        idx = it->second;
      }
      MergedFile& m = out[idx];
      const Name n{v->name, f.path};
      if (std::none_of(m.names.begin(), m.names.end(),
                       [&](const Name& x) { return x.view == n.view && x.value == n.value; })) {
        m.names.push_back(n);
      }
      if (std::find(m.views.begin(), m.views.end(), v->name) == m.views.end()) {
        m.views.push_back(v->name);
      }
      m.hidden = m.hidden || (f.hidden && !v->name.starts_with("udf"));  // UDF reports its own
      for (const Meta& x : f.meta) {
        if (std::none_of(m.meta.begin(), m.meta.end(), [&](const Meta& y) { return y.key == x.key; })) {
          m.meta.push_back(x);
        }
      }
      if (!m.zisofs) m.zisofs = f.zisofs;
      // The same note from the ISO 9660, Joliet and Rock Ridge records of one file is said once.
      for (const Anomaly& a : f.anomalies) {
        if (std::none_of(m.issues.list.begin(), m.issues.list.end(), [&](const Anomaly& x) {
              return x.id == a.id && x.message == a.message;
            })) {
          m.issues.list.push_back(a);
        }
      }
    }
  }
  return out;
}

// What the compared views disagree on for each file: listed by some and not
// others, or under names whose extension or spelling differ. Returns the
// files under each normalised name, for the content comparison.
std::map<std::string, std::set<std::size_t>> compare_views(std::vector<MergedFile>& out,
                                                           const std::vector<std::string>& compared) {
  // The tree Windows' Explorer shows: UDF, else the first Joliet, else ISO 9660.
  const std::string windows = compared.empty() ? "" : compared.front();
  std::map<std::string, std::set<std::size_t>> by_name;
  for (std::size_t i = 0; i < out.size(); ++i) {
    MergedFile& m = out[i];
    std::vector<std::string> present, absent;
    for (const std::string& c : compared) {
      (std::find(m.views.begin(), m.views.end(), c) != m.views.end() ? present : absent).push_back(c);
    }
    if (present.empty()) {
      if (std::any_of(m.views.begin(), m.views.end(), is_session)) {
        m.issues.anomaly("iso.earlier_session_file", Severity::medium, m.record_offset,
                         "listed only by an earlier session: the current directory tree hides it, "
                         "its bytes are still on the disc");
      }
      continue;
    }
    // An empty file hides nothing (Joliet lists Rock Ridge symlinks as empty files).
    if (!absent.empty() && m.size > 0) {
      std::string msg = "listed by";
      for (const auto& p : present) msg += " " + p;
      msg += " but absent from";
      for (const auto& a : absent) msg += " " + a;
      msg += present.front() == windows ? " (Windows shows it; other readers do not)"
                                        : " (hidden from Windows, which reads " + windows + ")";
      m.issues.anomaly("iso.view_missing", Severity::high, m.record_offset, msg);
    }
    // Compare the name Windows shows with the first name of every other
    // compared view (hard links give one view several names for one extent).
    const Name* first = nullptr;
    std::set<std::string> seen_views;
    for (const Name& n : m.names) {
      if (std::find(compared.begin(), compared.end(), n.view) == compared.end()) continue;
      by_name[normalise(n.value)].insert(i);
      if (!seen_views.insert(n.view).second) continue;
      if (first == nullptr) {
        first = &n;
        continue;
      }
      const std::string a = normalise(first->value), b = normalise(n.value);
      if (a == b) continue;
      if (!same_extension(leaf(a), leaf(b))) {
        m.issues.anomaly("iso.view_extension_mismatch", Severity::high, m.record_offset,
                         first->view + " calls it '" + first->value + "', " + n.view + " '" +
                             n.value + "': the extension differs between views");
      } else if (!is_shortening(b, a) && !is_shortening(a, b)) {
        m.issues.anomaly("iso.view_name_mismatch", Severity::low, m.record_offset,
                         first->view + " calls it '" + first->value + "', " + n.view + " '" +
                             n.value + "'");
      }
    }
  }
  return by_name;
}

// One name, different bytes: each view shows another file under it.
void content_mismatch(std::vector<MergedFile>& out, const std::map<std::string, std::set<std::size_t>>& by_name) {
  for (const auto& [name, files] : by_name) {
    if (files.size() < 2) continue;
    for (const std::size_t i : files) {
      out[i].issues.anomaly("iso.view_content_mismatch", Severity::high, out[i].record_offset,
                            "'" + name + "' has different content in different views");
    }
  }
}

// Extents past the image, and distinct files sharing bytes.
void check_extents(std::vector<MergedFile>& out, const std::vector<std::string>& compared,
                   std::uint64_t image_size) {
  // Overlap: distinct files sharing bytes. El Torito images and earlier
  // sessions legitimately alias files, so only files of compared views count.
  struct Span {
    std::uint64_t begin, end;
    std::size_t file;
  };
  std::vector<Span> spans;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const MergedFile& m = out[i];
    bool listed = false;
    for (const auto& v : m.views) {
      listed = listed || std::find(compared.begin(), compared.end(), v) != compared.end();
    }
    for (const Extent& e : m.extents) {
      if (e.offset > image_size || e.length > image_size - e.offset) {
        out[i].issues.anomaly("iso.extent_past_end", Severity::medium, e.offset,
                              "an extent of " + std::to_string(e.length) + " bytes at " +
                                  std::to_string(e.offset) + " runs past the end of the image (" +
                                  std::to_string(image_size) + " bytes)");
      }
      if (listed && !e.sparse && e.length > 0) spans.push_back(Span{e.offset, e.offset + std::min(e.length, UINT64_MAX - e.offset), i});
    }
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  std::set<std::size_t> overlapping;
  std::uint64_t reach = 0;
  std::size_t reach_file = SIZE_MAX;
  for (const Span& s : spans) {
    if (reach_file != SIZE_MAX && s.begin < reach && s.file != reach_file) {
      overlapping.insert(s.file);
      overlapping.insert(reach_file);
    }
    if (s.end > reach) {
      reach = s.end;
      reach_file = s.file;
    }
  }
  for (const std::size_t i : overlapping) {
    out[i].issues.anomaly("iso.extent_overlap", Severity::medium, out[i].record_offset,
                          "this file's bytes overlap another file's");
  }
}

}  // namespace

std::vector<MergedFile> merge_views(const std::vector<View>& in, std::uint64_t image_size) {
  std::vector<const View*> views;
  for (const View& v : in) views.push_back(&v);
  std::stable_sort(views.begin(), views.end(),
                   [](const View* a, const View* b) { return view_rank(a->name) < view_rank(b->name); });
  std::vector<MergedFile> out = collect(views);
  std::vector<std::string> compared;
  for (const View* v : views) {
    if (v->compared) compared.push_back(v->name);
  }
  content_mismatch(out, compare_views(out, compared));
  check_extents(out, compared, image_size);
  return out;
}

}  // namespace sluice::formats::iso9660
