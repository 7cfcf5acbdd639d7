#!/usr/bin/env python3
"""Damaged indexes through the CLI: `idmap verify`, `idmap map` and `idmap info`.

Builds a small index with the CLI, then flips bytes throughout it: every byte of the header,
every byte of the first section-table entry and each field of the others, and positions spread
over every section. For each damaged copy:
  - `idmap verify` exits 1 and names the damaged part: `header`, `section table`, or the
    section's name (META, TYPES, ..., KEY_POOL);
  - `idmap map` (forward, reverse, history lookups) and `idmap info` never crash (no signal,
    no sanitizer or valgrind report): they exit 0 or 1, and exit 1 whenever the damage is in a
    part the open-time checks cover (header, table, META, TYPES, ACC_DIR, KEY_DIR).
The intact index verifies (exit 0). The library-level flips (every byte of every section,
resealed CRCs) are in test_engine.c; this is the same damage seen from the command line.
Prints `N passed, N failed`; exits 1 when a check failed.

IDMAP_TEST_WRAPPER (e.g. "valgrind --error-exitcode=99 -q") runs idmap under a wrapper; the
flips are then sampled more sparsely (IDMAP_DAMAGE_STRIDE, default 5 with a wrapper).
"""
import argparse
import os
import shlex
import shutil
import struct
import subprocess
import sys
import zlib

SECTION_NAMES = {1: "META", 2: "TYPES", 3: "ACC_DIR", 4: "ACC_PILOTS", 5: "ACC_REMAP",
                 6: "ACC_CODES", 7: "FWD_INDEX", 8: "FWD_POOL", 9: "KEY_DIR",
                 10: "KEY_PILOTS", 11: "KEY_REMAP", 12: "KEY_INDEX", 13: "KEY_POOL",
                 14: "FWD_INDEX_WIDE", 15: "KEY_INDEX_WIDE"}
OPEN_CHECKED = {"META", "TYPES", "ACC_DIR", "KEY_DIR"}

ACCS = [f"P{10000 + i}" for i in range(40)]
DAT = "".join(f"{a}\tGeneID\t{7000 + i}\n{a}\tRefSeq\tNP_{i:06d}.1\n{a}-2\tEnsembl\tENSP{i:011d}\n"
              for i, a in enumerate(ACCS))
SEC = ("Secondary AC                  Primary AC\n"
       "____________                  __________\n"
       + "".join(f"Q{20000 + i}                        {ACCS[i]}\n" for i in range(5)))
DELAC = ("Accession numbers\n_________________\n" + "".join(f"O{30000 + i}\n" for i in range(5)))


