#!/usr/bin/env python3
"""End-to-end round trip: synthetic release -> idmap build -> idmap map, checked against a
reference the test builds itself by reading the generated files with its own parser.

For every ID type present: forward (all accessions -> TYPE) and reverse (all values of TYPE
-> UniProtKB) must give exactly the reference pairs. Also checked: a second index built from
gzipped copies answers the same; entry names, secondary and deleted accessions; unknown ids
give no rows and land in the --unmapped file; exit codes and the stderr summary line.

Python 3 standard library only. Prints "N passed, N failed"; exits 1 on any failure.
"""
import argparse
import gzip
import os
import random
import re
import shutil
import string
import subprocess
import sys
import time

# idmapping_selected.tab columns 2..22 -> the idmapping.dat ID type of the same kind.
SELECTED_TYPES = [
    "UniProtKB-ID", "GeneID", "RefSeq", "GI", "PDB", "GO", "UniRef100", "UniRef90",
    "UniRef50", "UniParc", "PIR", "NCBI_TaxID", "MIM", "UniGene", "PubMed", "EMBL",
    "EMBL-CDS", "Ensembl", "Ensembl_TRS", "Ensembl_PRO", "Additional_PubMed",
]

# File ID type -> REST database name (docs/semantics.md), tried when the CLI rejects the
# file name.
REST_NAMES = {
    "EMBL": "EMBL-GenBank-DDBJ", "EMBL-CDS": "EMBL-GenBank-DDBJ_CDS", "GI": "GI_number",
    "RefSeq": "RefSeq_Protein", "RefSeq_NT": "RefSeq_Nucleotide",
    "Ensembl_PRO": "Ensembl_Protein", "Ensembl_TRS": "Ensembl_Transcript",
    "EnsemblGenome": "Ensembl_Genomes", "EnsemblGenome_PRO": "Ensembl_Genomes_Protein",
    "EnsemblGenome_TRS": "Ensembl_Genomes_Transcript",
    "WormBase_PRO": "WormBase_Protein", "WormBase_TRS": "WormBase_Transcript",
}

# Types that UniProt's service does not offer; a CLI that rejects them (exit 2) is following
# UniProt, so that is reported as skipped, not failed (--strict makes it a failure).
NOT_OFFERED = {"GO", "PubMed", "Additional_PubMed", "NCBI_TaxID", "Gene_Synonym",
               "Gene_ORFName", "Gene_OrderedLocusName", "UniGene"}

ACC_RE = re.compile(r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})"
                    r"(-[1-9][0-9]{0,3})?$")


class Reference:
    """The expected answers, from the release files alone."""

    def __init__(self):
        self.pairs = {}        # type -> set of (accession, value)
        self.accessions = []   # every accession of the release, first-seen order
        self.acc_set = set()
        self.secondary = {}    # secondary -> set of primaries
        self.deleted = set()

    def add(self, acc, typ, value):
        if acc not in self.acc_set:
            self.acc_set.add(acc)
            self.accessions.append(acc)
        self.pairs.setdefault(typ, set()).add((acc, value))

    def read_dat(self, path):
        with open(path, encoding="ascii") as f:
            for n, line in enumerate(f, 1):
                cols = line.rstrip("\n").split("\t")
                if len(cols) != 3:
                    raise SystemExit(f"{path}:{n}: expected 3 columns")
                self.add(*cols)

    def read_selected(self, path):
        with open(path, encoding="ascii") as f:
            for n, line in enumerate(f, 1):
                cols = line.rstrip("\n").split("\t")
                if len(cols) != 22:
                    raise SystemExit(f"{path}:{n}: expected 22 columns, got {len(cols)}")
                acc = cols[0]
                for typ, cell in zip(SELECTED_TYPES, cols[1:]):
                    for v in cell.split("; ") if cell else []:
                        if typ == "PDB":
                            v = v.split(":", 1)[0]   # 1ABC:A -> 1ABC, as in the dat file
                        self.add(acc, typ, v)

    def read_history(self, sec_path, del_path):
        for path, is_sec in ((sec_path, True), (del_path, False)):
            body = False
            with open(path, encoding="ascii") as f:
                for line in f:
                    if line.startswith("____"):
                        body = True
                        continue
                    if not body:
                        continue
                    words = line.split()
                    if not words or not ACC_RE.match(words[0]):
                        continue   # blank lines and the footer
                    if is_sec and len(words) == 2 and ACC_RE.match(words[1]):
                        self.secondary.setdefault(words[0], set()).add(words[1])
                    elif not is_sec and len(words) == 1:
                        self.deleted.add(words[0])

    def values(self, typ):
        seen, out = set(), []
        for _, v in sorted(self.pairs[typ]):
            if v not in seen:
                seen.add(v)
                out.append(v)
        return out


