#!/usr/bin/python3
"""Seeds for fuzz_office (Office XML parts) and fuzz_office_records (the record
readers of src/formats/office), cut from the committed LibreOffice fixtures in
tests/fixtures/office (tests/fixtures/make_office_fixtures.py) and written
from the specifications:
- office/*.xml: parts of remote_template.docx, follina.docx and figures.xlsx
  (relationships, settings, document, workbook, sheet, content types), plus an
  Excel 2003 XML cell with a DDE formula and a Word field split across runs,
  written here;
- office_records/: the Workbook stream of figures.xls (BIFF8, read with
  olefile), the WordDocument stream of letter.doc, the two compressed
  containers of [MS-OVBA] 3.2.1 and 3.2.2, and a Standard EncryptionInfo
  header laid out per [MS-OFFCRYPTO] 2.3.4.5 with a 16-byte salt.
Run: fuzz/make_office_seeds.py (Debian python3-olefile).
"""
import os
import struct
import zipfile

import olefile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures", "office")
SEEDS = os.path.join(ROOT, "fuzz", "seeds")


def write(folder, name, data):
    os.makedirs(os.path.join(SEEDS, folder), exist_ok=True)
    with open(os.path.join(SEEDS, folder, name), "wb") as f:
        f.write(data)


def main():
    parts = {
        "remote_template.docx": ["word/_rels/settings.xml.rels", "word/settings.xml", "[Content_Types].xml"],
        "follina.docx": ["word/_rels/document.xml.rels", "word/document.xml"],
        "figures.xlsx": ["xl/workbook.xml", "xl/worksheets/sheet1.xml"],
    }
    for doc, names in parts.items():
        with zipfile.ZipFile(os.path.join(FIX, doc)) as z:
            for n in names:
                safe = doc.split(".")[0] + "_" + n.replace("/", "_").replace("[", "").replace("]", "")
                write("office", safe, z.read(n))
    write("office", "excel2003_dde.xml", b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
          b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
          b'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table><Row>'
          b'<Cell ss:Formula="=cmd|\'/c calc.exe\'!A1"><Data ss:Type="Number">0</Data></Cell>'
          b'</Row></Table></Worksheet></Workbook>\n')
    write("office", "word_split_field.xml", b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
          b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r>'
          b'<w:instrText> DDE</w:instrText></w:r><w:r><w:instrText>AUTO c:\\\\windows\\\\system32\\\\cmd.exe '
          b'"/k calc.exe"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t>'
          b'</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:body></w:document>\n')

    with olefile.OleFileIO(os.path.join(FIX, "figures.xls")) as ole:
        write("office_records", "biff8_workbook.bin", ole.openstream("Workbook").read())
    with olefile.OleFileIO(os.path.join(FIX, "letter.doc")) as ole:
        write("office_records", "word_document.bin", ole.openstream("WordDocument").read())
    write("office_records", "ovba_literal.bin", bytes.fromhex(
        "0119b000616263646566676800696a6b6c6d6e6f7000717273747576 2e".replace(" ", "")))
    write("office_records", "ovba_copy_tokens.bin", bytes.fromhex(
        "012fb00023616161626364656582660070616768696a01380861"
        "6b6c00306d6e6f700671027004107273747576107778797a003c"))
    # Standard encryption (version 3.2, fCryptoAPI|fAES), AES-128, SHA-1.
    csp = "Microsoft Enhanced RSA and AES Cryptographic Provider\0".encode("utf-16-le")
    header = struct.pack("<IIIIIIII", 0x24, 0, 0x660E, 0x8004, 128, 0x18, 0, 0) + csp
    verifier = struct.pack("<I", 16) + bytes(range(16)) + bytes(16) + struct.pack("<I", 20) + bytes(32)
    write("office_records", "encryption_info_standard.bin",
          struct.pack("<HHI", 3, 2, 0x24) + struct.pack("<I", len(header)) + header + verifier)


if __name__ == "__main__":
    main()
