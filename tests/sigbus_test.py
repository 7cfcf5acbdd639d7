#!/usr/bin/env python3
"""An index file truncated under a running `idmap verify --full` or `idmap serve`: the next
read of the map faults (SIGBUS); each must say "index file changed or truncated while in use"
and exit 1, never die of the signal in silence (the server in a worker thread: its supervisor
restarts it).

verify is made deterministic by stopping it (SIGSTOP) once its map of the index shows in
/proc/PID/maps, truncating the file, then letting it go on: the rest of its reading faults.
Prints one line per check and `N passed, N failed`; exits 1 when a check failed.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from cli_hostile import Checks
from stream_memory_test import accession, cli_args

N = 300_000
# a sanitized build: ASan's own SIGBUS handler would take the place of the program's
os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":handle_sigbus=0"
MESSAGE = "index file changed or truncated while in use"


def mapped(pid, path):
    try:
        with open(f"/proc/{pid}/maps") as f:
            return path in f.read()
    except OSError:
        return False


def verify_truncated(idmap, idx, work):
    """(exit status, stderr, whether it was caught with the index mapped)"""
    path = os.path.join(work, "shrinking.idx")
    for _ in range(20):  # a run that ends before it is caught mapped is tried again
        shutil.copy(idx, path)
        p = subprocess.Popen([idmap, "verify", "--full", "-i", path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        caught = False
        while p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGSTOP)
            except ProcessLookupError:
                break
            caught = mapped(p.pid, path)
            if caught:
                os.truncate(path, 0)
            os.kill(p.pid, signal.SIGCONT)
            if caught:
                break
            time.sleep(0.001)
        out, err = p.communicate(timeout=120)
        if caught:
            return p.returncode, err, path
    return None, b"never caught with the index mapped", path


def serve_truncated(idmap, idx, work):
    """Truncates the index of a running server, then submits a job. (exit status, stderr)"""
    path = os.path.join(work, "served.idx")
    shutil.copy(idx, path)
    jobs = os.path.join(work, "jobs")
    shutil.rmtree(jobs, ignore_errors=True)
    p = subprocess.Popen([idmap, "serve", "-i", path, "--listen", "127.0.0.1:0", "--jobs-dir",
                          jobs], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    line = p.stderr.readline()
    m = re.search(rb"listening on (http://[^/]+)/", line)
    if not m:
        p.kill()
        return None, line + p.stderr.read()
    os.truncate(path, 0)
    body = urllib.parse.urlencode({"from": "UniProtKB_AC-ID", "to": "UniProtKB",
                                   "ids": ",".join(accession(i) for i in range(0, N, 997))})
    try:
        urllib.request.urlopen(m.group(1).decode() + "/idmapping/run", body.encode(),
                               timeout=30).read()
    except OSError:
        pass  # the server may die before it answers
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
    return p.returncode, line + p.stderr.read()


def main():
    a = cli_args()
    c = Checks()
    ok = c.ok
    dat, idx = os.path.join(a.workdir, "in.dat"), os.path.join(a.workdir, "in.idx")
    with open(dat, "w") as f:
        f.write("".join(f"{accession(i)}\tUniParc\tUPI{i:010X}\n{accession(i)}\tGeneID\t{i}\n"
                        for i in range(N)))
    p = subprocess.run([a.idmap, "build", "-q", "--release", "t", "-o", idx, dat],
                       capture_output=True, timeout=300)
    if not ok("build", p.returncode == 0, p.stderr):
        return 1
    rc, err, path = verify_truncated(a.idmap, idx, a.workdir)
    ok("index truncated under verify --full: message and exit 1, no SIGBUS",
       rc == 1 and err == f"idmap: {path}: {MESSAGE}\n".encode(), (rc, err))
    if subprocess.run([a.idmap, "serve", "--help"], capture_output=True).returncode != 0:
        print("skip - idmap serve is not built")
    else:
        rc, err = serve_truncated(a.idmap, idx, a.workdir)
        ok("index truncated under serve: a job's read logs the reason and exits 1",
           rc == 1 and f": {MESSAGE}\n".encode() in err, (rc, err[-400:]))
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
