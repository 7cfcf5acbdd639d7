#!/usr/bin/env python3
"""Hostile input and unlucky operators.

  - ids that are not UTF-8, or hold control bytes, still give JSON that a strict parser
    reads (`idmap map -F json` and the server's failedIds, through json.loads);
  - the stderr summary of `idmap map`, `idmap info` and the server's request log show
    control bytes escaped (\\x1b), never raw;
  - one 10 MB id is one failed id ("too long"), from standard input and from an argument, and
    the summary stays short: ids cut to a few dozen bytes, at most 5 named, "... and K more";
  - `idmap build -o X` where X is an input is refused; --memory 0 and 2e19 are usage errors;
  - an index truncated under a running `idmap map` ends with a message and exit 1, not SIGBUS.
Prints one line per check and `N passed, N failed`; exits 1 when a check failed.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from checks import Checks


# id bytes -> the string a strict JSON parser must read back (each stray byte is U+FFFD)
ODD_IDS = [
    (b"\xff\xfe", "\ufffd\ufffd"),
    (b"ab\xc3", "ab\ufffd"),
    (b"\xed\xa0\x80", "\ufffd\ufffd\ufffd"),  # a UTF-16 surrogate
    (b"\xc0\xaf", "\ufffd\ufffd"),  # an overlong '/'
    (b"\x1b]0;owned\x07", "\x1b]0;owned\x07"),  # OSC: set the terminal title
    (b"q\"\\\x01", "q\"\\\x01"),
    (b"\xc2\x9b31m", "\x9b31m"),  # C1 CSI
    (b"caf\xc3\xa9", "caf\u00e9"),
]


def run(cmd, stdin=b""):
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=120)


def raw_controls(b):
    """Control bytes a terminal acts on: C0 but newline, DEL, C1 in UTF-8, ESC anywhere."""
    return re.findall(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", b)


def check_json(c, idmap, idx):
    ids = [b"P31946"] + [i for i, _ in ODD_IDS] + [b"P68254"]
    p = run([idmap, "map", "-i", idx, "-F", "json"], b"\n".join(ids) + b"\n")
    try:
        doc = json.loads(p.stdout)  # bytes: strict UTF-8, strict control characters
    except ValueError as e:
        c.ok("map -F json: a strict parser reads the document", False, f"{e}: {p.stdout[:300]}")
        return
    c.ok("map -F json: a strict parser reads the document", p.returncode == 0)
    c.ok("map -F json: failedIds are the odd ids, stray bytes as U+FFFD",
         doc.get("failedIds") == [s for _, s in ODD_IDS], doc.get("failedIds"))
    c.ok("map -F json: the good ids mapped",
         [r["from"] for r in doc["results"]] == ["P31946", "P68254"], doc["results"])


def check_summary(c, idmap, idx):
    ids = [i for i, _ in ODD_IDS if i[0] < 0x80 or i[:2] == b"\xc2\x9b"]  # the first 5 named
    p = run([idmap, "map", "-i", idx], b" ".join(ids))
    c.ok("map summary: no raw control byte on stderr", not raw_controls(p.stderr), p.stderr)
    c.ok("map summary: ESC and BEL shown as \\x1b and \\x07",
         b"\\x1b]0;owned\\x07" in p.stderr and b"\\xc2\\x9b31m" in p.stderr, p.stderr)
    p = run([idmap, "map", "-i", idx, "-F", "json"] + [f"bad{i}" for i in range(30)])
    c.ok("map summary: 5 ids named, then the count of the others",
         re.search(rb"not mapped: bad0 \(.*bad4 \([^,]*\), \.\.\. and 25 more\n", p.stderr)
         is not None and b"bad5" not in p.stderr, p.stderr)


def check_info(c, idmap, sample, work):
    src = os.path.join(work, "in\x1b]0;x\x07.dat")  # a file name and a release with controls
    shutil.copy(os.path.join(sample, "idmapping.dat"), src)
    idx = os.path.join(work, "info.idx")
    p = run([idmap, "build", "-q", "--release", "R\x1b[31m", "-o", idx, src])
    p = run([idmap, "info", "-i", idx])
    c.ok("info: release and input names escaped, no raw control byte",
         p.returncode == 0 and not raw_controls(p.stdout) and b"R\\x1b[31m\n" in p.stdout
         and b"in\\x1b]0;x\\x07.dat (dat, " in p.stdout, p.stdout[:300])


def check_long(c, idmap, idx):
    big = b"A" * 10_000_000
    p = run([idmap, "map", "-i", idx, "-F", "json"], b"P31946 " + big + b" P68254\n")
    err = p.stderr.decode(errors="replace")
    c.ok("10 MB id: one failed id of three, no duplicates",
         p.returncode == 0 and "mapped 2 of 3 ids; 1 not mapped" in err
         and "duplicate" not in err, err[:300])
    c.ok("10 MB id: reason 'too long', summary under 1 KB",
         "(too long (more than 1024 bytes))" in err and len(p.stderr) < 1024, len(p.stderr))
    doc = json.loads(p.stdout)
    c.ok("10 MB id: failedIds holds it once, cut to 1025 bytes",
         [len(f) for f in doc.get("failedIds", [])] == [1025], doc.get("failedIds", [""])[:1])
    # an id of exactly the longest index value is looked up; one byte more is too long
    p = run([idmap, "map", "-i", idx, "--from", "GeneID"], b"B" * 1024 + b"\n" + b"C" * 1025)
    err = p.stderr.decode()
    c.ok("1024-byte id looked up, 1025 bytes too long",
         re.search(r"B+\.\.\. \(not found\), C+\.\.\. \(too long \(more than 1024", err)
         is not None, err[:400])
    p = run([idmap, "map", "-i", idx, "P31946", "D" * 100_000])
    c.ok("100 KB id as an argument: one failed id, too long, a short summary",
         "mapped 1 of 2 ids" in p.stderr.decode() and len(p.stderr) < 1024
         and b"(too long (more than 1024 bytes))" in p.stderr, p.stderr[:300])


def check_build(c, idmap, sample, work):
    src = os.path.join(work, "input.dat")
    shutil.copy(os.path.join(sample, "idmapping.dat"), src)
    before = open(src, "rb").read()
    os.symlink("input.dat", os.path.join(work, "link.idx"))
    for out in (src, os.path.join(work, "link.idx")):
        p = run([idmap, "build", "-q", "-o", out, src])
        c.ok(f"build -o {os.path.basename(out)} (an input): refused, exit 2",
             p.returncode == 2 and b"is also the input" in p.stderr, p.stderr)
    c.ok("build -o INPUT: the input is untouched", open(src, "rb").read() == before)
    out = os.path.join(work, "m.idx")
    for size, why in (("0", b"below the minimum of 1M"), ("2e19", b"is too large"),
                      ("1e400", b"is too large"), ("0x10", b"invalid size")):
        p = run([idmap, "build", "-q", "-m", size, "-o", out, src])
        c.ok(f"build --memory {size}: usage error (2), {why.decode()}",
             p.returncode == 2 and why in p.stderr, (p.returncode, p.stderr))


def check_truncated(c, idmap, idx, work):
    path = os.path.join(work, "shrinking.idx")
    shutil.copy(idx, path)
    # a sanitized build: ASan's own SIGBUS handler would take the place of idmap's
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":handle_sigbus=0")
    p = subprocess.Popen([idmap, "map", "-i", path], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    mapped = False
    for _ in range(500):  # until the index is mapped (map then waits for its ids)
        with open(f"/proc/{p.pid}/maps") as f:
            if path in f.read():
                mapped = True
                break
        time.sleep(0.01)
    os.truncate(path, 0)
    out, err = p.communicate(b"P31946 P68254 Q04917\n", timeout=60)
    c.ok("index truncated under map: message and exit 1, no SIGBUS",
         mapped and p.returncode == 1
         and err == f"idmap: {path}: index file changed or truncated while in use\n".encode(),
         (p.returncode, err))


class Server:
    """`idmap serve` on a free loopback port, its stderr (the request log) collected."""

    def __init__(self, idmap, idx, jobs):
        self.proc = subprocess.Popen([idmap, "serve", "-i", idx, "--listen", "127.0.0.1:0",
                                      "--jobs-dir", jobs], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.err = b""
        line = self.proc.stderr.readline()
        m = re.search(rb"listening on (http://[^/]+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"server did not start: {line!r}")
        self.url = m.group(1).decode()
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.err += line

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.reader.join(timeout=10)


def check_server(c, idmap, idx, work):
    if not os.path.exists(os.path.join(os.path.dirname(idmap), "idmap-serve")):
        print("# idmap serve is not built: server checks skipped")
        return
    s = Server(idmap, idx, os.path.join(work, "jobs"))
    try:
        ids = b",".join([b"P31946"] + [i for i, _ in ODD_IDS] + [b"E" * 2000])
        body = b"from=UniProtKB_AC-ID&to=UniProtKB&ids=" + urllib.parse.quote_from_bytes(
            ids).encode()
        with urllib.request.urlopen(s.url + "/idmapping/run", body, timeout=30) as r:
            job = json.loads(r.read())["jobId"]
        for _ in range(300):
            st, b = s.get(f"/idmapping/status/{job}")
            if b"jobStatus" not in b:
                break
            time.sleep(0.05)
        st, b = s.get(f"/idmapping/stream/{job}?format=json")
        try:
            doc = json.loads(b)
        except ValueError as e:
            doc = {"error": str(e), "body": b[:300]}
        c.ok("server failedIds: strict JSON, stray bytes as U+FFFD",
             st == 200 and doc.get("failedIds", [])[:-1] == [s for _, s in ODD_IDS], doc)
        c.ok("server: a 2000-byte id is one failed id, cut to 1025 bytes",
             doc.get("failedIds", [""])[-1] == "E" * 1025, doc.get("failedIds", [""])[-1][:80])
        s.get("/idmapping/status/%1b]0;owned%07%c2%9b")
    finally:
        s.stop()
    log = s.err
    c.ok("server request log: control bytes escaped",
         b"GET /idmapping/status/\\x1b]0;owned\\x07\\xc2\\x9b\n" in log
         and not raw_controls(log), log[-400:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    idmap = os.path.abspath(a.idmap)
    work = os.path.abspath(a.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    idx = os.path.join(work, "sample.idx")
    files = [os.path.join(a.sample, f) for f in
             ("idmapping.dat", "idmapping_selected.tab", "sec_ac.txt", "delac_sp.txt")]
    p = run([idmap, "build", "-q", "-o", idx] + files)
    if p.returncode != 0:
        print(f"cannot build the sample index: {p.stderr!r}")
        return 1
    c = Checks()
    check_json(c, idmap, idx)
    check_summary(c, idmap, idx)
    check_info(c, idmap, a.sample, work)
    check_long(c, idmap, idx)
    check_build(c, idmap, a.sample, work)
    check_truncated(c, idmap, idx, work)
    check_server(c, idmap, idx, work)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
