#!/usr/bin/env python3
"""UniParc cross-references in `idmap map`, exact against a straightforward reference: a
synthetic release with its UniParc XML (idmap-genrelease --uniparc 2) is built, and a reader
of the same files (idmapping.dat lines, xml.etree) computes what UniProt's rules give:
- RefSeq_Protein / GI_number / EMBL-GenBank-DDBJ_CDS to UniProtKB: an id with no UniProtKB
  entry but active UniParc cross-references gets suggestedIds pairs to their UPIs, one per UPI
  in UPI order, and is not failed (uniprot-rest-api PIRResponseConverter.convertIdMappingPair:
  a `to` that is no UniProtKB accession is suggested);
- to UniParc (ValidFromAndTo: RefSeq, EMBL, GI "now supported with UniParc"): the accession
  route, and for the ids it leaves unmapped the UPIs of their active cross-references;
- UniParc to RefSeq_Protein / GI_number (idmap's extension): a UPI's active cross-references;
- inactive cross-references never, but with --include-inactive, marked "active":false;
- --taxon keeps the UPIs with an active cross-reference of the taxon (#uniparc-taxon).
Also the CLI's --suggested FILE and its stderr line. Prints `ok`/`not ok` lines and
`N passed, N failed`; exits 1 when a check failed.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from checks import Checks  # noqa: E402
from uniparc_reference_test import reference  # noqa: E402  (the XML read plainly)

# the cross-reference types the sources below meet
XREF_TYPES = {"RefSeq", "EMBL-CDS", "GI"}
VERSIONED = {"RefSeq", "EMBL-CDS"}
STEM = re.compile(r"([A-Za-z][A-Za-z0-9_]*[0-9])\.[0-9]{1,4}")
SOURCES = {"RefSeq_Protein": "RefSeq", "GI_number": "GI", "EMBL-GenBank-DDBJ_CDS": "EMBL-CDS"}


def stem(v):
    m = STEM.fullmatch(v)
    return m.group(1) if m else None


class Release:
    """The generated files, read plainly."""

    def __init__(self, rel):
        self.accs = defaultdict(set)     # (type, value) -> accessions
        self.unver = defaultdict(set)    # (type, stem) -> accessions
        self.values = defaultdict(set)   # (accession, type) -> values
        self.xref = defaultdict(dict)    # (type, value) -> {upi: active}
        self.xunver = defaultdict(dict)  # (type, stem) -> {upi: active}
        self.upi_vals = defaultdict(dict)  # (upi, type) -> {value: active}
        self.upi_taxa = defaultdict(set)
        with open(os.path.join(rel, "idmapping.dat")) as f:
            for line in f:
                acc, t, v = line.rstrip("\n").split("\t")
                self.accs[(t, v)].add(acc)
                self.values[(acc, t)].add(v)
                if t in VERSIONED and stem(v):
                    self.unver[(t, stem(v))].add(acc)
        parts = [os.path.join(rel, n) for n in sorted(os.listdir(rel))
                 if n.startswith("uniparc_") and n.endswith(".xml")]
        for (kind, v), upis in reference(parts).items():
            if kind == "#uniparc-taxon":
                for upi in upis:
                    self.upi_taxa[upi].add(v)
                continue
            pre, _, t = kind.partition(":")
            if pre in ("#uniparc", "#uniparc-inactive") and t in XREF_TYPES:
                for upi in upis:
                    self.add_xref(upi, t, v, pre == "#uniparc")

    def add_xref(self, upi, t, v, active):
        keys = [(self.xref, (t, v))]
        if t in VERSIONED and stem(v):
            keys.append((self.xunver, (t, stem(v))))
        for table, key in keys:
            table[key][upi] = table[key].get(upi, False) or active
        vals = self.upi_vals[(upi, t)]
        vals[v] = vals.get(v, False) or active

    def entries(self, t, v, taxa):
        """The accessions of id v of type t (exact, or every version of a stem)."""
        found = set(self.accs.get((t, v), ()))
        if t in VERSIONED and not stem(v):
            found |= self.unver.get((t, v), set())
        if taxa:
            # an isoform is of its canonical entry's taxon
            found = {a for a in found
                     if self.values.get((a.split("-")[0], "NCBI_TaxID"), set()) & taxa}
        return found

    def upis(self, t, v, taxa, inactive):
        """{upi: active} of the cross-references naming v (an active one wins)."""
        got = {}
        tables = [self.xref.get((t, v), {})]
        if t in VERSIONED and not stem(v):
            tables.append(self.xunver.get((t, v), {}))
        for table in tables:
            for u, act in table.items():
                if act or inactive:
                    got[u] = got.get(u, False) or act
        if taxa:
            got = {u: a for u, a in got.items() if self.upi_taxa.get(u, set()) & taxa}
        return got


def pair(f, t, active=True):
    return {"from": f, "to": t} if active else {"from": f, "to": t, "active": False}


def sorted_pairs(v):
    return sorted((p["from"], p["to"]) for p in v or [])


def expect(rel, t, ids, taxa, inactive, route, xt=None):
    """Per id: the accession route's targets (route(accessions) -> values) as results, else
    the UPIs of its cross-references of type xt (default t) as fallback pairs, else a
    failed id."""
    results, failed, fallback = [], [], []
    for i in ids:
        vals = route(rel.entries(t, i, taxa))
        if vals:
            results += [pair(i, v) for v in sorted(vals)]
            continue
        ups = rel.upis(xt or t, i, taxa, inactive)
        fallback += [pair(i, u, ups[u]) for u in sorted(ups)]
        if not ups:
            failed.append(i)
    return results, failed, fallback


def expect_to_uniprotkb(rel, t, ids, taxa=frozenset(), inactive=False):
    """Results, failed ids and suggestions."""
    return expect(rel, t, ids, taxa, inactive, lambda accs: accs)


def expect_to_uniparc(rel, t, ids, taxa=frozenset(), inactive=False):
    """Results (the UPIs of unmapped ids among them, in id order) and failed ids."""
    def uniparc_values(accs):
        return set().union(*(rel.values.get((a, "UniParc"), set()) for a in accs))

    results, failed = [], []
    for i in ids:  # id by id: an id's fallback rows come where the id comes
        r, f, b = expect(rel, t, [i], taxa, inactive, uniparc_values)
        results += r + b
        failed += f
    return results, failed


def expect_from_uniparc(rel, t, upis, inactive=False):
    results, failed = [], []
    for u in upis:
        vals = {v: a for v, a in rel.upi_vals.get((u, t), {}).items() if a or inactive}
        if vals:
            results += [pair(u, v, vals[v]) for v in sorted(vals)]
        else:
            failed.append(u)
    return results, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    t = Checks()
    reldir = os.path.join(a.workdir, "rel")
    subprocess.run([a.genrelease, "--lines", "6000", "--seed", "5", "--out", reldir,
                    "--uniparc", "2"], check=True, capture_output=True)
    idx = os.path.join(a.workdir, "u.idx")
    inputs = [os.path.join(reldir, n) for n in sorted(os.listdir(reldir))
              if n == "idmapping.dat" or n.endswith(".xml")]
    r = subprocess.run([a.idmap, "build", "--quiet", "-o", idx, *inputs],
                       capture_output=True, text=True)
    if not t.ok("build", r.returncode == 0, r.stderr):
        print(f"{t.passed} passed, {t.failed} failed")
        return 1
    rel = Release(reldir)

    def run(*args, ids):
        p = subprocess.run([a.idmap, "map", "-i", idx, "--format", "json", *args],
                           input="\n".join(ids), capture_output=True, text=True)
        if p.returncode != 0:
            return {"error": p.stderr}, p.stderr
        return json.loads(p.stdout), p.stderr

    def query_ids(ty):
        """Every id of type ty the release knows (both routes), unversioned forms, absent."""
        ids = {v for (tt, v) in list(rel.xref) + list(rel.accs) if tt == ty}
        ids |= {stem(v) for v in ids if ty in VERSIONED and stem(v)}
        return sorted(ids) + ["XP_999999999", "NOPE"]

    upi_only = 0
    for source, ty in SOURCES.items():
        ids = query_ids(ty)
        for taxa in (frozenset(), frozenset({"9606"})):
            for inactive in (False, True):
                args = ["--from", source]
                if taxa:
                    args += ["--taxon", ",".join(sorted(taxa))]
                if inactive:
                    args.append("--include-inactive")
                name = f"{source} {' '.join(args[2:])}".strip()
                res, failed, sugg = expect_to_uniprotkb(rel, ty, ids, taxa, inactive)
                upi_only += len(sugg)
                got, _ = run(*args, ids=ids)
                t.ok(f"{name} -> UniProtKB: suggestedIds ({len(sugg)})",
                     got.get("suggestedIds", []) == sugg,
                     (got.get("suggestedIds", [])[:4], sugg[:4]))
                t.ok(f"{name} -> UniProtKB: failedIds ({len(failed)})",
                     got.get("failedIds", []) == failed, (got.get("failedIds"), failed[:4]))
                # accessions come in accession-code order, not text order
                t.ok(f"{name} -> UniProtKB: results ({len(res)})",
                     sorted_pairs(got.get("results")) == sorted_pairs(res),
                     (got.get("results", [])[:3], res[:3]))
                if source == "EMBL-GenBank-DDBJ_CDS":
                    continue  # UniProt's rules: no EMBL-CDS -> UniParc
                res, failed = expect_to_uniparc(rel, ty, ids, taxa, inactive)
                got, _ = run(*args, "--to", "UniParc", ids=ids)
                t.ok(f"{name} -> UniParc: results ({len(res)})", got.get("results") == res,
                     (got.get("results", [])[:3], res[:3]))
                t.ok(f"{name} -> UniParc: failedIds ({len(failed)})",
                     got.get("failedIds", []) == failed, (got.get("failedIds"), failed[:4]))
    # EMBL-GenBank-DDBJ ids (the idmapping type EMBL) meet UniParc's EMBL protein ids
    ids = query_ids("EMBL-CDS")[:300] + sorted({v for (tt, v) in rel.accs if tt == "EMBL"})[:50]
    res, failed, sugg = expect(rel, "EMBL", ids, frozenset(), False, lambda accs: accs,
                               "EMBL-CDS")
    got, _ = run("--from", "EMBL-GenBank-DDBJ", ids=ids)
    t.ok(f"EMBL-GenBank-DDBJ -> UniProtKB: suggestions from EMBL-CDS cross-references "
         f"({len(sugg)})", got.get("suggestedIds", []) == sugg and
         got.get("failedIds", []) == failed and
         sorted_pairs(got.get("results")) == sorted_pairs(res) and sugg,
         (got.get("suggestedIds", [])[:3], sugg[:3]))
    t.ok("the generated data has UniParc-only ids (the checks above are not vacuous)",
         upi_only > 10, upi_only)

    upis = sorted({u for (u, _) in rel.upi_vals}) + ["UPI0000000000"]
    for target, ty in (("RefSeq_Protein", "RefSeq"), ("GI_number", "GI"),
                       ("EMBL-GenBank-DDBJ_CDS", "EMBL-CDS")):
        for inactive in (False, True):
            res, failed = expect_from_uniparc(rel, ty, upis, inactive)
            got, _ = run("--from", "UniParc", "--to", target,
                         *(["--include-inactive"] if inactive else []), ids=upis)
            name = f"UniParc -> {target}{' --include-inactive' if inactive else ''}"
            t.ok(f"{name}: results ({len(res)})", got.get("results") == res,
                 (got.get("results", [])[:3], res[:3]))
            t.ok(f"{name}: failedIds", got.get("failedIds", []) == failed,
                 (got.get("failedIds"), failed[:4]))

    # a job of several threads (one per 16384 ids) gives the same answer as one thread
    ids = query_ids("RefSeq") + [f"XP_8{i:08d}" for i in range(40000)]
    outs = [subprocess.run([a.idmap, "map", "-i", idx, "--from", "RefSeq_Protein", "--format",
                            "json", "--include-inactive", "--threads", n], input="\n".join(ids),
                           capture_output=True, text=True).stdout for n in ("1", "3")]
    t.ok("3 threads answer as 1 thread (suggestions, failed ids)",
         outs[0] == outs[1] and '"suggestedIds"' in outs[0], (len(outs[0]), len(outs[1])))

    # UniProt's rules stay: nothing but UniProtKB names and UniParc from these sources
    p = subprocess.run([a.idmap, "map", "-i", idx, "--from", "UniParc", "--to", "GeneID",
                        "UPI0000000000"], capture_output=True, text=True)
    t.ok("UniParc -> a type UniParc does not cross-reference: refused", p.returncode == 2,
         p.stderr)

    # the CLI: --suggested FILE (TSV, Active column with --include-inactive), stderr line
    ids = query_ids("RefSeq")
    _, _, sugg = expect_to_uniprotkb(rel, "RefSeq", ids, inactive=True)
    path = os.path.join(a.workdir, "sugg.tsv")
    p = subprocess.run([a.idmap, "map", "-i", idx, "--from", "RefSeq_Protein",
                        "--include-inactive", "--suggested", path],
                       input="\n".join(ids), capture_output=True, text=True)
    want = "From\tTo\tActive\n" + "".join(
        f"{s['from']}\t{s['to']}\t{'N' if s.get('active') is False else 'Y'}\n" for s in sugg)
    with open(path) as f:
        t.ok("--suggested FILE: the pairs as TSV", f.read() == want)
    first = sugg[0]
    t.ok("stderr names the UniParc suggestions",
         f"idmap: only in UniParc, UPIs suggested in --format json: {first['from']} -> "
         f"{first['to']}" in p.stderr, p.stderr)
    t.ok("TSV marks rows with the Active column",
         "\tActive\n" in p.stdout.splitlines(True)[0], p.stdout[:80])
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
