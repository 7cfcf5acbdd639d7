#!/usr/bin/env python3
"""idmap serve under hostile requests: taxId values the filter cannot hold, malformed bodies
(multipart without its closing boundary, a raw NUL in an urlencoded body), slow clients at the
per-address connection cap and the request deadline, and concurrent intersects of jobs with
millions of targets under a memory bound.

Prints one line per check and `N passed, N failed`; exits 1 on a failure.
"""
import itertools
import os
import select
import socket
import subprocess
import sys
import threading
import time

from server_api_test import (Checks, Server, requests, sample_index,  # noqa: E402
                             server_args, submit, wait_finished)


def is_error(r, status, text):
    try:
        body = r.json()
    except ValueError:
        return False
    return r.status_code == status and any(text in m for m in body.get("messages", []))


def list_of(base, job):
    r = requests.get(f"{base}/idmapping/stream/{job}?format=list")
    return r.text.split()


def taxon_filter(c, base):
    """More than 64 taxa are all applied; a taxon above 2^64-1 is refused, never dropped."""
    many = "10090," + ",".join(str(i) for i in range(1, 66))  # 66 taxa, mouse first
    r = submit(base, **{"from": "Gene_Name", "to": "UniProtKB", "ids": "ywhaq", "taxId": many})
    job = r.json().get("jobId") if r.status_code == 200 else None
    got = list_of(base, job) if job and wait_finished(base, job) is not None else None
    c.ok("taxId: 66 taxa filter like one (ywhaq in mouse -> P68254 only)",
         got == ["P68254"], f"{r.status_code} {got}")
    for big in ["18446744073709551616", "10090,99999999999999999999999"]:
        r = submit(base, **{"from": "Gene_Name", "to": "UniProtKB", "ids": "ywhaq",
                            "taxId": big})
        c.ok(f"taxId: {big[:24]} (above 2^64-1) -> 400",
             is_error(r, 400, "The parameter 'taxId' has an invalid value"),
             f"{r.status_code} {r.text[:200]}")


def raw_post(base, body, ctype):
    host, port = base[len("http://"):].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /idmapping/run HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                  b"Content-Type: " + ctype.encode() + b"\r\nContent-Length: " +
                  str(len(body)).encode() + b"\r\n\r\n" + body)
        data = b""
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            data += piece
    head, _, text = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), text.decode(errors="replace")


def bodies(c, base):
    """Bodies cut short or carrying a NUL are refused, not mapped in part."""
    b = "XyZb0undary"
    part = (f"--{b}\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nUniProtKB_AC-ID\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nUniProtKB\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"ids\"\r\n\r\nP27348,P68254")
    ctype = f"multipart/form-data; boundary={b}"
    st, text = raw_post(base, (part + f"\r\n--{b}--\r\n").encode(), ctype)
    c.ok("body: a complete multipart body is accepted", st == 200 and "jobId" in text,
         f"{st} {text[:200]}")
    st, text = raw_post(base, part.encode(), ctype)
    c.ok("body: multipart without its closing boundary -> 400",
         st == 400 and "closing boundary" in text, f"{st} {text[:200]}")
    st, text = raw_post(base, (part + f"\r\n--{b}\r\nContent-Disposition: form-data; "
                               "name=\"taxId\"\r\n\r\n9606").encode(), ctype)
    c.ok("body: multipart cut inside a later part -> 400", st == 400, f"{st} {text[:200]}")
    form = "application/x-www-form-urlencoded"
    st, text = raw_post(base, b"from=UniProtKB_AC-ID&to=UniProtKB&ids=P27348,P68254", form)
    c.ok("body: an urlencoded body is accepted", st == 200 and "jobId" in text,
         f"{st} {text[:200]}")
    st, text = raw_post(base, b"from=UniProtKB_AC-ID&to=UniProtKB&ids=P27348\0,P68254", form)
    c.ok("body: urlencoded body with a raw NUL -> 400", st == 400 and "NUL" in text,
         f"{st} {text[:200]}")
    st, text = raw_post(base, b"from=UniProtKB_AC-ID&to=UniProtKB&ids=P27348%00,P68254", form)
    c.ok("body: urlencoded %00 -> 400", st == 400 and "NUL" in text, f"{st} {text[:200]}")


def alive(sock):
    """True while the server keeps the connection open (what it sent is read and dropped)."""
    while select.select([sock], [], [], 0)[0]:
        try:
            if not sock.recv(65536):
                return False
        except OSError:
            return False
    return True


def get_from(base, source, path="/configure/idmapping/fields", timeout=3):
    """GET path from the loopback address source; the status, or None when not answered."""
    host, port = base[len("http://"):].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout,
                                      source_address=(source, 0)) as k:
            k.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            head = k.recv(64)
            return int(head.split()[1]) if head.startswith(b"HTTP/1.1") else None
    except OSError:
        return None


