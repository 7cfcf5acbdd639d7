#!/usr/bin/env python3
"""The server's FASTA endpoints against the CLI, on the bundled sample with its
FASTA files: every body must be byte for byte what `idmap map --format fasta` or `idmap entry`
writes for the same ids.

  - /idmapping/{uniprotkb,uniref,uniparc}/results[/stream]/{jobId}?format=fasta (and the
    Accept header), subsequence=true, includeIsoform=true, pages joined by their Link;
  - /uniprotkb/{acc}.fasta, ?format=fasta, /uniprotkb/accessions, /uniref/{id}.fasta,
    /uniparc/{upi}.fasta; unknown ids (404), a range beyond the sequence (left out);
  - an index without FASTA: 400 with the reason.
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import gzip
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_api_test import (SAMPLE_FILES, Checks, Server, cli_map,  # noqa: E402
                             sample_index, server_args, submit, wait_finished)

import requests  # noqa: E402  (server_api_test checked that it is there)

FASTA = "text/plain;format=fasta"
KB_IDS = ["P31946", "P31946-2", "P00750[39-81]", "P02768", "A0A087WTH5", "P01308",
          "A0A023GPI8[1-60]", "P00750[1-99999]", "Q6GZX4"]
# subsequence=true needs a range on every id (UniProt's 400 otherwise)
RANGED = ["P00750[39-81]", "A0A023GPI8[1-60]", "P00750[1-99999]", "P00750-2[2-5]",
          "P00750[81-39]", "P31946[1-1]"]


def fasta_index(idmap, sample, work):
    index = os.path.join(work, "fasta.idx")
    fastas = sorted(os.path.join(sample, n) for n in os.listdir(sample) if n.endswith(".fasta"))
    subprocess.run([idmap, "build", "--quiet", "-o", index] +
                   [os.path.join(sample, n) for n in SAMPLE_FILES] + fastas, check=True)
    return index


def entry(idmap, index, *ids):
    return subprocess.run([idmap, "entry", "-i", index, *ids], capture_output=True).stdout


def job(c, base, to, ids):
    r = submit(base, ids=",".join(ids), **{"from": "UniProtKB_AC-ID", "to": to})
    jid = r.json().get("jobId") if r.status_code == 200 else None
    c.ok(f"job to {to} submitted", jid and wait_finished(base, jid) is not None, r.text)
    return jid


def pages(base, path, params):
    """The bodies of every page, following Link, and the X-Total-Results of the first."""
    r = requests.get(base + path, params=params)
    body, total = r.content, r.headers.get("X-Total-Results")
    while r.status_code == 200 and "next" in r.links:
        r = requests.get(r.links["next"]["url"])
        body += r.content
    return body, total, r.status_code


def job_results(c, base, idmap, index):
    def cli(to, ids, *extra):
        return cli_map(idmap, index, "UniProtKB_AC-ID", to, ids, "fasta", extra).encode()

    kb = job(c, base, "UniProtKB", KB_IDS)
    ranged = job(c, base, "UniProtKB", RANGED)
    for j, ids, extra, params in (
            (kb, KB_IDS, (), {}), (kb, KB_IDS, ("--include-isoforms",), {"includeIsoform": "true"}),
            (ranged, RANGED, ("--subsequence",), {"subsequence": "true"}),
            (ranged, RANGED, ("--subsequence", "--include-isoforms"),
             {"subsequence": "true", "includeIsoform": "true"})):
        stream = f"/idmapping/uniprotkb/results/stream/{j}"
        want = cli("UniProtKB", ids, *extra)
        r = requests.get(base + stream, params=dict(params, format="fasta"))
        c.ok(f"uniprotkb stream fasta {params}: the CLI's bytes",
             r.status_code == 200 and r.content == want and
             r.headers.get("Content-Type") == FASTA, r.text[:300])
        body, total, st = pages(base, f"/idmapping/uniprotkb/results/{j}",
                                dict(params, format="fasta", size="2"))
        rows = requests.get(base + stream, params={"format": "tsv"}).text.count("\n") - 1
        c.ok(f"uniprotkb results fasta {params} in pages of 2: the same bytes",
             st == 200 and body == want and total == str(rows), f"{total} {rows} {body[:200]}")
    sub = cli("UniProtKB", RANGED, "--subsequence")
    c.ok("subsequence: the range is cut, the one beyond the sequence left out",
         b">sp|P00750|39-81\n" in sub and b">sp|P00750-2|2-5\n" in sub and
         b"|1-99999" not in sub and b"|81-39" not in sub)
    stream = f"/idmapping/uniprotkb/results/stream/{kb}"
    r = requests.get(base + stream, params={"format": "fasta", "subsequence": "true"})
    c.ok("subsequence: ids without a range are UniProt's 400", r.status_code == 400 and
         r.json()["messages"] == ["Unable to compute fasta subsequence for IDs: P31946,"
                                  "P31946-2,P02768,A0A087WTH5,P01308,Q6GZX4. Expected format "
                                  "is accession[begin-end], for example:Q00001[10-20]"], r.text)
    # query= selects rows in every format: fasta writes the records of the selected rows only
    tsv = requests.get(base + stream, params={"format": "tsv", "query": "reviewed:true"}).text
    picked = [line.split("\t")[1] for line in tsv.splitlines()[1:]]
    r = requests.get(base + stream, params={"format": "fasta", "query": "reviewed:true"})
    c.ok("query=reviewed:true with fasta: the records of the selected rows only",
         r.status_code == 200 and 0 < len(picked) < len(KB_IDS) and
         r.content == entry(idmap, index, *picked), f"{picked} {r.text[:200]}")
    iso = cli("UniProtKB", KB_IDS, "--include-isoforms")
    c.ok("includeIsoform adds the isoforms", b">sp|P02768-2|" in iso)
    r = requests.get(base + stream, headers={"Accept": FASTA})
    c.ok("Accept: text/plain;format=fasta", r.content == cli("UniProtKB", KB_IDS))
    r = requests.get(base + stream, params={"format": "fasta", "compressed": "true"})
    c.ok("compressed fasta", gzip.decompress(r.content) == cli("UniProtKB", KB_IDS))
    for p in ("includeIsoform", "subsequence"):
        r = requests.get(base + stream, params={"format": "tsv", p: "true"})
        c.ok(f"{p} still refused outside fasta", r.status_code == 400 and p in r.text, r.text)
        r = requests.get(base + stream, params={"format": "fasta", p: "yes"})
        c.ok(f"{p}=yes: UniProt's 400", r.status_code == 400 and r.json()["messages"] ==
             [f"Invalid {p} parameter value. Expected true or false"], r.text)
    r = requests.get(base + stream, params={"format": "tsv", "subsequence": "true"})
    c.ok("subsequence outside fasta: UniProt's message", r.json().get("messages") ==
         ["Invalid content type received, 'text/plain;format=tsv'. 'subsequence' parameter "
          "only accepted for 'text/plain;format=fasta' content type."], r.text)
    r = requests.get(f"{base}/idmapping/results/stream/{kb}", params={"format": "fasta"})
    c.ok("plain results: fasta not accepted", r.status_code == 400 and "fasta" in r.text)
    for to, kind in (("UniRef90", "uniref"), ("UniParc", "uniparc")):
        ids = ["P31946", "P68254", "P31946-2", "Q6GZX4"]
        j = job(c, base, to, ids)
        want = cli(to, ids)
        r = requests.get(f"{base}/idmapping/{kind}/results/stream/{j}", params={"format": "fasta"})
        c.ok(f"{kind} stream fasta: the CLI's bytes", r.status_code == 200 and r.content == want
             and want.count(b">") >= 2, r.text[:300])
        body, _, st = pages(base, f"/idmapping/{kind}/results/{j}",
                            {"format": "fasta", "size": "1"})
        c.ok(f"{kind} results fasta in pages of 1", st == 200 and body == want)
    return kb


def entries(c, base, idmap, index):
    def get(path, **params):
        return requests.get(base + path, params=params)

    for path, ids, params in (("/uniprotkb/P31946.fasta", ["P31946"], {}),
                              ("/uniprotkb/P31946", ["P31946"], {"format": "fasta"}),
                              ("/uniprotkb/P31946-2.fasta", ["P31946-2"], {}),
                              ("/uniprotkb/p31946-1.fasta", ["P31946-1"], {}),
                              ("/uniprotkb/A0A023GPI8.fasta", ["A0A023GPI8"], {}),
                              ("/uniref/UniRef90_P31946.fasta", ["UniRef90_P31946"], {}),
                              ("/uniparc/UPI000013C7C5.fasta", ["UPI000013C7C5"], {}),
                              ("/uniprotkb/P00750[39-81].fasta", ["P00750[39-81]"], {}),
                              ("/uniprotkb/P00750-2%5B2-5%5D", ["P00750-2[2-5]"],
                               {"format": "fasta"}),
                              ("/uniprotkb/accessions", ["P31946", "P02768-2", "P00750[1-1]",
                                                         "P01308"],
                               {"accessions": "P31946, P02768-2,P99999,P00750[1-1],P01308",
                                "format": "fasta"})):
        r = get(path, **params)
        want = entry(idmap, index, *ids)
        c.ok(f"{path} {params}: the bytes of idmap entry", r.status_code == 200 and want and
             r.content == want and r.headers.get("Content-Type") == FASTA, r.text[:300])
    for path in ("/uniprotkb/P99999.fasta", "/uniparc/UPI0000000000.fasta",
                 "/uniref/UniRef50_P31946.fasta"):
        r = get(path)
        c.ok(f"{path}: 404 in UniProt's shape", r.status_code == 404 and
             r.json().get("messages") == ["Resource not found"], r.text)
    for path, msg in (("/uniprotkb/UPI000013C7C5.fasta", "The 'accession' value has invalid "
                       "format. It should be a valid UniProtKB accession"),
                      ("/uniref/P31946.fasta", "The 'id' value has invalid format. It should be "
                       "a valid UniRef Cluster id"),
                      ("/uniparc/UniRef90_P31946.fasta", "The 'upi' value has invalid format. "
                       "It should be a valid UniParc UPI")):
        r = get(path)
        c.ok(f"{path}: not an id of that kind, UniProt's 400", r.status_code == 400 and
             r.json()["messages"] == [msg], r.text)
    r = get("/uniprotkb/accessions", accessions="P31946,UPI000013C7C5,x y", format="fasta")
    c.ok("accessions: each malformed one named", r.status_code == 400 and
         r.json()["messages"] == [f"Accession '{a}' has invalid format. It should be a valid "
                                  "UniProtKB accession with optional sequence range e.g. "
                                  "P12345[10-20]." for a in ("UPI000013C7C5", "x y")],
         r.text)
    r = get("/uniprotkb/accessions", accessions=",".join(["P31946"] * 1001), format="fasta")
    c.ok("accessions: at most 1000", r.status_code == 400 and r.json()["messages"] ==
         ["Only '1000' accessions are allowed in each request."], r.text)
    # UniProtKB entries are also JSON and TSV (server_entries_test.py); UniRef: FASTA only
    r = get("/uniref/UniRef90_P31946")
    c.ok("/uniref/ID without fasta: 400", r.status_code == 400 and FASTA in r.text, r.text)
    for path, params in (("/uniprotkb/P00750[81-39].fasta", {}),
                         ("/uniprotkb/P00750[1-99999].fasta", {}),
                         ("/uniprotkb/accessions", {"accessions": "P31946,P00750[0-5]",
                                                    "format": "fasta"}),
                         ("/uniprotkb/accessions", {"accessions": "P31946,P00750[1-99999]",
                                                    "format": "fasta"})):
        r = get(path, **params)
        rng = (params.get("accessions") or path).split("[")[1].split("]")[0]
        c.ok(f"{path} {params}: a range outside the sequence is a 400, never clipped",
             r.status_code == 400 and r.json()["messages"] == [f"Invalid sequence range [{rng}]"],
             r.text)
    r = get("/uniref/UniRef90_P31946[1-5].fasta")
    c.ok("a range on a UniRef id: 400", r.status_code == 400 and "UniRef Cluster id" in r.text)
    r = get("/uniprotkb/accessions", format="fasta")
    c.ok("accessions is required", r.status_code == 400 and "accessions" in r.text, r.text)


def no_store(c, idmap, sample, work, ids):
    index = sample_index(idmap, sample, os.path.join(work, "plain"))
    s = Server(idmap, index, os.path.join(work, "plain", "jobs"))
    try:
        msg = "this index holds no sequences: build it with the release's FASTA files"
        r = requests.get(s.url + "/uniprotkb/P31946.fasta")
        c.ok("no entry store: 400 with the reason", r.status_code == 400 and
             r.json().get("messages") == [msg], r.text)
        j = job(c, s.url, "UniProtKB", ids)
        stream = f"{s.url}/idmapping/uniprotkb/results/stream/{j}"
        r = requests.get(stream, params={"format": "fasta"})
        c.ok("no entry store: job results in fasta 400", r.status_code == 400 and msg in r.text,
             r.text)
        r = requests.get(stream, params={"format": "tsv"})
        c.ok("no entry store: tsv still served", r.status_code == 200 and "P31946" in r.text)
    finally:
        s.stop()


def main():
    a = server_args(__doc__)
    sample_index(a.idmap, a.sample, a.workdir)  # a fresh workdir
    index = fasta_index(a.idmap, a.sample, a.workdir)
    c = Checks()
    s = Server(a.idmap, index, os.path.join(a.workdir, "jobs"))
    try:
        job_results(c, s.url, a.idmap, index)
        entries(c, s.url, a.idmap, index)
    finally:
        c.ok("server stops with exit 0", s.stop() == 0)
    no_store(c, a.idmap, a.sample, a.workdir, KB_IDS)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
