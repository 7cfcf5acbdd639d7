#!/usr/bin/env python3
"""Streams in bounded memory: a job of over a million rows and distinct targets.

`idmap map --format list`:
An index of N accessions, each in one to three taxa, mapped from three taxa (one-to-many) to
UniProtKB: about 1.8 N rows, N distinct targets, many seen again under a later taxon. The
list must equal a plain Python reference (each To of the TSV rows once, in the order of its
first row; the set of targets also checked against the input file), and the peak RSS of
`map -F list` (VmHWM through /usr/bin/time) must stay within a few MB of the TSV render of
the same job: before the fix a table of every distinct target added ~48 MB at this size.

`idmap serve`, a job of the N accessions: QUERIES streams of uniprotkb results with a query
(organism_id:9606, N/3 rows) held open unread must not grow the server's VmRSS by more than a
few MB: before the fix each listed its matching rows (8 bytes a row, ~38 MB for all).
With --sanitized (an ASan build: its RSS is shadow memory and quarantine, its speed a
tenth) the job is 200,000 accessions, still sorted on disk, and the RSS bounds are not checked.
Prints one line per check and `N passed, N failed`; exits 1 when a check failed.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

from cli_hostile import Checks

N = 1_200_000
TAXA = ("7227", "9606", "10090")  # in the order given: 7227 first
SLACK_KB = 16 * 1024
QUERIES = 12
QUERY_SLACK_KB = 16 * 1024


def accession(i):
    """The i-th of distinct UniProt-shaped accessions ([A-NR-Z][0-9][A-Z][A-Z0-9]{2}[0-9])."""
    first, upper = "ABCDEFGHIJKLMNRSTUVWXYZ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    alnum = upper + "0123456789"
    out = [first[i % 23]]
    i //= 23
    for alphabet in ("0123456789", upper, alnum, alnum, "0123456789"):
        out.append(alphabet[i % len(alphabet)])
        i //= len(alphabet)
    return "".join(out)


def taxa_of(i):
    """Taxa of entry i: 9606 for even i, 10090 for i % 3 == 0, 7227 for i % 5 == 0, else
    10090 (so every entry has one)."""
    t = [tx for tx, m in (("9606", 2), ("10090", 3), ("7227", 5)) if i % m == 0]
    return t or ["10090"]


def write_release(path, n):
    expected = set()
    with open(path, "w") as f:
        chunk = []
        for i in range(n):
            acc = accession(i)
            expected.add(acc)
            chunk.extend(f"{acc}\tNCBI_TaxID\t{t}\n" for t in taxa_of(i))
            if len(chunk) > 100_000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
    return expected


def peak_map(idmap, idx, fmt, out):
    """Runs `idmap map -F fmt` on the taxa; returns (exit status, VmHWM in KB, stderr)."""
    with open(out, "wb") as f:
        p = subprocess.run(["/usr/bin/time", "-f", "HWM %M", idmap, "map", "-i", idx,
                            "--from", "NCBI_TaxID", "--allow-one-to-many", "-F", fmt, *TAXA],
                           stdout=f, stderr=subprocess.PIPE, timeout=300)
    hwm = [int(line.split()[1]) for line in p.stderr.decode().splitlines()
           if line.startswith("HWM ")]
    return p.returncode, hwm[-1] if hwm else None, p.stderr


def vm_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def request(host, port, method, path, body=None, headers=None):
    """(status, headers, body) of one request on a connection of its own."""
    conn = http.client.HTTPConnection(host, port, timeout=120)
    conn.request(method, path, body, headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), data


def held_query_streams(c, idmap, idx, accessions, work, rss):
    """Submits the accessions, then measures the server while QUERIES query streams are open."""
    jobs = os.path.join(work, "jobs")
    shutil.rmtree(jobs, ignore_errors=True)
    srv = subprocess.Popen([idmap, "serve", "-q", "-i", idx, "--listen", "127.0.0.1:0",
                            "--jobs-dir", jobs], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
    held = []
    try:
        m = re.search(rb"listening on http://([^/:]+):(\d+)/", srv.stderr.readline())
        if not c.ok("serve", m):
            return
        host, port = m.group(1).decode(), int(m.group(2))
        body = urllib.parse.urlencode({"from": "UniProtKB_AC-ID", "to": "UniProtKB",
                                       "ids": ",".join(accessions)})
        st, _, data = request(host, port, "POST", "/idmapping/run", body,
                           {"Content-Type": "application/x-www-form-urlencoded"})
        job = json.loads(data).get("jobId") if st == 200 else None
        end = time.time() + 120
        while job and time.time() < end:
            st, _, _ = request(host, port, "GET", f"/idmapping/status/{job}")
            if st != 200:
                break
            time.sleep(0.1)
        if not c.ok("a job of every accession", job and st == 303, (st, data[:200])):
            return
        path = (f"/idmapping/uniprotkb/results/stream/{job}?format=tsv&"
                "query=organism_id%3A9606")
        st, hdr, data = request(host, port, "GET", path)  # loads the job, reads the index
        rows = data.count(b"\n") - 1  # an entry of several taxa has one organism_id
        c.ok(f"query stream: {rows} rows, as X-Total-Results says", st == 200 and
             rows > len(accessions) // 4 and hdr.get("X-Total-Results") == str(rows), (st, rows, hdr))
        st, _, data = request(host, port, "GET", f"/idmapping/stream/{job}?format=list")
        c.ok("format=list stream: the accessions once each, in input order (sorted on disk "
             "in the jobs dir)", st == 200 and data.decode().split("\n")[:-1] == accessions,
             (st, data[:100]))
        c.ok("no temporary file left in the jobs dir",
             not [f for f in os.listdir(jobs) if f.startswith(".spool-")], os.listdir(jobs))
        before = vm_rss(srv.pid)
        for _ in range(QUERIES):  # headers read, the body left in the pipe
            conn = http.client.HTTPConnection(host, port, timeout=120)
            conn.request("GET", path)
            held.append((conn, conn.getresponse()))
        time.sleep(1)
        grown = vm_rss(srv.pid) - before
        c.ok(f"{QUERIES} query streams held open: VmRSS +{grown} KB (at most "
             f"{QUERY_SLACK_KB}{'' if rss else ', not checked'})",
             all(r.status == 200 for _, r in held) and (grown <= QUERY_SLACK_KB or not rss),
             grown)
    finally:
        for conn, _ in held:
            conn.close()
        srv.kill()
        srv.wait()


def cli_args():
    """--idmap, --workdir (made if missing), --sanitized: the arguments of this test and of
    sigbus_test."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--sanitized", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    return a


