#!/usr/bin/env python3
"""The index bytes do not depend on --threads.

A generated release (idmap-genrelease, default shape, with its FASTA files) is built at
--threads 1 and 7 (also 2 and 128 in the second) in three configurations: the default
--memory; partitions of 700 keys (IDMAP_BUILD_PART_KEYS), so that each pass hands its
threads a dozen partitions to sort, compact, hash and encode, as a full release does; and
--memory 4M, whose key files go through sorted runs (also forced with IDMAP_BUILD_KEY_RUNS=1);
and --threads 2, 3 and 5 (parsing threads from 3) taking chunks of 777 bytes of text.
Every build of one configuration must give the same bytes (SOURCE_DATE_EPOCH fixes the build
date in META). With three threads or more the ingest hands its triples to a thread of its own
(ingest_pipe.c), so the --threads 1 builds also compare that against the parser alone; and
a build whose temporary files cannot grow stops cleanly at any thread count.
Prints `N passed, N failed`; exits 1 when a check failed.
"""
import filecmp
import glob
import os
import re
import resource
import signal
import subprocess
import sys

from build_checks import Checks


def main():
    a = Checks()
    check = a.check
    rel = os.path.join(a.workdir, "release")
    r = subprocess.run([a.genrelease, "--lines", "200000", "--seed", "7", "--out", rel,
                        "--fasta"], capture_output=True, text=True)
    check(r.returncode == 0, f"idmap-genrelease: {r.stderr}")
    inputs = sorted(glob.glob(os.path.join(rel, "*")))

    def build(name, memory, threads, env=None):
        idx = os.path.join(a.workdir, name + ".idx")
        e = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", **(env or {}))
        r = subprocess.run([a.idmap, "build", "--progress", "-m", memory, "--threads",
                            str(threads), "-o", idx, *inputs],
                           capture_output=True, text=True, env=e)
        check(r.returncode == 0, f"build {name}: rc {r.returncode} {r.stderr[-500:]}")
        return idx, r.stderr

    # (name, --memory, environment): the default budget (whole files in one pass, a
    # partition each at this size), partitions of 700 keys (IDMAP_BUILD_PART_KEYS: a dozen
    # in a pass, as a full release has at 2G), and 4M (files through sorted runs).
    # "chunks": parsing threads taking 777 bytes at a time (IDMAP_BUILD_PARSE_CHUNK), less
    # than some idmapping_selected.tab lines.
    for conf, memory, env in (("2G", "2G", {}), ("parts", "2G", {"IDMAP_BUILD_PART_KEYS": "700"}),
                              ("4M", "4M", {}),
                              ("chunks", "2G", {"IDMAP_BUILD_PARSE_CHUNK": "777"})):
        ref, log = build(f"{conf}-t1", memory, 1, env)
        if conf == "parts":
            files = int(re.search(r"ingest: (\d+) partitions", log).group(1))
            parts = int(re.search(r"keys: \d+ in (\d+) partitions", log).group(1))
            check(parts > 4 * files, f"{conf}: {parts} MPHF partitions for {files} files; "
                                     f"want several per pass")
        counts = {"parts": (2, 7, 128), "chunks": (2, 3, 5)}.get(conf, (7,))
        runs = [(f"{conf}-t{t}", t, env) for t in counts]
        if conf == "4M":
            runs.append(("4M-t7-runs", 7, {"IDMAP_BUILD_KEY_RUNS": "1"}))
        for name, threads, e in runs:
            idx, _ = build(name, memory, threads, e)
            check(os.path.exists(idx) and filecmp.cmp(ref, idx, shallow=False),
                  f"{name}: other bytes than --threads 1 ({conf})")
    r = subprocess.run([a.idmap, "verify", "-i", ref], capture_output=True, text=True)
    check(r.returncode == 0, f"verify: {r.stdout} {r.stderr}")

    # Temporary files that cannot grow past 200 kB (RLIMIT_FSIZE, SIGXFSZ ignored): the
    # build stops with the reason and exit 1, with or without the ingest's own thread, and
    # leaves neither an index nor its temporary directory.
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    tmp = os.path.join(a.workdir, "tmp")
    os.makedirs(tmp)
    for threads in (1, 2, 7):
        out = os.path.join(a.workdir, f"full{threads}.idx")
        r = subprocess.run([a.idmap, "build", "-q", "--threads", str(threads), "--tmpdir", tmp,
                            "-o", out, os.path.join(rel, "idmapping.dat")],
                           capture_output=True, text=True, preexec_fn=small_files,
                           restore_signals=False)
        check(r.returncode == 1 and "File too large" in r.stderr,
              f"--threads {threads}, files of 200 kB at most: rc {r.returncode} {r.stderr}")
        check(not os.path.exists(out) and not os.listdir(tmp),
              f"--threads {threads}: left {os.listdir(tmp)} and the index: {os.path.exists(out)}")
    return a.done()


if __name__ == "__main__":
    sys.exit(main())
