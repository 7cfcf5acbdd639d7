#!/usr/bin/env python3
"""Carries the index fuzz corpus from format version 3 to version 4 (FORMAT.md, "Changes from
version 3"): a one-off, kept to show how corpus/index/ was made.

    tests/fuzz/corpus_v3_to_v4.py tests/fuzz/corpus/index

Each input is a mode byte and an index file (fuzz_index.c). A version-3 file is converted in
two steps, each leaving what it cannot read alone:
1. records (as corpus_v2_to_v3.py): when the header, section table and offset tables can be
   read, every key record that parses as version 3 (`varint type, coded value, varint count,
   postings`) gets version 4's head (`varint type << 1 | single`, no count when single) and its
   value coded again (tests/second_reader.py's coder), and every forward record that parses
   gets its key slots in fixed width (from KEY_DIR's key count); records that do not parse
   (the fuzzer's mutations) keep their bytes;
2. offset tables: each table (FWD_INDEX, KEY_INDEX) that reads as version 3's blocks of 14 u32
   ends is written again as version 4's blocks (FWD_INDEX: 28 u16 ends; KEY_INDEX: 56 u8
   lengths) with its wide section (FWD_INDEX_WIDE, KEY_INDEX_WIDE), added to the section
   table: the same record ends, damaged ones included.
   A table whose length fits no record count keeps its bytes and gets an empty wide section.
Checksums, the file size and the table CRC are recomputed where they matched before
(corpus_v1_to_v2.lay_out). Files that are not version 3 are left alone; a version-3 file whose
table cannot be read only gets version 4. Converted files are renamed to the SHA-1 of their
content, as libFuzzer names them.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import second_reader as sr  # noqa: E402  (the coder written from FORMAT.md)
import corpus_v1_to_v2 as v1  # noqa: E402  (the section table and the layout)
import corpus_v2_to_v3 as v2  # noqa: E402  (offset tables, type names)

TYPES, KEY_DIR, FWD_INDEX, FWD_POOL, KEY_INDEX, KEY_POOL = 2, 9, 7, 8, 12, 13
# (index, pool, wide, layout) of FWD_INDEX and KEY_INDEX
TABLES = ((7, 8, 14, sr.ENDS16), (12, 13, 15, sr.LENS8))
WIDE = 1 << 63


def key_v4(rec, names):
    try:
        t, pos = sr.varint(rec, 0, len(rec))
        if t >= len(names):
            return rec
        coding = sr.coding_of(names[t])
        value, pos = sr.vdecode(coding, rec, pos, len(rec))
        count, pos = sr.varint(rec, pos, len(rec))
        out = sr.varint_bytes(t << 1 | (count == 1)) + sr.vencode(coding, value)
        return out + (sr.varint_bytes(count) if count != 1 else b"") + rec[pos:]
    except sr.FormatError:
        return rec


def fwd_v4(rec, width):
    try:
        if not rec:
            return rec
        groups, pos = sr.varint(rec, 0, len(rec))
        out = bytearray(sr.varint_bytes(groups))
        for _ in range(groups):
            start = pos
            head, pos = sr.varint(rec, pos, len(rec))
            count = 1
            if not head & 1:
                count, pos = sr.varint(rec, pos, len(rec))
            out += rec[start:pos]
            slot = 0
            for i in range(count):
                d, pos = sr.varint(rec, pos, len(rec))
                slot = slot + d if i else d
                if slot >> (8 * width):
                    return rec
                out += slot.to_bytes(width, "little")
        return bytes(out + rec[pos:])
    except sr.FormatError:
        return rec


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


def v4_table(ends, layout):
    """Version 4's table and wide section of the given (base, end) pairs in layout
    (second_reader.ENDS16 or LENS8): each block takes the base of its first record, narrow
    when its ends fit 16 bits (ENDS16) or its records are in order and none is longer than 255
    bytes (LENS8), else wide (u64 ends mod 2^64, so that damaged ones stay damaged)."""
    per, lens = layout
    table, wide = bytearray(), bytearray()
    for b in range(0, len(ends), per):
        base = ends[b][0] & (WIDE - 1)
        rel = [(e - base) % (1 << 64) for _, e in ends[b:b + per]]
        steps = [e - s for s, e in zip([0] + rel, rel)]
        rel += [0] * (per - len(rel))
        if lens and all(0 <= d <= 0xFF for d in steps):
            table += struct.pack("<Q", base) + bytes(steps) + bytes(per - len(steps))
        elif not lens and max(rel) <= 0xFFFF:
            table += struct.pack("<Q28H", base, *rel)
        else:
            table += struct.pack("<QI52x", base | WIDE, len(wide) // (8 * per))
            wide += struct.pack("<%dQ" % per, *rel)
    return bytes(table), bytes(wide)


def records_v4(b):
    """Step 1: b with version 4's key and forward records, still in version 3's tables (and
    version 3); None when b is not a version-3 index."""
    def fixes(data):
        names = v2.type_names(data.get(TYPES, b""))
        key_dir = data.get(KEY_DIR, b"")
        width = sr.slot_width(struct.unpack_from("<Q", key_dir, 8)[0]) \
            if len(key_dir) >= 16 else None
        return ((KEY_INDEX, KEY_POOL, None if names is None else lambda r: key_v4(r, names)),
                (FWD_INDEX, FWD_POOL, None if width is None else lambda r: fwd_v4(r, width)))
    return v2.convert_version(b, 3, 3, fixes)


def tables_v4(b):
    """Step 2: version-3 index bytes b with version 4's offset tables, as version 4."""
    entries = v1.table_of(b)
    if entries is None:
        return v1.bump_version(b, 4)
    data = {e[0]: b[e[2]:e[2] + e[3]] for e in entries}
    sections = [b[off:off + length] for _sid, _f, off, length, _c, _r in entries]
    ids = [e[0] for e in entries]
    for index, pool, wide_id, layout in TABLES:
        if index not in data or pool not in data or wide_id in data:
            continue
        ends = v3_ends(data[index])
        table, wide = v4_table(ends, layout) if ends is not None else (data[index], b"")
        sections[ids.index(index)] = table
        # a new entry: empty at the end of the file, so its CRC (0) counts as matching
        entries.append([wide_id, 0, len(b), 0, 0, 0])
        sections.append(wide)
    return v1.lay_out(b, entries, sections, 4)


def convert(b):
    """The version-4 form of index bytes b, or None when b is not a version-3 index."""
    r = records_v4(b)
    return None if r is None else tables_v4(r)


if __name__ == "__main__":
    v1.convert_dir(sys.argv[1], convert)
