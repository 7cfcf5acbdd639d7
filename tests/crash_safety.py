#!/usr/bin/env python3
"""Crash safety of `idmap build`: SIGKILL at many points of a rebuild.

1. Two synthetic releases (idmap-genrelease, seeds 1 and 2) of --lines lines; the old one is
   built at the target path.
2. A probe build of the new release records when each phase line appears on stderr (ingest,
   the last input read, accessions, keys, writing) and how long each phase lasts.
3. For each kill point (a phase line and a fraction of that phase's duration, plus one before
   the first line), a rebuild of the new release onto the target is started and SIGKILLed
   there. After each kill: the index at the target verifies (`idmap verify`), is still the
   old release, and answers a query exactly as before; or, when the kill came after the
   rename (the build may run ahead of the last line read), it is the complete new release,
   its temporary name gone. Leftovers are recorded.
4. `idmap build --clean-tmp` removes the leftovers of dead builds but keeps a temporary
   directory whose owner is alive (this test's own pid) and one of another host; after a
   last kill, a complete build removes the leftovers itself and installs the new release.
5. A reader (`idmap map`, which opens the index before it reads its ids) that opened the old
   index answers from it while a rebuild replaces the file; a new open sees the new release.
Prints the kill points with their phases, then `N passed, N failed`; exits 1 on a failure.
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

# name, regex of the progress line that starts it (after "idmap: " and an optional
# "[  1.2s] " time stamp); phases whose line a build does not print are left out
PHASES = [
    ("ingest", r"ingest: "),
    ("accessions", None),  # starts at the last "read" line
    ("keys", r"accessions: "),
    ("forward", r"keys: "),
    ("assemble", r"forward: "),
    ("writing", r"writing "),
]
PREFIX = r"idmap: (?:\[[^\]]*\] )?"


def phase_of(line):
    for name, rx in PHASES:
        if rx and re.match(PREFIX + rx, line):
            return name
    return None


def is_read(line):
    return re.match(PREFIX + "read ", line) is not None


def host_tag():
    h = socket.gethostname().split(".")[0][:32]
    h = re.sub(r"[^A-Za-z0-9_-]", "_", h) or "h"
    return h


class T:
    def __init__(self, a):
        self.a = a
        self.wrapper = shlex.split(os.environ.get("IDMAP_TEST_WRAPPER", ""))
        self.passed = self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL", what, flush=True)
        return ok

    def cmd(self, args):
        return self.wrapper + [self.a.idmap] + args

    def run(self, args, stdin=None):
        return subprocess.run(self.cmd(args), capture_output=True, input=stdin, timeout=1200)


def inputs_of(d):
    return [os.path.join(d, n) for n in ("idmapping.dat", "idmapping_selected.tab",
                                         "sec_ac.txt", "delac_sp.txt")]


def leftovers(d):
    return sorted(n for n in os.listdir(d)
                  if n.startswith(".idmap-build.") or ".idmap-tmp." in n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--lines", type=int, default=0,
                    help="release size (default 300000; 40000 under IDMAP_TEST_WRAPPER)")
    a = ap.parse_args()
    t = T(a)
    if not a.lines:
        a.lines = 40000 if t.wrapper else 300000
    w = a.workdir
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(w)
    rel = {}
    for name, seed in (("old", 1), ("new", 2)):
        d = os.path.join(w, name)
        subprocess.run([a.genrelease, "--lines", str(a.lines), "--seed", str(seed), "--out", d],
                       check=True, capture_output=True)
        rel[name] = inputs_of(d)
    # ids of the old release to query, and the query
    with open(rel["old"][0]) as f:
        accs = []
        for line in f:
            acc = line.split("\t")[0]
            if acc not in accs:
                accs.append(acc)
            if len(accs) == 30:
                break
    tdir = os.path.join(w, "target")
    os.makedirs(tdir)
    target = os.path.join(tdir, "current.idx")
    query = ["map", "-i", target, "--to", "GI"] + accs

    p = t.run(["build", "-q", "--release", "OLD_REL", "-o", target] + rel["old"])
    if not t.check(p.returncode == 0, f"old build: {p.stderr!r}"):
        return 1
    old_answer = t.run(query).stdout
    t.check(len(old_answer) > 0, "the old index answers the query")

    # 2. phase timing
    pdir = os.path.join(w, "probe")
    os.makedirs(pdir)
    probe = os.path.join(pdir, "probe.idx")
    start = time.monotonic()
    proc = subprocess.Popen(t.cmd(["build", "--progress", "--release", "NEW_REL", "-o", probe] + rel["new"]),
                            stderr=subprocess.PIPE, text=True)
    stamps = {}
    last_read = None
    for line in proc.stderr:
        now = time.monotonic() - start
        name = phase_of(line)
        if name:
            stamps[name] = now
        if is_read(line):
            last_read = now
    proc.wait()
    end = time.monotonic() - start
    if last_read is not None:
        stamps["accessions"] = last_read
    order = [n for n, _ in PHASES if n in stamps]
    if not t.check(proc.returncode == 0 and {"ingest", "accessions", "keys", "writing"} <=
                   set(order), f"probe build: exit {proc.returncode}, phases seen {stamps}"):
        return 1
    dur = {}
    for i, n in enumerate(order):
        nxt = stamps[order[i + 1]] if i + 1 < len(order) else end
        dur[n] = max(nxt - stamps[n], 0.0)
    print("phase durations (s): " + ", ".join(f"{n} {dur[n]:.3f}" for n in order), flush=True)
    new_answer = t.run(["map", "-i", probe, "--to", "GI"] + accs).stdout

    # 3. kill points: (phase, fraction of its duration); None = before the first line
    points = [(None, 0.0)]
    points += [("ingest", f) for f in (0.0, 0.3, 0.6, 0.9)]
    points += [("accessions", f) for f in (0.2, 0.7)]
    points += [("keys", f) for f in (0.1, 0.4, 0.7, 0.95)]
    points += [("forward", f) for f in (0.2, 0.6, 0.9)]
    points += [("assemble", f) for f in (0.1, 0.6)]
    points += [("writing", f) for f in (0.0, 0.2, 0.5)]
    points = [pt for pt in points if pt[0] is None or pt[0] in dur]
    killed_in = {}
    kills = 0
    seen_leftovers = set()
    for phase, frac in points:
        proc = subprocess.Popen(t.cmd(["build", "--progress", "--release", "NEW_REL", "-o", target]
                                      + rel["new"]), stderr=subprocess.PIPE, text=True)
        current = "startup"
        fired = False
        if phase is None:
            time.sleep(0.005)
            proc.send_signal(signal.SIGKILL)
            fired = True
        else:
            pending_reads = len(rel["new"])
            for line in proc.stderr:
                current = phase_of(line) or current
                if is_read(line):
                    pending_reads -= 1
                    if pending_reads == 0:
                        current = "accessions"
                if current == phase:
                    time.sleep(frac * dur[phase])
                    proc.send_signal(signal.SIGKILL)
                    fired = True
                    break
        proc.wait()
        proc.stderr.close()
        label = f"{phase or 'startup'}@{frac:.2f}"
        if proc.returncode != -signal.SIGKILL:
            print(f"kill point {label}: the build ended first (exit {proc.returncode})",
                  flush=True)
            # it may have installed the new release: put the old one back
            t.run(["build", "-q", "--release", "OLD_REL", "-o", target] + rel["old"])
            continue
        kills += 1
        left = leftovers(tdir)
        seen_leftovers.update(left)
        print(f"kill point {label}: killed in phase {current} or later; leftovers {left}",
              flush=True)
        p = t.run(["verify", "-i", target])
        if p.returncode == 0 and b"release NEW_REL" in p.stdout:
            # Killed after the rename, the build's commit point: the new index is complete.
            # `current` is only the last phase line read before the sleep; a build that
            # runs faster than the probe can reach its commit meanwhile.
            print(f"kill point {label}: after the commit; the new release is in place",
                  flush=True)
            killed_in["after the commit"] = killed_in.get("after the commit", 0) + 1
            hidden = [n for n in left if n.startswith("." + os.path.basename(target) + ".")]
            t.check(hidden == [], f"{label}: the new release is in place, yet its temporary "
                    f"file is still there: {hidden}")
            t.check(t.run(query).stdout == new_answer, f"{label}: the new index answers wrong")
            t.run(["build", "-q", "--release", "OLD_REL", "-o", target] + rel["old"])
        else:
            killed_in[current] = killed_in.get(current, 0) + 1
            t.check(p.returncode == 0 and b"release OLD_REL" in p.stdout,
                    f"{label}: the target does not verify as the old release: {p.stdout!r} "
                    f"{p.stderr!r}")
            t.check(t.run(query).stdout == old_answer,
                    f"{label}: the old index answers differently")
        # every third kill: --clean-tmp, keeping a live owner's and another host's entries
        if kills % 3 == 0:
            live = os.path.join(tdir, f".idmap-build.{os.getpid()}@{host_tag()}.abcdef")
            other = os.path.join(tdir, ".idmap-build.4242@some-other-node.abcdef")
            os.makedirs(live, exist_ok=True)
            os.makedirs(other, exist_ok=True)
            p = t.run(["build", "--clean-tmp", "-o", target])
            t.check(p.returncode == 0, f"{label}: --clean-tmp exit {p.returncode}: {p.stderr!r}")
            t.check(sorted(os.listdir(tdir)) ==
                    sorted(["current.idx", os.path.basename(live), os.path.basename(other)]),
                    f"{label}: after --clean-tmp: {sorted(os.listdir(tdir))}")
            os.rmdir(live)
            os.rmdir(other)

    t.check(kills >= 10, f"only {kills} kills landed")
    before = {k: v for k, v in killed_in.items() if k != "after the commit"}
    t.check(len(before) >= 4, f"kills before the commit spread over too few phases: {killed_in}")
    t.check(any(n.startswith(".idmap-build.") for n in seen_leftovers),
            "no kill left a build directory (the test did not exercise cleanup)")
    print(f"{kills} kills; by phase: {killed_in}; leftover kinds seen: "
          f"{sorted(set(re.sub(r'[0-9]+@.*', '*', n) for n in seen_leftovers))}", flush=True)

    # a build killed with --tmpdir elsewhere: --clean-tmp --tmpdir cleans that directory too
    scratch = os.path.join(w, "scratch")
    os.makedirs(scratch)
    proc = subprocess.Popen(t.cmd(["build", "--progress", "--tmpdir", scratch, "-o", target]
                                  + rel["new"]), stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if phase_of(line) == "keys":
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    proc.stderr.close()
    if proc.returncode == -signal.SIGKILL:
        t.check(leftovers(scratch) != [], "a build killed with --tmpdir left nothing there")
        p = t.run(["build", "--clean-tmp", "-o", target, "--tmpdir", scratch])
        t.check(p.returncode == 0 and leftovers(scratch) == [] and leftovers(tdir) == [],
                f"--clean-tmp --tmpdir: exit {p.returncode}, left {leftovers(scratch)} "
                f"{leftovers(tdir)}")
        t.check(t.run(query).stdout == old_answer, "--tmpdir kill: the old index changed")

    # a complete build removes what killed builds left and installs the new release
    p = t.run(["build", "--release", "NEW_REL", "-o", target] + rel["new"])
    t.check(p.returncode == 0, f"final build: {p.stderr!r}")
    t.check(leftovers(tdir) == [], f"final build left {leftovers(tdir)}")
    t.check(sorted(os.listdir(tdir)) == ["current.idx"], f"target dir: {os.listdir(tdir)}")
    t.check(t.run(query).stdout == new_answer, "the rebuilt index answers as the new release")

    # 5. a reader of the old file keeps it across a rebuild; a new open sees the new release
    p = t.run(["build", "-q", "--release", "OLD_REL", "-o", target] + rel["old"])
    t.check(p.returncode == 0, "rebuild of the old release")
    reader = subprocess.Popen(t.cmd(query[:-len(accs)]), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    mapped = False
    while time.monotonic() < deadline and not mapped:
        try:
            with open(f"/proc/{reader.pid}/maps") as f:
                mapped = target in f.read()
        except OSError:
            break
        if not mapped:
            time.sleep(0.02)
    t.check(mapped, "the reader never mapped the index")
    p = t.run(["build", "-q", "--release", "NEW_REL", "-o", target] + rel["new"])
    t.check(p.returncode == 0, f"rebuild under a reader: {p.stderr!r}")
    out, err = reader.communicate(("\n".join(accs) + "\n").encode(), timeout=600)
    t.check(reader.returncode == 0 and out == old_answer,
            f"the open reader's answers changed (exit {reader.returncode}, {err!r})")
    t.check(t.run(query).stdout == new_answer, "a new open does not see the new release")
    p = t.run(["verify", "-i", target])
    t.check(p.returncode == 0 and b"release NEW_REL" in p.stdout, f"verify: {p.stdout!r}")

    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
