#!/usr/bin/env python3
"""UniProtKB entries as JSON and TSV on UniProt's entry paths, on the bundled sample with its
FASTA files. The shapes are UniProt's own (sources in ebi-uniprot/uniprot-rest-api and
ebi-uniprot/uniprot-core):

  - GET /uniprotkb/{acc}, .json, Accept: application/json: uniprot-core's UniProtKBEntry
    (UniProtKBEntryImpl: its field order is the key order; UniProtKBEntryType names;
    ProteinExistence display names; SequenceImpl {value, length, molWeight, crc64, md5} with
    Crc64.getCrc64 and MessageDigestUtil.getMD5; EntryAuditImpl.sequenceVersion;
    OrganismImpl after AbstractOrganismNameImpl: scientificName, taxonId);
  - .tsv and fields=: the titles of uniprotkb-return-fields.json (uniprot-store), UniProt's
    default columns without fields;
  - a secondary accession: 303 with Location /uniprotkb/{primary}?from={acc} and the inactive
    MERGED entry as body (BasicSearchController.getEntityResponse, getLocationURLForId;
    UniProtKBByAccessionControllerIT.withMergedInactiveEntryReturnTheActiveOne); demerged
    and deleted ones: 200 with the inactive entry (UniProtEntryQueryResultsConverter);
  - an entry name: 303 to /uniprotkb/{accession}[.ext]?from={name} (redirectToAccession);
  - unknown: 404 {"url","messages":["Resource not found"]}; a range outside FASTA: 400
    (UniProtKBController.validateSubsequence);
  - /uniprotkb/accessions with format=json ({"results":[...]}, in the order given, active
    entries only: StoreStreamerSearchService.getByIds reads UniProt's store) and tsv
    (the rows of `idmap map --fields` without From), ranges refused outside FASTA
    (UniProtKBGetByAccessionsIT: "Invalid content type received, ...").
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import hashlib
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from columns_test import (ALONE_FASTA, ENTRY_ORDER, alone_index, crc64,  # noqa: E402
                          in_entry_order, mass)
from server_api_test import (SAMPLE_FILES, Checks, Server, cli_map,  # noqa: E402
                             sample_index, server_args, submit, wait_finished)
from server_fasta_test import fasta_index  # noqa: E402

import requests  # noqa: E402  (server_api_test checked that it is there)

DEFAULT_TITLES = ["Entry", "Entry Name", "Reviewed", "Protein names", "Gene Names", "Organism",
                  "Length"]


def fasta_records(sample):
    """{accession: (header, residues)} of the sample's UniProtKB FASTA files."""
    recs = {}
    for name in ("uniprot_sprot.fasta", "uniprot_trembl.fasta",
                 "uniprot_sprot_varsplic.fasta"):
        acc = None
        for line in open(os.path.join(sample, name)):
            line = line.rstrip("\n")
            if line.startswith(">"):
                acc = line.split("|")[1]
                recs[acc] = [line, ""]
            elif acc:
                recs[acc][1] += line
    return recs


