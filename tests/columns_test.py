#!/usr/bin/env python3
"""Entry columns of --fields from the entry store.

  - the bundled sample and a synthetic release (idmap-genrelease --fasta): every column of
    every UniProtKB record equals what a plain reading of its FASTA header and residues gives
    (mass by this test's own reading of uniprot-core's MoleculeWeight);
  - P31946 as UniProt shows it: length 246, mass 28082 Da;
  - the names and titles of every column offered, against UniProt's return fields;
  - an accession without a record: empty cells;
  - id, reviewed, gene_primary and gene_names from the FASTA header when the idmapping
    data has none for the entry;
  - JSON: the fields in UniProt's entry object shapes and key order (uniprot-core
    UniProtKBEntryImpl's field order), the sequence's crc64 and md5 as uniprot-core's
    SequenceImpl computes them (Crc64.getCrc64, MessageDigestUtil.getMD5);
  - without FASTA in the index the columns are not offered;
  - the server's uniprotkb results default to UniProt's columns with a store, to the old
    ones without (when --server is given).
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fasta_test import T  # noqa: E402

COLS = ("accession,protein_name,organism_name,length,mass,sequence,sequence_version,"
        "protein_existence,fragment")
TITLES = ["From", "Entry", "Protein names", "Organism", "Length", "Mass", "Sequence",
          "Sequence version", "Protein existence", "Fragment"]
# uniprot-core MoleculeWeight: average residue masses in 1e-4 Da; water; other letters 0
WEIGHT = dict(zip("ABCDEFGHIKLMNOPQRSTUVWXYZ", (
    710788, 1146532, 1031388, 1150886, 1291155, 1471766, 570519, 1371411, 1131594, 1281741,
    1131594, 1311926, 1141038, 2373000, 971167, 1281307, 1561875, 870782, 1011051, 1500400,
    991326, 1862132, 1113306, 1631760, 1287473)))
PE = {"1": "Evidence at protein level", "2": "Evidence at transcript level",
      "3": "Inferred from homology", "4": "Predicted", "5": "Uncertain"}


# The names and titles of the columns idmap offers, copied from UniProt's
# uniprotkb-return-fields.json (ebi-uniprot/uniprot-store,
# uniprot-config/src/main/resources/return-fields-config/): "name" and "label" of each item.
RETURN_FIELDS = {
    "accession": "Entry", "id": "Entry Name", "reviewed": "Reviewed",
    "gene_primary": "Gene Names (primary)", "gene_names": "Gene Names",
    "organism_id": "Organism (ID)", "protein_name": "Protein names", "organism_name": "Organism",
    "length": "Length", "mass": "Mass", "sequence": "Sequence",
    "sequence_version": "Sequence version", "protein_existence": "Protein existence",
    "fragment": "Fragment",
}
# xref_<db>: the field of each database of uniprot-core's drlineconfiguration.json, named
# xref_ + its lower-cased name, titled with its name (uniprot-store
# UniProtKBReturnFieldConfigImpl.databaseToReturnField); those the sample holds
XREF_DBS = ["EMBL", "PIR", "RefSeq", "PDB", "BioGRID", "STRING", "ChEMBL", "DrugBank", "GeneID",
            "KEGG", "HGNC", "MIM", "eggNOG", "OrthoDB", "GeneTree", "Reactome", "ChiTaRS",
            "Ensembl", "GO", "InterPro"]

# uniprot-core UniProtKBEntryImpl: the order of its fields, which Jackson keeps
ENTRY_ORDER = ["entryType", "primaryAccession", "secondaryAccessions", "uniProtkbId",
               "entryAudit", "annotationScore", "organism", "organismHosts",
               "proteinExistence", "proteinDescription", "genes", "comments", "features",
               "geneLocations", "keywords", "references", "uniProtKBCrossReferences",
               "sequence", "internalSection", "inactiveReason", "lineages", "extraAttributes"]


def crc64(seq):
    """uniprot-core Crc64.getCrc64, bit by bit (the engine's is table-driven)."""
    crc = 0
    for ch in seq.encode():
        crc ^= ch
        for _ in range(8):
            crc = (crc >> 1) ^ 0xD800000000000000 if crc & 1 else crc >> 1
    return "%016X" % crc


def in_entry_order(obj):
    keys = list(obj)
    return all(k in ENTRY_ORDER for k in keys) and \
        keys == sorted(keys, key=ENTRY_ORDER.index)


def run(args, stdin=None):
    return subprocess.run(args, capture_output=True, input=stdin)


def mass(seq):
    return (sum(WEIGHT.get(c, 0) for c in seq) + 180153 + 5000) // 10000


def expected(path):
    """{accession: row of COLS} from a UniProtKB FASTA file, read the plain way."""
    out = {}
    with open(path) as f:
        text = f.read()
    for chunk in text.split(">")[1:]:
        head, _, body = chunk.partition("\n")
        seq = body.replace("\n", "")
        ident, _, rest = head.partition(" ")
        acc = ident.split("|")[1]
        tags = dict(re.findall(r" (OS|OX|GN|PE|SV)=(.*?)(?= [A-Z]{2}=|$)", " " + rest))
        name = re.split(r" [A-Z]{2}=", rest)[0]
        frag = ""
        for note in (" (Fragment)", " (Fragments)"):
            if name.endswith(note):
                name, frag = name[:-len(note)], "fragment"
        out[acc] = [acc, name, tags.get("OS", ""), str(len(seq)), str(mass(seq)), seq,
                    tags.get("SV", ""), PE.get(tags.get("PE", ""), ""), frag]
    return out


def map_rows(a, idx, ids, fields=COLS, fmt="tsv"):
    r = run([a.idmap, "map", "-i", idx, "--fields", fields, "--format", fmt],
            "\n".join(ids).encode())
    return r, [line.split("\t") for line in r.stdout.decode().splitlines()]


def compare(t, a, idx, fastas, what):
    want = {}
    for p in fastas:
        want.update(expected(p))
    accs = sorted(want)
    r, rows = map_rows(a, idx, accs)
    t.check(r.returncode == 0, f"{what}: map --fields", r.stderr.decode()[:300])
    t.check(rows[:1] == [TITLES], f"{what}: column titles", str(rows[:1]))
    got = {row[0]: row[1:] for row in rows[1:]}
    bad = [acc for acc in accs if got.get(acc) != want[acc]]
    t.check(len(got) == len(accs) and not bad, f"{what}: every column of {len(accs)} records",
            bad and f"{bad[0]}: got {got.get(bad[0])} want {want[bad[0]]}")
    return want


def sample(t, a):
    s = a.sample
    idx = os.path.join(a.workdir, "sample.idx")
    files = [os.path.join(s, n) for n in ("idmapping.dat", "idmapping_selected.tab",
                                          "sec_ac.txt", "delac_sp.txt")]
    fastas = [os.path.join(s, n) for n in ("uniprot_sprot.fasta", "uniprot_trembl.fasta",
                                           "uniprot_sprot_varsplic.fasta")]
    r = run([a.idmap, "build", "-q", "-o", idx] + files + fastas +
            [os.path.join(s, n) for n in ("uniref90.fasta", "uniparc_active.fasta")])
    t.check(r.returncode == 0, "build the sample", r.stderr.decode())
    want = compare(t, a, idx, fastas, "sample")
    # UniProt's P31946: 246 residues, 28,082 Da
    t.check(want["P31946"][3:5] == ["246", "28082"], "P31946 length and mass as UniProt's",
            str(want["P31946"][3:5]))
    # without sprot's FASTA, P31946 of the idmapping data has no record: empty cells, no guess
    part = os.path.join(a.workdir, "part.idx")
    r = run([a.idmap, "build", "-q", "-o", part] + files + fastas[1:2])
    r, rows = map_rows(a, part, ["P31946"])
    t.check(rows[1:] == [["P31946", "P31946"] + [""] * 8], "no record: empty cells", str(rows))
    # JSON shapes of uniprot-core's UniProtKBEntry
    r, _ = map_rows(a, idx, ["P31946"], "id,protein_name,organism_name,organism_id,length,"
                    "sequence_version,protein_existence,fragment", "json")
    to = json.loads(r.stdout)["results"][0]["to"]
    w = want["P31946"]
    t.check(to.get("organism") == {"scientificName": w[2], "taxonId": 9606} and
            to.get("proteinExistence") == "1: " + w[7] and
            to.get("proteinDescription") == {"recommendedName": {"fullName": {"value": w[1]}}}
            and to.get("sequence") == {"value": w[5], "length": 246, "molWeight": 28082,
                                       "crc64": crc64(w[5]),
                                       "md5": hashlib.md5(w[5].encode()).hexdigest().upper()}
            and to.get("entryAudit") == {"sequenceVersion": int(w[6])}, "JSON entry object", str(to))
    # uniprot-core's own vectors (Crc64Test, json-parser SequenceTest) for this test's crc64
    t.check(crc64("SAPSQDFMRF") == "3997D999CAB6C5A7", "crc64 of uniprot-core's SequenceTest")
    r, _ = map_rows(a, idx, ["P31946"], "reviewed,gene_names,xref_pdb,organism_id,length,id,"
                    "protein_name,accession,protein_existence,sequence_version", "json")
    to = json.loads(r.stdout)["results"][0]["to"]
    t.check(in_entry_order(to), "JSON keys in UniProtKBEntry's order", str(list(to)))
    frag = [acc for acc, v in want.items() if v[8] and "-" not in acc]
    tr = [acc for acc, v in want.items() if acc.startswith("A0A") and not v[8]]
    if t.check(frag and tr, "the sample has a fragment and a TrEMBL record"):
        r, _ = map_rows(a, idx, [frag[0], tr[0]], "protein_name,fragment", "json")
        res = {x["from"]: x["to"] for x in json.loads(r.stdout)["results"]}
        pd = res[frag[0]]["proteinDescription"]
        t.check(pd.get("flag") in ("Fragment", "Fragments"), "JSON fragment flag", str(pd))
        t.check(res[tr[0]]["proteinDescription"] ==
                {"submissionNames": [{"fullName": {"value": want[tr[0]][1]}}]},
                "JSON TrEMBL name", str(res[tr[0]]))
    # without the FASTA inputs the columns are not there
    plain = os.path.join(a.workdir, "plain.idx")
    r = run([a.idmap, "build", "-q", "-o", plain] + files)
    r, _ = map_rows(a, plain, ["P31946"], "accession,protein_name")
    t.check(r.returncode == 2 and b"'protein_name'" in r.stderr and
            b"FASTA" in r.stderr, "no store: not offered, the hint says why",
            r.stderr.decode())
    return_fields(t, a, idx)
    header_fallback(t, a, fastas)
    fasta_alone(t, a, files, fastas)
    if a.server:
        server_default(t, a, idx, plain)
    return idx


def server_default(t, a, idx, plain):
    import requests
    from server_api_test import Server, submit, wait_finished
    for path, head in ((idx, "Entry\tEntry Name\tReviewed\tProtein names\tGene Names\t"
                             "Organism\tLength"),
                       (plain, "Entry\tEntry Name\tReviewed\tGene Names\tOrganism (ID)")):
        srv = Server(a.idmap, path, os.path.join(a.workdir, "jobs" + str(len(path))))
        try:
            job = submit(srv.url, ids="P31946", **{"from": "UniProtKB_AC-ID",
                                                    "to": "UniProtKB"}).json()["jobId"]
            wait_finished(srv.url, job)
            body = requests.get(f"{srv.url}/idmapping/uniprotkb/results/stream/{job}",
                                params={"format": "tsv"}).text
            t.check(body.split("\n")[0] == "From\t" + head,
                    f"server default columns ({os.path.basename(path)})", body[:200])
        finally:
            srv.stop()


def return_fields(t, a, idx):
    """Every column name idmap offers has UniProt's name and title."""
    names = list(RETURN_FIELDS) + ["xref_" + d.lower() for d in XREF_DBS]
    r, rows = map_rows(a, idx, ["P31946"], ",".join(names))
    want = ["From"] + list(RETURN_FIELDS.values()) + XREF_DBS
    t.check(r.returncode == 0 and rows[:1] == [want], "titles of uniprotkb-return-fields.json",
            str(rows[:1]) + r.stderr.decode()[:200])


def header_fallback(t, a, fastas):
    """Entries the idmapping data says nothing of but their names: id, reviewed, gene_primary
    and gene_names come from the FASTA header (the entry store is the only source)."""
    dat = os.path.join(a.workdir, "bare.dat")
    drop = ("UniProtKB-ID", "Gene_Name", "Gene_Synonym", "Gene_ORFName", "Gene_OrderedLocusName")
    with open(os.path.join(a.sample, "idmapping.dat")) as f, open(dat, "w") as out:
        out.writelines(line for line in f if line.split("\t")[1] not in drop)
    idx = os.path.join(a.workdir, "bare.idx")
    r = run([a.idmap, "build", "-q", "-o", idx, dat] + fastas)
    t.check(r.returncode == 0, "build without entry names and genes", r.stderr.decode())
    fields = "accession,id,reviewed,gene_primary,gene_names"
    r, rows = map_rows(a, idx, ["P31946", "A0A024R161", "A0A023GPI8"], fields)
    t.check(rows[1:] == [["P31946", "P31946", "1433B_HUMAN", "reviewed", "YWHAB", "YWHAB"],
                         ["A0A024R161", "A0A024R161", "A0A024R161_HUMAN", "unreviewed",
                          "DNAJC25-GNG10", "DNAJC25-GNG10"],
                         ["A0A023GPI8", "A0A023GPI8", "A0A023GPI8_CANAL", "unreviewed", "", ""]],
            "id, reviewed and genes from the FASTA headers", str(rows))
    r, _ = map_rows(a, idx, ["P31946"], fields, "json")
    to = json.loads(r.stdout)["results"][0]["to"]
    t.check(to.get("entryType") == "UniProtKB reviewed (Swiss-Prot)" and
            to.get("uniProtkbId") == "1433B_HUMAN" and
            to.get("genes") == [{"geneName": {"value": "YWHAB"}}], "the same in JSON", str(to))


# Records of no idmapping file (a FASTA file of the tests' own, built beside the sample's)
ALONE_FASTA = (">tr|A0A0F0NLY1|A0A0F0NLY1_HUMAN Protein only in FASTA OS=Homo sapiens OX=9606 "
               "GN=FONLY PE=4 SV=2\nMKTAYIAKQRQISFVKSHFSRQ\n"
               ">sp|Q9FON1|FONL1_MOUSE Reviewed only in FASTA OS=Mus musculus OX=10090 PE=1 "
               "SV=1\nMSEQLLAAGG\n")


def alone_index(idmap, workdir, files):
    """An index of files and a FASTA file of ALONE_FASTA's records; its path."""
    extra, idx = os.path.join(workdir, "alone.fasta"), os.path.join(workdir, "alone.idx")
    with open(extra, "w") as out:
        out.write(ALONE_FASTA)
    subprocess.run([idmap, "build", "-q", "-o", idx] + files + [extra], check=True)
    return idx


def fasta_alone(t, a, files, fastas):
    """An accession of the FASTA files only maps to UniProtKB as the entry its record makes:
    every entry column from the record, none from the idmapping data."""
    idx = alone_index(a.idmap, a.workdir, files + fastas)
    want = expected(os.path.join(a.workdir, "alone.fasta"))
    ids = ["A0A0F0NLY1", "P31946", "Q9FON1", "Q99999"]
    r, rows = map_rows(a, idx, ids)
    got = {row[0]: row[1:] for row in rows[1:]}
    t.check(got.get("A0A0F0NLY1") == want["A0A0F0NLY1"] and
            got.get("Q9FON1") == want["Q9FON1"] and "P31946" in got and "Q99999" not in got,
            "FASTA alone: every column of the record", str(rows))
    t.check("not mapped: Q99999 (not found)" in r.stderr.decode(),
            "FASTA alone: an id in neither still not mapped", r.stderr.decode())
    r, rows = map_rows(a, idx, ids, "accession,id,reviewed,gene_names,organism_id")
    t.check(rows[1:] == [["A0A0F0NLY1", "A0A0F0NLY1", "A0A0F0NLY1_HUMAN", "unreviewed", "FONLY",
                          "9606"],
                         ["P31946", "P31946", "1433B_HUMAN", "reviewed", "YWHAB", "9606"],
                         ["Q9FON1", "Q9FON1", "FONL1_MOUSE", "reviewed", "", "10090"]],
            "FASTA alone: id, reviewed, genes and taxon from the header", str(rows))
    r, _ = map_rows(a, idx, ["Q9FON1"], "accession,organism_name,length", "json")
    res = json.loads(r.stdout)["results"] if r.returncode == 0 else []
    t.check(len(res) == 1 and res[0]["to"].get("primaryAccession") == "Q9FON1" and
            res[0]["to"].get("organism") == {"scientificName": "Mus musculus",
                                             "taxonId": 10090} and
            res[0]["to"]["sequence"]["value"] == "MSEQLLAAGG", "FASTA alone: JSON", r.stdout[:300])
    for extra, out, what in ((["--taxon", "10090"], "From\tTo\nQ9FON1\tQ9FON1\n", "--taxon"),
                             (["--to", "UniProtKB-Swiss-Prot"], "From\tTo\nQ9FON1\tQ9FON1\n",
                              "to Swiss-Prot: the reviewed one")):
        r = run([a.idmap, "map", "-i", idx] + extra + ["A0A0F0NLY1", "Q9FON1"])
        t.check(r.stdout.decode() == out, f"FASTA alone: {what}", r.stdout.decode())


def synthetic(t, a):
    rel = os.path.join(a.workdir, "rel")
    r = run([a.genrelease, "--lines", "4000", "--seed", "11", "--out", rel, "--fasta"])
    t.check(r.returncode == 0, "genrelease --fasta", r.stderr.decode())
    idx = os.path.join(a.workdir, "syn.idx")
    r = run([a.idmap, "build", "-q", "-o", idx] +
            sorted(os.path.join(rel, n) for n in os.listdir(rel)))
    t.check(r.returncode == 0, "build the synthetic release", r.stderr.decode())
    fastas = [os.path.join(rel, n) for n in os.listdir(rel)
              if n.startswith("uniprot_") and n.endswith(".fasta")]
    compare(t, a, idx, fastas, "synthetic")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--server", action="store_true", help="also check the server's defaults")
    a = ap.parse_args()
    if os.path.isdir(a.workdir):
        subprocess.run(["rm", "-rf", a.workdir], check=True)
    os.makedirs(a.workdir)
    t = T()
    sample(t, a)
    synthetic(t, a)
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
