#!/usr/bin/env python3
"""The generator's two data shapes.

- The default shape's bytes are pinned: tests and benchmarks compare figures across commits.
- `--shape real` is deterministic in --lines/--seed, compresses like UniProt's files (gzip -6
  between 4.5x and 6x on idmapping.dat, where the default shape stays under 4x), has the
  documented layout (organism batches, near-consecutive accessions, self-named clusters),
  writes companion files that agree with idmapping.dat, and builds an index that verifies and
  answers like the files.

Python 3 standard library only. Prints "N passed, N failed"; exits 1 on any failure.
"""
import argparse
import gzip
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import zlib

FILES = ["idmapping.dat", "idmapping_selected.tab", "sec_ac.txt", "delac_sp.txt",
         "reldate.txt"]
ACC_RE = re.compile(r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})"
                    r"(-[1-9][0-9]{0,3})?$")
# sha256 of `idmap-genrelease --lines 20000 --seed 5` (the default shape), first 16 digits.
DEFAULT_PIN = {
    "idmapping.dat": "16e556d932ea2686",
    "idmapping_selected.tab": "f5e306106f2ab70b",
    "sec_ac.txt": "98510c4918d75309",
    "delac_sp.txt": "329a16d117c9bd2a",
}
LINES = 100000


class Checker:
    def __init__(self):
        self.passed = self.failed = 0

    def result(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   " + name)
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, ": " + detail if detail else ""))
        return ok


def generate(gen, out, lines, seed, shape=None, more=()):
    shutil.rmtree(out, ignore_errors=True)
    argv = [gen, "--lines", str(lines), "--seed", str(seed), "--out", out] + list(more)
    if shape:
        argv += ["--shape", shape]
    subprocess.run(argv, check=True, stderr=subprocess.DEVNULL)
    return out


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def gzip6_ratio(path):
    with open(path, "rb") as f:
        data = f.read()
    return len(data) / len(zlib.compress(data, 6))


def read_dat(path):
    """Entries in file order: [(accession, {type: [values]})], isoform rows left out."""
    entries = []
    with open(path) as f:
        for line in f:
            acc, typ, val = line.rstrip("\n").split("\t")
            if "-" in acc:
                continue
            if not entries or entries[-1][0] != acc:
                entries.append((acc, {}))
            entries[-1][1].setdefault(typ, []).append(val)
    return entries


def read_history(sec_path, del_path):
    """(secondary, primary) pairs and deleted accessions: the lines after the underscores."""
    def body(path):
        rows, on = [], False
        with open(path) as f:
            for line in f:
                if line.startswith("____"):
                    on = True
                elif on and line.strip() and not line.startswith("---"):
                    rows.append(line.split())
                elif on and line.startswith("---"):
                    break
        return rows
    return [tuple(r) for r in body(sec_path)], [r[0] for r in body(del_path)]


