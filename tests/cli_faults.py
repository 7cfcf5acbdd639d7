#!/usr/bin/env python3
"""Input faults through `idmap build`: a table of broken release files.

Each case writes one damaged input (plus, for some, good ones beside it) into a fresh
directory that already holds a good index at the output path, runs
`idmap build -q -o DIR/out.idx INPUT...`, and checks:
  - exit status 1 (no crash, no sanitizer or valgrind report);
  - stderr is one `idmap: ...` message naming the file and a position (`FILE:LINE:` or
    `at byte N`) and holding the expected reason;
  - the index at the output path is byte for byte the old one (no index written);
  - the directory holds exactly the files it held before (no temporary files left), and so
    does the --tmpdir directory when one is given.
Prints `N passed, N failed`; exits 1 when a case failed.

IDMAP_TEST_WRAPPER (e.g. "valgrind --error-exitcode=99 -q") runs idmap under a wrapper.
"""
import argparse
import gzip
import os
import re
import shlex
import shutil
import subprocess
import sys

GOOD_DAT = "".join(
    f"P{10000 + i}\t{t}\t{t[:3]}{i}\n"
    for i in range(60)
    for t in ("GeneID", "RefSeq", "Ensembl")
).encode()
GOOD_SEC = (b"Secondary AC                  Primary AC\n"
            b"____________                  __________\n"
            b"A0A000                        P10001\n")


def gz(data):
    return gzip.compress(data, mtime=0)


def truncated_gzip():
    d = gz(GOOD_DAT)
    return d[: len(d) // 2]


def bad_crc_gzip():
    d = bytearray(gz(GOOD_DAT))
    d[-8] ^= 0xFF  # CRC-32 of the member trailer
    return bytes(d)


def bad_length_gzip():
    d = bytearray(gz(GOOD_DAT))
    d[-1] ^= 0x01  # ISIZE
    return bytes(d)


def bad_deflate_gzip():
    d = bytearray(gz(GOOD_DAT))
    for i in range(20, 40):
        d[i] ^= 0x5A
    return bytes(d)


def bad_line_at(n):
    lines = GOOD_DAT.split(b"\n")
    lines[n - 1] = b"P10001\tGeneID"  # two columns
    return b"\n".join(lines)


FASTA = b">sp|P12345|TEST_HUMAN Test protein\nMKVLAAGIVALLLAAGCSSSKEETSQ\n"
HTML = (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
        b"<body><h1>Not Found</h1></body></html>\n")

# name, [(file name, bytes)], expected reason (regex), expected position (regex)
CASES = [
    ("truncated gzip", [("idmapping.dat.gz", truncated_gzip())],
     r"unexpected end of gzip data", r"idmapping\.dat\.gz: .*at byte \d+"),
    ("bad gzip CRC", [("idmapping.dat.gz", bad_crc_gzip())],
     r"corrupt gzip data .*incorrect data check", r"idmapping\.dat\.gz: .*at byte \d+"),
    ("bad gzip length", [("idmapping.dat.gz", bad_length_gzip())],
     r"corrupt gzip data|incorrect length", r"idmapping\.dat\.gz: .*at byte \d+"),
    ("corrupt deflate data", [("idmapping.dat.gz", bad_deflate_gzip())],
     r"corrupt gzip data|unexpected end", r"idmapping\.dat\.gz: .*at byte \d+"),
    ("trailing garbage after gzip", [("idmapping.dat.gz", gz(GOOD_DAT) + b"<html>garbage\n")],
     r"trailing garbage after gzip member", r"idmapping\.dat\.gz: .*at byte \d+"),
    ("CRLF line ends", [("idmapping.dat", GOOD_DAT.replace(b"\n", b"\r\n"))],
     r"CR line ending", r"idmapping\.dat:1: "),
    ("CRLF line ends, gzip", [("idmapping.dat.gz", gz(GOOD_DAT.replace(b"\n", b"\r\n")))],
     r"CR line ending", r"idmapping\.dat\.gz:1: "),
    ("UTF-8 BOM", [("idmapping.dat", b"\xef\xbb\xbf" + GOOD_DAT)],
     r"byte order mark", r"idmapping\.dat:1: "),
    ("UTF-8 BOM, sec_ac", [("sec_ac.txt", b"\xef\xbb\xbf" + GOOD_SEC)],
     r"byte order mark", r"sec_ac\.txt:1: "),
    ("empty file", [("idmapping.dat", b"")],
     r"empty input", r"idmapping\.dat: "),
    ("empty gzip", [("idmapping.dat.gz", gz(b""))],
     r"empty input", r"idmapping\.dat\.gz: "),
    ("zero-length .gz", [("idmapping.dat.gz", b"")],
     r"empty input", r"idmapping\.dat\.gz: "),
    ("FASTA saved as .gz", [("idmapping.dat.gz", gz(FASTA))],
     r"not a UniProt idmapping file .*FASTA", r"idmapping\.dat\.gz:1: "),
    ("plain FASTA named .gz", [("idmapping.dat.gz", FASTA)],
     r"not a UniProt idmapping file .*FASTA", r"idmapping\.dat\.gz:1: "),
    ("HTML error page saved as .gz", [("idmapping_selected.tab.gz", HTML)],
     r"not a UniProt idmapping file .*HTML", r"idmapping_selected\.tab\.gz:1: "),
    ("gzipped HTML page", [("idmapping.dat.gz", gz(HTML))],
     r"not a UniProt idmapping file .*HTML", r"idmapping\.dat\.gz:1: "),
    ("bad line in the middle", [("idmapping.dat", bad_line_at(57))],
     r"wrong column count", r"idmapping\.dat:57: "),
    ("bad line in gzip", [("idmapping.dat.gz", gz(bad_line_at(120)))],
     r"wrong column count", r"idmapping\.dat\.gz:120: "),
    ("NUL bytes", [("idmapping.dat", GOOD_DAT[:200] + b"\0\0\0\0" + GOOD_DAT[200:])],
     r"NUL byte|binary", r"idmapping\.dat:\d+: "),
    ("second input bad", [("idmapping.dat", GOOD_DAT), ("sec_ac.txt", GOOD_SEC[:60] + b"\r\n")],
     r"CR line ending|not a UniProt", r"sec_ac\.txt:\d+: "),
    ("missing file", [("idmapping.dat", GOOD_DAT), ("!delac_sp.txt", None)],
     r"cannot open|No such file", r"delac_sp\.txt: "),
]


class Runner:
    def __init__(self, idmap, workdir):
        self.idmap = idmap
        self.workdir = workdir
        self.wrapper = shlex.split(os.environ.get("IDMAP_TEST_WRAPPER", ""))
        self.passed = 0
        self.failed = 0

    def run(self, args):
        return subprocess.run(self.wrapper + [self.idmap] + args, capture_output=True,
                              timeout=600)

    def check(self, name, ok, why):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}: {why}")