class Checker:
    def __init__(self, args):
        self.args = args
        self.passed = 0
        self.failed = 0
        self.skipped = []
        self.names = {}        # type -> name the CLI accepted
        self.extra = {}        # type -> extra options it needed (--allow-one-to-many)

    def result(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}{': ' + detail if detail else ''}")

    def compare(self, name, got, want):
        """Set comparison of (From, To) rows, with the first differences on failure."""
        if got == want:
            self.result(name, True)
            return
        missing = sorted(want - got)[:5]
        extra = sorted(got - want)[:5]
        self.result(name, False, f"{len(want - got)} missing {missing}, "
                                 f"{len(got - want)} unexpected {extra}")

    def run_map(self, index, src, dst, ids, unmapped=None, extra=()):
        cmd = [self.args.idmap, "map", "-i", index, "--from", src, "--to", dst] + list(extra)
        if unmapped:
            cmd += ["--unmapped", unmapped]
        p = subprocess.run(cmd, input="\n".join(ids) + "\n", capture_output=True,
                           text=True)
        return p.returncode, p.stdout, p.stderr

    def parse_rows(self, name, out, notes=None):
        """(From, To) rows. The plain TSV is From<TAB>To whatever the inputs;
        a caller that passes notes (a dict) asked for the Obsolete column (--fields
        from,to,obsolete): its cells go to notes[(From, To)]."""
        lines = out.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        header = lines[0] if lines else None
        width = 2 if notes is None else 3
        if header != ("From\tTo" if width == 2 else "From\tTo\tObsolete"):
            self.result(name + " header", False, f"first line {lines[:1]!r}")
            return None
        rows = set()
        for line in lines[1:]:
            cols = line.split("\t")
            if len(cols) != width:
                self.result(name + " row shape", False, repr(line))
                return None
            rows.add((cols[0], cols[1]))
            if width == 3:
                notes[(cols[0], cols[1])] = cols[2]
        return rows

    def map_rows(self, index, src, dst, ids, name, notes=None, extra=()):
        """Runs a job; returns its rows, or None after reporting why."""
        rc, out, err = self.run_map(index, src, dst, ids, extra=extra)
        if rc != 0:
            self.result(name, False, f"exit {rc}: {err.strip()[:300]}")
            return None
        return self.parse_rows(name, out, notes)

    def resolve(self, index, typ, direction, probe):
        """The name under which the CLI accepts typ: the file name, else the REST name."""
        key = (typ, direction)
        if key in self.names:
            return self.names[key]
        cands = [typ] + ([REST_NAMES[typ]] if typ in REST_NAMES else [])
        for name in cands:
            src, dst = ("UniProtKB_AC-ID", name) if direction == "fwd" else (name, "UniProtKB")
            rc, _, err = self.run_map(index, src, dst, probe)
            if rc != 2:
                self.names[key] = name
                return name
            if typ in NOT_OFFERED and direction == "rev" and \
                    "one-to-many" in err and "--allow-one-to-many" in err:
                # refused as UniProt does, with the reason; idmap lifts it on request
                rc, _, err = self.run_map(index, src, dst, probe,
                                          extra=["--allow-one-to-many"])
                if rc != 2:
                    self.names[key] = name
                    self.extra[typ] = ["--allow-one-to-many"]
                    return name
        self.names[key] = None
        last_err = err.strip().splitlines()[:1]
        if typ in NOT_OFFERED and not self.args.strict:
            self.skipped.append(f"{typ} ({direction}): rejected by the CLI {last_err}")
        else:
            self.result(f"{direction} {typ}", False, f"type rejected (exit 2) {last_err}")
        return None


def run(cmd, name, checker, **kw):
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    ok = p.returncode == 0
    checker.result(name, ok, f"exit {p.returncode}: {p.stderr.strip()[-500:]}")
    print(f"  {name}: {time.time() - t:.1f} s")
    return ok