def entry(c, base, recs):
    r = requests.get(f"{base}/uniprotkb/P31946")
    e = r.json() if r.status_code == 200 else {}
    c.ok("/uniprotkb/P31946: 200 JSON", r.status_code == 200 and
         r.headers.get("Content-Type") == "application/json", r.text[:300])
    c.ok("keys in UniProtKBEntryImpl's order", in_entry_order(e), str(list(e)))
    seq = recs["P31946"][1]
    c.ok("entry fields", e.get("entryType") == "UniProtKB reviewed (Swiss-Prot)" and
         e.get("primaryAccession") == "P31946" and e.get("uniProtkbId") == "1433B_HUMAN" and
         e.get("organism") == {"scientificName": "Homo sapiens", "taxonId": 9606} and
         e.get("proteinExistence") == "1: Evidence at protein level" and
         e.get("entryAudit") == {"sequenceVersion": 3} and
         e.get("genes") == [{"geneName": {"value": "YWHAB"}}] and
         e.get("proteinDescription") ==
         {"recommendedName": {"fullName": {"value": "14-3-3 protein beta/alpha"}}}, str(e)[:600])
    c.ok("sequence object of SequenceImpl", e.get("sequence") == {
        "value": seq, "length": len(seq), "molWeight": 28082, "crc64": crc64(seq),
        "md5": hashlib.md5(seq.encode()).hexdigest().upper()}, str(e.get("sequence")))
    c.ok("secondaryAccessions from sec_ac.txt", e.get("secondaryAccessions") == ["B4DJ71"],
         str(e.get("secondaryAccessions")))
    xr = e.get("uniProtKBCrossReferences", [])
    c.ok("cross-references: {database, id} only, EMBL and PDB among them",
         all(set(x) == {"database", "id"} for x in xr) and
         {"database": "PDB", "id": "2BQ0"} in xr and {"database": "EMBL", "id": "X57346"} in xr,
         str(xr)[:400])
    for how, r2 in (("P31946.json", requests.get(f"{base}/uniprotkb/P31946.json")),
                    ("Accept", requests.get(f"{base}/uniprotkb/P31946",
                                            headers={"Accept": "application/json"}))):
        c.ok(f"{how}: the same entry", r2.status_code == 200 and r2.content == r.content)
    # the canonical isoform X-1 is the entry X (UniProtEntryService.findByUniqueId)
    r = requests.get(f"{base}/uniprotkb/P31946-1", params={"fields": "accession,length"})
    c.ok("P31946-1: the entry P31946", r.status_code == 200 and
         r.json().get("primaryAccession") == "P31946", r.text[:200])
    r = requests.get(f"{base}/uniprotkb/P31946-2", params={"fields": "accession,protein_name"})
    c.ok("isoform P31946-2", r.status_code == 200 and r.json().get("primaryAccession") ==
         "P31946-2" and "Isoform Short" in r.text, r.text[:300])
    tr = next(a for a, (h, _) in recs.items() if h.startswith(">tr|"))
    e = requests.get(f"{base}/uniprotkb/{tr}").json()
    c.ok("TrEMBL: unreviewed entry type, submission names",
         e.get("entryType") == "UniProtKB unreviewed (TrEMBL)" and
         "submissionNames" in e.get("proteinDescription", {}), str(e)[:300])
    # uniprot-core's JsonConfig serialises with Include.NON_EMPTY: no empty lists
    e = requests.get(f"{base}/uniprotkb/A0A023GPI8").json()
    c.ok("an entry without gene: no genes member", e.get("primaryAccession") == "A0A023GPI8"
         and "genes" not in e and all(v not in ([], {}, "") for v in e.values()), str(e)[:300])
    r = requests.get(f"{base}/uniprotkb/P31946.tsv")
    c.ok(".tsv: UniProt's default columns", r.status_code == 200 and
         r.headers.get("Content-Type") == "text/plain;format=tsv" and
         r.text.split("\n")[0].split("\t") == DEFAULT_TITLES and
         r.text.split("\n")[1].split("\t")[:3] == ["P31946", "1433B_HUMAN", "reviewed"],
         r.text[:300])
    r = requests.get(f"{base}/uniprotkb/P31946", params={"format": "tsv",
                                                         "fields": "accession,mass,gene_primary"})
    c.ok("format=tsv with fields", r.text == "Entry\tMass\tGene Names (primary)\n"
         "P31946\t28082\tYWHAB\n", r.text)


