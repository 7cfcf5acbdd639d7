#!/usr/bin/env python3
"""UniParc XML through `idmap build`: the hand-written parts of tests/data/uniparc (one plain,
one gzipped) built with the sample's idmapping files; the cross-references are in the index as
the data model of FORMAT.md says (`idmap info` counts, reverse and forward lookups through the
independent reader tests/second_reader.py), `idmap verify` accepts the UPI slots; a truncated
part is refused with FILE:byte N and no index is written.
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import argparse
import gzip
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import second_reader  # noqa: E402
from checks import Checks  # noqa: E402


def run(*args):
    return subprocess.run(args, capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    t = Checks()
    data = os.path.join(HERE, "data", "uniparc")
    part1 = os.path.join(data, "uniparc_part1.xml")
    part2 = os.path.join(a.workdir, "uniparc_part2.xml.gz")
    with open(os.path.join(data, "uniparc_part2.xml"), "rb") as f, gzip.open(part2, "wb") as g:
        g.write(f.read())
    idx = os.path.join(a.workdir, "u.idx")
    inputs = [os.path.join(a.sample, "idmapping.dat"),
              os.path.join(a.sample, "idmapping_selected.tab"), part1, part2]
    r = run(a.idmap, "build", "--quiet", "-o", idx, *inputs)
    if not t.ok("build", r.returncode == 0, r.stderr):
        print(f"{t.passed} passed, {t.failed} failed")
        return 1

    r = run(a.idmap, "verify", "-i", idx)
    t.ok("verify accepts UPI slots", r.returncode == 0, r.stdout + r.stderr)

    info = run(a.idmap, "info", "-i", idx).stdout
    for name, kind, n in (("uniparc_part1.xml", "uniparc", 3),
                          ("uniparc_part2.xml.gz", "uniparc", 1)):
        t.ok(f"info input {name}",
             any(name in line and f"({kind}," in line and line.endswith(f" {n} lines)")
                 for line in info.splitlines()), info)
    r = run(a.idmap, "build", "--quiet", "-o", os.path.join(a.workdir, "plain.idx"), *inputs[:2])
    plain = run(a.idmap, "info", "-i", os.path.join(a.workdir, "plain.idx")).stdout
    accs = [line for line in plain.splitlines() if line.startswith("accessions")]
    t.ok("info: UPIs are not counted as accessions", accs and accs[0] in info, (accs, info))
    t.ok("info: UPIs counted", "\nUniParc UPIs  4\n" in info, info)
    rows = {}
    section = info.split("UniParc cross-references (4 entries read)\n", 1)
    if t.ok("info UniParc section", len(section) == 2, info):
        for line in section[1].split("\n\n", 1)[0].splitlines()[1:]:
            f = line.split()
            rows[f[0]] = f[1:]
    # database: active, inactive, distinct active ids
    want = {"RefSeq": ["3", "1", "2"], "EMBL-CDS": ["1", "1", "1"], "GI": ["2", "1", "2"],
            "Ensembl_PRO": ["1", "0", "1"], "PDB": ["1", "0", "1"],
            "EnsemblGenome_PRO": ["1", "0", "1"]}
    for db, w in want.items():
        t.ok(f"info {db}", rows.get(db) == w, str(rows.get(db)))
    t.ok("info taxa", rows.get("taxa", [""])[0] == "4", str(rows.get("taxa")))
    history = info.split("accession history", 1)[-1].split("UniParc")[0]
    t.ok("UniParc types not shown as accession history", "#uniparc" not in history, history)

    ix = second_reader.Index(idx)
    rev = {
        ("#uniparc:RefSeq", "XP_047299999.2"): ["UPI0000ABCDEF", "UPI0000ABCDF0"],
        ("#uniparc:RefSeq", "XP_047299999"): ["UPI0000ABCDEF", "UPI0000ABCDF0"],
        ("#uniparc:RefSeq", "NP_003395.1"): ["UPI000013C7C5"],
        ("#uniparc:RefSeq", "NP_000001.1"): [],
        ("#uniparc-inactive:RefSeq", "NP_000001"): ["UPI0000000042"],
        ("#uniparc:GI", "99999"): ["UPI0000ABCDEF"],
        ("#uniparc-inactive:GI", "1345590"): ["UPI000013C7C5"],
        ("#uniparc:PDB", "2BQ0"): ["UPI000013C7C5"],
        ("#uniparc-taxon", "10090"): ["UPI0000ABCDEF"],
        ("#uniparc-taxon", "562"): [],
        # the idmapping files' own RefSeq type is untouched
        ("RefSeq", "XP_047299999.2"): [],
        ("UniParc", "UPI000013C7C5"): ["P31946", "P31946-1"],
    }
    for (ty, v), w in rev.items():
        got = ix.reverse(ty, v.encode())
        t.ok(f"reverse {ty} {v}", got == w, str(got))
    fwd = sorted((ty, v.decode()) for ty, v in ix.forward("UPI0000ABCDF0"))
    t.ok("forward UPI0000ABCDF0",
         fwd == [("#uniparc-taxon", "10116"), ("#uniparc-taxon", "7159"),
                 ("#uniparc:EnsemblGenome_PRO", "AAEL000001-PA"),
                 ("#uniparc:RefSeq", "XP_047299999.2")], str(fwd))
    upis = [s for s in ix.accessions() if s.startswith("UPI")]
    t.ok("UPIs in the accession space",
         sorted(upis) == ["UPI0000000042", "UPI000013C7C5", "UPI0000ABCDEF", "UPI0000ABCDF0"],
         str(upis))

    # A truncated part: refused with its byte offset, the old index kept as it was.
    with open(part1, "rb") as f:
        text = f.read()
    cut = os.path.join(a.workdir, "cut.xml")
    with open(cut, "wb") as f:
        f.write(text[:text.index(b"</entry>")])
    before = open(idx, "rb").read()
    r = run(a.idmap, "build", "--quiet", "-o", idx, inputs[0], cut)
    t.ok("truncated part refused",
         r.returncode == 1 and f"{cut}:byte {len(text[:text.index(b'</entry>')])}: unexpected "
         "end of the file: element 'entry'" in r.stderr, r.stderr)
    t.ok("old index untouched", open(idx, "rb").read() == before)
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
