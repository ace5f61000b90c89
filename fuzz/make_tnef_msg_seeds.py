#!/usr/bin/python3
"""Writes the hand-made seeds in fuzz/seeds/tnef and fuzz/seeds/msg (small,
deterministic, no corpus bytes). Each seed reaches a different path of the
TNEF and .msg unpackers; the hostile ones carry the damage the tests name.
Run from the repository root: python3 fuzz/make_tnef_msg_seeds.py
"""
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent / "seeds"

# MS-OXRTFCP 3.1.1: the specification's compressed RTF example.
RTF = bytes.fromhex("2d0000002b0000004c5a4675f1c5c7a703000a0072637067313235423"
                    "20af32068656c0900206277 05b06c647d0a800fa0".replace(" ", ""))


def attr(level, tag, data, delta=0):
    return struct.pack("<BII", level, tag, len(data)) + data + struct.pack("<H", (sum(data) + delta) & 0xFFFF)


def props(items):
    out = struct.pack("<I", len(items))
    for typ, pid, value in items:
        out += struct.pack("<HH", typ, pid)
        if pid >= 0x8000:  # named: GUID, kind 1, UTF-16 name
            name = "X-Seed\0".encode("utf-16-le")
            out += bytes(16) + struct.pack("<II", 1, len(name)) + name + bytes(-len(name) % 4)
        if typ in (0x1E, 0x1F, 0x102, 0x0D):
            out += struct.pack("<II", 1, len(value)) + value + bytes(-len(value) % 4)
        else:
            out += value
    return out


def tnef(body, key=0x1234):
    return struct.pack("<IH", 0x223E9F78, key) + body


def tnef_seeds():
    att = (attr(2, 0x00069002, bytes(14)) + attr(2, 0x00018010, b"INVOIC~1.PDF\0") +
           attr(2, 0x0006800F, b"%PDF-1.4 seed\n") +
           attr(2, 0x00069005, props([(0x1F, 0x3707, "invoice.pdf\0".encode("utf-16-le")),
                                      (0x1E, 0x370E, b"application/pdf\0"),
                                      (0x03, 0x3705, struct.pack("<I", 1))])))
    msgprops = props([(0x1F, 0x0037, "Seed subject password: 1234\0".encode("utf-16-le")),
                      (0x1E, 0x1000, b"Body text\0"),
                      (0x102, 0x1009, RTF),
                      (0x1F, 0x8001, "named\0".encode("utf-16-le")),
                      # multi-valued binary: count, then each value's length and bytes
                      (0x1102, 0x1234, struct.pack("<II", 2, 1) + b"a\0\0\0" + struct.pack("<I", 1) + b"b\0\0\0")])
    good = tnef(attr(1, 0x00018004, b"Seed\0") + attr(1, 0x00069003, msgprops) + att)
    inner = tnef(attr(2, 0x00069002, bytes(14)) + attr(2, 0x0006800F, b"inner"))
    iid_message = bytes.fromhex("0703020000000000c000000000000046")
    embedded = tnef(attr(2, 0x00069002, bytes(14)) +
                    attr(2, 0x00069005, props([(0x0D, 0x3701, iid_message + inner)])))
    return {
        "attachment_rtf.tnef": good,
        "embedded_message.tnef": embedded,
        "bad_checksum.tnef": tnef(attr(1, 0x00018004, b"x\0", 1) + attr(2, 0x0006800F, b"data")),
        "truncated.tnef": good[:len(good) - 40],
        "absurd_length.tnef": tnef(struct.pack("<BII", 2, 0x0006800F, 0xFFFFFFFF) + b"A" * 16),
        "name_conflict.tnef": tnef(attr(2, 0x00069002, bytes(14)) + attr(2, 0x00018010, b"doc.pdf\0") +
                                   attr(2, 0x0006800F, b"MZ") +
                                   attr(2, 0x00069005, props([(0x1E, 0x3707, b"doc.pdf.exe\0")]))),
    }


