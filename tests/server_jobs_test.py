#!/usr/bin/env python3
"""`idmap serve`'s job store under faults: chained jobs through a reload onto a
rebuilt index, a wall clock stepped back, jobs that expire while queued and are submitted
again, and a disk that is full for a while. The faults come from tests/server_shim.c, preloaded
into the server and steered through a control file while it runs.

Prints one line per check and `N passed, N failed`; exits 1 on a failure.
"""
import argparse
import os
import string
import shutil
import signal
import subprocess
import sys
import time

# server_api_test says so when python3-requests is missing
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_api_test import (Checks, Server, build_sample, cli_map,  # noqa: E402
                             read_sample_accessions, submit, tsv_rows, wait_finished)
import requests  # noqa: E402

ACC, UR90, KB = "UniProtKB_AC-ID", "UniRef90", "UniProtKB"


class Faults:
    """The shim's control file: replaced whole, so the server never reads half of it."""

    def __init__(self, path):
        self.path = path
        self.set()

    def set(self, *lines):
        with open(self.path + ".new", "w") as f:
            f.write("".join(line + "\n" for line in lines))
        os.replace(self.path + ".new", self.path)


def status(base, job):
    r = requests.get(f"{base}/idmapping/status/{job}?redirect=false")
    return r.json().get("jobStatus") if r.status_code == 200 else r.status_code