def listing(d):
    return sorted(os.listdir(d))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    r = Runner(a.idmap, a.workdir)

    # The good index every case starts from.
    base = os.path.join(a.workdir, "base")
    os.makedirs(base)
    with open(os.path.join(base, "idmapping.dat"), "wb") as f:
        f.write(GOOD_DAT)
    good = os.path.join(base, "good.idx")
    p = r.run(["build", "-q", "-o", good, os.path.join(base, "idmapping.dat")])
    if p.returncode != 0:
        print("cannot build the base index:", p.stderr.decode(errors="replace"))
        return 1
    with open(good, "rb") as f:
        good_bytes = f.read()

    for i, (name, files, reason, position) in enumerate(CASES):
        for use_tmpdir in (False, True):
            label = name + (" (--tmpdir)" if use_tmpdir else "")
            d = os.path.join(a.workdir, f"case{i:02d}{'t' if use_tmpdir else ''}")
            os.makedirs(d)
            tmpd = os.path.join(d, "scratch")
            os.makedirs(tmpd)
            out = os.path.join(d, "out.idx")
            shutil.copyfile(good, out)
            paths = []
            for fname, data in files:
                if fname.startswith("!"):
                    paths.append(os.path.join(d, fname[1:]))
                    continue
                path = os.path.join(d, fname)
                with open(path, "wb") as f:
                    f.write(data)
                paths.append(path)
            before, before_tmp = listing(d), listing(tmpd)
            args = ["build", "-q", "-o", out]
            if use_tmpdir:
                args += ["--tmpdir", tmpd]
            p = r.run(args + paths)
            err = p.stderr.decode(errors="replace")
            r.check(label, p.returncode == 1,
                    f"exit status {p.returncode}, want 1; stderr: {err.strip()}")
            lines = err.strip().splitlines()
            r.check(label, len(lines) == 1 and lines[0].startswith("idmap: "),
                    f"want one 'idmap: ...' line, got: {err!r}")
            r.check(label, re.search(reason, err) is not None,
                    f"reason /{reason}/ not in: {err.strip()}")
            r.check(label, re.search(position, err) is not None,
                    f"file and position /{position}/ not in: {err.strip()}")
            with open(out, "rb") as f:
                r.check(label, f.read() == good_bytes, "the old index was changed")
            r.check(label, listing(d) == before,
                    f"directory changed: {before} -> {listing(d)}")
            r.check(label, listing(tmpd) == before_tmp,
                    f"--tmpdir changed: {before_tmp} -> {listing(tmpd)}")
            # without an old index: none appears
            os.unlink(out)
            p = r.run(args + paths)
            r.check(label, p.returncode == 1 and not os.path.exists(out),
                    f"exit {p.returncode}; index exists: {os.path.exists(out)}")
            r.check(label, listing(d) == sorted(set(before) - {"out.idx"}),
                    f"directory changed: {listing(d)}")
            shutil.rmtree(d)

    print(f"{r.passed} passed, {r.failed} failed")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
