#!/usr/bin/env python3
"""`idmap serve` against UniProt's own source (ebi-uniprot/uniprot-rest-api, uniprot-core):
request validation and its messages, job ids, the ids list, paging, result shapes.
Each check names the source file its expectation comes from. Prints one line per check and
`N passed, N failed`; exits 1 on a failure. Runs in a few seconds (no load).
"""
import hashlib
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_api_test import (Checks, Server, UniProtClient, cli_map,  # noqa: E402
                             read_sample_accessions, sample_index, server_args, submit,
                             tsv_rows, wait_finished)

import requests  # noqa: E402  (server_api_test checked that it is there)

MAX_IDS = 50


# ---- UniProt's job id, written from its source ---------------------------------------------
# IdMappingJobRequestToArrayConverter: from, to, ids and taxId stripped and lower-cased; the
# ids split on "," (Java drops trailing empty items), each stripped, joined with ",".
# HashGenerator: PBKDF2WithHmacSHA1, 16 iterations, 160 bits, salt "UNIPROT_IDMAPPING_SALT"
# (IdMappingJobServiceImpl.SALT_STR); HashUtils.toBase62, the first 10 characters.
def java_split_commas(s):
    items = s.split(",")
    while items and items[-1] == "":
        items.pop()
    return items


def uniprot_job_id(frm, to, ids, tax=None):
    text = frm.strip().lower() + to.strip().lower()
    text += ",".join(i.lower().strip() for i in java_split_commas(ids.strip()))
    if tax:
        text += tax.strip().lower()
    h = hashlib.pbkdf2_hmac("sha1", text.encode(), b"UNIPROT_IDMAPPING_SALT", 16, 20)
    n = int.from_bytes(h, "big")
    digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while n:
        out = digits[n % 62] + out
        n //= 62
    return out[:10]


def messages(r):
    try:
        return r.json().get("messages")
    except ValueError:
        return None


def run_job(base, **fields):
    r = submit(base, **fields)
    job = r.json().get("jobId") if r.status_code == 200 else None
    if job:
        wait_finished(base, job)
    return r, job


