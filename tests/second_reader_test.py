#!/usr/bin/env python3
"""The second reader (tests/second_reader.py, written from FORMAT.md alone) against `idmap`.

On the bundled sample and on a small generated release: the index is opened and checked by
the second reader (header, table, every CRC), then every accession is looked up forward and
every value of every database reverse, with `idmap map` doing the same; the two must give the
same (from, to) pairs, including ids that are absent (no false hit). On the sample, the
known-answer vectors of FORMAT.md are checked too; on an index with wide offset-table blocks,
its two big records. Prints `N passed, N failed`; exits 1 when a check failed.
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import second_reader  # noqa: E402

# Well-formed ids that are in no index here: a miss must stay a miss.
ABSENT_ACCS = ["Q00000", "A0A000A0A0", "P31946-999"]
ABSENT_VALUE = "no-such-value-9"


class Checker:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL", what)


def run(cmd, stdin=None):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd[:4]), p.returncode, p.stderr))
    return p.stdout


def databases(idmap, index):
    """[(name, type name, from, to)] of the catalogue entries whose type is in the index."""
    out = []
    for line in run([idmap, "databases", "-i", index]).splitlines()[1:]:
        name, ftype, frm, to = line.split("\t")[:4]
        out.append((name, ftype, frm == "yes", to == "yes"))
    return out


def cli_pairs(idmap, index, args, ids):
    """{(from, to)} of `idmap map` over ids (on standard input)."""
    out = run([idmap, "map", "-i", index, "--allow-one-to-many"] + args,
              stdin="\n".join(ids) + "\n")
    return {tuple(line.split("\t")[:2]) for line in out.splitlines()[1:]}


def ascii_case_variants(v):
    """UniProt's gene names match without case, as idmap does it: the name as typed, upper
    case, capitalised, lower case (ASCII letters only). The one mapping rule used here that
    is not the format's."""
    up = "".join(c.upper() if c.isascii() else c for c in v)
    low = "".join(c.lower() if c.isascii() else c for c in v)
    return {v, up, up[:1] + low[1:], low}


def compare(check, idmap, index, label):
    ix = second_reader.Index(index)
    types = {t["name"] for t in ix.types}
    history = {"#secondary", "#deleted"}
    accs = ix.accessions()
    absent = [a for a in ABSENT_ACCS if all(ix.key_slot(t, a.encode()) is None for t in history)
              and ix.acc_slot(a) is None]
    check(len(absent) == len(ABSENT_ACCS), "%s: the absent ids are absent" % label)
    check(all(ix.forward(a) == [] for a in absent) and ix.reverse("GeneID", ABSENT_VALUE.encode())
          == [], "%s: no false hit for absent ids" % label)
    dbs = [d for d in databases(idmap, index) if d[1] in types]
    check(dbs, "%s: databases found" % label)
    for name, ftype, frm, to in dbs:
        if to:
            want = {(a, v.decode()) for a in accs + absent for t, v in ix.forward(a)
                    if t == ftype}
            got = cli_pairs(idmap, index, ["--to", name], accs + absent)
            check(got == want, "%s: forward to %s: idmap only %s, reader only %s"
                  % (label, name, sorted(got - want)[:5], sorted(want - got)[:5]))
        if frm:
            t = ix.type_id[ftype]
            values = [ix.key_record(k)[1].decode() for k in range(ix.n_key)
                      if ix.key_record(k)[0] == t] + [ABSENT_VALUE]
            variants = ascii_case_variants if name == "Gene_Name" else (lambda v: {v})
            want = {(v, a) for v in values for w in variants(v)
                    for a in ix.reverse(ftype, w.encode())}
            got = cli_pairs(idmap, index, ["--from", name, "--to", "UniProtKB"], values)
            check(got == want, "%s: reverse from %s: idmap only %s, reader only %s"
                  % (label, name, sorted(got - want)[:5], sorted(want - got)[:5]))
    return ix


def wide_blocks(check, idmap, workdir):
    """An index whose offset tables both have a wide block (FORMAT.md, "Offset tables"): a
    key of 70000 accessions and an accession of 80000 keys, read by both readers."""
    dat, index = os.path.join(workdir, "wide.dat"), os.path.join(workdir, "wide.idx")
    accs = ["P%d%s%d" % (i % 10, "".join(chr(65 + i // d % 26) for d in (10, 260, 6760)),
                         i // 175760 % 10) for i in range(70000)]
    with open(dat, "w") as f:
        f.writelines("%s\tNCBI_TaxID\t9606\n" % a for a in accs)
        f.writelines("P31946\tGeneID\t%d\n" % (100000 + i) for i in range(80000))
    run([idmap, "build", "-q", "-o", index, dat])
    ix = second_reader.Index(index)
    check(len(ix.sec(second_reader.FWD_INDEX_WIDE)) and len(ix.sec(second_reader.KEY_INDEX_WIDE)),
          "wide: both tables have a wide block")
    want = {("P31946", v.decode()) for t, v in ix.forward("P31946") if t == "GeneID"}
    check(len(want) == 80000 and cli_pairs(idmap, index, ["--to", "GeneID"], ["P31946"]) == want,
          "wide: forward record of 80000 keys")
    want = {("9606", a) for a in ix.reverse("NCBI_TaxID", b"9606")}
    got = cli_pairs(idmap, index, ["--from", "NCBI_TaxID", "--to", "UniProtKB"], ["9606"])
    check(len(want) == 70000 and got == want, "wide: key record of 70000 accessions")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--format-md", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    check = Checker()

    check(second_reader.check_vectors(a.format_md) == [], "vectors of the format's functions")
    sample = os.path.join(a.workdir, "sample.idx")
    inputs = [os.path.join(a.sample, n) for n in ("idmapping.dat", "idmapping_selected.tab",
                                                  "sec_ac.txt", "delac_sp.txt")]
    run([a.idmap, "build", "-q", "-o", sample] + inputs)
    ix = compare(check, a.idmap, sample, "sample")
    missing = second_reader.check_vectors(a.format_md, ix)
    check(missing == [], "sample vectors missing from FORMAT.md: %s" % missing)

    for shape in ("default", "real"):  # both data shapes: their values code differently
        release = os.path.join(a.workdir, "release-" + shape)
        run([a.genrelease, "--lines", "3000", "--seed", "7", "--out", release] +
            (["--shape", "real"] if shape == "real" else []))
        generated = os.path.join(a.workdir, "generated-%s.idx" % shape)
        run([a.idmap, "build", "-q", "-o", generated] + sorted(
            os.path.join(release, n) for n in os.listdir(release)))
        compare(check, a.idmap, generated, "generated, %s shape" % shape)

    wide_blocks(check, a.idmap, a.workdir)
    print("%d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