def idmap_map(idmap, index, ids, src, dst):
    p = subprocess.run([idmap, "map", "-i", index, "--from", src, "--to", dst],
                       input="\n".join(ids) + "\n", capture_output=True, text=True)
    rows = set(tuple(line.split("\t")[:2]) for line in p.stdout.splitlines()[1:])
    return p.returncode, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    c = Checker()
    work = os.path.abspath(a.workdir)
    os.makedirs(work, exist_ok=True)
    gen = a.genrelease

    # The default shape: pinned, and `--shape default` is the same as no flag.
    d0 = generate(gen, os.path.join(work, "default"), 20000, 5)
    d1 = generate(gen, os.path.join(work, "default-flag"), 20000, 5, "default")
    for name, want in DEFAULT_PIN.items():
        got = digest(os.path.join(d0, name))
        c.result("default shape %s unchanged" % name, got == want, "sha256 %s, pinned %s"
                 % (got, want))
        c.result("--shape default %s = no flag" % name, got == digest(os.path.join(d1, name)))
    p = subprocess.run([gen, "--lines", "10", "--out", os.path.join(work, "x"), "--shape",
                        "unreal"], capture_output=True)
    c.result("--shape unreal is a usage error (exit 2)", p.returncode == 2, str(p.returncode))

    # The real shape: deterministic from --lines/--seed.
    r1 = generate(gen, os.path.join(work, "real"), LINES, 11, "real")
    r2 = generate(gen, os.path.join(work, "real-again"), LINES, 11, "real")
    r3 = generate(gen, os.path.join(work, "real-seed"), LINES, 12, "real")
    for name in FILES:
        c.result("--shape real %s the same twice" % name,
                 digest(os.path.join(r1, name)) == digest(os.path.join(r2, name)))
    c.result("--shape real depends on --seed", digest(os.path.join(r1, "idmapping.dat")) !=
             digest(os.path.join(r3, "idmapping.dat")))
    shutil.rmtree(r3)
    # --gzip: the same text, at gzip's default level as UniProt's files (not the default
    # shape's level 1), so that an index is weighed against a realistic gzip input
    generate(gen, r2, LINES, 11, "real", ["--gzip"])
    for name in FILES[:2]:
        with open(os.path.join(r1, name), "rb") as f, \
                gzip.open(os.path.join(r2, name + ".gz"), "rb") as g:
            text = f.read()
            c.result("--shape real --gzip %s: the same text" % name, g.read() == text)
        x = len(text) / os.path.getsize(os.path.join(r2, name + ".gz"))
        c.result("--shape real --gzip %s within 5%% of gzip -6" % name,
                 abs(x / gzip6_ratio(os.path.join(r1, name)) - 1) < 0.05, "%.2fx" % x)
    shutil.rmtree(r2)

    # Compression: a property of the bytes.
    dat = os.path.join(r1, "idmapping.dat")
    x = gzip6_ratio(dat)
    c.result("real idmapping.dat compresses 4.5-6x with gzip -6", 4.5 <= x <= 6.0, "%.2fx" % x)
    x = gzip6_ratio(os.path.join(r1, "idmapping_selected.tab"))
    c.result("real idmapping_selected.tab compresses 3.5-5.5x", 3.5 <= x <= 5.5, "%.2fx" % x)
    d = generate(gen, os.path.join(work, "default-big"), LINES, 11)
    x = gzip6_ratio(os.path.join(d, "idmapping.dat"))
    c.result("default idmapping.dat compresses under 4x", x < 4.0, "%.2fx" % x)
    shutil.rmtree(d)

    # Layout.
    entries = read_dat(dat)
    accs = [e[0] for e in entries]
    acc_set = set(accs)
    c.result("accessions unique and well-formed", len(acc_set) == len(accs) and
             all(ACC_RE.match(x) for x in accs))
    trembl = [e for e in entries if len(e[0]) == 10]
    c.result("most entries are TrEMBL (10-character accessions)",
             len(trembl) > 0.9 * len(entries), "%d of %d" % (len(trembl), len(entries)))
    pairs = list(zip(trembl, trembl[1:]))
    same_tax = sum(a[1]["NCBI_TaxID"] == b[1]["NCBI_TaxID"] for a, b in pairs)
    c.result("neighbouring TrEMBL entries mostly share a taxon", same_tax > 0.95 * len(pairs),
             "%d of %d" % (same_tax, len(pairs)))
    near = sum(a[0][:8] == b[0][:8] for a, b in pairs)
    c.result("neighbouring TrEMBL accessions mostly share 8 characters",
             near > 0.8 * len(pairs), "%d of %d" % (near, len(pairs)))
    self100 = sum(e[1]["UniRef100"] == ["UniRef100_" + e[0]] for e in trembl)
    c.result("most UniRef100 clusters named after their entry", self100 > 0.5 * len(trembl),
             "%d of %d" % (self100, len(trembl)))
    reps = {v.split("_", 1)[1] for e in entries for t in ("UniRef90", "UniRef50")
            for v in e[1].get(t, ())}
    c.result("UniRef90/50 clusters named after accessions of the release", reps <= acc_set,
             str(sorted(reps - acc_set)[:5]))

    # Companion files: the same accessions.
    with open(os.path.join(r1, "idmapping_selected.tab")) as f:
        rows = [line.split("\t") for line in f]
    c.result("one selected row per entry, same accessions", [r[0] for r in rows] == accs)
    # GO terms come from the family, as eggNOG does: family members repeat whole GO cells.
    go = [r[6] for r in rows if len(r[0]) == 10 and r[6]]
    egg = [v for e in trembl for v in e[1].get("eggNOG", ())]
    c.result("family values repeat (GO cells, eggNOG)", len(set(go)) < 0.5 * len(go) and
             len(set(egg)) < 0.5 * len(egg), "GO %d of %d distinct, eggNOG %d of %d"
             % (len(set(go)), len(go), len(set(egg)), len(egg)))
    sec, deleted = read_history(os.path.join(r1, "sec_ac.txt"), os.path.join(r1, "delac_sp.txt"))
    c.result("sec_ac: primaries are entries, secondaries are not", sec and
             all(p in acc_set and s not in acc_set and ACC_RE.match(s) for s, p in sec))
    c.result("delac_sp: deleted accessions are not entries", deleted and
             not (set(deleted) & acc_set) and not (set(deleted) & {s for s, _ in sec}))

    # The index: builds, verifies, answers like the files.
    idx = os.path.join(work, "real.idx")
    if os.path.exists(idx):
        os.remove(idx)
    p = subprocess.run([a.idmap, "build", "-q", "-o", idx, "--memory", "64M"] +
                       [os.path.join(r1, n) for n in FILES[:4]], capture_output=True, text=True)
    if not c.result("idmap build", p.returncode == 0, p.stderr.strip()):
        return finish(c)
    p = subprocess.run([a.idmap, "verify", "--full", "-q", "-i", idx], capture_output=True,
                       text=True)
    c.result("idmap verify --full", p.returncode == 0, p.stdout + p.stderr)
    rng = random.Random(3)
    some = rng.sample(entries, 300)
    want = {(acc, v) for acc, t in some for v in t["UniRef90"]}
    rc, got = idmap_map(a.idmap, idx, [e[0] for e in some], "UniProtKB_AC-ID", "UniRef90")
    c.result("accessions -> UniRef90 as in idmapping.dat", rc == 0 and got == want,
             "%d rows, %d wanted" % (len(got), len(want)))
    cds = [(acc, v) for acc, t in some for v in t.get("EMBL-CDS", ())]
    rc, got = idmap_map(a.idmap, idx, [v for _, v in cds], "EMBL-GenBank-DDBJ_CDS", "UniProtKB")
    c.result("EMBL-CDS -> UniProtKB as in idmapping.dat",
             rc == 0 and cds and got == {(v, acc) for acc, v in cds},
             "%d rows, %d wanted" % (len(got), len(cds)))
    some_sec = rng.sample(sorted({s for s, _ in sec}), 50)
    want = {(s, p) for s, p in sec if s in some_sec}
    rc, got = idmap_map(a.idmap, idx, some_sec, "UniProtKB_AC-ID", "UniProtKB")
    c.result("secondary -> primary as in sec_ac.txt", rc == 0 and got == want,
             "%d rows, %d wanted" % (len(got), len(want)))
    return finish(c)


def finish(c):
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
