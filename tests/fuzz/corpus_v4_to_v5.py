#!/usr/bin/env python3
"""Carries the index fuzz corpus from format version 4 to version 5 (FORMAT.md, "Changes from
version 4"): a one-off, kept to show how corpus/index/ was made.

    tests/fuzz/corpus_v4_to_v5.py tests/fuzz/corpus/index

Each input is a mode byte and an index file (fuzz_index.c). Version 5 changed only how some
key values are coded (member values, the hex head, the text + number tail), so a version-4
file gets version 5 and its header CRC (when it matched) and keeps every other byte: its old
codings now read as damaged records or as other values, which is what a fuzzer's input is for.
The seeds built from data/sample (README.md) are built again by the version-5 builder instead.
Files that are not version 4 are left alone. Converted files are renamed to the SHA-1 of
their content, as libFuzzer names them.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import corpus_v1_to_v2 as v1  # noqa: E402  (bump_version, convert_dir)


def convert(b):
    """The version-5 form of index bytes b, or None when b is not a version-4 index."""
    if len(b) < 64 or b[:8] != b"IDMAPIDX" or struct.unpack_from("<I", b, 8)[0] != 4:
        return None
    return v1.bump_version(b, 5)


if __name__ == "__main__":
    v1.convert_dir(sys.argv[1], convert)