def cfb(entries, streams, fat_patch=None):
    """A version-3 compound file: sector 0 FAT, 1 directory, 2.. stream data."""
    sectors, start = [], 2
    for data in streams:
        n = max(1, -(-len(data) // 512))
        sectors.append((start, n))
        start += n
    fat = [0xFFFFFFFF] * 128
    fat[0], fat[1] = 0xFFFFFFFD, 0xFFFFFFFE
    body = b""
    for (start, n), data in zip(sectors, streams):
        for k in range(n):
            fat[start + k] = start + k + 1 if k + 1 < n else 0xFFFFFFFE
        body += data + bytes(n * 512 - len(data))
    for at, value in (fat_patch or {}).items():
        fat[at] = value
    header = bytearray(512)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    directory = b""
    for name, typ, left, right, child, stream in entries:
        e = bytearray(128)
        raw = (name + "\0").encode("utf-16-le")
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), typ, 1)
        struct.pack_into("<III", e, 68, left, right, child)
        start, size = (sectors[stream][0], len(streams[stream])) if stream is not None else (0xFFFFFFFE, 0)
        struct.pack_into("<II", e, 116, start, size)
        directory += bytes(e)
    directory += bytes(512 - len(directory))
    return bytes(header) + b"".join(struct.pack("<I", v) for v in fat) + directory + body


def msg_seeds():
    N = 0xFFFFFFFF
    payload = b"MZ harmless seed attachment" + bytes(4096)
    entries = [
        ("Root Entry", 5, N, N, 1, None),
        ("__attach_version1.0_#00000000", 1, N, 3, 2, None),
        ("__substg1.0_37010102", 2, N, N, N, 0),
        ("__substg1.0_0037001F", 2, N, N, N, 1),
    ]
    streams = [payload, "Seed subject\0".encode("utf-16-le").ljust(4096, b"\0")]
    good = cfb(entries, streams)
    cyc_dir = list(entries)
    cyc_dir[3] = ("__substg1.0_0037001F", 2, 1, N, N, 1)  # back to the attachment storage
    return {
        "attachment.msg": good,
        "fat_cycle.msg": cfb(entries, streams, {5: 3}),
        "directory_cycle.msg": cfb(cyc_dir, streams),
        "truncated.msg": good[:2000],
    }


def ole_seeds():
    """OLE2 documents with an OLE Package (ObjectPool/_1/\\x01Ole10Native), and a
    PowerPoint Document stream holding the same compound file compressed."""
    import zlib
    N = 0xFFFFFFFF
    data = b"MZ harmless seed program" + bytes(4096)
    temp = b"C:\\Temp\\Invoice.exe\0"
    native = (struct.pack("<H", 2) + b"Invoice.pdf\0" + b"C:\\x\\Invoice.exe\0" +
              struct.pack("<II", 0x00030000, len(temp)) + temp + struct.pack("<I", len(data)) + data)
    stream = struct.pack("<I", len(native)) + native
    entries = [
        ("Root Entry", 5, N, N, 1, None),
        ("ObjectPool", 1, N, N, 2, None),
        ("_1", 1, N, N, 3, None),
        ("\x01Ole10Native", 2, N, N, N, 0),
    ]
    doc = cfb(entries, [stream])
    packed = zlib.compress(doc)
    record = struct.pack("<HHI", 0x0010, 0x1011, 4 + len(packed)) + struct.pack("<I", len(doc)) + packed
    record += bytes(max(0, 4096 - len(record)))  # past the mini-stream cutoff, as cfb() writes no mini stream
    ppt = cfb([("Root Entry", 5, N, N, 1, None), ("PowerPoint Document", 2, N, N, N, 0)], [record])
    return {
        "package.doc": doc,
        "package_truncated.doc": cfb(entries, [stream[:600]]),
        "compressed_object.ppt": ppt,
    }


def main():
    for folder, seeds in (("tnef", tnef_seeds()), ("msg", msg_seeds()), ("ole", ole_seeds())):
        d = ROOT / folder
        d.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (d / name).write_bytes(data)


if __name__ == "__main__":
    main()
