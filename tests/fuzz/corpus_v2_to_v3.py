#!/usr/bin/env python3
"""Carries the index fuzz corpus from format version 2 to version 3 (FORMAT.md, "Changes from
version 2"): a one-off, kept to show how corpus/index/ was made.

    tests/fuzz/corpus_v2_to_v3.py tests/fuzz/corpus/index

Each input is a mode byte and an index file (fuzz_index.c). In a version-2 file whose header,
section table and offset tables can be read, every key record that parses as version 2
(`varint type, varint len, value`) gets its value coded by its type (tests/second_reader.py's
coder, from the specification), and every forward record that parses gets version 3's group
heads; records that do not parse (the fuzzer's mutations) keep their bytes. Offset tables
are rebuilt, sections laid out again, version 3 written. A checksum, the file size or the
table CRC that matched before is recomputed, one that did not is kept (still wrong). Files
that are not version 2 are left alone; a version-2 file whose table cannot be read only gets
version 3. Converted files are renamed to the SHA-1 of their content, as libFuzzer names
them; files with other names keep their name.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import second_reader as sr  # noqa: E402  (the coder written from FORMAT.md)
import corpus_v1_to_v2 as v1  # noqa: E402  (the section table and the layout)

TYPES, FWD_INDEX, FWD_POOL, KEY_INDEX, KEY_POOL = 2, 7, 8, 12, 13
BLOCK = 14


def table_record(table, pool_len, s):
    """Bounds of record s of a version 2-3 offset table (blocks of a u64 base and 14 u32
    ends), as that version's readers checked them."""
    b, j = divmod(s, BLOCK)
    base = struct.unpack_from("<Q", table, 64 * b)[0]
    end = base + struct.unpack_from("<I", table, 64 * b + 8 + 4 * j)[0]
    start = base + struct.unpack_from("<I", table, 64 * b + 4 + 4 * j)[0] if j else base
    if not start <= end <= pool_len:
        raise sr.FormatError("record out of bounds")
    return start, end


def records(table, pool):
    """The records of an offset table over pool, or None when the table does not read."""
    if len(table) == 0:
        return [] if not pool else None
    blocks = (len(table) + 63) // 64
    last = len(table) - 64 * (blocks - 1)
    if last < 12 or (last - 8) % 4:
        return None
    n = BLOCK * (blocks - 1) + (last - 8) // 4
    out = []
    for s in range(n):
        try:
            start, end = table_record(table, len(pool), s)
        except sr.FormatError:
            return None
        out.append(pool[start:end])
    return out


def offset_table(recs):
    out, pos, base = bytearray(), 0, 0
    for i, r in enumerate(recs):
        if i % BLOCK == 0:
            base = pos
            out += struct.pack("<Q", base)
        pos += len(r)
        out += struct.pack("<I", (pos - base) & 0xFFFFFFFF)
    return bytes(out)


def type_names(types):
    try:
        count, pos, names = struct.unpack_from("<I", types, 0)[0], 8, []
        for _ in range(count):
            n = struct.unpack_from("<H", types, pos + 16)[0]
            names.append(types[pos + 18:pos + 18 + n].decode("ascii"))
            pos += 18 + n
        return names
    except (struct.error, UnicodeDecodeError):
        return None


def key_v3(rec, names):
    try:
        t, pos = sr.varint(rec, 0, len(rec))
        n, pos = sr.varint(rec, pos, len(rec))
        if t >= len(names) or not 1 <= n <= 1024 or pos + n > len(rec):
            return rec
        coded = sr.vencode(sr.coding_of(names[t]), rec[pos:pos + n])
        return sr.varint_bytes(t) + coded + rec[pos + n:]
    except sr.FormatError:
        return rec


def fwd_v3(rec):
    try:
        if not rec:
            return rec
        groups, pos = sr.varint(rec, 0, len(rec))
        out = bytearray(sr.varint_bytes(groups))
        for _ in range(groups):
            t, pos = sr.varint(rec, pos, len(rec))
            count, pos = sr.varint(rec, pos, len(rec))
            if count == 0:
                return rec
            out += sr.varint_bytes(t << 1 | (count == 1))
            if count > 1:
                out += sr.varint_bytes(count)
            for _ in range(count):
                start = pos
                _, pos = sr.varint(rec, pos, len(rec))
                out += rec[start:pos]
        return bytes(out + rec[pos:])
    except sr.FormatError:
        return rec


def convert(b):
    """The version-3 form of index bytes b, or None when b is not a version-2 index."""
    def fixes(data):
        names = type_names(data.get(TYPES, b""))
        return ((KEY_INDEX, KEY_POOL, None if names is None else lambda r: key_v3(r, names)),
                (FWD_INDEX, FWD_POOL, fwd_v3))
    return convert_version(b, 2, 3, fixes)


def convert_version(b, old, new, fixes):
    """Index bytes b of version old as version new, with the record fixes of
    fixes({section id: bytes}) applied (rewrite); None when b is not of version old."""
    if len(b) < 64 or b[:8] != b"IDMAPIDX" or struct.unpack_from("<I", b, 8)[0] != old:
        return None
    entries = v1.table_of(b)
    if entries is None:
        return v1.bump_version(b, new)
    data = {e[0]: b[e[2]:e[2] + e[3]] for e in entries}
    return rewrite(b, entries, data, fixes(data), new)


def rewrite(b, entries, data, fixes, version):
    """b laid out again as version, each (index, pool, fix) of fixes applied to every record
    of the pool when its offset table reads and fix is not None."""
    new = {}
    for index, pool, fix in fixes:
        recs = records(data[index], data[pool]) if index in data and pool in data else None
        if recs is None or fix is None:
            continue
        recs = [fix(r) for r in recs]
        new[index], new[pool] = offset_table(recs), b"".join(recs)
    sections = [new.get(sid, b[off:off + length]) for sid, _f, off, length, _c, _r in entries]
    return v1.lay_out(b, entries, sections, version)


if __name__ == "__main__":
    v1.convert_dir(sys.argv[1], convert)
