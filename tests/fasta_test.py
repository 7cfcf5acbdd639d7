#!/usr/bin/env python3
"""The entry store end to end: FASTA inputs through `idmap build`, records
back through `idmap entry` and `idmap map --format fasta`, damage found by `idmap verify`.

  - a synthetic release with its FASTA files (idmap-genrelease --fasta), one of them gzipped,
    plus a record whose accession the idmapping files do not hold: every record comes back
    byte for byte; --threads 1 and 2 write the same index;
  - the bundled sample: the README's example, isoforms, ranges and their edge cases, UniRef and
    UniParc targets, deleted targets;
  - bad FASTA input: FILE:LINE: reason, exit 1, the old index untouched;
  - a damaged block or record (CRCs resealed) is found by verify and refused by entry.
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import argparse
import gzip
import os
import random
import resource
import shutil
import struct
import subprocess
import sys
import zlib

ENTRY_DATA, ENTRY_RECORDS, ENTRY_HASH = 37, 38, 39


class T:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f": {detail}" if detail else ""))
        return ok


def run(args, env=None):
    e = dict(os.environ, SOURCE_DATE_EPOCH="0")
    e.update(env or {})
    return subprocess.run(args, capture_output=True, env=e)


def read_fasta(path):
    """(id, record bytes) in file order; the id as idmap entry takes it."""
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        data = f.read()
    out = []
    for chunk in data.split(b"\n>"):
        rec = chunk if chunk.startswith(b">") else b">" + chunk
        rec = rec if rec.endswith(b"\n") else rec + b"\n"
        head = rec[1:rec.index(b"\n")].split(b" ")[0]
        ident = head.split(b"|")[1] if head[:3] in (b"sp|", b"tr|") else head
        out.append((ident.decode(), rec))
    return out


def wrap(seq):
    return b"".join(seq[i:i + 60] + b"\n" for i in range(0, len(seq), 60))


def residues(rec):
    return rec[rec.index(b"\n") + 1:].replace(b"\n", b"")


def sections(b):
    table, count = struct.unpack_from("<QI", b, 24)
    out = {}
    for i in range(count):
        sid, _, off, length = struct.unpack_from("<IIQQ", b, table + 32 * i)
        out[sid] = (off, length, table + 32 * i)
    return out


def reseal(b):
    """Recomputes every section CRC, the table CRC and the header CRC."""
    table, count = struct.unpack_from("<QI", b, 24)
    for sid, (off, length, ent) in sections(b).items():
        struct.pack_into("<I", b, ent + 24, zlib.crc32(bytes(b[off:off + length])))
    struct.pack_into("<I", b, 36, zlib.crc32(bytes(b[table:table + 32 * count])))
    struct.pack_into("<I", b, 60, zlib.crc32(bytes(b[:60])))


def synthetic(t, a):
    w = os.path.join(a.workdir, "syn")
    rel = os.path.join(w, "rel")
    os.makedirs(w)
    r = run([a.genrelease, "--lines", "20000", "--seed", "7", "--out", rel, "--fasta"])
    t.check(r.returncode == 0, "genrelease --fasta", r.stderr.decode())
    with open(os.path.join(rel, "uniref90.fasta"), "rb") as f:
        ur90 = f.read()
    os.unlink(os.path.join(rel, "uniref90.fasta"))
    with gzip.open(os.path.join(rel, "uniref90.fasta.gz"), "wb") as f:
        f.write(ur90)
    # a record the idmapping files do not hold (and a whole sequence on one line)
    extra = os.path.join(rel, "extra.fasta")
    with open(extra, "wb") as f:
        f.write(b">tr|A0A999Z9Z9|A0A999Z9Z9_HUMAN Orphan protein (Fragment) OS=Homo sapiens "
                b"OX=9606 PE=4 SV=1\n" + b"MKV" * 50 + b"\n")
    inputs = sorted(os.path.join(rel, n) for n in os.listdir(rel))
    idx = [os.path.join(w, f"t{n}.idx") for n in (1, 2)]
    for n, path in zip((1, 2), idx):
        r = run([a.idmap, "build", "-q", "--threads", str(n), "-o", path] + inputs)
        t.check(r.returncode == 0, f"build --threads {n}", r.stderr.decode())
    with open(idx[0], "rb") as f1, open(idx[1], "rb") as f2:
        t.check(f1.read() == f2.read(), "--threads 1 and 2 write the same index")
    r = run([a.idmap, "verify", "-i", idx[0]])
    t.check(r.returncode == 0, "verify the synthetic index", r.stderr.decode())
    # a budget of 1M sorts the entry records in runs of 4096 and merges them: same store
    small = os.path.join(w, "small.idx")
    r = run([a.idmap, "build", "-q", "--memory", "1M", "-o", small] + inputs)
    t.check(r.returncode == 0, "build --memory 1M", r.stderr.decode())
    with open(idx[0], "rb") as f1, open(small, "rb") as f2:
        b1, b2 = f1.read(), f2.read()
    s1, s2 = sections(b1), sections(b2)
    t.check(all(b1[s1[k][0]:s1[k][0] + s1[k][1]] == b2[s2[k][0]:s2[k][0] + s2[k][1]]
                for k in range(35, 40)), "--memory 1M: the same entry store")
    # the store is at most the size of gzip -6 of the FASTA it holds (issue 15)
    store = sum(s1[k][1] for k in range(35, 40))
    gz = 0
    for n in inputs:
        if ".fasta" in n:
            with (gzip.open if n.endswith(".gz") else open)(n, "rb") as f:
                gz += len(gzip.compress(f.read(), 6))
    t.check(store <= gz, "store <= gzip -6 of the FASTA", f"{store} > {gz}")
    dup = os.path.join(w, "dup.fasta")
    with open(os.path.join(rel, "uniprot_sprot.fasta"), "rb") as f:
        first = f.read().split(b"\n>")[0] + b"\n"
    with open(dup, "wb") as f:
        f.write(first)
    r = run([a.idmap, "build", "-q", "--memory", "1M", "-o", small] + inputs + [dup])
    t.check(r.returncode == 1 and f"{dup}:1: duplicate FASTA record".encode() in r.stderr and
            b"uniprot_sprot.fasta:1)" in r.stderr, "a duplicate found while merging runs",
            r.stderr.decode())

    recs = []
    for p in inputs:
        if ".fasta" in p:
            recs += read_fasta(p)
    recs = [(i, rec.replace(b"MKV" * 50 + b"\n", wrap(b"MKV" * 50))) for i, rec in recs]
    ids = [i for i, _ in recs]
    t.check(len(ids) == len(set(ids)) and len(ids) > 3000, "distinct synthetic records",
            str(len(ids)))
    t.check("A0A999Z9Z9" in ids, "the extra record is read")
    kinds = {"sp": 0, "iso": 0, "tr": 0, "UniRef100": 0, "UniRef50": 0, "UniParc": 0}
    for i, rec in recs:
        k = ("iso" if "-" in i else rec[1:3].decode()) if rec[3:4] == b"|" else \
            i.split("_")[0] if i.startswith("UniRef") else "UniParc"
        kinds[k] = kinds.get(k, 0) + 1
    t.check(all(kinds.values()), "every kind of record present", str(kinds))
    got = b""
    for s in range(0, len(ids), 500):
        r = run([a.idmap, "entry", "-i", idx[0]] + ids[s:s + 500])
        t.check(r.returncode == 0, "entry for every record", r.stderr.decode()[:300])
        got += r.stdout
    want = b"".join(rec for _, rec in recs)
    if not t.check(got == want, "every record comes back byte for byte"):
        for (i, rec), g in zip(recs, got.split(b"\n>")):
            if b">" + g.lstrip(b">") + b"\n" != rec:
                print("  first difference at", i)
                break
    # ids far apart in the store, shuffled, one absent and one twice: the records and the
    # message come in the order asked (the CLI reads them in block order)
    pick = [ids[k] for k in range(0, len(ids), 97)]
    random.Random(15).shuffle(pick)
    asked = pick[:5] + ["A0A000Z000"] + pick[5:] + [pick[0]]
    byid = dict(recs)
    r = run([a.idmap, "entry", "-i", idx[0]] + asked)
    t.check(r.returncode == 1 and r.stdout == b"".join(byid.get(i, b"") for i in asked) and
            r.stderr == b"idmap: A0A000Z000: no FASTA record in the index\n",
            "entry: shuffled ids across blocks in the order asked", r.stderr.decode()[:300])
    # isoforms follow their entry, in order
    isos = [i for i in ids if "-" in i]
    base = isos[0].split("-")[0]
    r = run([a.idmap, "entry", "-i", idx[0], "--include-isoforms", base])
    heads = [line.split(b"|")[1].decode() for line in r.stdout.split(b"\n")
             if line.startswith(b">")]
    t.check(heads == [base] + sorted((i for i in isos if i.split("-")[0] == base),
                                     key=lambda x: int(x.split("-")[1])),
            "entry --include-isoforms", str(heads))
    return idx[0]


def damage(t, a, idx):
    with open(idx, "rb") as f:
        good = bytearray(f.read())
    secs = sections(good)
    cases = []
    b = bytearray(good)
    off, length, _ = secs[ENTRY_DATA]
    b[off + length // 2] ^= 0x55
    cases.append(("a flipped byte in a block, CRCs resealed", b, True, b"ENTRY_DATA"))
    b = bytearray(good)
    b[off + 10] ^= 0x01
    cases.append(("a flipped byte in a block", b, False, b"ENTRY_DATA"))
    b = bytearray(good)
    roff, rlen, _ = secs[ENTRY_RECORDS]
    struct.pack_into("<I", b, roff + 16, 0x7FFFFFF)  # seq_len of record 0
    cases.append(("a record longer than its block, CRCs resealed", b, True, b"ENTRY_RECORDS"))
    b = bytearray(good)
    hoff, hlen, _ = secs[ENTRY_HASH]
    full = [i for i in range(0, hlen, 4) if struct.unpack_from("<I", b, hoff + i)[0]]
    struct.pack_into("<I", b, hoff + full[0], 0)  # a record no longer reachable
    cases.append(("a hash slot emptied, CRCs resealed", b, True, b"ENTRY_HASH"))
    b = bytearray(good)
    v = struct.unpack_from("<I", b, hoff + full[0])[0]
    struct.pack_into("<I", b, hoff + full[1], v)  # a record in two slots
    cases.append(("a hash slot repeated, CRCs resealed", b, True, b"ENTRY_HASH"))
    for name, b, seal, where in cases:
        if seal:
            reseal(b)
        path = os.path.join(a.workdir, "damaged.idx")
        with open(path, "wb") as f:
            f.write(b)
        r = run([a.idmap, "verify", "-i", path])
        t.check(r.returncode == 1 and where in r.stderr, f"verify: {name}",
                f"rc {r.returncode}: {r.stderr.decode()}")
    # block 0 claims 2 GB uncompressed: refused as damage, never allocated (with 1 GB of
    # address space a reader that tried would fail with "out of memory")
    b = bytearray(good)
    struct.pack_into("<I", b, secs[36][0] + 12, 0x7FFFFFF0)
    reseal(b)
    with open(path, "wb") as f:
        f.write(b)
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    # (a sanitizer build cannot start within 1 GB: it then runs without the limit)
    probe = subprocess.run([a.idmap, "--version"], capture_output=True, preexec_fn=limit)
    r = subprocess.run([a.idmap, "entry", "-i", path, "A0A999Z9Z9"], capture_output=True,
                       preexec_fn=limit if probe.returncode == 0 else None)
    t.check(r.returncode == 1 and b"index is corrupt" in r.stderr and b"A0A999Z9Z9: " in
            r.stderr, "a block claiming 2 GB is refused as damaged", r.stderr.decode())
    # block 0 (the extra record, read first) is damaged: entry refuses its records
    b = bytearray(good)
    b[off + 3] ^= 0x55
    reseal(b)
    with open(path, "wb") as f:
        f.write(b)
    r = run([a.idmap, "entry", "-i", path, "A0A999Z9Z9"])
    t.check(r.returncode == 1 and r.stdout == b"" and b"A0A999Z9Z9: " in r.stderr,
            "entry: a record of a damaged block fails", r.stderr.decode())
    r = run([a.idmap, "entry", "-i", idx, "UPI0000000000"])
    t.check(r.returncode == 1 and b"no FASTA record" in r.stderr, "entry: an absent UPI")
    # a store of another version (1: 48-byte records) is refused with a rebuild hint
    b = bytearray(good)
    struct.pack_into("<I", b, secs[35][0], 1)
    reseal(b)
    with open(path, "wb") as f:
        f.write(b)
    r = run([a.idmap, "entry", "-i", path, "P31946"])
    t.check(r.returncode == 1 and b"entry store version 1" in r.stderr and
            b"rebuild the index" in r.stderr, "an old entry store: rebuild", r.stderr.decode())


def sample(t, a):
    w = os.path.join(a.workdir, "sample")
    os.makedirs(w)
    s = a.sample
    idx = os.path.join(w, "s.idx")
    fastas = sorted(os.path.join(s, n) for n in os.listdir(s) if n.endswith(".fasta"))
    r = run([a.idmap, "build", "-q", "-o", idx] +
            [os.path.join(s, n) for n in ("idmapping.dat", "idmapping_selected.tab",
                                          "sec_ac.txt", "delac_sp.txt")] + fastas)
    t.check(r.returncode == 0, "build the sample", r.stderr.decode())
    recs = {}
    for p in fastas:
        recs.update(read_fasta(p))

    def fasta(*args):
        return run([a.idmap, "map", "-i", idx, "--format", "fasta"] + list(args))

    tpa = residues(recs["P00750"])
    r = fasta("P31946", "P31946-2", "P00750[39-81]", "--subsequence")
    t.check(r.returncode == 0 and r.stdout == recs["P31946"] + recs["P31946-2"] +
            b">sp|P00750|39-81\n" + wrap(tpa[38:81]), "the README example", r.stdout.decode())
    r = fasta("P00750[39-81]")
    t.check(r.stdout == recs["P00750"], "a range without --subsequence: the whole entry")
    n = len(tpa)
    edge = [("P00750[1-1]", b">sp|P00750|1-1\n" + tpa[:1] + b"\n"),
            (f"P00750[1-{n}]", f">sp|P00750|1-{n}\n".encode() + wrap(tpa)),
            (f"P00750[{n}-{n}]", f">sp|P00750|{n}-{n}\n".encode() + tpa[-1:] + b"\n"),
            ("P00750-2[2-5]", b">sp|P00750-2|2-5\n" + residues(recs["P00750-2"])[1:5] + b"\n"),
            ("A0A023GPI8[1-60]", b">tr|A0A023GPI8|1-60\n" + residues(recs["A0A023GPI8"])[:60]
             + b"\n")]
    for ident, want in edge:
        r = fasta(ident, "--subsequence")
        t.check(r.returncode == 0 and r.stdout == want, f"range {ident}",
                r.stdout.decode() + r.stderr.decode())
        r = run([a.idmap, "entry", "-i", idx, ident])
        t.check(r.returncode == 0 and r.stdout == want, f"entry {ident}", r.stderr.decode())
    r = fasta(f"P00750[1-{n + 1}]", "P01308", "--subsequence")
    t.check(r.returncode == 0 and r.stdout == recs["P01308"] and
            f"outside the sequence of P00750 ({n} residues)".encode() in r.stderr,
            "a range beyond the length fails that id only", r.stderr.decode())
    r = run([a.idmap, "entry", "-i", idx, f"P00750[{n}-{n + 1}]"])
    t.check(r.returncode == 1 and r.stdout == b"", "entry: a range beyond the length")
    r = fasta("P00750[81-39]", "--subsequence")
    t.check(r.stdout == b"" and b"P00750[81-39]" in r.stderr, "a reversed range fails",
            r.stderr.decode())
    r = run([a.idmap, "entry", "-i", idx, "P00750[81-39]"])
    t.check(r.returncode == 1 and r.stdout == b"", "entry: a reversed range")
    r = fasta("P31946-1")
    t.check(r.stdout == recs["P31946"], "-1 is the canonical sequence", r.stdout.decode())
    r = fasta("P02768", "--include-isoforms")
    t.check(r.stdout == recs["P02768"] + recs["P02768-2"] + recs["P02768-3"],
            "--include-isoforms", r.stdout.decode())
    r = fasta("--to", "UniRef90", "P31946", "P68254")
    t.check(r.stdout == recs["UniRef90_P31946"] + recs["UniRef90_P27348"], "UniRef90 targets",
            r.stdout.decode() + r.stderr.decode())
    r = fasta("--to", "uniref90", "P31946")
    t.check(r.returncode == 0 and r.stdout == recs["UniRef90_P31946"],
            "a target named in another case", r.stderr.decode())
    r = fasta("--to", "UniParc", "P31946-2")
    t.check(r.stdout == recs["UPI000016A087"], "UniParc target", r.stdout.decode())
    r = fasta("A0A087WTH5")
    t.check(r.returncode == 0 and r.stdout == b"", "a deleted target writes nothing",
            r.stdout.decode())
    r = fasta("A0A023GPI8")
    t.check(b" (Fragment) " in r.stdout and r.stdout.startswith(b">tr|"), "TrEMBL fragment")
    r = fasta("--fields", "accession", "P31946")
    t.check(r.returncode == 2, "--format fasta with --fields is a usage error")
    r = fasta("--to", "GeneID", "P31946")
    t.check(r.returncode == 2, "--format fasta to GeneID is a usage error")
    r = run([a.idmap, "info", "-i", idx])
    t.check(b"entries (FASTA records)" in r.stdout and b"UniRef90" in r.stdout and
            b"blocks of 65536 bytes" in r.stdout, "info shows the store", r.stdout.decode())
    # an index of FASTA files alone: entries, no mappings
    only = os.path.join(w, "only.idx")
    r = run([a.idmap, "build", "-q", "-o", only] + fastas)
    t.check(r.returncode == 0, "build from FASTA alone", r.stderr.decode())
    r = run([a.idmap, "verify", "-i", only])
    t.check(r.returncode == 0, "verify the FASTA-only index", r.stderr.decode())
    r = run([a.idmap, "entry", "-i", only, "P31946-2", "UniRef90_P31946"])
    t.check(r.stdout == recs["P31946-2"] + recs["UniRef90_P31946"], "entry, FASTA-only index")
    # an index without FASTA input
    plain = os.path.join(w, "plain.idx")
    run([a.idmap, "build", "-q", "-o", plain, os.path.join(s, "idmapping.dat")])
    r = run([a.idmap, "map", "-i", plain, "--format", "fasta", "P31946"])
    t.check(r.returncode == 1 and b"no FASTA records" in r.stderr, "no store: map fails")
    r = run([a.idmap, "entry", "-i", plain, "P31946"])
    t.check(r.returncode == 1 and b"no FASTA records" in r.stderr, "no store: entry fails")
    return idx


def bad_inputs(t, a, good_idx):
    w = os.path.join(a.workdir, "bad")
    os.makedirs(w)
    dat = os.path.join(a.sample, "idmapping.dat")
    head = b">sp|P31946|1433B_HUMAN 14-3-3 protein beta/alpha OS=Homo sapiens OX=9606 PE=1 SV=3\n"
    cases = [
        ("invalid residue", head + b"MTMDK\nSEL1V\n", ":3: invalid residue at column 4"),
        ("lower case residues", head + b"mtmdk\n", ":2: invalid residue at column 1"),
        ("record without sequence", head + head + b"MTM\n", ":1: record without sequence"),
        ("bad accession", b">sp|P3194|X_HUMAN name\nMTM\n", ":1: no UniProtKB accession"),
        ("bad PE", b">sp|P31946|X_HUMAN n OS=H OX=9606 PE=7 SV=1\nM\n", ":1: PE= is not"),
        ("not UniProt FASTA", b">foo bar\nMTM\n", ":1: not a UniProt FASTA file"),
        ("other header later", head + b"MTM\n>foo\nMTM\n", ":3: FASTA header does not start"),
        ("duplicate record", head + b"MTM\n" + head + b"MTM\n",
         ":3: duplicate FASTA record P31946 (first at "),
    ]
    out = os.path.join(w, "out.idx")
    shutil.copyfile(good_idx, out)
    with open(out, "rb") as f:
        before = f.read()
    for name, data, want in cases:
        p = os.path.join(w, "in.fasta")
        with open(p, "wb") as f:
            f.write(data)
        r = run([a.idmap, "build", "-q", "-o", out, dat, p])
        err = r.stderr.decode()
        t.check(r.returncode == 1 and err.startswith(f"idmap: {p}") and want in err,
                f"bad input: {name}", err)
        with open(out, "rb") as f:
            t.check(f.read() == before, f"bad input: {name}: old index untouched")
        t.check(sorted(os.listdir(w)) == ["in.fasta", "out.idx"], f"{name}: no files left")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    t = T()
    idx = synthetic(t, a)
    damage(t, a, idx)
    sidx = sample(t, a)
    bad_inputs(t, a, sidx)
    print(f"{t.passed} passed, {t.failed} failed")
    sys.exit(1 if t.failed else 0)


if __name__ == "__main__":
    main()