def main():
    a = cli_args()
    if not os.access("/usr/bin/time", os.X_OK):
        print("skip: /usr/bin/time is missing")
        return 77
    c = Checks()
    ok = c.ok
    dat = os.path.join(a.workdir, "taxa.dat")
    idx = os.path.join(a.workdir, "taxa.idx")
    n = 200_000 if a.sanitized else N
    expected = write_release(dat, n)
    accessions = [accession(i) for i in range(n)]
    p = subprocess.run([a.idmap, "build", "-q", "-m", "256M", "--release", "t", "-o", idx, dat],
                       capture_output=True, timeout=300)
    os.unlink(dat)
    if not ok("build", p.returncode == 0, p.stderr):
        return 1
    tsv_out, list_out = os.path.join(a.workdir, "out.tsv"), os.path.join(a.workdir, "out.list")
    rc_tsv, hwm_tsv, err = peak_map(a.idmap, idx, "tsv", tsv_out)
    ok("map -F tsv", rc_tsv == 0 and hwm_tsv, err)
    rc_list, hwm_list, err = peak_map(a.idmap, idx, "list", list_out)
    ok("map -F list", rc_list == 0 and hwm_list, err)

    reference, seen = [], set()
    with open(tsv_out) as f:
        next(f)  # From<TAB>To
        rows = 0
        for line in f:
            to = line.rstrip("\n").split("\t")[1]
            rows += 1
            if to not in seen:
                seen.add(to)
                reference.append(to)
    with open(list_out) as f:
        got = f.read().split("\n")
    ok(f"{rows} rows, {len(reference)} distinct targets, some repeated",
       rows > 1.25 * n and seen == expected, (rows, len(seen)))
    ok("list = the distinct To of the rows in first-row order",
       got[-1] == "" and got[:-1] == reference, (len(got), got[:3], reference[:3]))
    ok(f"peak RSS of list ({hwm_list} KB) within {SLACK_KB} KB of tsv ({hwm_tsv} KB)"
       + (", not checked" if a.sanitized else ""),
       hwm_list and hwm_tsv and (hwm_list <= hwm_tsv + SLACK_KB or a.sanitized),
       (hwm_list, hwm_tsv))
    for p in (tsv_out, list_out):
        os.unlink(p)
    if subprocess.run([a.idmap, "serve", "--help"], capture_output=True).returncode != 0:
        print("skip - idmap serve is not built")
    else:
        held_query_streams(c, a.idmap, idx, accessions, a.workdir, not a.sanitized)
    os.unlink(idx)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