def obsolete(c, base):
    r = requests.get(f"{base}/uniprotkb/b4dj71", allow_redirects=False)
    c.ok("secondary: 303 to the primary, from= the accession", r.status_code == 303 and
         r.headers.get("Location") == "/uniprotkb/P31946?from=B4DJ71", str(r.headers))
    c.ok("secondary: body the inactive MERGED entry", r.status_code == 303 and r.json() == {
        "entryType": "Inactive", "primaryAccession": "B4DJ71",
        "inactiveReason": {"inactiveReasonType": "MERGED", "mergeDemergeTo": ["P31946"]}},
         r.text)
    r = requests.get(f"{base}/uniprotkb/B4DJ71.tsv", allow_redirects=False)
    c.ok("secondary .tsv: Location keeps the extension", r.status_code == 303 and
         r.headers.get("Location") == "/uniprotkb/P31946.tsv?from=B4DJ71", str(r.headers))
    r = requests.get(f"{base}/uniprotkb/B4DJ71")
    c.ok("followed: the primary's entry", r.status_code == 200 and
         r.json().get("primaryAccession") == "P31946", r.text[:200])
    # the sample's real demerge A0A017SEE6 -> P9WES5, P9WES6: no redirect
    r = requests.get(f"{base}/uniprotkb/A0A017SEE6", allow_redirects=False)
    c.ok("demerged: 200, DEMERGED to both", r.status_code == 200 and r.json().get(
        "inactiveReason") == {"inactiveReasonType": "DEMERGED",
                              "mergeDemergeTo": ["P9WES5", "P9WES6"]}, r.text)
    r = requests.get(f"{base}/uniprotkb/A0A087WTH5")
    c.ok("deleted: the inactive DELETED entry", r.status_code == 200 and r.json() == {
        "entryType": "Inactive", "primaryAccession": "A0A087WTH5",
        "inactiveReason": {"inactiveReasonType": "DELETED",
                           "deletedReason": "Deleted from Swiss-Prot"}}, r.text)
    # an entry name: UniProtKBController.redirectToAccession, the extension kept
    for path, loc in (("1433B_HUMAN", "/uniprotkb/P31946?from=1433B_HUMAN"),
                      ("1433b_human.fasta", "/uniprotkb/P31946.fasta?from=1433b_human"),
                      ("A0A024R161_HUMAN.tsv", "/uniprotkb/A0A024R161.tsv?from=A0A024R161_HUMAN")):
        r = requests.get(f"{base}/uniprotkb/{path}", allow_redirects=False)
        c.ok(f"entry name {path}: 303 to its accession", r.status_code == 303 and
             r.headers.get("Location") == loc, str(r.headers))
    r = requests.get(f"{base}/uniprotkb/NOPE_HUMAN")
    c.ok("unknown entry name: 404", r.status_code == 404, r.text)
    r = requests.get(f"{base}/uniprotkb/Q99999")
    c.ok("unknown: 404 Resource not found", r.status_code == 404 and r.json() == {
        "url": f"{base}/uniprotkb/Q99999", "messages": ["Resource not found"]}, r.text)


def refused(c, base):
    for path, params, msg in (
            ("/uniprotkb/P31946[2-4]", {}, "Sequence range is only supported for type "
             "text/plain;format=fasta"),
            ("/uniprotkb/P31946", {"fields": "accession,nope"},
             "Invalid fields parameter value 'nope'"),
            ("/uniprotkb/XX1", {}, "The 'accession' value has invalid format. It should be a "
             "valid UniProtKB accession"),
            ("/uniprotkb/accessions", {"accessions": "P31946[1-3]", "format": "json"},
             "Invalid content type received, 'application/json'. Expected one of "
             "[text/plain;format=fasta]."),
            ("/uniprotkb/accessions", {"accessions": ",".join(["P31946"] * 1001),
                                       "format": "tsv"},
             "Only '1000' accessions are allowed in each request.")):
        r = requests.get(base + path, params=params)
        c.ok(f"400 {path} {str(params)[:60]}", r.status_code == 400 and
             r.json().get("messages") == [msg], r.text[:300])


