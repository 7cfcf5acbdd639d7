#!/usr/bin/env python3
"""`idmap serve`'s job store under faults (issue 13): a wall clock stepped back. The faults come from tests/server_shim.c, preloaded
into the server and steered through a control file while it runs.

Prints one line per check and `N passed, N failed`; exits 1 on a failure.
"""
import argparse
import os
import shutil
import sys
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_api_test import (Checks, Server, build_sample,  # noqa: E402
                             read_sample_accessions, submit, wait_finished)

ACC, KB = "UniProtKB_AC-ID", "UniProtKB"


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



def job_files(jobs, job):
    return sorted(f for f in os.listdir(jobs) if f.startswith(job))



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
    clock_back(c, a, faults, index, accs)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
