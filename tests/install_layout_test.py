#!/usr/bin/env python3
"""`cmake --install` lays Sluice out so that the installed program reads PDFs
with the installed libsluice-pdf.so (docs/adr/0031), from any working
directory, and never with the build tree's copy: with the plugin taken away,
an installed program reports the PDF unreadable instead of finding the build's.
Pages' scripts run in the installed sluice-script-helper (docs/adr/0042): put
/bin/false in its place and the installed program reports the failed helper."""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile


def scan(program, path, cwd):
    p = subprocess.run([program, "scan", "--format", "json", path], capture_output=True, cwd=cwd, timeout=120)
    if p.returncode not in (0, 1):
        raise AssertionError(f"{program} scan exited {p.returncode}: {p.stderr.decode()[-2000:]}")
    return json.loads(p.stdout)


def ids(report):
    out = [f["id"] for f in report["findings"]]

    def walk(a):
        for x in a.get("anomalies", []):
            out.append(x["id"])
        for c in a.get("children", []):
            walk(c)

    for a in report["artifacts"]:
        walk(a)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    pdf = str(pathlib.Path(args.source) / "tests/fixtures/campaigns/pdf_attached_zip.eml")
    with tempfile.TemporaryDirectory() as prefix, tempfile.TemporaryDirectory() as elsewhere:
        subprocess.run(["cmake", "--install", args.build, "--prefix", prefix], check=True, capture_output=True)
        program = os.path.join(prefix, "bin", "sluice")
        plugins = list(pathlib.Path(prefix).glob("lib*/**/libsluice-pdf.so"))
        if len(plugins) != 1:
            print(f"install_layout: expected one libsluice-pdf.so under {prefix}, found {plugins}")
            return 1
        got = scan(program, pdf, elsewhere)
        if got["verdict"] != "malicious" or "pdf.unreadable" in ids(got):
            print(f"install_layout: the installed sluice did not read the PDF: {got['verdict']} {ids(got)}")
            return 1
        print(f"install_layout: {program} read the PDF with {plugins[0]}: {got['verdict']}")
        # Without its plugin the installed program must not reach into the build tree.
        shutil.move(str(plugins[0]), os.path.join(elsewhere, "libsluice-pdf.so"))
        got = scan(program, pdf, elsewhere)  # the plugin now sits in the working directory: not a place to load from
        if "pdf.unreadable" not in ids(got):
            print(f"install_layout: with its plugin gone the installed sluice still read the PDF: {ids(got)}")
            return 1
        print("install_layout: without its plugin the installed sluice reports pdf.unreadable")
        page = str(pathlib.Path(args.source) / "tests/fixtures/campaigns/smuggling_ms_save_img.eml")
        helpers = list(pathlib.Path(prefix).glob("lib*/**/sluice-script-helper"))
        if len(helpers) != 1 or not os.access(helpers[0], os.X_OK):
            print(f"install_layout: expected one executable sluice-script-helper under {prefix}, found {helpers}")
            return 1
        got = scan(program, page, elsewhere)
        if "html.smuggling" not in ids(got) or "isolation.worker_failed" in ids(got):
            print(f"install_layout: the installed helper did not run the page: {ids(got)}")
            return 1
        shutil.copy("/bin/false", helpers[0])
        got = scan(program, page, elsewhere)
        if "isolation.worker_failed" not in ids(got):
            print(f"install_layout: with /bin/false as its helper the installed sluice still ran the page: {ids(got)}")
            return 1
        print(f"install_layout: pages' scripts ran in {helpers[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