def accessions(c, base, idmap, index):
    ids = ["P62258", "P31946", "B4DJ71", "Q99999", "A0A087WTH5", "P31946-2"]
    r = requests.get(f"{base}/uniprotkb/accessions",
                     params={"accessions": ",".join(ids), "format": "json"})
    res = r.json().get("results", []) if r.status_code == 200 else []
    # StoreStreamerSearchService.getByIds: the given ids' entries of the store, which holds
    # the active entries: secondary and deleted accessions are left out, as unknown ones
    c.ok("accessions json: active entries in the order given",
         [x.get("primaryAccession") for x in res] == ["P62258", "P31946", "P31946-2"],
         r.text[:300])
    c.ok("accessions json: whole entries", all(in_entry_order(x) for x in res) and
         "sequence" in res[0] and "secondaryAccessions" in res[1], str(res)[:300])
    active = ["P62258", "P31946", "P31946-2"]
    fields = "accession,id,reviewed,protein_name,gene_names,organism_name,length,mass"
    r = requests.get(f"{base}/uniprotkb/accessions",
                     params={"accessions": ",".join(active), "format": "tsv", "fields": fields})
    cli = cli_map(idmap, index, "UniProtKB_AC-ID", "UniProtKB", active, "tsv",
                  ("--fields", fields)).split("\n")
    want = "\n".join(line.split("\t", 1)[1] for line in cli if line) + "\n"
    c.ok("accessions tsv: the CLI's columns without From", r.status_code == 200 and
         r.text == want, r.text[:300] + " | " + want[:300])
    r = requests.get(f"{base}/uniprotkb/accessions",
                     params={"accessions": "P31946", "format": "tsv"})
    c.ok("accessions tsv: default columns", r.text.split("\n")[0].split("\t") == DEFAULT_TITLES,
         r.text[:200])


def no_store(c, idmap, sample, workdir):
    """Without FASTA the entry is what the idmapping data holds: no sequence."""
    index = os.path.join(workdir, "sample.idx")
    s = Server(idmap, index, os.path.join(workdir, "jobs-plain"))
    try:
        r = requests.get(f"{s.url}/uniprotkb/P31946")
        e = r.json() if r.status_code == 200 else {}
        c.ok("no FASTA: the entry without sequence", r.status_code == 200 and
             e.get("uniProtkbId") == "1433B_HUMAN" and "sequence" not in e and
             in_entry_order(e), r.text[:300])
    finally:
        c.ok("plain server stops with exit 0", s.stop() == 0)


