#!/usr/bin/env python3
"""Carries the index fuzz corpus from format version 1 to version 2 (FORMAT.md, "Changes from
version 1"): a one-off, kept to show how corpus/index/ was made.

    tests/fuzz/corpus_v1_to_v2.py tests/fuzz/corpus/index

Each input is a mode byte and an index file (fuzz_index.c). A version-1 file whose header and
section table lie inside the file gets its FWD_INDEX and KEY_INDEX (n + 1 u64 offsets)
rewritten as offset tables, its sections laid out again, and version 2; every other byte of
every section is kept, so the mutations the fuzzer found stay. A checksum, the file size or
the table CRC that matched before is recomputed, one that did not is kept (still wrong). A
file whose table cannot be read only gets version 2 (and its header CRC, when it matched).
Files that are not version 1 are left alone. Converted files are renamed to the SHA-1 of
their content, as libFuzzer names them; files with other names keep their name.
"""
import hashlib
import os
import re
import struct
import sys
import zlib

BLOCK = 14  # records per offset-table block in version 2 (28 since version 4)
OFFSET_TABLES = (7, 12)  # FWD_INDEX, KEY_INDEX


def crc(b):
    return zlib.crc32(b) & 0xFFFFFFFF


def offset_table(v1):
    """n + 1 u64 offsets -> the version-2 offset table of n records (ends mod 2^32)."""
    e = struct.unpack("<%dQ" % (len(v1) // 8), v1)
    out = bytearray()
    base = 0
    for i in range(len(e) - 1):
        if i % BLOCK == 0:
            base = e[i]
            out += struct.pack("<Q", base)
        out += struct.pack("<I", (e[i + 1] - base) & 0xFFFFFFFF)
    return bytes(out)


def bump_version(b, version=2):
    h = bytearray(b)
    ok = crc(h[:60]) == struct.unpack_from("<I", h, 60)[0]
    struct.pack_into("<I", h, 8, version)
    if ok:
        struct.pack_into("<I", h, 60, crc(h[:60]))
    return bytes(h)


def lay_out(b, entries, sections, version):
    """The file b with its sections replaced by sections[i] (entry i of its table) and laid
    out again, in format version; checksums that matched b's bytes are recomputed. entries
    may list more sections than b's table (added ones: offset len(b), length 0, CRC 0)."""
    fsize, toff, n, tcrc = struct.unpack_from("<QQII", b, 16)
    out = bytearray(64)
    new = [None] * len(entries)
    for i in sorted(range(len(entries)), key=lambda i: entries[i][2]):
        _sid, _flags, off, length, scrc, _res = entries[i]
        data = sections[i]
        out += bytes(-len(out) % 64)
        new[i] = (len(out), len(data),
                  crc(data) if crc(b[off:off + length]) == scrc else scrc)
        out += data
    out += bytes(-len(out) % 64)
    table = bytearray()
    for e, (off, length, scrc) in zip(entries, new):
        table += struct.pack("<IIQQII", e[0], e[1], off, length, scrc, e[5])
    new_toff = len(out)
    out += table
    h = bytearray(b[:64])
    struct.pack_into("<I", h, 8, version)
    struct.pack_into("<Q", h, 16, len(out) if fsize == len(b) else fsize)
    struct.pack_into("<Q", h, 24, new_toff)
    struct.pack_into("<I", h, 32, len(entries))
    struct.pack_into("<I", h, 36, crc(table) if crc(b[toff:toff + 32 * n]) == tcrc else tcrc)
    struct.pack_into("<I", h, 60, crc(h[:60]) if crc(b[:60]) == struct.unpack_from("<I", b, 60)[0]
                     else struct.unpack_from("<I", b, 60)[0])
    out[:64] = h
    return bytes(out)


def table_of(b):
    """The section table entries of b, or None when the header or a section lies outside."""
    toff, n = struct.unpack_from("<QI", b, 24)
    if not (1 <= n <= 1024 and toff >= 64 and toff % 64 == 0 and toff + 32 * n <= len(b)):
        return None
    entries = [list(struct.unpack_from("<IIQQII", b, toff + 32 * i)) for i in range(n)]
    if any(off > len(b) or off + length > len(b) for _, _, off, length, _, _ in entries):
        return None
    return entries


def convert(b):
    """The version-2 form of index bytes b, or None when b is not a version-1 index."""
    if len(b) < 64 or b[:8] != b"IDMAPIDX" or struct.unpack_from("<I", b, 8)[0] != 1:
        return None
    entries = table_of(b)
    if entries is None:
        return bump_version(b)
    sections = []
    for sid, _flags, off, length, _crc, _res in entries:
        data = b[off:off + length]
        if sid in OFFSET_TABLES and length % 8 == 0 and length >= 8:
            data = offset_table(data)
        sections.append(data)
    return lay_out(b, entries, sections, 2)


def convert_dir(d, convert):
    """Converts every input of corpus directory d (mode byte + index) that convert takes."""
    done = kept = 0
    for name in sorted(os.listdir(d)):
        path = os.path.join(d, name)
        with open(path, "rb") as f:
            data = f.read()
        new = convert(data[1:]) if data else None
        if new is None:
            kept += 1
            continue
        data = data[:1] + new
        os.unlink(path)
        if re.fullmatch(r"[0-9a-f]{40}", name):
            name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        done += 1
    print("%d converted, %d left alone" % (done, kept))


if __name__ == "__main__":
    convert_dir(sys.argv[1], convert)