def slow_clients(c, idmap, index, workdir):
    """One address holding all its connections with slow headers does not lock others out;
    excess connections are refused, and slow headers and bodies are cut at their deadline."""
    for bad in [["--max-per-ip", "0"], ["--header-timeout", "x"], ["--body-timeout", "2d"]]:
        p = subprocess.run([idmap, "serve", "-i", index, *bad], capture_output=True)
        c.ok(f"slow clients: {' '.join(bad)} is a usage error (exit 2)",
             p.returncode == 2 and bad[0].encode() in p.stderr, p.stderr[:200])
    # --max-per-ip left at its default: half of --max-connections
    s = Server(idmap, index, os.path.join(workdir, "jobs-slow"), "--max-connections", "16",
               "--header-timeout", "2", "--body-timeout", "2")
    host, port = s.url[len("http://"):].split(":")
    socks = []  # every client socket, closed at the end
    try:
        for _ in range(16):  # the whole --max-connections from 127.0.0.1
            try:
                k = socket.create_connection((host, int(port)), timeout=3)
                k.sendall(b"GET /configure/idmapping/fields HTTP/1.1\r\n")
                socks.append(k)
            except OSError:
                pass
        body = socket.create_connection((host, int(port)), timeout=3,
                                        source_address=("127.0.0.3", 0))
        socks.append(body)
        body.sendall(b"POST /idmapping/run HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n\r\nids=P1")
        time.sleep(0.5)
        held = [k for k in socks if k is not body and alive(k)]
        c.ok("slow clients: one address gets 8 of 16 connections (the default --max-per-ip)",
             len(held) == 8, f"{len(held)} held")
        st = get_from(s.url, "127.0.0.2")
        c.ok("slow clients: another address is answered while 127.0.0.1 holds its cap",
             st == 200, str(st))
        # keep trickling: a header line (or body bytes) every 0.4 s, until cut or 8 s
        end = time.time() + 8
        while time.time() < end and (any(alive(k) for k in held) or alive(body)):
            for k in held + [body]:
                try:
                    k.sendall(b"X-Slow: 1\r\n" if k is not body else b",P1")
                except OSError:
                    pass
            time.sleep(0.4)
        c.ok("slow clients: headers still incomplete after --header-timeout 2s are cut",
             not any(alive(k) for k in held), f"{sum(alive(k) for k in held)} still open")
        c.ok("slow clients: a body still incomplete after --body-timeout 2s is cut",
             not alive(body))
        c.ok("slow clients: 127.0.0.1 is answered again once its slow connections are cut",
             get_from(s.url, "127.0.0.1") == 200)
    finally:
        for k in socks:
            k.close()
        s.stop()


def accessions(n):
    """n distinct UniProt accessions ([OPQ][0-9][A-Z0-9]{3}[0-9]), in a fixed order."""
    digits, alnum = "0123456789", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = []
    for p in itertools.product("OPQ", digits, alnum, alnum, alnum, digits):
        if len(out) == n:
            break
        out.append("".join(p))
    return out


def peak_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def big_intersect(c, idmap, workdir, n=2400000, clients=4, bound_mb=64):
    """Two jobs of 1.6M targets each (one UniRef50 and one UniRef90 cluster of n accessions,
    overlapping on a third): concurrent intersects answer the Python reference and the
    server's peak RSS grows by less than bound_mb over its peak with both jobs loaded."""
    accs = accessions(n)
    a_end, b_start = 2 * n // 3, n // 3
    index = os.path.join(workdir, "big.idx")
    build = subprocess.Popen([idmap, "build", "--quiet", "-o", index, "-"], stdin=subprocess.PIPE)
    for db, part in [("UniRef50", accs[:a_end]), ("UniRef90", accs[b_start:])]:
        tail = f"\t{db}\t{db}_O00000\n"
        build.stdin.write((tail.join(part) + tail).encode())
    build.stdin.close()
    if build.wait() != 0:
        c.ok("intersect: the multi-million-target index builds", False)
        return
    want = sorted(set(accs[:a_end]) & set(accs[b_start:]))
    del accs
    # ASan's quarantine would hold freed memory and count it as peak RSS
    os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4"
    s = Server(idmap, index, os.path.join(workdir, "jobs-big"), "--max-connections", "64")
    try:
        jobs = [submit(s.url, **{"from": db, "to": "UniProtKB", "ids": f"{db}_O00000"})
                .json()["jobId"] for db in ("UniRef50", "UniRef90")]
        for j in jobs:
            wait_finished(s.url, j, timeout=120)
            r = requests.get(f"{s.url}/idmapping/results/{j}?size=1")  # loads the job
        c.ok(f"intersect: two jobs of {n - b_start} targets each",
             r.headers.get("X-Total-Results") == str(n - b_start), str(r.headers))
        base = peak_rss_kb(s.proc.pid)
        got = [None] * clients

        def one(i):
            fmt = ["list", "json"][i % 2]
            r = requests.get(f"{s.url}/idmapping/intersect/{jobs[0]}/{jobs[1]}?format={fmt}")
            got[i] = r.text.split() if fmt == "list" else r.json().get("results")

        threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        grew = (peak_rss_kb(s.proc.pid) - base) // 1024
        c.ok(f"intersect: {clients} concurrent answers equal the Python reference "
             f"({len(want)} common targets, sorted)", all(g == want for g in got),
             str([len(g or []) for g in got]))
        c.ok(f"intersect: peak RSS grew by {grew} MB (< {bound_mb} MB) over {base // 1024} MB "
             "with both jobs loaded", grew < bound_mb)
        left = [f for f in os.listdir(os.path.join(workdir, "jobs-big")) if "spool" in f]
        c.ok("intersect: no temporary file left in the jobs dir", not left, str(left))
    finally:
        s.stop()


def main():
    args = server_args(__doc__)
    work = args.workdir
    index = sample_index(args.idmap, args.sample, work)
    c = Checks()
    s = Server(args.idmap, index, os.path.join(work, "jobs"))
    try:
        taxon_filter(c, s.url)
        bodies(c, s.url)
    finally:
        s.stop()
    slow_clients(c, args.idmap, index, work)
    big_intersect(c, args.idmap, work)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