def random_accessions(rng, n, avoid):
    up, dig, an = string.ascii_uppercase, string.digits, string.ascii_uppercase + string.digits
    first = "ABCDEFGHIJKLMNRSTUVWXYZ"
    out = []
    while len(out) < n:
        if rng.random() < 0.5:
            a = rng.choice("OPQ") + rng.choice(dig) + "".join(rng.choice(an) for _ in range(3)) \
                + rng.choice(dig)
        else:
            a = rng.choice(first) + rng.choice(dig)
            for _ in range(2 if rng.random() < 0.5 else 1):
                a += rng.choice(up) + rng.choice(an) + rng.choice(an) + rng.choice(dig)
        if a not in avoid:
            out.append(a)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--lines", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--shape", choices=["default", "real"], default="default",
                    help="the generator's data shape (real: shaped like UniProt's files)")
    ap.add_argument("--strict", action="store_true",
                    help="fail (not skip) when the CLI rejects a type UniProt does not offer")
    args = ap.parse_args()
    c = Checker(args)
    t0 = time.time()

    work = os.path.abspath(args.workdir)
    rel, relgz = os.path.join(work, "release"), os.path.join(work, "release-gz")
    for d in (rel, relgz):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(relgz)
    names = ["idmapping.dat", "idmapping_selected.tab", "sec_ac.txt", "delac_sp.txt"]
    idx_a, idx_b = os.path.join(work, "plain.idx"), os.path.join(work, "gz.idx")
    for p in (idx_a, idx_b):
        if os.path.exists(p):
            os.remove(p)

    print(f"generating {args.lines} lines, seed {args.seed}, shape {args.shape}")
    shape = ["--shape", "real"] if args.shape == "real" else []
    if not run([args.genrelease, "--lines", str(args.lines), "--seed", str(args.seed),
                "--out", rel] + shape, "generate", c):
        return finish(c, t0)
    inputs = [os.path.join(rel, n) for n in names]
    inputs_gz = []
    for src in inputs:
        dst = os.path.join(relgz, os.path.basename(src) + ".gz")
        with open(src, "rb") as fi, gzip.open(dst, "wb", compresslevel=1) as fo:
            shutil.copyfileobj(fi, fo, 1 << 20)
        inputs_gz.append(dst)
    built_a = run([args.idmap, "build", "-o", idx_a, "--memory", "64M"] + inputs,
                  "build plain", c)
    built_b = run([args.idmap, "build", "-o", idx_b, "--memory", "64M"] + inputs_gz,
                  "build gzip", c)
    if not built_a:
        return finish(c, t0)

    ref = Reference()
    ref.read_dat(inputs[0])
    ref.read_selected(inputs[1])
    ref.read_history(inputs[2], inputs[3])
    types = sorted(ref.pairs)
    print(f"reference: {len(ref.accessions)} accessions, {len(types)} types, "
          f"{sum(len(s) for s in ref.pairs.values())} pairs, {len(ref.secondary)} secondary, "
          f"{len(ref.deleted)} deleted")
    bad = [a for a in ref.accessions if not ACC_RE.match(a)]
    c.result("accessions match the pattern", not bad, str(bad[:5]))

    def both(src, dst, ids, name, want, notes=None, extra=()):
        """Checks the plain index against want and the gzip-built one against the plain."""
        got = c.map_rows(idx_a, src, dst, ids, name, notes, extra)
        if got is None:
            return
        c.compare(name, got, want)
        if built_b:
            got_b = c.map_rows(idx_b, src, dst, ids, name + " [gzip index]",
                               None if notes is None else {}, extra)
            if got_b is not None:
                c.compare(name + " [gzip index = plain index]", got_b, got)

    # Forward and reverse, every type.
    for typ in types:
        if typ == "UniProtKB-ID":
            continue   # entry names are an input form of UniProtKB_AC-ID, checked below
        pairs = ref.pairs[typ]
        values = ref.values(typ)
        name = c.resolve(idx_a, typ, "fwd", ref.accessions[:1])
        if name:
            both("UniProtKB_AC-ID", name, ref.accessions, f"forward {typ}", pairs)
        name = c.resolve(idx_a, typ, "rev", values[:1])
        if name:
            both(name, "UniProtKB", values, f"reverse {typ}",
                 {(v, a) for a, v in pairs}, extra=c.extra.get(typ, ()))

    # Entry names and accessions as UniProtKB_AC-ID input.
    if "UniProtKB-ID" in ref.pairs:
        names_pairs = ref.pairs["UniProtKB-ID"]
        both("UniProtKB_AC-ID", "UniProtKB", [v for _, v in sorted(names_pairs)],
             "entry name -> accession", {(v, a) for a, v in names_pairs})
    canon = [a for a in ref.accessions if "-" not in a]
    both("UniProtKB_AC-ID", "UniProtKB", canon, "accession -> itself",
         {(a, a) for a in canon})
    sec = sorted(s for s in ref.secondary if s not in ref.acc_set)
    notes = {}
    both("UniProtKB_AC-ID", "UniProtKB", sec, "secondary -> primary",
         {(s, p) for s in sec for p in ref.secondary[s]}, notes,
         ("--fields", "from,to,obsolete"))
    bad = [k for k, v in notes.items() if v != "secondary"]
    c.result("secondary rows say 'secondary'", sec == [] or (notes and not bad), str(bad[:5]))
    # deleted: obsolete, not failed: to UniProtKB one row each, to its inactive entry (as
    # UniProt), 'deleted' in the Obsolete column
    notes = {}
    rc, out, err = c.run_map(idx_a, "UniProtKB_AC-ID", "UniProtKB", sorted(ref.deleted),
                             extra=("--fields", "from,to,obsolete"))
    rows = c.parse_rows("deleted", out, notes)
    want = {(d, d) for d in ref.deleted}
    c.result("deleted accessions: one row each, the inactive entry", rc == 0 and rows == want,
             f"exit {rc}, rows {sorted(rows or [])[:5]}")
    c.result("deleted accessions: reason 'deleted from Swiss-Prot' (delac_sp.txt)",
             set(notes.values()) <= {"deleted from Swiss-Prot"} and
             len(notes) == len(ref.deleted),
             str(sorted(set(notes.values()))))
    c.result("deleted accessions: obsolete in the summary, not failed",
             f"{len(ref.deleted)} obsolete" in err and "not mapped" not in err, err[:200])

    # Unknown ids: no rows, all in the --unmapped file, exit 0, a summary line on stderr.
    rng = random.Random(args.seed)
    known = ref.acc_set | set(ref.secondary) | ref.deleted
    unknown_cases = [
        ("random strings", "UniProtKB_AC-ID", "UniProtKB",
         ["NOSUCHID_%08X" % rng.getrandbits(32) for _ in range(20)] +
         ["zz%dqq" % rng.randrange(10 ** 6) for _ in range(5)]),
        ("valid-looking accessions", "UniProtKB_AC-ID", "UniProtKB",
         random_accessions(rng, 50, known)),
    ]
    for a, b in (("GeneID", "GI"), ("RefSeq", "EMBL-CDS"), ("UniRef90", "UniRef50"),
                 ("Ensembl", "Ensembl_PRO"), ("GI", "UniProtKB_AC-ID"),
                 ("KEGG", "STRING")):
        if a not in ref.pairs:
            continue
        if b == "UniProtKB_AC-ID":
            other, src = {v for _, v in ref.pairs.get("UniProtKB-ID", ())} | known, b
        else:
            if b not in ref.pairs or not c.names.get((b, "rev")):
                continue
            other, src = {v for _, v in ref.pairs[b]}, c.names[(b, "rev")]
        vals = [v for v in ref.values(a) if v not in other][:30]
        unknown_cases.append((f"{a} values as {b}", src, "UniProtKB", vals))
    unmapped_path = os.path.join(work, "unmapped.txt")
    for label, src, dst, ids in unknown_cases:
        if not ids:
            continue
        if os.path.exists(unmapped_path):
            os.remove(unmapped_path)
        rc, out, err = c.run_map(idx_a, src, dst, ids, unmapped_path)
        c.result(f"unknown ({label}): exit 0", rc == 0, f"exit {rc}: {err.strip()[:200]}")
        rows = c.parse_rows(f"unknown ({label})", out)
        c.result(f"unknown ({label}): no rows", rows == set(), str(sorted(rows or [])[:5]))
        listed = []
        if os.path.exists(unmapped_path):
            with open(unmapped_path) as f:
                listed = f.read().split()
        c.result(f"unknown ({label}): all listed as unmapped", sorted(listed) == sorted(ids),
                 f"{len(set(ids) - set(listed))} missing from the file, e.g. "
                 f"{sorted(set(ids) - set(listed))[:3]}; {len(set(listed) - set(ids))} extra")
        c.result(f"unknown ({label}): stderr summary line",
                 re.search(r"mapped", err) is not None, repr(err[:200]))

    return finish(c, t0)


def finish(c, t0):
    for s in c.skipped:
        print(f"SKIP {s}")
    print(f"time {time.time() - t0:.1f} s")
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
