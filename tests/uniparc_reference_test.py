#!/usr/bin/env python3
"""UniParc XML against a reference: a synthetic release with its UniParc XML in three parts
(idmap-genrelease --uniparc 3; one part gzipped) goes through `idmap build`; a straightforward
reader of the same XML (xml.etree iterparse) computes the triples of FORMAT.md's data model,
and every `#uniparc` key of the index (read with tests/second_reader.py) must hold exactly the
reference's UPIs, and every UPI's forward record exactly the reference's pairs. The
UniParc-only ids must be absent from the idmapping types.
Prints `ok`/`not ok` lines and `N passed, N failed`; exits 1 when a check failed.
"""
import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import second_reader  # noqa: E402
from checks import Checks  # noqa: E402

NS = "{http://uniprot.org/uniparc}"
DB_TYPE = {"RefSeq": "RefSeq", "EMBL": "EMBL-CDS", "EMBL_CON": "EMBL-CDS",
           "EMBL_TPA": "EMBL-CDS", "EMBL_TSA": "EMBL-CDS", "EMBLWGS": "EMBL-CDS",
           "Ensembl": "Ensembl_PRO", "EnsemblRapid": "Ensembl_PRO",
           "EnsemblBacteria": "EnsemblGenome_PRO", "EnsemblFungi": "EnsemblGenome_PRO",
           "EnsemblMetazoa": "EnsemblGenome_PRO", "EnsemblPlants": "EnsemblGenome_PRO",
           "EnsemblProtists": "EnsemblGenome_PRO"}
for same in ("PDB", "FlyBase", "WormBase", "WBParaSite", "TAIR", "SGD", "PATRIC",
             "VectorBase", "PIR"):
    DB_TYPE[same] = same
VERSIONED = {"RefSeq", "RefSeq_NT", "EMBL-CDS", "Ensembl", "Ensembl_TRS", "Ensembl_PRO", "CCDS"}
STEM = re.compile(r"[A-Za-z][A-Za-z0-9_]*[0-9]\.[0-9]{1,4}")


def reference(paths):
    """{(type, value): set of UPIs} of the data model, from the XML files."""
    keys = defaultdict(set)
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            for _, el in ET.iterparse(f):
                if el.tag != NS + "entry":
                    continue
                upi = el.find(NS + "accession").text.strip()
                for ref in el.findall(NS + "dbReference"):
                    active = ref.get("active") == "Y"
                    pre = "#uniparc:" if active else "#uniparc-inactive:"
                    t = DB_TYPE.get(ref.get("type"))
                    if t:
                        v = ref.get("id")
                        if t == "PDB" and len(v) > 5 and v[4] == "_":
                            v = v[:4].upper()
                        if t in VERSIONED and ref.get("version"):
                            v += "." + ref.get("version")
                            if STEM.fullmatch(v):
                                keys[("#unversioned:" + pre + t, v.rsplit(".", 1)[0])].add(upi)
                        keys[(pre + t, v)].add(upi)
                    for p in ref.findall(NS + "property"):
                        if p.get("type") == "NCBI_GI":
                            keys[(pre + "GI", p.get("value"))].add(upi)
                        elif p.get("type") == "NCBI_taxonomy_id" and active:
                            keys[("#uniparc-taxon", p.get("value"))].add(upi)
                el.clear()
    return keys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    t = Checks()
    rel = os.path.join(a.workdir, "rel")
    subprocess.run([a.genrelease, "--lines", "20000", "--seed", "11", "--out", rel,
                    "--uniparc", "3"], check=True, capture_output=True)
    parts = [os.path.join(rel, f"uniparc_p{i}.xml") for i in (1, 2, 3)]
    with open(parts[1], "rb") as f, gzip.open(parts[1] + ".gz", "wb") as g:
        g.write(f.read())
    os.unlink(parts[1])
    parts[1] += ".gz"
    idx = os.path.join(a.workdir, "r.idx")
    r = subprocess.run([a.idmap, "build", "--quiet", "-o", idx,
                        os.path.join(rel, "idmapping.dat"),
                        os.path.join(rel, "idmapping_selected.tab")] + parts,
                       capture_output=True, text=True)
    if not t.ok("build", r.returncode == 0, r.stderr):
        print(f"{t.passed} passed, {t.failed} failed")
        return 1

    ref = reference(parts)
    ix = second_reader.Index(idx)
    got = defaultdict(set)
    for slot in range(ix.n_key):
        type_id, value, accs = ix.key_record(slot)
        name = ix.types[type_id]["name"]
        if name.startswith("#uniparc") or name.startswith("#unversioned:#uniparc"):
            got[(name, value.decode())] = {second_reader.acc_decode(ix.acc_code(s))
                                           for s in accs}
    t.ok("reference has every kind of key",
         {k[0] for k in ref} >= {"#uniparc:RefSeq", "#uniparc-inactive:RefSeq",
                                 "#uniparc:EMBL-CDS", "#uniparc:Ensembl_PRO", "#uniparc:GI",
                                 "#uniparc-taxon", "#unversioned:#uniparc:RefSeq"},
         sorted({k[0] for k in ref}))
    t.ok("reverse: the index's #uniparc keys are the reference's", set(got) == set(ref),
         (sorted(set(got) - set(ref))[:5], sorted(set(ref) - set(got))[:5]))
    bad = [k for k in ref if got.get(k) != ref[k]]
    t.ok(f"reverse: UPIs of all {len(ref)} keys", not bad,
         [(k, sorted(ref[k]), sorted(got.get(k, ()))) for k in bad[:3]])

    # forward: every UPI's groups (no forward for #unversioned:)
    fwd_ref = defaultdict(set)
    for (ty, v), upis in ref.items():
        if not ty.startswith("#unversioned:"):
            for u in upis:
                fwd_ref[u].add((ty, v))
    bad = [u for u, pairs in fwd_ref.items()
           if {(ty, v.decode()) for ty, v in ix.forward(u)
               if ty.startswith("#uniparc")} != pairs]
    t.ok(f"forward: all {len(fwd_ref)} UPIs", not bad, bad[:3])

    # UniParc-only UPIs (from UPI1000000000 on): their RefSeq and EMBL ids, versioned or
    # not, are unknown to the idmapping types
    only = {(ty.split(":", 1)[1], v) for (ty, v), upis in ref.items()
            if ty in ("#uniparc:RefSeq", "#uniparc:EMBL-CDS")
            and all(u >= "UPI1000000000" for u in upis)}
    t.ok("UniParc-only ids exist", len({v for ty, v in only if ty == "RefSeq"}) > 10,
         len(only))
    t.ok("UniParc-only ids are in no idmapping file",
         all(ix.reverse(ty, v.encode()) == [] and
             ix.reverse(ty, v.rsplit(".")[0].encode()) == [] for ty, v in only),
         sorted(only)[:5])
    mapped = [v for (ty, v), upis in ref.items()
              if ty == "#uniparc:RefSeq" and all(u < "UPI1000000000" for u in upis)]
    t.ok("the entries' RefSeq ids are in the idmapping files too",
         mapped and all(ix.key_slot("RefSeq", v.encode()) is not None for v in mapped),
         [v for v in mapped if ix.key_slot("RefSeq", v.encode()) is None][:5])
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