# ---- Item 7: validation ----------------------------------------------------------------------
def validation(c, base):
    # ValidFromAndTo.java: only Swiss-Prot is refused as a source; from UniProtKB the UniProtKB
    # targets are valid pairs
    r, job = run_job(base, **{"from": "UniProtKB", "to": "UniProtKB", "ids": "P31946"})
    res = requests.get(f"{base}/idmapping/stream/{job}?format=tsv").text if job else ""
    c.ok("7: from=UniProtKB is a valid source", r.status_code == 200 and "P31946\tP31946" in res,
         f"{r.status_code} {r.text} {res!r}")
    r = submit(base, **{"from": "UniProtKB", "to": "PDB", "ids": "P31946"})
    c.ok("7: from=UniProtKB to=PDB: the combination message alone", messages(r) == [
        "The combination of 'from=UniProtKB' and 'to=PDB' parameters is invalid"], r.text)
    # IdMappingJobRequest.java @ValidIdType + @ValidFromAndTo (message.properties): an unknown
    # name fails both
    r = submit(base, **{"from": "Nope", "to": "UniProtKB", "ids": "P31946"})
    c.ok("7: a bad from gets the invalid value and the combination messages",
         r.status_code == 400 and messages(r) == [
             "The parameter 'from' has an invalid value 'Nope'.",
             "The combination of 'from=Nope' and 'to=UniProtKB' parameters is invalid"], r.text)
    r = submit(base, **{"from": "UniProtKB-Swiss-Prot", "to": "UniProtKB", "ids": "P31946"})
    c.ok("7: Swiss-Prot as a source: only the combination message",
         r.status_code == 400 and messages(r) == [
             "The combination of 'from=UniProtKB-Swiss-Prot' and 'to=UniProtKB' parameters "
             "is invalid"], r.text)
    r = submit(base, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB_AC-ID", "ids": "P31946"})
    c.ok("7: UniProtKB_AC-ID as a target: only the combination message",
         r.status_code == 400 and messages(r) == [
             "The combination of 'from=UniProtKB_AC-ID' and 'to=UniProtKB_AC-ID' parameters "
             "is invalid"], r.text)
    # PageRequest.java: @PositiveOrZero @Max(500); common-message.properties
    r, job = run_job(base, **{"from": "UniProtKB_AC-ID", "to": "UniRef90",
                              "ids": "P31946,P62258,NOPE1"})
    z = requests.get(f"{base}/idmapping/results/{job}?size=0")
    body = z.json() if z.status_code == 200 else {}
    c.ok("7: size=0 is a page of no rows, with the total and the failed ids",
         z.status_code == 200 and body.get("results") == [] and
         body.get("failedIds") == ["NOPE1"] and z.headers.get("X-Total-Results") == "2" and
         "Link" not in z.headers, f"{z.status_code} {z.text} {dict(z.headers)}")
    for q, msg in [("size=501", "'size' must be less than or equal to 500"),
                   ("size=-1", "'size' must be greater than or equal to 0")]:
        r = requests.get(f"{base}/idmapping/results/{job}?{q}")
        c.ok(f"7: {q} -> 400 {msg}", r.status_code == 400 and messages(r) == [msg], r.text)
    r = requests.get(f"{base}/idmapping/results/{job}?size=500")
    c.ok("7: size=500 is accepted", r.status_code == 200, r.text)


def error_jobs(c, idmap, index, workdir):
    """Jobs in the ERROR state and files of the old job-id scheme, planted in --jobs-dir."""
    jobs = os.path.join(workdir, "jobs-planted")
    os.makedirs(jobs)
    now = int(time.time())
    # a failure stays ERROR only when final on this index ("final<TAB>FP", server/jobs.c);
    # FP, the index's fingerprint, is in the name of any result the first server wrote
    fp = next(f.split(".")[1] for f in os.listdir(os.path.join(workdir, "jobs"))
              if f.endswith(".result"))
    planted = {"ErrLimit40": "40\tId Mapping API is not supported for mapping results with "
                             "more than 500000 \"mapped to\" IDs",
               "ErrServer5": "50\tThe combination of 'from=X' and 'to=Y' parameters is invalid"}
    for jid, err in planted.items():
        with open(os.path.join(jobs, jid + ".req"), "w") as f:
            f.write(f"idmap-job\t1\nfrom\tUniProtKB_AC-ID\nto\tUniProtKB\ntaxId\t\n"
                    f"created\t{now}\nids\t1\n")
        with open(os.path.join(jobs, jid + ".ids"), "w") as f:
            f.write("P31946\n")
        with open(os.path.join(jobs, jid + ".err"), "w") as f:
            f.write(f"{err}\nfinal\t{fp}\n")
    legacy = "0123456789abcdef" * 2
    for ext in (".req", ".ids", ".err"):
        with open(os.path.join(jobs, legacy + ext), "w") as f:
            f.write("x\n")
    s = Server(idmap, index, jobs)
    try:
        # IdMappingJobController.createStatus: 400 for a limit error, else 500
        r = requests.get(f"{s.url}/idmapping/status/ErrLimit40", allow_redirects=False)
        c.ok("7: an ERROR job with a limit error: status 400", r.status_code == 400 and
             r.json().get("jobStatus") == "ERROR", f"{r.status_code} {r.text}")
        r = requests.get(f"{s.url}/idmapping/status/ErrServer5", allow_redirects=False)
        c.ok("7: an ERROR job with another error: status 500", r.status_code == 500 and
             r.json().get("jobStatus") == "ERROR", f"{r.status_code} {r.text}")
        # IdMappingJobCacheService.getCompletedJobAsResource: not FINISHED -> 404
        for path in ["results", "stream", "uniprotkb/results"]:
            r = requests.get(f"{s.url}/idmapping/{path}/ErrServer5")
            c.ok(f"7: {path} of a job that is not finished -> 404",
                 r.status_code == 404 and messages(r) == ["Resource not found"], r.text)
        left = [f for f in os.listdir(jobs) if f.startswith(legacy)]
        c.ok("8: files of the old 32-hex job ids are dropped at start", not left, str(left))
    finally:
        s.stop()


def job_refs(c, idmap, index, workdir):
    """ids=job:<jobId> (idmap's chaining) keeps the case of the id in the new job's id."""
    jobs = os.path.join(workdir, "jobs-refs")
    s = Server(idmap, index, jobs)
    try:
        _, job = run_job(s.url, **{"from": "UniProtKB_AC-ID", "to": "UniRef90", "ids": "P31946"})
    finally:
        s.stop()
    twin = job.swapcase()
    for name in os.listdir(jobs):  # the same job under the id of other case
        if name.startswith(job):
            shutil.copy(os.path.join(jobs, name), os.path.join(jobs, twin + name[len(job):]))
    s = Server(idmap, index, jobs)
    try:
        a = submit(s.url, **{"from": "UniRef90", "to": "UniProtKB", "ids": f"job:{job}"})
        b = submit(s.url, **{"from": "UniRef90", "to": "UniProtKB", "ids": f"job:{twin}"})
        c.ok("8: job:<id> references differing in case only make different jobs",
             a.status_code == b.status_code == 200 and a.json()["jobId"] != b.json()["jobId"],
             f"{a.text} {b.text}")
    finally:
        s.stop()


# ---- Item 10: more ids than --max-ids ---------------------------------------------------------
def limit(c, base):
    # ValidCommaSeparatedItemsLength.java + common-message.properties list.invalid.max.items.count
    ids = ",".join(f"P{i:05d}" for i in range(MAX_IDS + 3))
    r = submit(base, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB", "ids": ids})
    c.ok("10: more ids than --max-ids: UniProt's 400 and wording with the server's limit",
         r.status_code == 400 and messages(r) == [
             f"'{MAX_IDS}' is the maximum count limit of comma separated items for 'ids' "
             f"param. You have passed '{MAX_IDS + 3}' items."], f"{r.status_code} {r.text}")
    r = submit(base, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB",
                        "ids": ",".join(["P31946"] * MAX_IDS)})
    c.ok("10: --max-ids ids are accepted", r.status_code == 200, r.text)


# ---- Items 12 and 8: the ids list and job ids ---------------------------------------------------
def ids_and_job_ids(c, base):
    f, t = "UniProtKB_AC-ID", "UniProtKB"
    cases = [  # (ids, taxId): short and long texts (HMAC hashes keys over 64 bytes first)
        ("P31946", None),
        ("P31946,P62258", None),
        (" p31946 ,P62258 ,, NOPE ", None),
        (",".join(["P31946", "P62258", "P04637", "P00750", "P05067", "P00533"] * 3), None),
        ("YWHAB", "9606"),
    ]
    for ids, tax in cases:
        fields = {"from": f if not tax else "Gene_Name", "to": t, "ids": ids}
        if tax:
            fields["taxId"] = tax
        r = submit(base, **fields)
        want = uniprot_job_id(fields["from"], t, ids, tax)
        c.ok(f"8: job id of ids={ids[:30]!r} taxId={tax} is UniProt's",
             r.status_code == 200 and r.json().get("jobId") == want, f"{r.text} want {want}")
    # a fixed value, to catch this test and the server drifting together
    c.ok("8: golden job id", uniprot_job_id(f, t, "P21802,P12345") == "52jrZWVK1L",
         uniprot_job_id(f, t, "P21802,P12345"))
    # case and spaces around commas do not change the job (the converter lower-cases, strips)
    a = submit(base, **{"from": f, "to": t, "ids": "P31946,P62258"}).json()["jobId"]
    b = submit(base, **{"from": f, "to": t, "ids": " p31946 , p62258 "}).json()["jobId"]
    c.ok("12: ids split on \\s*,\\s*, case-insensitive job id", a == b, f"{a} {b}")
    nl = submit(base, **{"from": f, "to": t, "ids": "P31946\nP62258\n"}).json()["jobId"]
    up = requests.post(f"{base}/idmapping/run", data={"from": f, "to": t},
                       files={"file": ("ids.txt", b"P31946  P62258\n")}).json().get("jobId")
    c.ok("12: a newline-separated list and a file give the same job as commas",
         nl == a and up == a, f"{a} {nl} {up}")
    # white space inside an id of 'ids' is part of the id: one item, as UniProt's
    r = submit(base, **{"from": f, "to": t, "ids": "P31946 P62258"})
    c.ok("12: white space inside an id of 'ids' does not split it (job id)",
         r.json().get("jobId") == uniprot_job_id(f, t, "P31946 P62258") != a, r.text)
    r = submit(base, **{"from": f, "to": t,
                        "ids": ",".join(["P31946 P62258"] * (MAX_IDS // 2 + 1))})
    c.ok("12: white space inside an id of 'ids' does not split it (count)", r.status_code == 200,
         r.text)
    r, job = run_job(base, **{"from": f, "to": t, "ids": "P31946 P62258,P04637"})
    res = requests.get(f"{base}/idmapping/stream/{job}").json() if job else {}
    c.ok("12: white space inside an id of 'ids' does not split it (mapping)",
         res.get("failedIds") == ["P31946 P62258"] and
         [x["from"] for x in res.get("results", [])] == ["P04637"], str(res))


# ---- Item 9: paging ----------------------------------------------------------------------------
def paging(c, base):
    ids = "P31946,P62258,P04637,P00750,P05067,P00533,NOPE1"
    r, job = run_job(base, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB", "ids": ids})
    first = requests.get(f"{base}/idmapping/uniprotkb/results/{job}",
                         params={"size": "2", "format": "json", "fields": "accession,id",
                                 "compressed": "false", "cursor": "0", "download": "false"})
    link = first.headers.get("Link", "")
    c.ok("9: the Link keeps every parameter but the cursor",
         all(p in link for p in ["size=2", "format=json", "fields=accession,id", "download=false",
                                 "compressed=false"]) and link.count("cursor=") == 1 and
         "cursor=0&" not in link and "cursor=0>" not in link, link)
    nxt = requests.get(link[1:link.index(">")]) if link.startswith("<") else None
    p1, p2 = first.json(), nxt.json() if nxt is not None else {}
    c.ok("9: failedIds and obsoleteCount on every page",
         p1.get("failedIds") == ["NOPE1"] == p2.get("failedIds") and
         p1.get("obsoleteCount") == p2.get("obsoleteCount"), f"{p1} {p2}")


# ---- Item 3: UniRef and UniParc entry objects ---------------------------------------------------
def entry_objects(c, base, idmap, index):
    """UniProt's documented Python client reads r["to"]["id"] / r["to"]["uniParcId"]."""
    cl = UniProtClient(base)
    ids = ["P31946", "P62258", "P05067", "NOPE1"]
    # IdMappingJobServiceImpl.getRedirectPathToResults; UniRefEntryPair, UniParcEntryLightPair
    for to, path, key in [("UniRef50", "uniref", "id"), ("UniParc", "uniparc", "uniParcId")]:
        job = cl.submit_id_mapping("UniProtKB_AC-ID", to, ids)
        cl.check_id_mapping_results_ready(job)
        link = cl.get_id_mapping_results_link(job)
        c.ok(f"3: {to} job redirects to /idmapping/{path}/results",
             link == f"{base}/idmapping/{path}/results/{job}", link)
        res = cl.get_id_mapping_results_search(link + "?size=2")
        want = tsv_rows(cli_map(idmap, index, "UniProtKB_AC-ID", to, ids))[1:]
        got = [(r["from"], r["to"][key] if isinstance(r["to"], dict) else None)
               for r in res["results"]]
        c.ok(f"3: {to} results read with r['to']['{key}']", got == want, f"{got} vs {want}")
        if got != want:
            continue
        # the members: the accessions the index maps the cluster / UniParc id to
        ok = True
        for r in res["results"]:
            members = [m for _, m in tsv_rows(cli_map(idmap, index, to, "UniProtKB",
                                                      [r["to"][key]]))[1:]]
            if to == "UniRef50":
                ok &= (r["to"]["memberCount"] == len(members) and
                       r["to"]["members"] == members[:10] and r["to"]["entryType"] == to)
            else:  # UniParcLightIdService: UniParcEntryLight
                ok &= r["to"]["uniProtKBAccessions"] == members
        c.ok(f"3: {to} entry objects carry the index's members", ok and res["results"],
             str(res["results"][:2]))
    # UniRefIdService: 10 members on a page unless complete=true, all of them in the stream
    job = submit(base, **{"from": "UniProtKB_AC-ID", "to": "UniRef50",
                          "ids": "P31946"}).json()["jobId"]
    wait_finished(base, job)
    page = requests.get(f"{base}/idmapping/uniref/results/{job}").json()["results"][0]["to"]
    full = requests.get(f"{base}/idmapping/uniref/results/stream/{job}").json()
    c.ok("3: UniRef50_P31946: memberCount 4, its members listed", isinstance(page, dict) and
         page["id"] == "UniRef50_P31946" and page["memberCount"] == 4 and
         page["members"] == ["P27348", "P31946", "P62258", "P68254"] and
         full["results"][0]["to"] == page, f"{page} {full}")


# ---- Item 4: nothing silently ignored ---------------------------------------------------------
def not_ignored(c, base, idmap, index, accs):
    """query/facets/sort of the uniprotkb results (UniProtKBIdMappingBasicRequest,
    UniProtKBIdMappingSearchRequest), formats (HttpServletRequestContentTypeMutator)."""
    f, t = "UniProtKB_AC-ID", "UniProtKB"
    r, job = run_job(base, **{"from": f, "to": t, "ids": ",".join(accs[:MAX_IDS])})
    rows = tsv_rows(cli_map(idmap, index, f, t, accs[:MAX_IDS], "tsv",
                            ["--fields", "accession,reviewed,organism_id"]))[1:]
    url = f"{base}/idmapping/uniprotkb/results/stream/{job}"

    def got(**params):
        r = requests.get(url, params=dict(params, format="tsv", fields="accession"))
        return r, [row[1] for row in tsv_rows(r.text)[1:]] if r.status_code == 200 else None
    for q, keep in [("reviewed:false", lambda row: row[2] == "unreviewed"),
                    ("reviewed:true", lambda row: row[2] == "reviewed"),
                    ("organism_id:9606", lambda row: row[3] == "9606"),
                    ("accession:p31946", lambda row: row[1] == "P31946"),
                    ("reviewed:true AND organism_id:9606",
                     lambda row: row[2] == "reviewed" and row[3] == "9606")]:
        r, accessions = got(query=q)
        want = [row[1] for row in rows if keep(row)]
        c.ok(f"4: query={q} keeps the matching entries ({len(want)} of {len(rows)})",
             accessions == want and want and r.headers.get("X-Total-Results") == str(len(want)),
             f"{accessions} vs {want}")
    r = requests.get(f"{base}/idmapping/uniprotkb/results/{job}",
                     params={"query": "reviewed:false", "size": "1"})
    c.ok("4: a query pages over the matching entries",
         r.status_code == 200 and len(r.json()["results"]) == 1 and
         r.json()["results"][0]["to"]["entryType"] == "UniProtKB unreviewed (TrEMBL)" and
         "query=reviewed%3Afalse" in r.headers.get("Link", ""), f"{r.text} {r.headers}")
    unrev = [row[1] for row in rows if row[2] == "unreviewed"]
    r = requests.get(f"{base}/idmapping/uniprotkb/results/{job}",
                     params={"query": "reviewed:false", "size": "1", "cursor": "1",
                             "format": "tsv", "fields": "accession"})
    c.ok("4: a query's second page is its second matching entry",
         r.status_code == 200 and [row[1] for row in tsv_rows(r.text)[1:]] == unrev[1:2],
         f"{r.text} {unrev[:2]}")
    r = requests.get(url, params={"query": "reviewed:false", "format": "list"})
    c.ok("4: a query in the list format: the matching entries once each",
         r.status_code == 200 and r.text.split() == list(dict.fromkeys(unrev)), r.text)
    for params, msg in [({"query": "gene:TP53"}, "'query'"),
                        ({"query": "reviewed:maybe"}, "'query'"),
                        ({"sort": "accession asc"}, "'sort'"),
                        ({"includeIsoform": "true"}, "'includeIsoform'"),
                        ({"facets": "reviewed", "format": "tsv"},
                         "facets are supported only for 'application/json'")]:
        r = requests.get(url, params=params)
        c.ok(f"4: {params} refused with a 400 naming it",
             r.status_code == 400 and msg in " ".join(messages(r) or []), r.text)
    r = requests.get(f"{base}/idmapping/results/{job}", params={"query": "reviewed:true"})
    c.ok("4: query on the plain results refused", r.status_code == 400 and
         "'query'" in r.text, r.text)
    # facets: uniprotkb.facet.properties (labels, sort=index desc, mincount 1, limit 5)
    r = requests.get(f"{base}/idmapping/uniprotkb/results/{job}",
                     params={"facets": "reviewed,model_organism", "size": "0"})
    fac = {x["name"]: x for x in r.json().get("facets", [])} if r.status_code == 200 else {}
    nrev = sum(row[2] == "reviewed" for row in rows)
    nhuman = sum(row[3] == "9606" for row in rows)
    c.ok("4: facets=reviewed counts the entries",
         fac.get("reviewed", {}).get("label") == "Status" and fac["reviewed"]["values"] == [
             {"label": "Reviewed (Swiss-Prot)", "value": "true", "count": nrev},
             {"label": "Unreviewed (TrEMBL)", "value": "false", "count": len(rows) - nrev}],
         r.text)
    mo = fac.get("model_organism", {}).get("values", [])
    c.ok("4: facets=model_organism counts the popular organisms",
         mo[:1] == [{"label": "Human", "value": "9606", "count": nhuman}] and
         [x["count"] for x in mo] == sorted([x["count"] for x in mo], reverse=True) and
         list(r.json().keys())[:2] == ["facets", "results"], r.text)
    r = requests.get(url, params={"facets": "organism"})
    c.ok("4: an unknown facet: UniProt's message", messages(r) == [
        "Invalid facet name 'organism'. Expected value can be reviewed, model_organism."],
        r.text)
    # formats this server does not produce: UniProt's 400, never another format
    for how, msg in [
            ({"headers": {"Accept": "text/plain;format=fasta"}},
             "Invalid request received. Requested media type/format not accepted: "
             "'text/plain;format=fasta'."),
            ({"params": {"format": "fasta"}},
             "Invalid request received. Requested media type/format not accepted, 'fasta'. "
             "Valid media types/formats for this end-point include: application/json, "
             "text/plain;format=tsv, text/plain;format=list."),
            ({"params": {"format": "foo"}},
             "Invalid request received. Requested media type/format not accepted: 'foo'.")]:
        r = requests.get(f"{base}/idmapping/stream/{job}", **how)
        c.ok(f"4: {how} -> 400", r.status_code == 400 and messages(r) == [msg], r.text)
    r = requests.get(f"{base}/idmapping/stream/{job}",
                     headers={"Accept": "text/html, */*;q=0.8"})
    c.ok("4: Accept */* -> JSON", r.status_code == 200 and
         r.headers["Content-Type"] == "application/json", r.headers.get("Content-Type"))


def main():
    args = server_args(__doc__)
    work = args.workdir
    index = sample_index(args.idmap, args.sample, work)
    c = Checks()
    s = Server(args.idmap, index, os.path.join(work, "jobs"), "--max-ids", str(MAX_IDS))
    try:
        validation(c, s.url)
        limit(c, s.url)
        ids_and_job_ids(c, s.url)
        paging(c, s.url)
        entry_objects(c, s.url, args.idmap, index)
        not_ignored(c, s.url, args.idmap, index, read_sample_accessions(args.sample))
    finally:
        s.stop()
    error_jobs(c, args.idmap, index, work)
    job_refs(c, args.idmap, index, work)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
