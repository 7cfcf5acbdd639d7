#!/usr/bin/env python3
"""Carries the index fuzz corpus from format version 3 to version 4 (FORMAT.md, "Changes from
version 3"): a one-off, kept to show how corpus/index/ was made.

    tests/fuzz/corpus_v3_to_v4.py tests/fuzz/corpus/index

As corpus_v2_to_v3.py: in a version-3 file whose header, section table and offset tables can
be read, every key record that parses as version 3 (`varint type, coded value, varint count,
postings`) gets version 4's head (`varint type << 1 | single`, no count when single) and its
value coded again (tests/second_reader.py's coder), and every forward record that parses gets
its key slots in fixed width (from KEY_DIR's key count); records that do not parse (the
fuzzer's mutations) keep their bytes. Other files are left alone; a version-3 file whose table
cannot be read only gets version 4.
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


def convert(b):
    """The version-4 form of index bytes b, or None when b is not a version-3 index."""
    def fixes(data):
        names = v2.type_names(data.get(TYPES, b""))
        key_dir = data.get(KEY_DIR, b"")
        width = sr.slot_width(struct.unpack_from("<Q", key_dir, 8)[0]) \
            if len(key_dir) >= 16 else None
        return ((KEY_INDEX, KEY_POOL, None if names is None else lambda r: key_v4(r, names)),
                (FWD_INDEX, FWD_POOL, None if width is None else lambda r: fwd_v4(r, width)))
    return v2.convert_version(b, 3, 4, fixes)


if __name__ == "__main__":
    v1.convert_dir(sys.argv[1], convert)
