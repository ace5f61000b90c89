#!/usr/bin/env bash
# Builds data/icons/reference.tsv (the document-icon reference set compiled into
# Sluice) and data/icons/LICENSES.md from freely licensed Debian 12 icon themes.
#
#   data/icons/make_reference.sh [path/to/sluice-icon-hash]
#
# The hashes come from sluice-icon-hash (apps/icon-hash), which links the very
# code a scan runs (src/formats/icon), so reference and scan-time hashes cannot
# drift. SVG-only sizes are rendered with rsvg-convert (librsvg2-bin).
# Categories: pdf, document, spreadsheet, image, folder, archive (what a lure
# wants its program to look like) and "executable" (generic program icons: a
# negative reference, so an ordinary program's icon lands nearer to it than to
# a document). Re-running with the same package versions gives the same file.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
HASHER="${1:-$ROOT/build/dev/sluice-icon-hash}"
[ -x "$HASHER" ] || { echo "build sluice-icon-hash first (or pass its path)" >&2; exit 1; }

PACKAGES=(adwaita-icon-theme gnome-icon-theme breeze-icon-theme papirus-icon-theme
          elementary-xfce-icon-theme oxygen-icon-theme tango-icon-theme mate-icon-theme librsvg2-bin)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 - "$HASHER" "$WORK" "$HERE" <<'PYEOF'
import os, re, subprocess, sys, collections

hasher, work, out_dir = sys.argv[1:4]
THEMES = [  # folder under /usr/share/icons, Debian package
    ("Adwaita", "adwaita-icon-theme"), ("gnome", "gnome-icon-theme"), ("breeze", "breeze-icon-theme"),
    ("Papirus", "papirus-icon-theme"), ("elementary-xfce", "elementary-xfce-icon-theme"),
    ("oxygen", "oxygen-icon-theme"), ("Tango", "tango-icon-theme"), ("mate", "mate-icon-theme"),
]
CATEGORIES = {
    "pdf": ["application-pdf", "application-x-pdf", "gnome-mime-application-pdf"],
    "document": ["x-office-document", "application-msword",
                 "application-vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "application-vnd.oasis.opendocument.text", "application-rtf", "text-x-generic"],
    "spreadsheet": ["x-office-spreadsheet", "application-vnd.ms-excel",
                    "application-vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    "image": ["image-x-generic", "image-jpeg", "image-png"],
    "folder": ["folder", "inode-directory"],
    "archive": ["package-x-generic", "application-zip", "application-x-archive"],
    "executable": ["application-x-executable", "application-x-ms-dos-executable", "utilities-terminal",
                   "system-run", "applications-system", "preferences-system", "application-x-addon"],
}
NAME_CAT = {n: c for c, names in CATEGORIES.items() for n in names}
TARGETS = [32, 48, 256]  # Explorer's list/medium views and the Vista+ large icon

def folder_size(path):
    for part in reversed(path.split("/")):
        if "@" in part:
            return None          # HiDPI duplicates of a smaller size
        m = re.fullmatch(r"(\d+)(?:x\d+)?", part)
        if m:
            return int(m.group(1))
        if part in ("scalable",):
            return 0             # any size
    return None

def licence(pkg):
    text = open(f"/usr/share/doc/{pkg}/copyright", encoding="utf-8", errors="replace").read()
    lic = sorted({l.split(":", 1)[1].strip() for l in text.splitlines() if l.startswith("License:")})
    return lic

rows = []
licences = {}
n = 0
for theme, pkg in THEMES:
    base = f"/usr/share/icons/{theme}"
    licences[theme] = (pkg, licence(pkg))
    found = collections.defaultdict(list)  # name -> [(size, path)]
    for d, _, files in os.walk(base, followlinks=True):
        if "symbolic" in d:
            continue
        for f in files:
            stem, ext = os.path.splitext(f)
            if ext not in (".png", ".svg") or stem not in NAME_CAT:
                continue
            s = folder_size(os.path.relpath(os.path.join(d, f), base))
            if s is None or (s and s < 32):
                continue
            found[stem].append((s, ext, os.path.join(d, f)))
    seen = set()
    for name in sorted(found):
        cands = sorted(found[name])
        for t in TARGETS:
            pngs = [c for c in cands if c[1] == ".png" and c[0] >= t]
            svgs = [c for c in cands if c[1] == ".svg" and (c[0] == 0 or c[0] >= min(t, 64))]
            exact = [c for c in pngs if c[0] == t]
            if exact:
                src, size, render = exact[0][2], t, False
            elif svgs:
                src, size, render = svgs[-1][2] if t > 64 else svgs[0][2], t, True
            elif pngs and t == 256:
                src, size, render = pngs[-1][2], pngs[-1][0], False   # the largest raster
            else:
                continue
            key = (os.path.realpath(src), size)
            if key in seen:      # one file under several names (symlinks): hash it once
                continue
            seen.add(key)
            if render:
                n += 1
                dst = os.path.join(work, f"{n}.png")
                subprocess.run(["rsvg-convert", "-w", str(t), "-h", str(t), "-o", dst, src], check=True)
                src = dst
            rows.append([src, NAME_CAT[name], theme, size, name])

out = subprocess.run([hasher] + [r[0] for r in rows], capture_output=True, text=True)
hashes = {}
for line in out.stdout.splitlines():
    ph, dh, hue, w, h, path = line.split("\t", 5)
    hashes[path] = (ph, dh, hue, int(w))
lines = []
for src, cat, theme, size, name in rows:
    if src not in hashes:
        print(f"skipped (undecodable): {theme} {name} {size}", file=sys.stderr)
        continue
    ph, dh, hue, w = hashes[src]
    lic = f"{licences[theme][0]} (LICENSES.md)"   # the package; its licences are listed there
    lines.append(f"{ph}\t{dh}\t{hue}\t{cat}\t{theme}\t{w}\t{name}\t{lic}")
lines.sort(key=lambda l: (l.split("\t")[3], l.split("\t")[4], l.split("\t")[6], int(l.split("\t")[5])))
with open(os.path.join(out_dir, "reference.tsv"), "w") as f:
    f.write("# Generated by data/icons/make_reference.sh - do not edit. Document-type icons of Debian icon\n")
    f.write("# themes (licences: LICENSES.md), hashed by sluice-icon-hash (src/formats/icon/hash.hpp).\n")
    f.write("# phash\tdhash\thue\tcategory\ttheme\tsize\tname\tlicence\n")
    f.write("\n".join(lines) + "\n")
with open(os.path.join(out_dir, "LICENSES.md"), "w") as f:
    f.write("# Licences of the reference icons\n\n")
    f.write("`reference.tsv` holds perceptual hashes (64-bit pHash, 64-bit dHash, a hue bin) of icons\n")
    f.write("from these Debian 12 packages, not the images. The licences below are the `License:`\n")
    f.write("fields of each package's `/usr/share/doc/<package>/copyright`, as `make_reference.sh`\n")
    f.write("read them; the copyright files themselves are authoritative.\n\n")
    f.write("| theme | Debian package | version | licences |\n|---|---|---|---|\n")
    for theme, (pkg, lic) in licences.items():
        ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True).stdout
        f.write(f"| {theme} | {pkg} | {ver} | {'; '.join(lic)} |\n")
print(f"{len(lines)} reference hashes", file=sys.stderr)
PYEOF