def fasta_alone(c, idmap, sample, workdir):
    """An accession of the FASTA files only is an entry made of its record, on every path."""
    index = alone_index(idmap, workdir, [os.path.join(sample, n) for n in
                                         SAMPLE_FILES + ["uniprot_sprot.fasta"]])
    s = Server(idmap, index, os.path.join(workdir, "jobs-alone"))
    base, seq = s.url, "MKTAYIAKQRQISFVKSHFSRQ"
    try:
        r = requests.get(f"{base}/uniprotkb/A0A0F0NLY1")
        e = r.json() if r.status_code == 200 else {}
        c.ok("FASTA alone: 200, the entry of its record", r.status_code == 200 and e == {
            "entryType": "UniProtKB unreviewed (TrEMBL)", "primaryAccession": "A0A0F0NLY1",
            "uniProtkbId": "A0A0F0NLY1_HUMAN", "entryAudit": {"sequenceVersion": 2},
            "organism": {"scientificName": "Homo sapiens", "taxonId": 9606},
            "proteinExistence": "4: Predicted",
            "proteinDescription": {"submissionNames": [
                {"fullName": {"value": "Protein only in FASTA"}}]},
            "genes": [{"geneName": {"value": "FONLY"}}],
            "sequence": {"value": seq, "length": len(seq), "molWeight": mass(seq),
                         "crc64": crc64(seq), "md5": hashlib.md5(seq.encode()).hexdigest()
                         .upper()}} and in_entry_order(e), r.text[:600])
        r2 = requests.get(f"{base}/uniprotkb/a0a0f0nly1.json")
        c.ok("FASTA alone .json: the same entry", r2.status_code == 200 and
             r2.content == r.content, r2.text[:200])
        r = requests.get(f"{base}/uniprotkb/Q9FON1.tsv")
        c.ok("FASTA alone .tsv: default columns", r.status_code == 200 and r.text ==
             "\t".join(DEFAULT_TITLES) + "\nQ9FON1\tFONL1_MOUSE\treviewed\tReviewed only "
             "in FASTA\t\tMus musculus\t10\n", r.text)
        r = requests.get(f"{base}/uniprotkb/accessions", params={
            "accessions": "P31946,A0A0F0NLY1,Q99999,Q9FON1", "format": "json",
            "fields": "accession,organism_name"})
        c.ok("FASTA alone in /accessions json, in the order given", r.status_code == 200 and
             [{k: x.get(k) for k in ("primaryAccession", "organism")}
              for x in r.json().get("results", [])] == [
                 {"primaryAccession": "P31946",
                  "organism": {"scientificName": "Homo sapiens", "taxonId": 9606}},
                 {"primaryAccession": "A0A0F0NLY1",
                  "organism": {"scientificName": "Homo sapiens", "taxonId": 9606}},
                 {"primaryAccession": "Q9FON1",
                  "organism": {"scientificName": "Mus musculus", "taxonId": 10090}}], r.text)
        r = requests.get(f"{base}/uniprotkb/accessions", params={
            "accessions": "Q9FON1,Q99999,P31946", "format": "tsv",
            "fields": "accession,reviewed,length,gene_primary"})
        c.ok("FASTA alone in /accessions tsv", r.status_code == 200 and r.text ==
             "Entry\tReviewed\tLength\tGene Names (primary)\nQ9FON1\treviewed\t10\t\n"
             "P31946\treviewed\t246\tYWHAB\n", r.text)
        r = requests.get(f"{base}/uniprotkb/A0A0F0NLY1.fasta")
        c.ok("FASTA alone .fasta: its record", r.status_code == 200 and
             r.text == ALONE_FASTA.split(">sp")[0], r.text)
        r = requests.get(f"{base}/uniprotkb/Q99999")
        c.ok("in neither: still 404", r.status_code == 404, r.text)
        r = submit(base, ids="Q9FON1,Q99999", **{"from": "UniProtKB_AC-ID", "to": "UniProtKB"})
        job = r.json().get("jobId") if r.status_code == 200 else None
        stream = f"/idmapping/uniprotkb/results/stream/{job}"
        params = {"format": "tsv", "fields": "accession,id,organism_id,length"}
        want = ("From\tEntry\tEntry Name\tOrganism (ID)\tLength\n"
                "Q9FON1\tQ9FON1\tFONL1_MOUSE\t10090\t10\n")
        r = wait_finished(base, job) and requests.get(base + stream, params=params)
        c.ok("FASTA alone in a job's results (the web page's table)", r is not None and
             r.text == want, r is not None and r.text)
    finally:
        c.ok("alone server stops with exit 0", s.stop() == 0)
    s = Server(idmap, index, os.path.join(workdir, "jobs-alone"))
    try:  # the job saved with its record row, read back
        r = requests.get(s.url + stream, params=params)
        c.ok("FASTA alone: the saved job read back", r.text == want, r.text)
    finally:
        s.stop()


def main():
    a = server_args(__doc__)
    sample_index(a.idmap, a.sample, a.workdir)  # a fresh workdir
    index = fasta_index(a.idmap, a.sample, a.workdir)
    c = Checks()
    assert ENTRY_ORDER[0] == "entryType"
    s = Server(a.idmap, index, os.path.join(a.workdir, "jobs"))
    try:
        entry(c, s.url, fasta_records(a.sample))
        obsolete(c, s.url)
        refused(c, s.url)
        accessions(c, s.url, a.idmap, index)
    finally:
        c.ok("server stops with exit 0", s.stop() == 0)
    no_store(c, a.idmap, a.sample, a.workdir)
    fasta_alone(c, a.idmap, a.sample, a.workdir)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