def wait_status(base, job, want, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if status(base, job) == want:
            return True
        time.sleep(0.02)
    return False


def job_files(jobs, job):
    return sorted(f for f in os.listdir(jobs) if f.startswith(job))


def stray_files(jobs):
    """Files whose name is not a job id and a known extension (a freed job writes garbage)."""
    ok = (".req", ".ids", ".err", ".result")
    base62 = string.digits + string.ascii_letters  # UniProt's job ids: 10 base-62 characters
    return [f for f in os.listdir(jobs)
            if not (len(f) > 10 and f[10] == "." and all(ch in base62 for ch in f[:10])
                    and f.endswith(ok))]


def chained_reload(c, a, faults, accs):
    """Item 1: job A maps the targets of job B; the index is rebuilt and the server reloaded
    while B cannot finish yet: A must wait for B, not fail for good."""
    idx = os.path.join(a.workdir, "chain.idx")
    jobs = os.path.join(a.workdir, "jobs-chain")
    dat = os.path.join(a.sample, "idmapping.dat")
    sel = os.path.join(a.sample, "idmapping_selected.tab")
    subprocess.run([a.idmap, "build", "--quiet", "--release", "2098_01", "-o", idx, dat],
                   check=True)
    s = Server(a.idmap, idx, jobs, "--threads", "2")
    try:
        b = submit(s.url, **{"from": ACC, "to": UR90, "ids": ",".join(accs[:20])}).json()["jobId"]
        wait_finished(s.url, b)
        ch = submit(s.url, **{"from": UR90, "to": KB, "ids": f"job:{b}"}).json()["jobId"]
        wait_finished(s.url, ch)
        c.ok("chain: the chained job finishes before the reload",
             status(s.url, ch) == "FINISHED")
        subprocess.run([a.idmap, "build", "--quiet", "--release", "2099_01", "-o", idx, dat,
                        sel], check=True)
        faults.set("hold")  # B stays RUNNING on the new index until released
        s.proc.send_signal(signal.SIGHUP)
        held = wait_status(s.url, b, "RUNNING")
        time.sleep(0.5)  # the other worker has long taken the chained job by now
        during = status(s.url, ch)
        faults.set()
        r = wait_finished(s.url, ch)
        clusters = requests.get(f"{s.url}/idmapping/stream/{b}?format=list").text.split()
        want = tsv_rows(cli_map(a.idmap, idx, UR90, KB, clusters))
        got = tsv_rows(requests.get(f"{s.url}/idmapping/stream/{ch}?format=tsv").text)
        c.ok("chain: after SIGHUP the chained job waits for its source, then maps its new "
             "targets", held and during in ("NEW", "RUNNING") and r is not None and
             r.status_code == 303 and got == want and len(got) > 1,
             f"held={held} during={during} {r and r.status_code} {got[:2]} vs {want[:2]}")
    finally:
        s.stop()
    s = Server(a.idmap, idx, jobs)
    try:
        again = tsv_rows(requests.get(f"{s.url}/idmapping/stream/{ch}?format=tsv").text)
        c.ok("chain: after a restart the chained job answers the same", again == got,
             f"{again[:2]}")
    finally:
        s.stop()


def clock_back(c, a, faults, index, accs):
    """Item 2: the wall clock steps back an hour; a finished job stays, files and all."""
    jobs = os.path.join(a.workdir, "jobs-clock")
    s = Server(a.idmap, index, jobs, "--job-ttl", "8s")  # the janitor looks every second
    try:
        j = submit(s.url, **{"from": ACC, "to": KB, "ids": ",".join(accs[:5])}).json()["jobId"]
        wait_finished(s.url, j)
        files = job_files(jobs, j)
        faults.set("clock -3600")
        time.sleep(2.2)
        st = status(s.url, j)
        c.ok("clock back: a finished job still answers, its files kept by the janitor",
             st == "FINISHED" and job_files(jobs, j) == files, f"{st} {job_files(jobs, j)}")
    finally:
        s.stop()
    s = Server(a.idmap, index, jobs, "--job-ttl", "8s")
    try:
        st = status(s.url, j)
        c.ok("clock back: ... and after a restart", st == "FINISHED" and
             job_files(jobs, j) == files, f"{st} {job_files(jobs, j)}")
    finally:
        s.stop()
        faults.set()


def ttl_backlog(c, a, faults, index, accs):
    """Item 3: jobs expire while queued behind a running one; submitting one again must not
    free it under the worker (ASan in scripts/test.sh --sanitize)."""
    jobs = os.path.join(a.workdir, "jobs-backlog")
    s = Server(a.idmap, index, jobs, "--threads", "1", "--job-ttl", "1h")
    try:
        faults.set("hold")
        ids = [submit(s.url, **{"from": ACC, "to": KB, "ids": acc}).json()["jobId"]
               for acc in accs[:4]]
        running = wait_status(s.url, ids[0], "RUNNING")
        faults.set("hold", "clock 7200")  # the queued ones are two hours old now
        again = submit(s.url, **{"from": ACC, "to": KB, "ids": accs[3]})
        faults.set("clock 7200")
        r = wait_finished(s.url, ids[3])
        alive = s.proc.poll() is None
        want = tsv_rows(cli_map(a.idmap, index, ACC, KB, accs[3:4]))
        got = tsv_rows(requests.get(f"{s.url}/idmapping/stream/{ids[3]}?format=tsv").text)
        c.ok("backlog: an expired queued job submitted again runs once, no memory error",
             running and again.status_code == 200 and again.json()["jobId"] == ids[3] and
             r is not None and r.status_code == 303 and got == want and alive and
             not stray_files(jobs), f"{again.status_code} {r and r.status_code} {got} "
             f"alive={alive} {stray_files(jobs)}")
    finally:
        rc = s.stop()
        faults.set()
    c.ok("backlog: the server stops cleanly", rc == 0, str(rc))


def full_disk(c, a, faults, index, accs):
    """Item 4: "No space left on device" is not final: resubmitting, or a restart, retries."""
    jobs = os.path.join(a.workdir, "jobs-enospc")
    want = tsv_rows(cli_map(a.idmap, index, ACC, KB, accs[:7]))
    s = Server(a.idmap, index, jobs)
    try:
        faults.set("enospc")
        req = {"from": ACC, "to": KB, "ids": ",".join(accs[:7])}
        j = submit(s.url, **req).json()["jobId"]
        r = wait_finished(s.url, j)
        msg = r.json()["errors"][0]["message"] if r is not None and r.status_code == 500 else r
        c.ok("full disk: the job fails with ENOSPC", "No space left on device" in str(msg),
             str(msg))
        faults.set()
        submit(s.url, **req)
        r = wait_finished(s.url, j)
        got = tsv_rows(requests.get(f"{s.url}/idmapping/stream/{j}?format=tsv").text)
        c.ok("full disk: once space is back, resubmitting maps the job",
             r is not None and r.status_code == 303 and got == want,
             f"{r and r.status_code} {got[:2]}")
        faults.set("enospc")
        k = submit(s.url, **{"from": ACC, "to": UR90, "ids": ",".join(accs[:7])}).json()["jobId"]
        r = wait_finished(s.url, k)
        failed = r is not None and r.status_code == 500
    finally:
        s.stop()
        faults.set()
    s = Server(a.idmap, index, jobs)
    try:
        r = wait_finished(s.url, k)
        want = tsv_rows(cli_map(a.idmap, index, ACC, UR90, accs[:7]))
        got = tsv_rows(requests.get(f"{s.url}/idmapping/stream/{k}?format=tsv").text)
        c.ok("full disk: a restart retries a job that failed for want of space",
             failed and r is not None and r.status_code == 303 and got == want,
             f"{failed} {r and r.status_code} {got[:2]}")
    finally:
        s.stop()


def source_expired(c, a, faults, index, accs):
    """Item 4: a chained job whose source expired while it was queued fails, but not for good:
    once the source is submitted again, so can the chained job be."""
    jobs = os.path.join(a.workdir, "jobs-source")
    s = Server(a.idmap, index, jobs, "--threads", "1", "--job-ttl", "1h")
    try:
        b = submit(s.url, **{"from": ACC, "to": UR90, "ids": ",".join(accs[:9])}).json()["jobId"]
        wait_finished(s.url, b)
        faults.set("hold", "clock 3590")  # B is still young when the chained job is accepted
        x = submit(s.url, **{"from": ACC, "to": KB, "ids": accs[9]}).json()["jobId"]
        wait_status(s.url, x, "RUNNING")
        ch = {"from": UR90, "to": KB, "ids": f"job:{b}"}
        j = submit(s.url, **ch).json()["jobId"]
        faults.set("clock 3610")  # B is past its TTL when the chained job runs
        r = wait_finished(s.url, j)
        failed = r is not None and r.status_code == 500
        submit(s.url, **{"from": ACC, "to": UR90, "ids": ",".join(accs[:9])})
        wait_finished(s.url, b)
        submit(s.url, **ch)
        r = wait_finished(s.url, j)
        clusters = requests.get(f"{s.url}/idmapping/stream/{b}?format=list").text.split()
        want = tsv_rows(cli_map(a.idmap, index, UR90, KB, clusters))
        got = tsv_rows(requests.get(f"{s.url}/idmapping/stream/{j}?format=tsv").text)
        c.ok("source expired: the chained job fails, then maps once both are submitted again",
             failed and r is not None and r.status_code == 303 and got == want and
             len(got) > 1, f"{failed} {r and r.status_code} {got[:2]}")
    finally:
        s.stop()
        faults.set()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    faults = Faults(os.path.join(a.workdir, "faults"))
    # every server started below runs with the shim; an ASan build would refuse a library
    # loaded before its runtime
    os.environ["LD_PRELOAD"] = a.shim
    os.environ["IDMAP_SHIM"] = faults.path
    asan = os.environ.get("ASAN_OPTIONS", "")
    os.environ["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "verify_asan_link_order=0"
    index = os.path.join(a.workdir, "sample.idx")
    build_sample(a.idmap, a.sample, index)
    accs = read_sample_accessions(a.sample)
    c = Checks()
    chained_reload(c, a, faults, accs)
    clock_back(c, a, faults, index, accs)
    ttl_backlog(c, a, faults, index, accs)
    full_disk(c, a, faults, index, accs)
    source_expired(c, a, faults, index, accs)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
