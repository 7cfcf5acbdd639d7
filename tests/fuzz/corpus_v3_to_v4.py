#!/usr/bin/env python3
"""Carries the index fuzz corpus from format version 3 to version 4 (FORMAT.md, "Changes from
version 3"): a one-off, kept to show how corpus/index/ was made.

    tests/fuzz/corpus_v3_to_v4.py tests/fuzz/corpus/index

Each input is a mode byte and an index file (fuzz_index.c). In a version-3 file whose header
and section table can be read, each offset table (FWD_INDEX, KEY_INDEX) that reads as
version 3's blocks of 14 u32 ends is written again as version 4's blocks of 28 with its wide
section (FWD_INDEX_WIDE, KEY_INDEX_WIDE), added to the section table: the same record ends,
damaged ones included; the records and every other section keep their bytes. A table whose
length fits no record count keeps its bytes and gets an empty wide section. Checksums, the file size and the table
CRC are recomputed where they matched before (corpus_v1_to_v2.lay_out). Files that are not
version 3 are left alone; a version-3 file whose table cannot be read only gets version 4.
Converted files are renamed to the SHA-1 of their content, as libFuzzer names them.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import corpus_v1_to_v2 as v1  # noqa: E402  (the section table and the layout)

TABLES = ((7, 8, 14), (12, 13, 15))  # (index, pool, wide) of FWD_INDEX and KEY_INDEX
WIDE = 1 << 63


def v3_ends(table):
    """The record ends of a version-3 offset table as its blocks give them (mutations
    included: out of order, past the pool), with the base of each record's block; None when
    its length fits no record count."""
    if not table:
        return []
    blocks = (len(table) + 63) // 64
    last = len(table) - 64 * (blocks - 1)
    if last < 12 or (last - 8) % 4:
        return None
    n = 14 * (blocks - 1) + (last - 8) // 4
    out = []
    for s in range(n):
        b, j = divmod(s, 14)
        base = struct.unpack_from("<Q", table, 64 * b)[0]
        out.append((base, base + struct.unpack_from("<I", table, 64 * b + 8 + 4 * j)[0]))
    return out


def v4_table(ends):
    """Version 4's table and wide section of the given (base, end) pairs: each block takes
    the base of its first record, narrow when its ends fit 16 bits, else wide (u64 ends mod
    2^64, so that damaged ones stay damaged)."""
    table, wide = bytearray(), bytearray()
    for b in range(0, len(ends), 28):
        base = ends[b][0] & (WIDE - 1)
        rel = [(e - base) % (1 << 64) for _, e in ends[b:b + 28]]
        rel += [0] * (28 - len(rel))
        if max(rel) <= 0xFFFF:
            table += struct.pack("<Q28H", base, *rel)
        else:
            table += struct.pack("<QI52x", base | WIDE, len(wide) // 224)
            wide += struct.pack("<28Q", *rel)
    return bytes(table), bytes(wide)


def convert(b):
    """The version-4 form of index bytes b, or None when b is not a version-3 index."""
    if len(b) < 64 or b[:8] != b"IDMAPIDX" or struct.unpack_from("<I", b, 8)[0] != 3:
        return None
    entries = v1.table_of(b)
    if entries is None:
        return v1.bump_version(b, 4)
    data = {e[0]: b[e[2]:e[2] + e[3]] for e in entries}
    sections = [b[off:off + length] for _sid, _f, off, length, _c, _r in entries]
    ids = [e[0] for e in entries]
    for index, pool, wide_id in TABLES:
        if index not in data or pool not in data or wide_id in data:
            continue
        ends = v3_ends(data[index])
        table, wide = v4_table(ends) if ends is not None else (data[index], b"")
        sections[ids.index(index)] = table
        # a new entry: empty at the end of the file, so its CRC (0) counts as matching
        entries.append([wide_id, 0, len(b), 0, 0, 0])
        sections.append(wide)
    return v1.lay_out(b, entries, sections, 4)


if __name__ == "__main__":
    v1.convert_dir(sys.argv[1], convert)
