#!/usr/bin/env python3
"""Model of a by-type coding of KEY_POOL values (a smaller KEY_POOL), not a format: prints the
bytes of `varint len` + value that the index stores today and what the coding below would
store, for the distinct keys of an idmapping.dat[.gz] (and the #unversioned stems that the
builder adds for versioned types). Used for the projection in docs/BENCHMARKS.md.

  bench/key_coding_model.py RELEASE/idmapping.dat.gz

Coding modelled, per value (the length varint becomes a head `varint (n << 3) | flags`):
a constant prefix of the type dropped (PREFIX); the rest as decimal digits (varint, digit
count kept so that leading zeros survive, <= 19 digits), as uppercase hex (n/2 bytes, <= 16
digits), as an accession (4 bytes for 6 characters, 6 for 10, 2 more for an isoform; UniRef
only), as text plus a trailing decimal run of >= 3 digits, or as text; versioned values of
the versioned types as their stem so coded plus a varint version."""
import gzip
import re
import sys
from collections import defaultdict

PREFIX = {"UniRef100": "UniRef100_", "UniRef90": "UniRef90_", "UniRef50": "UniRef50_",
          "UniParc": "UPI", "GO": "GO:", "HGNC": "HGNC:", "MGI": "MGI:", "ChEMBL": "CHEMBL"}
VERSIONED = {"RefSeq", "RefSeq_NT", "EMBL-CDS", "Ensembl", "Ensembl_TRS", "Ensembl_PRO", "CCDS"}
ACC = re.compile(r"([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})"
                 r"(-[1-9][0-9]{0,3})?")
VERSION = re.compile(r"([A-Za-z][A-Za-z0-9_]*[0-9])\.([0-9]{1,4})")
TRAILING = re.compile(r"(.*?[^0-9])([0-9]{3,19})")
HEX = re.compile(r"[0-9A-F]{1,16}")


def vlen(x):
    n = 1
    while x >= 128:
        x >>= 7
        n += 1
    return n


def head(n):
    return vlen(n << 3)


def coded(rest, accession_ok):
    if rest.isdigit() and len(rest) <= 19:
        return head(len(rest)) + vlen(int(rest))
    if HEX.fullmatch(rest):
        return head(len(rest)) + (len(rest) + 1) // 2
    m = ACC.fullmatch(rest) if accession_ok else None
    if m:
        return head(0) + (4 if len(m.group(1)) == 6 else 6) + (2 if m.group(3) else 0)
    t = TRAILING.fullmatch(rest)
    if t:
        return head(len(t.group(1))) + len(t.group(1)) + 1 + vlen(int(t.group(2)))
    return head(len(rest)) + len(rest)


def main(path):
    keys = set()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                continue
            _, t, v = parts
            keys.add((t, v))
            m = VERSION.fullmatch(v) if t in VERSIONED else None
            if m:
                keys.add(("#unversioned:" + t, m.group(1)))
    now, new = defaultdict(int), defaultdict(int)
    for t, v in keys:
        n = len(v.encode())
        now[t] += vlen(n) + n
        p = PREFIX.get(t, "")
        rest = v[len(p):] if p and v.startswith(p) else v
        c = coded(rest, t.startswith("UniRef"))
        m = VERSION.fullmatch(rest) if t in VERSIONED else None
        if m:
            c = min(c, coded(m.group(1), False) + vlen(int(m.group(2))))
        new[t] += c
    a, b = sum(now.values()), sum(new.values())
    print("len + value bytes: now %d, coded %d, saved %d" % (a, b, a - b))
    for t in sorted(now, key=lambda t: now[t] - new[t], reverse=True)[:12]:
        print("  %-24s %10d -> %10d" % (t, now[t], new[t]))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: key_coding_model.py RELEASE/idmapping.dat[.gz]")
    main(sys.argv[1])
