#!/usr/bin/env python3
"""Carries the index fuzz corpus from format version 5 to version 6 (FORMAT.md, "Changes from
version 5"): a one-off, kept to show how corpus/index/ was made.

    tests/fuzz/corpus_v5_to_v6.py tests/fuzz/corpus/index

Each input is a mode byte and an index file (fuzz_index.c). Version 6 gave MPHF partitions a
bucket for every 3 keys (was 4) and pilots of one byte with exceptions. For each key space
(ACC_DIR and ACC_PILOTS, KEY_DIR and KEY_PILOTS) whose directory reads, every partition keeps
its stored pilots (cut or padded with zeros to its new bucket count), its pilot_base becomes
the new running sum, and the pilot section is written as bytes, a pilot above 254 becoming
the escape byte and an exception. The pilots no longer send the keys to their slots, so the
keys of a converted file are "not found" and `idmap verify` names the damage: what a fuzzer's
input is for. Every other byte is kept; checksums that matched are recomputed
(corpus_v1_to_v2.lay_out). Files that are not version 5 are left alone; one whose section
table cannot be read only gets version 6. The seeds built from data/sample (README.md) are
built again by the version-6 builder instead. Converted files are renamed to the SHA-1 of
their content, as libFuzzer names them.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import corpus_v1_to_v2 as v1  # noqa: E402  (the section table and the layout)

SPACES = ((3, 4), (9, 10))  # (directory, pilots) of the accession and key spaces
ESCAPE = 255


def space_v6(directory, pilots):
    """(directory, pilots) of one space in version 6, or None when the directory does not
    read (then both keep their bytes)."""
    if len(directory) < 32:
        return None
    fbits, nparts = struct.unpack_from("<II", directory, 0)
    at = 32 + (8 << fbits) if fbits <= 16 else None
    if at is None or len(directory) != at + 32 * nparts:
        return None
    old = [struct.unpack_from("<H", pilots, 2 * i)[0] for i in range(len(pilots) // 2)]
    counts = [struct.unpack_from("<I", directory, at + 32 * i + 24)[0] for i in range(nparts)]
    if sum((n + 2) // 3 for n in counts) > 2 * len(old) + 64:
        return None  # partitions far larger than the pilots: a mutated count, kept as it is
    d = bytearray(directory)
    new = []
    for i in range(nparts):
        e = at + 32 * i
        base, n = struct.unpack_from("<Q", d, e + 8)[0], struct.unpack_from("<I", d, e + 24)[0]
        nb_old, nb_new = ((n + 3) // 4, (n + 2) // 3) if n else (0, 0)
        kept = old[base:base + nb_old] if base < len(old) else []
        struct.pack_into("<Q", d, e + 8, len(new))
        new += (kept + [0] * nb_new)[:nb_new]
    body = bytes(p if p < ESCAPE else ESCAPE for p in new)
    body += bytes(-len(body) % 8)
    body += b"".join(struct.pack("<Q", b << 16 | p) for b, p in enumerate(new) if p >= ESCAPE)
    return bytes(d), body


def convert(b):
    """The version-6 form of index bytes b, or None when b is not a version-5 index."""
    if len(b) < 64 or b[:8] != b"IDMAPIDX" or struct.unpack_from("<I", b, 8)[0] != 5:
        return None
    entries = v1.table_of(b)
    if entries is None:
        return v1.bump_version(b, 6)
    ids = [e[0] for e in entries]
    sections = [b[off:off + length] for _sid, _f, off, length, _c, _r in entries]
    for dir_id, pil_id in SPACES:
        if dir_id not in ids or pil_id not in ids:
            continue
        i, j = ids.index(dir_id), ids.index(pil_id)
        r = space_v6(sections[i], sections[j])
        if r is not None:
            sections[i], sections[j] = r
    return v1.lay_out(b, entries, sections, 6)


if __name__ == "__main__":
    v1.convert_dir(sys.argv[1], convert)
