#!/usr/bin/env python3
"""The server's answers with UniParc cross-references (the sample with data/sample/uniparc_p1.xml)
against the CLI: UPI suggestions in the results JSON on every page of a paged answer (as
UniProt repeats failedIds and suggestedIds) and in the stream; to UniParc (and its entry
view) and from UniParc;
taxId; idmap's includeInactive parameter (marked rows, its own job id, in the details, refused when
it is not true or false); the jobs load back after a restart.
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_api_test import (SAMPLE_FILES, Checks, Server, cli_map,  # noqa: E402
                             server_args, submit, wait_finished)

import requests  # noqa: E402  (server_api_test checked that it is there)

REFSEQ_IDS = ["NP_003395.1", "XP_054207398.1", "XP_016856103", "NP_003395", "XP_000000001.1",
              "XP_054207398"]
UPIS = ["UPI0027C4D5E1", "UPI000013C7C5", "UPI0000000001"]


def uniparc_index(idmap, sample, work):
    index = os.path.join(work, "uniparc.idx")
    subprocess.run([idmap, "build", "--quiet", "-o", index] +
                   [os.path.join(sample, n) for n in SAMPLE_FILES + ["uniparc_p1.xml"]],
                   check=True)
    return index


def run_job(c, base, name, fields):
    r = submit(base, **fields)
    jid = r.json().get("jobId") if r.status_code == 200 else None
    c.ok(f"{name}: submitted", jid and wait_finished(base, jid) is not None, r.text)
    return jid


def pages(base, jid, size):
    """The JSON bodies of every page of the results, following Link."""
    r = requests.get(f"{base}/idmapping/results/{jid}", params={"size": size, "format": "json"})
    out = [r.json()]
    while r.status_code == 200 and "next" in r.links:
        r = requests.get(r.links["next"]["url"])
        out.append(r.json())
    return out


def main():
    a = server_args(__doc__)
    os.makedirs(a.workdir, exist_ok=True)
    index = uniparc_index(a.idmap, a.sample, a.workdir)
    jobs = os.path.join(a.workdir, "jobs")
    subprocess.run(["rm", "-rf", jobs], check=True)
    c = Checks()
    cases = [("RefSeq -> UniProtKB", "RefSeq_Protein", "UniProtKB", REFSEQ_IDS, False),
             ("RefSeq -> UniProtKB, taxId 9606", "RefSeq_Protein", "UniProtKB", REFSEQ_IDS,
              "9606"),
             ("RefSeq -> UniProtKB, taxId 10090", "RefSeq_Protein", "UniProtKB", REFSEQ_IDS,
              "10090"),
             ("RefSeq -> UniProtKB, inactive", "RefSeq_Protein", "UniProtKB", REFSEQ_IDS, True),
             ("RefSeq -> UniParc, inactive", "RefSeq_Protein", "UniParc", REFSEQ_IDS, True),
             ("UniParc -> RefSeq", "UniParc", "RefSeq_Protein", UPIS, False),
             ("UniParc -> RefSeq, inactive", "UniParc", "RefSeq_Protein", UPIS, True)]
    want, got_ids = {}, {}
    s = Server(a.idmap, index, jobs)
    try:
        for name, frm, to, ids, opt in cases:  # opt: includeInactive, or a taxon
            tax = opt if isinstance(opt, str) else None
            extra = ["--taxon", tax] if tax else ["--include-inactive"] if opt else []
            want[name] = {fmt: cli_map(a.idmap, index, frm, to, ids, fmt, extra)
                          for fmt in ("json", "tsv")}
            fields = {"from": frm, "to": to, "ids": ",".join(ids)}
            if tax:
                fields["taxId"] = tax
            elif opt:
                fields["includeInactive"] = "true"
            jid = got_ids[name] = run_job(c, s.url, name, fields)
            for fmt in ("json", "tsv"):
                r = requests.get(f"{s.url}/idmapping/stream/{jid}", params={"format": fmt})
                c.ok(f"{name}: stream {fmt} is the CLI's", r.text == want[name][fmt],
                     (r.text, want[name][fmt]))
        full = json.loads(want["RefSeq -> UniProtKB"]["json"])
        c.ok("the sample has UPI suggestions (XP_054207398.1 -> UPI0027C4D5E1)",
             {"from": "XP_054207398.1", "to": "UPI0027C4D5E1"} in full.get("suggestedIds", []),
             full)
        ps = pages(s.url, got_ids["RefSeq -> UniProtKB"], 1)
        c.ok("paged: every page carries the suggestedIds and failedIds",
             len(ps) == len(full["results"]) and all(
                 p.get("suggestedIds") == full["suggestedIds"] and
                 p.get("failedIds") == full.get("failedIds") for p in ps), ps)
        c.ok("paged: the pages' results join into the stream's",
             [r for p in ps for r in p["results"]] == full["results"], ps)
        human = json.loads(want["RefSeq -> UniProtKB, taxId 9606"]["json"])
        mouse = json.loads(want["RefSeq -> UniProtKB, taxId 10090"]["json"])
        c.ok("taxId keeps the UPIs of the taxon's cross-references",
             human.get("suggestedIds") == full["suggestedIds"] and "suggestedIds" not in mouse
             and "XP_054207398.1" in mouse.get("failedIds", []), (human, mouse))
        inact = json.loads(want["RefSeq -> UniProtKB, inactive"]["json"])
        c.ok("includeInactive: the inactive cross-reference's UPI, marked",
             {"from": "XP_016856103", "to": "UPI0027C4D5E1", "active": False}
             in inact.get("suggestedIds", []), inact)
        c.ok("includeInactive: a job of its own",
             got_ids["RefSeq -> UniProtKB"] != got_ids["RefSeq -> UniProtKB, inactive"])
        d = requests.get(f"{s.url}/idmapping/details/{got_ids['RefSeq -> UniProtKB, inactive']}")
        c.ok("includeInactive in the details", d.json().get("includeInactive") is True, d.text)
        d = requests.get(f"{s.url}/idmapping/details/{got_ids['RefSeq -> UniProtKB']}")
        c.ok("no includeInactive in other details", "includeInactive" not in d.json(), d.text)
        # UniProt's UniParc entry view: a UPI of a cross-reference is in no UniProtKB entry
        r = requests.get(f"{s.url}/idmapping/uniparc/results/stream/"
                         f"{got_ids['RefSeq -> UniParc, inactive']}", params={"format": "json"})
        objs = {x["from"]: x["to"] for x in r.json().get("results", [])} \
            if r.status_code == 200 else r.text
        c.ok("uniparc/results: entry objects, UniParc-only UPIs without accessions",
             objs.get("XP_054207398.1") == {"uniParcId": "UPI0027C4D5E1",
                                            "uniProtKBAccessions": []}
             and objs.get("NP_003395.1", {}).get("uniProtKBAccessions"), objs)
        r = submit(s.url, **{"from": "RefSeq_Protein", "to": "UniProtKB", "ids": "NP_1",
                             "includeInactive": "yes"})
        c.ok("includeInactive=yes: 400 with the reason",
             r.status_code == 400 and "'includeInactive' has an invalid value 'yes'" in r.text,
             (r.status_code, r.text))
        r = submit(s.url, **{"from": "UniParc", "to": "GeneID", "ids": "UPI0027C4D5E1"})
        c.ok("UniParc -> a type UniParc does not cross-reference: 400", r.status_code == 400,
             (r.status_code, r.text))
    finally:
        c.ok("server stops with exit 0", s.stop() == 0)
    s = Server(a.idmap, index, jobs)  # the saved jobs load back
    try:
        for name, _, _, _, _ in cases:
            r = requests.get(f"{s.url}/idmapping/stream/{got_ids[name]}",
                             params={"format": "json"})
            c.ok(f"after a restart, {name}: the same answer", r.text == want[name]["json"],
                 (r.status_code, r.text))
    finally:
        c.ok("server stops with exit 0 again", s.stop() == 0)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