def parse_index(b):
    """[(name, offset, length)] of the parts to damage: header, table entries, sections."""
    table_off, count = struct.unpack_from("<QI", b, 24)
    parts = []
    for i in range(count):
        sid, _flags, off, length = struct.unpack_from("<IIQQ", b, table_off + 32 * i)
        parts.append((SECTION_NAMES.get(sid, f"section {sid}"), off, length))
    return table_off, count, parts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    wrapper = shlex.split(os.environ.get("IDMAP_TEST_WRAPPER", ""))
    stride = int(os.environ.get("IDMAP_DAMAGE_STRIDE", "5" if wrapper else "1"))
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL", what)

    def run(args, stdin=None):
        return subprocess.run(wrapper + [a.idmap] + args, capture_output=True, input=stdin,
                              timeout=600)

    def crashed(p):
        err = p.stderr.decode(errors="replace")
        return (p.returncode < 0 or p.returncode == 99 or "Sanitizer" in err
                or "runtime error" in err)

    inputs = []
    for name, text in (("idmapping.dat", DAT), ("sec_ac.txt", SEC), ("delac_sp.txt", DELAC)):
        path = os.path.join(a.workdir, name)
        with open(path, "w") as f:
            f.write(text)
        inputs.append(path)
    good = os.path.join(a.workdir, "good.idx")
    p = run(["build", "-q", "-o", good] + inputs)
    if p.returncode != 0:
        print("cannot build:", p.stderr.decode(errors="replace"))
        return 1
    p = run(["verify", "-i", good])
    check(p.returncode == 0 and b"OK" in p.stdout, f"intact index: verify exit {p.returncode}")
    p = run(["verify", "--full", "-i", good])
    check(p.returncode == 0 and b"OK" in p.stdout,
          f"intact index: verify --full exit {p.returncode}")
    with open(good, "rb") as f:
        image = f.read()
    table_off, count, sections = parse_index(image)

    # (label, byte offset, expected name in verify's message, checked at open)
    flips = [("header", i, "header", True) for i in range(64)]
    for e in range(count):
        fields = range(32) if e == 0 else (0, 4, 8, 16, 24, 28)
        flips += [("section table", table_off + 32 * e + k, "section table", True)
                  for k in fields]
    for name, off, length in sections:
        if length == 0:
            continue
        picks = sorted({off + (length - 1) * k // 7 for k in range(8)})
        flips += [(name, x, name, name in OPEN_CHECKED) for x in picks]
    flips = flips[::stride] if stride > 1 else flips

    bad = os.path.join(a.workdir, "bad.idx")
    fwd_args = ["map", "-i", bad, "--to", "GeneID"] + ACCS[:10] + ["Q20001", "O30001", "P10003-2"]
    rev_ids = "\n".join(str(7000 + i) for i in range(0, 40, 3)).encode()
    for label, pos, want, open_checked in flips:
        for mask in (0xFF, 0x01):
            b = bytearray(image)
            b[pos] ^= mask
            with open(bad, "wb") as f:
                f.write(b)
            what = f"{label} byte {pos} ^ {mask:#x}"
            p = run(["verify", "-i", bad])
            err = p.stderr.decode(errors="replace")
            check(p.returncode == 1 and not crashed(p),
                  f"{what}: verify exit {p.returncode}: {err.strip()}")
            check(f"verify failed: {want}" in err, f"{what}: verify names not '{want}': {err.strip()}")
            for args, stdin in ((fwd_args, None),
                                (["map", "-i", bad, "--from", "GeneID"], rev_ids),
                                (["map", "-i", bad, "--to", "RefSeq"] + ACCS[::4], None),
                                (["info", "-i", bad], None)):
                p = run(args, stdin)
                err = p.stderr.decode(errors="replace")
                check(not crashed(p) and p.returncode in (0, 1),
                      f"{what}: {args[0]} exit {p.returncode}: {err.strip()[:300]}")
                if open_checked:
                    check(p.returncode == 1 and err.startswith("idmap: "),
                          f"{what}: {args[0]} on an index damaged in {label} exit "
                          f"{p.returncode}, want 1 with a message")

    # another format version, with a sound header: every command says to rebuild
    version_msg = {v: b"index format version %d is not supported by this idmap (version 6): "
                      b"rebuild the index with `idmap build`" % v for v in (1, 2, 3, 4, 5)}
    version_msg[7] = b"index format version 7 is newer than this idmap reads (version 6)"
    for version, msg in version_msg.items():
        b = bytearray(image)
        struct.pack_into("<I", b, 8, version)
        struct.pack_into("<I", b, 60, zlib.crc32(bytes(b[:60])))
        with open(bad, "wb") as f:
            f.write(b)
        for args in (["verify", "-i", bad], fwd_args, ["info", "-i", bad]):
            p = run(args)
            check(p.returncode == 1 and not crashed(p) and msg in p.stderr,
                  f"version {version}: {args[0]} exit {p.returncode}: {p.stderr!r}")

    # crafted damages, checksums resealed: every command gives idmap_open_detail's reason
    def reseal(b):
        struct.pack_into("<I", b, 36, zlib.crc32(bytes(b[table_off:table_off + 32 * count])))
        struct.pack_into("<I", b, 60, zlib.crc32(bytes(b[:60])))

    crafted = []
    b = bytearray(image)
    b[0:8] = b"IDMAPXXX"
    crafted.append(("bad magic", b, "header: not an idmap index (bad magic)"))
    b = bytearray(image)
    struct.pack_into("<I", b, 8, 3)
    reseal(b)
    crafted.append(("old version", b, "header: index format version 3 is not supported by "
                    "this idmap (version 6): rebuild the index with `idmap build`"))
    cut = table_off + 32
    b = bytearray(image[:cut])
    struct.pack_into("<Q", b, 16, cut)
    struct.pack_into("<I", b, 60, zlib.crc32(bytes(b[:60])))
    crafted.append(("truncated section table", b, f"header: section table (offset {table_off}, "
                    f"{count} entries) outside the file or misaligned"))
    b = bytearray(image)
    k = [n for n, _o, _l in sections].index("KEY_POOL")
    _n, off, _l = sections[k]
    struct.pack_into("<Q", b, table_off + 32 * k + 16, len(image) - off + 64)
    reseal(b)
    crafted.append(("section out of bounds", b, f"section table: KEY_POOL (offset {off}, "
                    f"length {len(image) - off + 64}) lies outside the file or is misaligned"))
    for label, data, reason in crafted:
        with open(bad, "wb") as f:
            f.write(data)
        for args, prefix in ((["verify", "-i", bad], "verify failed: "), (fwd_args, ""),
                             (["info", "-i", bad], "")):
            p = run(args)
            want = f"idmap: {bad}: {prefix}{reason}\n"
            check(p.returncode == 1 and p.stderr.decode(errors="replace") == want,
                  f"{label}: {args[0]} exit {p.returncode}: {p.stderr!r}, want {want!r}")

    # a truncated and an extended file
    for label, data in (("truncated", image[:-64]), ("extended", image + b"\0" * 64),
                        ("cut in the header", image[:40]), ("empty", b"")):
        with open(bad, "wb") as f:
            f.write(data)
        p = run(["verify", "-i", bad])
        check(p.returncode == 1 and b"verify failed: header" in p.stderr,
              f"{label}: verify exit {p.returncode}: {p.stderr!r}")
        p = run(fwd_args)
        check(p.returncode == 1 and not crashed(p), f"{label}: map exit {p.returncode}")

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
