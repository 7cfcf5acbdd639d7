#!/usr/bin/env python3
"""idmap benchmark harness: one run, one machine, one report (docs/BENCHMARKS.md).

Run it through bench/run.sh, which installs the tools and builds the binaries first. This is a
measurement, not a test: nothing here fails on a slow figure; targets are reported as
PASS/MISS in the report.

Steps:
  a. synthetic releases (gzip) of N, N/10 and N/100 lines, reused when their parameters match
  b. decompression limit: gzip -dc, igzip -dc, bench/inflate_loop (zlib, 1 MiB buffers)
  c. idmap build at --memory 2G and 512M: wall, CPU, peak RSS (/usr/bin/time -v), index size
  d. SQLite peer: .import into a 3-column table + indexes on (acc) and (id, type)
  e. mapping 1M random accessions -> UniRef90 and 1M external ids (GI + RefSeq) -> UniProtKB,
     idmap vs the SQLite join and vs an awk scan of the release, outputs checked equal as
     sets; library lookup rate
  f. one-id lookups as a whole process on indexes of N/100, N/10, N lines
"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
IDMAP = os.path.join(BUILD, "cli", "idmap")
GENREL = os.path.join(BUILD, "scripts", "idmap-genrelease")
INFLATE = os.path.join(BUILD, "bench", "idmap-inflate-loop")
LOOKUP = os.path.join(BUILD, "bench", "idmap-lookup-rate")
TIME = "/usr/bin/time"

# Approximate bytes of disk per idmapping.dat line, measured on the synthetic release:
# gzip input 10 + selected.tab 5 + index ~10 (two builds) + build temp ~40 + SQLite ~160
# + SQLite's sort temp ~60 + samples and outputs.
DISK_PER_LINE_IDMAP = 80
DISK_PER_LINE_SQLITE = 230

LOG = None


def log(msg):
    line = "[%s] %s" % (time.strftime("%H:%M:%S"), msg)
    print(line, file=sys.stderr, flush=True)
    if LOG:
        LOG.write(line + "\n")
        LOG.flush()


def fmt_lines(n):
    for exp in range(12, 2, -1):
        if n == 10 ** exp:
            return "1e%d" % exp
    return str(n)


def parse_count(s):
    s = s.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?e\d+", s):
        return int(float(s))
    return int(s)


def human_bytes(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return "%.2f %s" % (n / size, unit)
    return "%d B" % n


def sh_out(cmd, default="?"):
    try:
        r = subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True,
                           timeout=60)
        out = (r.stdout or r.stderr).strip()
        return out if out else default
    except (OSError, subprocess.SubprocessError):
        return default


# ---- Timed runs --------------------------------------------------------------------------

class Run:
    """One timed process: wall (s), user and sys CPU (s), peak RSS (bytes), exit status."""

    def __init__(self, wall, user, sys_, rss, rc):
        self.wall, self.user, self.sys, self.rss, self.rc = wall, user, sys_, rss, rc

    @property
    def cpu(self):
        return self.user + self.sys

    def as_dict(self):
        return {"wall": self.wall, "user": self.user, "sys": self.sys, "rss": self.rss,
                "rc": self.rc}


def timed(argv, stdin=None, stdout=None, stderr=None, env=None, check=True, cwd=None):
    """Runs argv under /usr/bin/time -v (wall from a monotonic clock around the process)."""
    tfile = os.path.join(WORK, ".time.txt")
    fin = open(stdin, "rb") if isinstance(stdin, str) else stdin
    fout = open(stdout, "wb") if isinstance(stdout, str) else stdout
    ferr = open(stderr, "wb") if isinstance(stderr, str) else stderr
    try:
        full = [TIME, "-v", "-o", tfile] + list(argv)
        t0 = time.monotonic()
        p = subprocess.run(full, stdin=fin if fin is not None else subprocess.DEVNULL,
                           stdout=fout if fout is not None else subprocess.DEVNULL,
                           stderr=ferr, env=env, cwd=cwd)
        wall = time.monotonic() - t0
    finally:
        for f, orig in ((fin, stdin), (fout, stdout), (ferr, stderr)):
            if isinstance(orig, str):
                f.close()
    user = sys_ = 0.0
    rss = 0
    try:
        with open(tfile) as f:
            for line in f:
                line = line.strip()
                if line.startswith("User time (seconds):"):
                    user = float(line.split(":")[1])
                elif line.startswith("System time (seconds):"):
                    sys_ = float(line.split(":")[1])
                elif line.startswith("Maximum resident set size (kbytes):"):
                    rss = int(line.split(":")[1]) * 1024
    except OSError:
        pass
    if check and p.returncode != 0:
        raise RuntimeError("command failed (exit %d): %s" % (p.returncode, shlex.join(argv)))
    return Run(wall, user, sys_, rss, p.returncode)


def build_runs_text(b):
    """How a build figure was taken (reports of older runs have one run and no walls)."""
    walls = b.get("walls")
    if not walls or len(walls) < 2:
        return "1 run"
    return "median of %d (%s s); CPU of that run, peak RSS and disk the largest of all" % (
        len(walls), ", ".join("%.1f" % x for x in walls))


def median_run(runs):
    """The run of median wall time (odd counts) or the lower middle one."""
    s = sorted(runs, key=lambda r: r.wall)
    return s[(len(s) - 1) // 2]


def cpu_busy(seconds=1.0):
    """Fraction of all cores busy over `seconds` (from /proc/stat)."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return sum(v), idle
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 1.0 - (i1 - i0) / max(t1 - t0, 1)


QUIET = {"max_wait": 60.0, "threshold": 0.15, "seen": []}


def wait_quiet(what):
    """Before a measurement: waits (up to QUIET max_wait seconds) until other processes keep
    less than `threshold` of the machine's cores busy; records what it saw."""
    t0 = time.monotonic()
    busy = cpu_busy()
    warned = False
    while busy > QUIET["threshold"] and time.monotonic() - t0 < QUIET["max_wait"]:
        if not warned:
            log("machine busy (%.0f%% of cores) before %s: waiting up to %.0f s"
                % (busy * 100, what, QUIET["max_wait"]))
            warned = True
        time.sleep(4)
        busy = cpu_busy()
    others = []
    if busy > QUIET["threshold"]:
        # what else runs: the busiest processes now (lifetime %CPU, as ps gives it)
        me = os.getpid()
        out = sh_out(["ps", "-eo", "pid,ppid,pcpu,comm", "--sort=-pcpu", "--no-headers"], "")
        for ln in out.splitlines():
            f = ln.split(None, 3)
            if len(f) == 4 and int(f[0]) != me and int(f[1]) != me and float(f[2]) >= 10:
                others.append(f[3])
        others = others[:4]
    QUIET["seen"].append({"what": what, "busy": busy, "others": others,
                          "waited": time.monotonic() - t0 - 1.0})
    if busy > QUIET["threshold"]:
        log("machine still busy (%.0f%%) before %s: measuring anyway" % (busy * 100, what))


class DiskPeak:
    """Polls the used bytes of the file system of a directory; peak above the start."""

    def __init__(self, path):
        self.path, self.peak, self.stop = path, 0, threading.Event()
        self.base = shutil.disk_usage(path).used

    def __enter__(self):
        def poll():
            while not self.stop.wait(0.25):
                self.peak = max(self.peak, shutil.disk_usage(self.path).used - self.base)
        self.t = threading.Thread(target=poll, daemon=True)
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.t.join()


# ---- a. Releases and samples -------------------------------------------------------------

def release(lines, seed, shape="default"):
    """A generated gzip release of `lines` lines in WORK/rel-LINES-sSEED (-real for the
    generator's --shape real), reused when its parameters match. Returns (dir, seconds spent
    generating or None when reused)."""
    real = shape == "real"
    d = os.path.join(WORK, "rel-%s-s%d%s" % (fmt_lines(lines), seed, "-real" if real else ""))
    stamp = os.path.join(d, "params.json")
    want = dict({"lines": lines, "seed": seed, "gzip": True}, **({"shape": shape} if real else {}))
    try:
        with open(stamp) as f:
            if json.load(f) == want and os.path.exists(os.path.join(d, "idmapping.dat.gz")):
                log("release %s: reusing %s" % (fmt_lines(lines), d))
                return d, None
    except (OSError, ValueError):
        pass
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    log("release %s: generating" % fmt_lines(lines))
    r = timed([GENREL, "--lines", str(lines), "--seed", str(seed), "--out", d, "--gzip"] +
              (["--shape", "real"] if real else []), stderr=os.path.join(d, "genrelease.log"))
    with open(stamp, "w") as f:
        json.dump(want, f)
    log("release %s: %.1f s" % (fmt_lines(lines), r.wall))
    return d, r.wall


def samples(reldir, n_acc, n_ext, seed):
    """Random distinct ids drawn from the release: accessions (entries, one per UniProtKB-ID
    line), GI and RefSeq values. Cached in the release dir. Returns a dict of file paths."""
    paths = {k: os.path.join(reldir, "sample-%s.txt" % k)
             for k in ("acc", "gi", "refseq", "ext")}
    stamp = os.path.join(reldir, "samples.json")
    want = {"acc": n_acc, "ext": n_ext, "seed": seed, "v": 2}
    try:
        with open(stamp) as f:
            if json.load(f) == want and all(os.path.exists(p) for p in paths.values()):
                return paths
    except (OSError, ValueError):
        pass
    log("samples: extracting ids from %s" % reldir)
    dat = os.path.join(reldir, "idmapping.dat.gz")
    allp = {k: os.path.join(reldir, "all-%s.txt" % k) for k in ("acc", "gi", "refseq")}
    awk = ('$2=="UniProtKB-ID"{print $1 > "%s"} $2=="GI"{print $3 > "%s"} '
           '$2=="RefSeq"{print $3 > "%s"}' % (allp["acc"], allp["gi"], allp["refseq"]))
    dec = "igzip -dc" if shutil.which("igzip") else "gzip -dc"
    subprocess.run("%s %s | LC_ALL=C mawk -F'\\t' '%s'" % (dec, shlex.quote(dat), awk)
                   if shutil.which("mawk") else
                   "%s %s | LC_ALL=C awk -F'\\t' '%s'" % (dec, shlex.quote(dat), awk),
                   shell=True, check=True)
    rng = random.Random(seed)

    def draw(src, n):
        with open(src) as f:
            pop = sorted(set(f.read().split()))
        return rng.sample(pop, min(n, len(pop)))

    acc = draw(allp["acc"], n_acc)
    gi = draw(allp["gi"], n_ext // 2)
    rs = draw(allp["refseq"], n_ext - n_ext // 2)
    for k, v in (("acc", acc), ("gi", gi), ("refseq", rs)):
        with open(paths[k], "w") as f:
            f.write("\n".join(v) + "\n")
    with open(paths["ext"], "w") as f:
        for v in gi:
            f.write("GI\t%s\n" % v)
        for v in rs:
            f.write("RefSeq\t%s\n" % v)
    for p in allp.values():
        os.unlink(p)
    with open(stamp, "w") as f:
        json.dump(want, f)
    log("samples: %d accessions, %d GI, %d RefSeq" % (len(acc), len(gi), len(rs)))
    return paths


# ---- c. idmap build ----------------------------------------------------------------------

def idmap_build(reldir, lines, memory, threads, runs, pair=None):
    """`runs` builds; the figures of the median one by wall time, with the largest peak RSS
    and peak disk of all of them (the bounds must hold in every run). pair: a command (the
    decompression limit) timed right before each build, so that the two see the same machine
    and their ratio does not move with it between phases of the run."""
    out = os.path.join(WORK, "idx-%s-%s.idx" % (fmt_lines(lines), memory))
    argv = [IDMAP, "build", "-q", "-o", out, "--memory", memory, "--tmpdir", WORK]
    if threads:
        argv += ["--threads", str(threads)]
    argv.append(os.path.join(reldir, "idmapping.dat.gz"))
    errf = os.path.join(WORK, "build-%s-%s.err" % (fmt_lines(lines), memory))
    rs, peaks, pair_walls = [], [], []
    for i in range(runs):
        if os.path.exists(out):
            os.unlink(out)
        wait_quiet("idmap build %s --memory %s" % (fmt_lines(lines), memory))
        if pair:
            pair_walls.append(timed(pair).wall)
            log("  %s: %.2f s" % (" ".join(pair[:2]), pair_walls[-1]))
        log("idmap build %s --memory %s (run %d of %d)" % (fmt_lines(lines), memory, i + 1, runs))
        with DiskPeak(WORK) as dp:
            r = timed(argv, stderr=errf, check=False)
        if r.rc != 0:
            with open(errf) as f:
                raise RuntimeError("idmap build failed (exit %d): %s"
                                   % (r.rc, f.read()[-2000:]))
        rs.append(r)
        peaks.append(dp.peak)
        log("  wall %.1f s, cpu %.1f s, peak RSS %s, index %s, disk peak %s"
            % (r.wall, r.cpu, human_bytes(r.rss), human_bytes(os.path.getsize(out)),
               human_bytes(dp.peak)))
    size = os.path.getsize(out)
    res = median_run(rs).as_dict()
    res.update({"index": out, "size": size, "disk_peak": max(peaks), "memory": memory,
                "rss": max(r.rss for r in rs), "walls": [r.wall for r in rs], "runs": runs,
                "cmd": shlex.join(argv)})
    if pair:
        res["pair_walls"] = pair_walls
        res["pair_wall"] = statistics.median(pair_walls)
    return res


PHASE_TIME = re.compile(r"time ([a-z ]+): wall ([0-9.]+) s, CPU ([0-9.]+) s, "
                        r"calling thread ([0-9.]+) s")


def thread_split(reldir, lines):
    """Issue 18 goal 3: one build at --threads 1 and one at --threads 2, with the CPU time of
    every phase for all threads and for the calling thread (which parses and writes in
    order: the serial part; docs/building.md "Thread time per phase")."""
    out = os.path.join(WORK, "idx-threads.idx")
    res = {}
    for t in (1, 2):
        errf = os.path.join(WORK, "build-threads-%d.err" % t)
        argv = [IDMAP, "build", "--progress", "-o", out, "--memory", "2G", "--tmpdir", WORK,
                "--threads", str(t), os.path.join(reldir, "idmapping.dat.gz")]
        wait_quiet("idmap build --threads %d" % t)
        log("idmap build %s --threads %d --progress" % (fmt_lines(lines), t))
        r = timed(argv, stderr=errf)
        with open(errf) as f:
            phases = [{"phase": m.group(1), "wall": float(m.group(2)),
                       "cpu": float(m.group(3)), "serial": float(m.group(4))}
                      for m in PHASE_TIME.finditer(f.read())]
        cpu = sum(x["cpu"] for x in phases)
        serial = sum(x["serial"] for x in phases)
        res[str(t)] = {"wall": r.wall, "cpu": r.cpu, "phases": phases,
                       "s": serial / cpu if cpu else None}
        log("  wall %.1f s, cpu %.1f s, serial fraction %s"
            % (r.wall, r.cpu, "%.2f" % res[str(t)]["s"] if cpu else "?"))
    os.unlink(out)
    return res


def amdahl(s, n):
    return 1 / (s + (1 - s) / n)


def scale_result(path):
    """The figures of the last bench/scale.sh run (its result.txt), or None."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"scale proof: (\S+) lines, --shape (\S+), --memory (\S+), (\S+)", text)
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if not (m and w and rss):
        return None
    inp = re.search(r"^input: (files|streamed)", text, re.M)
    wall = 0.0
    for part in w.group(1).split(":"):
        wall = wall * 60 + float(part)
    return {"lines": parse_count(m.group(1)), "shape": m.group(2), "memory": m.group(3),
            "date": m.group(4), "wall": wall, "rss": int(rss.group(1)) * 1024,
            "input": {"files": "read from files written first",
                      "streamed": "streamed from the generator"}.get(inp and inp.group(1),
                                                                     "streamed from the generator")}


def compare_indexes(a, b):
    """A sentence on whether two builds of the same input agree."""
    if os.path.getsize(a) != os.path.getsize(b):
        return ("The indexes built at --memory 2G and 512M differ in size (%d vs %d bytes)."
                % (os.path.getsize(a), os.path.getsize(b)))
    p = subprocess.run(["cmp", "-l", a, b], capture_output=True, text=True)
    ndiff = len(p.stdout.splitlines())
    if ndiff == 0:
        return "The indexes built at --memory 2G and 512M are byte-identical."

    def info(x):
        out = sh_out([IDMAP, "info", "-i", x], "")
        return [ln for ln in out.splitlines()
                if not re.match(r"\s*(index|build_date)\s", ln) and " META " not in ln]
    if ndiff < 64 and info(a) == info(b):
        return ("The indexes built at --memory 2G and 512M differ in %d bytes only: the build "
                "date in META and the checksums over it (`idmap info` otherwise identical)."
                % ndiff)
    return ("The indexes built at --memory 2G and 512M differ in %d bytes beyond the build "
            "date (the build is expected to be deterministic)." % ndiff)


def mem_bytes(s):
    m = re.fullmatch(r"(\d+)([KMGT]?)", s.upper())
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30,
                              "T": 1 << 40}[m.group(2)]


# ---- d. SQLite ---------------------------------------------------------------------------

SQLITE_PRAGMAS = ("PRAGMA journal_mode=OFF;\nPRAGMA synchronous=OFF;\n"
                  "PRAGMA cache_size=-1048576;\n")


def sqlite_import(reldir, lines):
    db = os.path.join(WORK, "sqlite-%s.db" % fmt_lines(lines))
    if os.path.exists(db):
        os.unlink(db)
    dat = os.path.join(reldir, "idmapping.dat.gz")
    dec = "igzip -dc" if shutil.which("igzip") else "gzip -dc"
    imp = os.path.join(WORK, "sqlite-import.sql")
    idx = os.path.join(WORK, "sqlite-index.sql")
    with open(imp, "w") as f:
        f.write(SQLITE_PRAGMAS + "CREATE TABLE m(acc TEXT, type TEXT, id TEXT);\n"
                ".mode tabs\n.import \"|%s %s\" m\n" % (dec, dat))
    with open(idx, "w") as f:
        f.write(SQLITE_PRAGMAS + "CREATE INDEX m_acc ON m(acc);\n"
                "CREATE INDEX m_id_type ON m(id, type);\n")
    env = dict(os.environ, SQLITE_TMPDIR=WORK)
    wait_quiet("sqlite import")
    log("sqlite %s: .import" % fmt_lines(lines))
    with DiskPeak(WORK) as dp:
        r1 = timed(["sqlite3", "-batch", db], stdin=imp, env=env)
        log("  import %.1f s; indexes" % r1.wall)
        r2 = timed(["sqlite3", "-batch", db], stdin=idx, env=env)
    size = os.path.getsize(db)
    rows = int(sh_out(["sqlite3", "-readonly", db, "SELECT count(*) FROM m"], "0"))
    log("  indexes %.1f s; total %.1f s, db %s, %d rows"
        % (r2.wall, r1.wall + r2.wall, human_bytes(size), rows))
    return {"db": db, "import": r1.as_dict(), "index": r2.as_dict(),
            "wall": r1.wall + r2.wall, "cpu": r1.cpu + r2.cpu, "rss": max(r1.rss, r2.rss),
            "size": size, "rows": rows, "disk_peak": dp.peak,
            "script": open(imp).read() + open(idx).read()}


def sqlite_join_scripts(s, outdir):
    acc_sql = os.path.join(outdir, "join-acc.sql")
    ext_sql = os.path.join(outdir, "join-ext.sql")
    with open(acc_sql, "w") as f:
        f.write("CREATE TEMP TABLE q(id TEXT);\n.mode tabs\n"
                ".import --schema temp %s q\n.output %s\n"
                "SELECT q.id, m.id FROM q CROSS JOIN m ON m.acc = q.id "
                "WHERE m.type = 'UniRef90' ORDER BY q.rowid;\n"
                % (s["acc"], os.path.join(outdir, "sqlite-acc.tsv")))
    with open(ext_sql, "w") as f:
        f.write("CREATE TEMP TABLE q(type TEXT, id TEXT);\n.mode tabs\n"
                ".import --schema temp %s q\n.output %s\n"
                "SELECT q.id, m.acc FROM q CROSS JOIN m ON m.id = q.id AND m.type = q.type "
                "ORDER BY q.rowid;\n" % (s["ext"], os.path.join(outdir, "sqlite-ext.tsv")))
    gi_sql = os.path.join(outdir, "join-gi.sql")
    with open(gi_sql, "w") as f:
        f.write("CREATE TEMP TABLE q(id TEXT);\n.mode tabs\n"
                ".import --schema temp %s q\n.output %s\n"
                "SELECT q.id, m.acc FROM q CROSS JOIN m ON m.id = q.id AND m.type = 'GI' "
                "ORDER BY q.rowid;\n" % (s["gi"], os.path.join(outdir, "sqlite-gi.tsv")))
    return acc_sql, ext_sql, gi_sql


def awk_scan_commands(s, outdir):
    """What users do without an index: decompress the release and scan it with awk for the
    ids (read first into an awk array). {"acc": shell command, "gi": shell command}; their
    output goes to awk-acc.tsv and awk-gi.tsv in outdir."""
    dat = shlex.quote(os.path.join(os.path.dirname(s["acc"]), "idmapping.dat.gz"))
    dec = "igzip -dc" if shutil.which("igzip") else "gzip -dc"
    awk = "mawk" if shutil.which("mawk") else "awk"
    prog = {"acc": 'NR==FNR{w[$1];next} $2=="UniRef90" && ($1 in w){print $1 "\\t" $3}',
            "gi": 'NR==FNR{w[$1];next} $2=="GI" && ($3 in w){print $3 "\\t" $1}'}
    return {k: "%s %s | LC_ALL=C %s -F'\\t' '%s' %s - > %s"
            % (dec, dat, awk, prog[k], shlex.quote(s[k]),
               shlex.quote(os.path.join(outdir, "awk-%s.tsv" % k)))
            for k in ("acc", "gi")}


# ---- e. Mapping --------------------------------------------------------------------------

HEADER = "From\tTo"


def same_set(a, b):
    """(equal as sets of lines, rows of a, rows of b, distinct rows of a)."""
    with open(a) as f:
        la = [x for x in f.read().splitlines() if x != HEADER]
    with open(b) as f:
        lb = [x for x in f.read().splitlines() if x != HEADER]
    sa, sb = set(la), set(lb)
    return sa == sb, len(la), len(lb), len(sa), len(sb)


def cat_files(dst, srcs):
    with open(dst, "wb") as o:
        for s in srcs:
            with open(s, "rb") as i:
                shutil.copyfileobj(i, o)


def file_huge_bytes():
    """FileHugePages of /proc/meminfo in bytes (None where there is none)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("FileHugePages:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def mapping(index, s, db, runs, label):
    """idmap map vs the SQLite join (db may be None). Warm runs first, then `runs` timed."""
    d = os.path.join(WORK, "map-%s" % label)
    os.makedirs(d, exist_ok=True)
    res = {}

    def idmap_acc():
        return timed([IDMAP, "map", "-i", index, "--to", "UniRef90"], stdin=s["acc"],
                     stdout=os.path.join(d, "idmap-acc.tsv"),
                     stderr=os.path.join(d, "idmap-acc.err"))

    def idmap_ext():
        r1 = timed([IDMAP, "map", "-i", index, "--from", "GI", "--to", "UniProtKB"],
                   stdin=s["gi"], stdout=os.path.join(d, "idmap-gi.tsv"),
                   stderr=os.path.join(d, "idmap-gi.err"))
        r2 = timed([IDMAP, "map", "-i", index, "--from", "RefSeq", "--to", "UniProtKB"],
                   stdin=s["refseq"], stdout=os.path.join(d, "idmap-refseq.tsv"),
                   stderr=os.path.join(d, "idmap-refseq.err"))
        return Run(r1.wall + r2.wall, r1.user + r2.user, r1.sys + r2.sys,
                   max(r1.rss, r2.rss), 0)

    def idmap_gi():
        return timed([IDMAP, "map", "-i", index, "--from", "GI", "--to", "UniProtKB"],
                     stdin=s["gi"], stdout=os.path.join(d, "idmap-gi.tsv"),
                     stderr=os.path.join(d, "idmap-gi.err"))

    work = [("acc", idmap_acc), ("ext", idmap_ext), ("gi", idmap_gi)]
    for k, cmd in awk_scan_commands(s, d).items():
        def f(cmd=cmd):
            return timed(["sh", "-c", cmd], stderr=os.path.join(d, "awk.err"))
        work.append(("awk-" + k, f))
    if db:
        acc_sql, ext_sql, gi_sql = sqlite_join_scripts(s, d)
        for k, script in (("acc", acc_sql), ("ext", ext_sql), ("gi", gi_sql)):
            def f(script=script):
                return timed(["sqlite3", "-batch", "-readonly", db], stdin=script,
                             stderr=os.path.join(d, "sqlite.err"))
            work.append(("sqlite-" + k, f))
    for name, fn in work:
        wait_quiet("map %s %s" % (label, name))
        log("map %s %s: warm-up + %d runs" % (label, name, runs))
        fn()
        rs = [fn() for _ in range(runs)]
        m = median_run(rs)
        res[name] = {"median": m.as_dict(), "walls": [r.wall for r in rs]}
        log("  median %.3f s (%s)" % (m.wall, ", ".join("%.3f" % r.wall for r in rs)))
    cat_files(os.path.join(d, "idmap-ext.tsv"),
              [os.path.join(d, "idmap-gi.tsv"), os.path.join(d, "idmap-refseq.tsv")])
    for k in ("acc", "ext", "gi"):
        with open(os.path.join(d, "idmap-%s.tsv" % k)) as f:
            res[k]["rows"] = sum(1 for x in f if x.rstrip("\n") != HEADER)
        if k != "ext":
            eq, na, nb, da, db_ = same_set(os.path.join(d, "idmap-%s.tsv" % k),
                                           os.path.join(d, "awk-%s.tsv" % k))
            res["check-awk-" + k] = {"equal": eq, "idmap_rows": na, "awk_rows": nb,
                                     "awk_distinct": db_}
            log("  check awk %s: %s (idmap %d rows, awk %d rows, %d distinct)"
                % (k, "EQUAL" if eq else "DIFFERENT", na, nb, db_))
        if db:
            eq, na, nb, da, db_ = same_set(os.path.join(d, "idmap-%s.tsv" % k),
                                           os.path.join(d, "sqlite-%s.tsv" % k))
            res["check-" + k] = {"equal": eq, "idmap_rows": na, "sqlite_rows": nb,
                                 "idmap_distinct": da, "sqlite_distinct": db_}
            log("  check %s: %s (idmap %d rows, sqlite %d rows, %d distinct)"
                % (k, "EQUAL" if eq else "DIFFERENT", na, nb, db_))
    return res


LOOKUP_MODES = (
    ("fwd", "accession -> UniRef90, one id per call", ["--to", "UniRef90"], "acc", False,
     "`idmap_acc_find` + `idmap_fwd_begin/next`"),
    ("rev", "GI -> accessions, one id per call", ["--from", "GI"], "gi", False,
     "`idmap_key_find` + `idmap_rev_begin/next`"),
    ("fwd-batch", "accession -> UniRef90, batched", ["--to", "UniRef90", "--batch", "256"],
     "acc", True, "`idmap_acc_find_batch` on groups of 256, then `idmap_fwd_batch` "
     "(records of the group fetched together)"),
    ("find-batch", "accession -> slot only, batched",
     ["--to", "UniRef90", "--batch", "256", "--find-only"], "acc", True,
     "`idmap_acc_find_batch` on groups of 256, no pairs walked"),
    ("rev-batch", "GI -> accessions, batched", ["--from", "GI", "--batch", "256"], "gi", True,
     "`idmap_key_find_batch` on groups of 256, then `idmap_rev_begin/next`"),
)


def has_batch_api():
    with open(os.path.join(ROOT, "engine", "include", "idmap_index.h")) as f:
        return "idmap_acc_find_batch" in f.read()


def lookup_rate(index, s, runs):
    out = {}
    batch = has_batch_api()
    for name, what, args, ids, needs_batch, how in LOOKUP_MODES:
        if needs_batch and not batch:
            continue
        vals = []
        line = ""
        wait_quiet("lookup rate " + name)
        for _ in range(runs):
            p = subprocess.run([LOOKUP, index, s[ids], "--seconds", "3"] + args,
                               capture_output=True, text=True, check=True)
            line = p.stdout.strip()
            kv = dict(x.split("=") for x in line.split())
            vals.append(float(kv["rate"]))
        out[name] = {"rate": statistics.median(vals), "rates": vals, "last": line,
                     "what": what, "how": how}
        log("lookup rate %s: %.0f/s (%s)" % (name, out[name]["rate"], line))
    return out


# ---- f. One-id lookups -------------------------------------------------------------------

def one_id(index, acc, runs):
    cmd = [IDMAP, "map", "-i", index, acc]
    wait_quiet("one-id " + os.path.basename(index))
    if shutil.which("hyperfine"):
        js = os.path.join(WORK, ".hyperfine.json")
        subprocess.run(["hyperfine", "-N", "--warmup", "5", "--runs", str(runs),
                        "--export-json", js, "--style", "none", shlex.join(cmd)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(js) as f:
            r = json.load(f)["results"][0]
        times = r["times"]
        return {"median": statistics.median(times), "min": min(times), "max": max(times),
                "runs": len(times), "tool": "hyperfine -N", "cmd": shlex.join(cmd)}
    times = []
    for i in range(runs + 3):
        t0 = time.perf_counter_ns()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        if i >= 3:
            times.append((time.perf_counter_ns() - t0) / 1e9)
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "runs": len(times), "tool": "loop (perf_counter)", "cmd": shlex.join(cmd)}


# ---- Machine -----------------------------------------------------------------------------

def machine():
    lscpu = sh_out(["lscpu"], "")
    model = re.search(r"Model name:\s*(.+)", lscpu)
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    dev = sh_out(["findmnt", "-n", "-o", "SOURCE", "--target", WORK])
    fstype = sh_out(["findmnt", "-n", "-o", "FSTYPE", "--target", WORK])
    du = shutil.disk_usage(WORK)
    rota = sh_out("lsblk -n -d -o ROTA %s 2>/dev/null" % shlex.quote(dev), "?")
    cc = "?"
    try:
        with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("CMAKE_C_COMPILER:"):
                    cc = line.split("=", 1)[1].strip()
    except OSError:
        pass
    zlib_ver = sh_out("dpkg-query -W -f='${Version}' zlib1g")
    commit = sh_out(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = sh_out(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], "")
    return {
        "cpu": model.group(1).strip() if model else platform.processor(),
        "cores": os.cpu_count(),
        "threads_per_core": (re.search(r"Thread\(s\) per core:\s*(\d+)", lscpu) or
                             [None, "?"])[1],
        "ram": mem,
        "disk": "%s (%s, %s), %s free of %s" % (
            dev, fstype, "lsblk ROTA=%s" % rota, human_bytes(du.free), human_bytes(du.total)),
        "kernel": "%s %s" % (platform.system(), platform.release()),
        "os": sh_out(". /etc/os-release && echo \"$PRETTY_NAME\""),
        "compiler": sh_out([cc, "--version"]).splitlines()[0] if cc != "?" else "?",
        "cflags": "CMAKE_BUILD_TYPE=" + sh_out(
            "grep '^CMAKE_BUILD_TYPE:' %s | cut -d= -f2" % shlex.quote(
                os.path.join(BUILD, "CMakeCache.txt"))),
        "idmap": sh_out([IDMAP, "--version"]),
        "commit": commit + (" (with uncommitted changes)" if dirty and dirty != "?" else ""),
        "sqlite3": sh_out(["sqlite3", "--version"]).split()[0],
        "gzip": sh_out(["gzip", "--version"]).splitlines()[0],
        "igzip": (sh_out(["igzip", "--version"]).splitlines()[0]
                  if shutil.which("igzip") else "absent"),
        "zlib": zlib_ver,
        "hyperfine": sh_out(["hyperfine", "--version"]).split()[-1] if shutil.which("hyperfine")
        else "absent",
        "python": platform.python_version(),
    }


# ---- Report ------------------------------------------------------------------------------

def s3(x):
    return "%.3f s" % x


def s1(x):
    return "%.1f s" % x


def ratio(a, b):
    return a / b if b else float("nan")


def verdict(ok):
    return "**PASS**" if ok else "**MISS**"


def report(Rs, path):
    """Writes the report of one run: the first shape in full, the others' figures after it."""
    L = report_lines(Rs[0])
    for R in Rs[1:]:
        more = report_lines(R)
        L += ["# Input shaped like the real files (`--shape %s`)" % R["shape"], ""]
        L += [("#" + x if x.startswith("## ") else x) for x in more[more.index("## Input"):]]
    kept = separate_runs(path)  # read before the file is truncated
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n" + kept)


def report_lines(R):
    M = R["machine"]
    N = R["lines"]
    Ns = R.get("sqlite_lines")
    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w("Produced by one run of the harness `bench/` on one machine; every "
      "figure and ratio below comes from that same run. Regenerate with:")
    w("")
    w("```sh")
    w(R["command"])
    w("```")
    w("")
    w("Run: %s to %s (%s of harness time), commit %s."
      % (R["started"], R["finished"], s1(R["elapsed"]), M["commit"]))
    w("")
    w("## Machine")
    w("")
    w("| what | value |")
    w("|---|---|")
    w("| CPU | %s |" % M["cpu"])
    w("| cores | %s (threads per core: %s) |" % (M["cores"], M["threads_per_core"]))
    w("| RAM | %s |" % human_bytes(M["ram"]))
    w("| disk (work dir) | %s |" % M["disk"])
    w("| kernel / OS | %s / %s |" % (M["kernel"], M["os"]))
    w("| compiler | %s, %s |" % (M["compiler"], M["cflags"]))
    w("| idmap | %s |" % M["idmap"])
    w("| peers and tools | sqlite3 %s; %s; %s; zlib %s; hyperfine %s; Python %s |"
      % (M["sqlite3"], M["gzip"], M["igzip"], M["zlib"], M["hyperfine"], M["python"]))
    w("")

    rel = R["releases"][str(N)]
    gz = rel["gz_size"]
    text = R["decomp"]["text_bytes"]
    w("## Input")
    w("")
    real = R.get("shape") == "real"
    w("Synthetic release from `idmap-genrelease --lines %s --seed %d --gzip%s`: idmapping.dat.gz "
      "%s compressed, %s of text (%s lines%s). Only idmapping.dat.gz is indexed, by idmap and "
      "by SQLite alike."
      % (fmt_lines(N), R["seed"], " --shape real" if real else "", human_bytes(gz),
         human_bytes(text), rel["dat_lines"], ", shaped like the real files" if real else ""))
    w("")

    w("## Figures")
    w("")
    w("| # | measurement | figure | notes |")
    w("|---|---|---|---|")
    D = R["decomp"]
    for k, name in (("gzip", "`gzip -dc > /dev/null`"), ("igzip", "`igzip -dc > /dev/null`"),
                    ("inflate_loop", "own inflate loop alone (`bench/inflate_loop.c`, zlib)")):
        if k in D:
            d = D[k]
            w("| b | %s | %s wall, %.0f MB/s of text | median of %d; CPU %s |"
              % (name, s3(d["wall"]), text / d["wall"] / 1e6, d["runs"], s3(d["cpu"])))
        else:
            w("| b | %s | not measured | %s |" % (name, D.get(k + "_note", "absent")))
    for b in R["builds"]:
        w("| c | `idmap build` %s lines, `--memory %s` | %s wall, %s CPU (user+sys), "
          "peak RSS %s, index %s | %s; %.0f MB/s of text; peak disk in use (temp + index) "
          "%s |"
          % (fmt_lines(b["lines"]), b["memory"], s1(b["wall"]), s1(b["user"] + b["sys"]),
             human_bytes(b["rss"]), human_bytes(b["size"]), build_runs_text(b),
             R["releases"][str(b["lines"])]["text"] / b["wall"] / 1e6,
             human_bytes(b["disk_peak"])))
    if R.get("sqlite"):
        q = R["sqlite"]
        w("| d | SQLite `.import` + 2 indexes, %s lines | %s wall (import %s + indexes %s), "
          "%s CPU, db %s | 1 run; peak RSS %s |"
          % (fmt_lines(Ns), s1(q["wall"]), s1(q["import"]["wall"]), s1(q["index"]["wall"]),
             s1(q["cpu"]), human_bytes(q["size"]), human_bytes(q["rss"])))
    else:
        w("| d | SQLite | not measured | %s |" % R.get("sqlite_note", "skipped"))
    for label, mp in R["mapping"].items():
        nl = mp["lines"]
        for k, what in (("acc", "%d random accessions -> UniRef90" % mp["n_acc"]),
                        ("ext", "%d random external ids (%d GI + %d RefSeq) -> UniProtKB"
                         % (mp["n_gi"] + mp["n_rs"], mp["n_gi"], mp["n_rs"]))):
            m = mp["res"][k]
            w("| e | `idmap map`, %s, index of %s lines | %s | median of %d (%s), warm page "
              "cache, process start to last byte; %d rows%s |"
              % (what, fmt_lines(nl), s3(m["median"]["wall"]), len(m["walls"]),
                 ", ".join("%.3f" % x for x in m["walls"]), m["rows"],
                 "; two processes (--from GI, --from RefSeq), walls added" if k == "ext"
                 else ""))
            if "sqlite-" + k in mp["res"]:
                sq = mp["res"]["sqlite-" + k]
                ck = mp["res"]["check-" + k]
                w("| e | SQLite join, same ids, %s lines | %s | median of %d (%s); output %s "
                  "idmap's as a set (%d vs %d rows, %d distinct) |"
                  % (fmt_lines(nl), s3(sq["median"]["wall"]), len(sq["walls"]),
                     ", ".join("%.3f" % x for x in sq["walls"]),
                     "**equal to**" if ck["equal"] else "**DIFFERENT from**",
                     ck["sqlite_rows"], ck["idmap_rows"], ck["sqlite_distinct"]))
        if "awk-gi" in mp["res"]:
            m = mp["res"]["gi"]
            w("| e | `idmap map --from GI --to UniProtKB`, the %d GI alone, index of %s lines | "
              "%s | median of %d (%s) |"
              % (mp["n_gi"], fmt_lines(nl), s3(m["median"]["wall"]), len(m["walls"]),
                 ", ".join("%.3f" % x for x in m["walls"])))
        for k, what in (("acc", "accessions -> UniRef90"), ("gi", "GI -> UniProtKB")):
            if "awk-" + k not in mp["res"]:
                continue
            aw = mp["res"]["awk-" + k]
            ck = mp["res"]["check-awk-" + k]
            w("| e | awk scan of idmapping.dat.gz, %s, same ids, %s lines | %s | median of %d "
              "(%s); output %s idmap's as a set (%d vs %d rows, %d distinct) |"
              % (what, fmt_lines(nl), s3(aw["median"]["wall"]), len(aw["walls"]),
                 ", ".join("%.3f" % x for x in aw["walls"]),
                 "**equal to**" if ck["equal"] else "**DIFFERENT from**",
                 ck["awk_rows"], ck["idmap_rows"], ck["awk_distinct"]))
    LR = R["lookup_rate"]
    for name, lr in LR.items():
        w("| e | library lookups, %s (`bench/lookup_rate.c`), 1 thread, %s lines | %.2f M "
          "lookups/s | median of %d runs of >= 3 s; %s |"
          % (lr["what"], fmt_lines(N), lr["rate"] / 1e6, len(lr["rates"]), lr["how"]))
    if R.get("batch_note"):
        w("| e | batch lookup API | not measured | %s |" % R["batch_note"])
    for o in R["one_id"]:
        w("| f | one-id lookup process, index of %s lines | %.2f ms median (min %.2f, max "
          "%.2f) = %.0f lookups/s | %d runs, %s; `idmap map -i IDX %s` |"
          % (fmt_lines(o["lines"]), o["median"] * 1e3, o["min"] * 1e3, o["max"] * 1e3,
             1 / o["median"], o["runs"], o["tool"], o["acc"]))
    w("")

    # Ratios
    b2 = R["build_main"]
    w("## Ratios")
    w("")
    w("| ratio | value |")
    w("|---|---|")
    if "igzip" in D:
        igz, how = igzip_wall(R)
        w("| idmap build wall (%s, --memory 2G) / `igzip -dc` wall (%s) | %.2f |"
          % (fmt_lines(N), how, ratio(b2["wall"], igz)))
    w("| idmap build wall / `gzip -dc` wall | %.2f |" % ratio(b2["wall"], D["gzip"]["wall"]))
    w("| idmap build wall / own inflate loop wall | %.2f |"
      % ratio(b2["wall"], D["inflate_loop"]["wall"]))
    if R.get("sqlite"):
        bs = R["build_at_sqlite_n"]
        w("| SQLite import + indexes / idmap build (both %s lines) | %.1f |"
          % (fmt_lines(Ns), ratio(R["sqlite"]["wall"], bs["wall"])))
    w("| index size / gzip input size (%s) | %.2f |" % (fmt_lines(N), ratio(b2["size"], gz)))
    if R.get("sqlite"):
        gzs = R["releases"][str(Ns)]["gz_size"]
        w("| SQLite db size / gzip input size (%s) | %.2f |"
          % (fmt_lines(Ns), ratio(R["sqlite"]["size"], gzs)))
    for b in R["builds"]:
        if b["lines"] == N:
            w("| peak RSS / --memory (%s, --memory %s) | %.2f |"
              % (fmt_lines(N), b["memory"], ratio(b["rss"], mem_bytes(b["memory"]))))
    peers = (("sqlite", "SQLite join", (("acc", "accessions -> UniRef90"),
                                        ("ext", "GI+RefSeq -> UniProtKB"))),
             ("awk", "awk scan", (("acc", "accessions -> UniRef90"), ("gi", "GI -> UniProtKB"))))
    for label, mp in R["mapping"].items():
        for peer, name, kinds in peers:
            for k, what in kinds:
                if peer + "-" + k in mp["res"]:
                    w("| %s / idmap map, %s (%s lines) | %.1f |"
                      % (name, what, fmt_lines(mp["lines"]),
                         ratio(mp["res"][peer + "-" + k]["median"]["wall"],
                               mp["res"][k]["median"]["wall"])))
    oi = R["one_id"]
    w("| one-id process, %s / %s lines | %.2f |"
      % (fmt_lines(oi[-1]["lines"]), fmt_lines(oi[0]["lines"]),
         ratio(oi[-1]["median"], oi[0]["median"])))
    w("")

    # Targets
    T = R["targets"]
    w("## Targets")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    for t in T:
        w("| %s | %s | %s |" % (t["target"], t["measured"],
                                verdict(t["ok"]) if t["ok"] is not None else "not measured"))
    w("")

    w("## Targets (issue 18: real-release scale)")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    for t in R.get("scale_targets", []):
        w("| %s | %s | %s |" % (t["target"], t["measured"],
                                verdict(t["ok"]) if t["ok"] is not None else "reported"))
    w("")

    w("## How it was measured")
    w("")
    for n in R["notes"]:
        w("- " + n)
    w("")
    return L


SEPARATE = "<!-- Sections below come from separate runs (bench/scale.sh, bench/server.sh); " \
    "bench.py keeps them. -->"


def separate_runs(path):
    """The sections of separate runs at the end of the old report, kept as they are."""
    try:
        with open(path) as f:
            old = f.read()
    except OSError:
        return ""
    i = old.find(SEPARATE)
    return "\n" + old[i:] if i >= 0 else ""


def load_note(R):
    """The sentence on other processes' load during the run."""
    seen = R.get("quiet") or []
    if not seen:
        return None
    thr = QUIET["threshold"]
    busy = [x for x in seen if x["busy"] > thr]
    waited = sum(x["waited"] for x in seen if x["waited"] > 1)
    max_wait = R.get("max_wait")
    if max_wait is None:
        m = re.search(r"--max-wait[ =](\S+)", R.get("command", ""))
        max_wait = float(m.group(1)) if m else 60.0
    head = ("Other load: before each of the %d measurements the harness waited (up to %.0f s) "
            "for other processes to keep < %.0f%% of the cores busy over 1 s; it waited %.0f s "
            "in all." % (len(seen), max_wait, thr * 100, waited))
    if not busy:
        return head + " Every measurement started on a quiet machine."
    lo, hi = min(x["busy"] for x in busy), max(x["busy"] for x in busy)
    seen_names = []
    for x in busy:
        for n in x.get("others", []):
            if n not in seen_names:
                seen_names.append(n)
    names = (" (busiest other processes seen: %s)" % ", ".join("`%s`" % n for n in seen_names)
             if seen_names else "")
    if len(busy) == len(seen):
        tail = (" **The machine never went quiet: every measurement started while other "
                "processes kept %.0f-%.0f%% of both cores busy**%s, so every figure here is pessimistic, CPU-bound ones (builds, decompression, "
                "mapping) most, and noisy (see the spread of the repeated runs)."
                % (lo * 100, hi * 100, names))
    else:
        tail = (" Measurements that started on a busy machine: %s."
                % ", ".join("%s (%.0f%%)" % (x["what"], x["busy"] * 100) for x in busy))
    return head + tail


def finish_notes(R):
    notes = [n for n in R["notes"] if not n.startswith("Other load:")]
    ln = load_note(R)
    if ln:
        notes.append(ln)
    R["notes"] = notes


def igzip_wall(R):
    """`igzip -dc`'s wall for the build ratios: the runs interleaved with the main builds when
    this run has them, else the decompression section's (older results)."""
    b2 = R["build_main"]
    if "pair_wall" in b2:
        return b2["pair_wall"], "igzip timed before each build"
    return R["decomp"]["igzip"]["wall"], "igzip timed on its own"


def targets(R):
    N = R["lines"]
    D = R["decomp"]
    T = []
    b2 = R["build_main"]
    if "igzip" in D:
        igz, how = igzip_wall(R)
        x = ratio(b2["wall"], igz)
        T.append({"target": "build wall <= 3x `igzip -dc` on the same file (%s lines)"
                  % fmt_lines(N), "measured": "%.2fx (%s vs %s; %s)"
                  % (x, s1(b2["wall"]), s1(igz), how), "ok": x <= 3})
    else:
        T.append({"target": "build wall <= 3x `igzip -dc`", "measured": "igzip absent",
                  "ok": None})
    if R.get("sqlite"):
        bs = R["build_at_sqlite_n"]
        x = ratio(R["sqlite"]["wall"], bs["wall"])
        T.append({"target": "build >= 25x faster than SQLite import + indexes",
                  "measured": "%.1fx at %s lines (%s vs %s)"
                  % (x, fmt_lines(R["sqlite_lines"]), s1(R["sqlite"]["wall"]),
                     s1(bs["wall"])), "ok": x >= 25})
    else:
        T.append({"target": "build >= 25x faster than SQLite", "measured": "SQLite skipped",
                  "ok": None})
    for b in R["builds"]:
        if b["lines"] != N:
            continue
        lim = mem_bytes(b["memory"]) * 1.10
        T.append({"target": "peak RSS <= --memory + 10%% (--memory %s, %s lines)"
                  % (b["memory"], fmt_lines(N)),
                  "measured": "%s (limit %s)" % (human_bytes(b["rss"]), human_bytes(lim)),
                  "ok": b["rss"] <= lim})
    x = ratio(b2["size"], R["releases"][str(N)]["gz_size"])
    T.append({"target": "index size <= 3x the gzip input", "measured": "%.2fx (%s vs %s)"
              % (x, human_bytes(b2["size"]), human_bytes(R["releases"][str(N)]["gz_size"])),
              "ok": x <= 3})
    main_map = R["mapping"]["main"]
    t_acc = main_map["res"]["acc"]["median"]["wall"]
    T.append({"target": "1M accessions -> UniRef90, process start to last byte, <= 1 s warm",
              "measured": "%s for %d accessions, %s lines"
              % (s3(t_acc), main_map["n_acc"], fmt_lines(main_map["lines"])),
              "ok": t_acc <= 1.0 if main_map["n_acc"] >= 1000000 else None})
    sq_map = None
    for mp in R["mapping"].values():
        if "sqlite-acc" in mp["res"]:
            sq_map = mp
    if sq_map:
        x = ratio(sq_map["res"]["sqlite-acc"]["median"]["wall"],
                  sq_map["res"]["acc"]["median"]["wall"])
        T.append({"target": "1M accessions -> UniRef90 >= 20x faster than the SQLite join",
                  "measured": "%.1fx at %s lines" % (x, fmt_lines(sq_map["lines"])),
                  "ok": x >= 20})
    LR = R["lookup_rate"]
    key = "fwd-batch" if "fwd-batch" in LR else "fwd"
    rate = LR[key]["rate"]
    others = ", ".join("%s %.2f M/s" % (k, v["rate"] / 1e6) for k, v in LR.items() if k != key)
    T.append({"target": "the library's batch lookup >= 5 M/s per thread on a warm %s-line index"
              % fmt_lines(N), "measured": "%.2f M/s accession -> UniRef90 (%s; %s)"
              % (rate / 1e6, "batched API" if key == "fwd-batch" else
                 "one-id API, no batch API yet", others), "ok": rate >= 5e6})
    oi = R["one_id"]
    x = ratio(oi[-1]["median"], oi[0]["median"])
    T.append({"target": "one-id lookup process within 2x from %s to %s lines"
              % (fmt_lines(oi[0]["lines"]), fmt_lines(oi[-1]["lines"])),
              "measured": "%.2fx (%.2f ms vs %.2f ms)"
              % (x, oi[-1]["median"] * 1e3, oi[0]["median"] * 1e3), "ok": x <= 2})
    worst = max(o["median"] for o in oi)
    T.append({"target": "one-id lookup process under 20 ms",
              "measured": "%.2f ms at worst" % (worst * 1e3), "ok": worst < 0.020})
    return T


def scale_targets(R):
    """Issue 18 (real-release scale): goals 1-6, a line each."""
    N = R["lines"]
    D = R["decomp"]
    T = []
    rel = R["releases"][str(N)]
    b2 = R["build_main"]
    x = ratio(b2["size"], rel["gz_size"])
    T.append({"target": "1. index <= 2.5x the gzip input", "measured": "%.2fx (%s vs %s)"
              % (x, human_bytes(b2["size"]), human_bytes(rel["gz_size"])), "ok": x <= 2.5})
    if "igzip" in D:
        igz, how = igzip_wall(R)
        x = ratio(b2["wall"], igz)
        T.append({"target": "2. build <= 6x `igzip -dc` on %s cores" % R["machine"]["cores"],
                  "measured": "%.2fx (%s vs %s wall, %s; build CPU %s)"
                  % (x, s1(b2["wall"]), s1(igz), how, s1(b2["user"] + b2["sys"])),
                  "ok": x <= 6})
    th = R.get("threads")
    if th and th["2"]["s"] is not None:
        sv = th["2"]["s"]
        T.append({"target": "3. every core: serial fraction, projected speedup",
                  "measured": "s = %.2f at --threads 2 (%.2f at 1), build CPU %s / %s at 1 / 2 "
                  "threads; Amdahl projection for 16 / 64 / 128 cores: %.1fx / %.1fx / %.1fx"
                  % (sv, th["1"]["s"], s1(th["1"]["cpu"]), s1(th["2"]["cpu"]),
                     amdahl(sv, 16), amdahl(sv, 64), amdahl(sv, 128)), "ok": None})
    for mp in R["mapping"].values():
        res = mp["res"]
        if "sqlite-gi" not in res:
            continue
        x = ratio(res["sqlite-gi"]["median"]["wall"], res["gi"]["median"]["wall"])
        eq = res.get("check-gi", {}).get("equal")
        T.append({"target": "4. %d GI -> UniProtKB >= 8x the SQLite join" % mp["n_gi"],
                  "measured": "%.1fx at %s lines (%s vs %s)%s"
                  % (x, fmt_lines(mp["lines"]), s3(res["gi"]["median"]["wall"]),
                     s3(res["sqlite-gi"]["median"]["wall"]),
                     "" if eq else "; outputs DIFFER"), "ok": x >= 8 and bool(eq)})
        x = ratio(res["sqlite-acc"]["median"]["wall"], res["acc"]["median"]["wall"])
        T.append({"target": "4. accessions -> UniRef90 stays >= 20x the SQLite join",
                  "measured": "%.1fx at %s lines" % (x, fmt_lines(mp["lines"])),
                  "ok": x >= 20})
    x = ratio(rel["text"], rel["gz_size"])
    T.append({"target": "5. generator: `--shape real` compresses like the real files (~5x)",
              "measured": "%s shape: text / gzip = %.2fx" % (R["shape"], x),
              "ok": (x >= 4.5) if R["shape"] == "real" else None})
    sc = scale_result(os.path.join(WORK, "scale", "result.txt"))
    if sc:
        proj = sc["wall"] * 2.4e9 / sc["lines"]
        lim = mem_bytes(sc["memory"]) * 1.10
        T.append({"target": "6. full release (2.4e9 lines) within 15 min on 2 cores, RSS "
                  "within --memory",
                  "measured": "bench/scale.sh of %s (%s lines, --shape %s, %s): %s wall, peak "
                  "RSS %s at --memory %s; linear to 2.4e9 lines: %.1f min"
                  % (sc["date"], fmt_lines(sc["lines"]), sc["shape"], sc["input"], s1(sc["wall"]),
                     human_bytes(sc["rss"]), sc["memory"], proj / 60),
                  "ok": proj <= 900 and sc["rss"] <= lim})
    else:
        T.append({"target": "6. full release within 15 min", "measured": "no bench/scale.sh "
                  "result in the work dir (run `bench/scale.sh --lines 1e9` first)", "ok": None})
    return T


# ---- Main --------------------------------------------------------------------------------

def main():
    global WORK, LOG
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", default="1e8", help="lines of idmapping.dat (default 1e8)")
    ap.add_argument("--quick", action="store_true", help="1e6 lines: a smoke test")
    ap.add_argument("--sqlite-lines", help="lines for the SQLite peer (default: --lines); "
                    "must be --lines, --lines/10 or --lines/100")
    ap.add_argument("--no-sqlite", action="store_true", help="skip the SQLite peer")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--shape", choices=("default", "real", "both"), default="both",
                    help="the generator's data shape: its default, --shape real (compresses "
                    "like the real files), or both, one after the other (default)")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "work"))
    ap.add_argument("--out", help="report path (default docs/BENCHMARKS.md; with --quick "
                    "WORK/BENCHMARKS-quick.md)")
    ap.add_argument("--threads", type=int, default=0, help="idmap build --threads (default: "
                    "idmap's default, all cores)")
    ap.add_argument("--build-runs", type=int, default=3, help="idmap builds per configuration "
                    "(default 3; the median is reported)")
    ap.add_argument("--map-runs", type=int, default=3)
    ap.add_argument("--decomp-runs", type=int, default=3)
    ap.add_argument("--lookup-runs", type=int, default=50)
    ap.add_argument("--sample", type=int, default=1000000, help="ids per mapping workload")
    ap.add_argument("--max-wait", type=float, default=60, help="seconds to wait for other "
                    "processes to go quiet before each measurement (default 60)")
    ap.add_argument("--force", action="store_true", help="run even when df says too little")
    ap.add_argument("--report-only", action="store_true", help="only write the report again "
                    "from WORK/results-N[-real].json of the last run of N lines (no measurement)")
    ap.add_argument("--command", help=argparse.SUPPRESS)
    a = ap.parse_args()
    N = 1000000 if a.quick else parse_count(a.lines)
    shapes = ("default", "real") if a.shape == "both" else (a.shape,)
    if a.report_only:
        WORK = os.path.abspath(a.work)
        Rs = []
        for shape in shapes:
            with open(results_path(N, shape)) as f:
                R = json.load(f)
            finish_notes(R)
            R["targets"] = targets(R)
            R["scale_targets"] = scale_targets(R) if "threads" in R else []
            Rs.append(R)
        out = a.out or (os.path.join(WORK, "BENCHMARKS-quick.md") if N <= 1000000
                        else os.path.join(ROOT, "docs", "BENCHMARKS.md"))
        report(Rs, out)
        print("report written to %s" % out, file=sys.stderr)
        return
    Rs = [run(a, N, shape) for shape in shapes]
    out = a.out or (os.path.join(WORK, "BENCHMARKS-quick.md") if a.quick
                    else os.path.join(ROOT, "docs", "BENCHMARKS.md"))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    report(Rs, out)
    log("report written to %s" % out)
    for R in Rs:
        for t in R["targets"] + R["scale_targets"]:
            log("  %-6s %s%s: %s" % ("PASS" if t["ok"] else "MISS" if t["ok"] is False else
                                     "n/a", "[%s] " % R["shape"] if len(Rs) > 1 else "",
                                     t["target"], t["measured"]))


def results_path(N, shape):
    return os.path.join(WORK, "results-%s%s.json" % (fmt_lines(N), "-real" if shape == "real"
                                                     else ""))


def run(a, N, shape):
    """Every measurement on the releases of one data shape; returns the results."""
    global WORK, LOG

    Ns = None if a.no_sqlite else (parse_count(a.sqlite_lines) if a.sqlite_lines else N)
    sizes = sorted({max(N // 100, 1000), max(N // 10, 1000), N})
    if Ns is not None and Ns not in sizes:
        sys.exit("bench: --sqlite-lines must be one of %s" % ", ".join(map(str, sizes)))
    WORK = os.path.abspath(a.work)
    os.makedirs(WORK, exist_ok=True)
    LOG = LOG or open(os.path.join(WORK, "run.log"), "a")
    log("data shape: %s" % shape)

    need = N * DISK_PER_LINE_IDMAP + (Ns or 0) * DISK_PER_LINE_SQLITE
    free = shutil.disk_usage(WORK).free
    log("work dir %s: needs about %s free (idmap %d B/line x %s%s), has %s"
        % (WORK, human_bytes(need), DISK_PER_LINE_IDMAP, fmt_lines(N),
           ", SQLite %d B/line x %s" % (DISK_PER_LINE_SQLITE, fmt_lines(Ns)) if Ns else "",
           human_bytes(free)))
    if free < need and not a.force:
        sys.exit("bench: not enough free disk in %s (need ~%s, have %s); free some or use "
                 "--force" % (WORK, human_bytes(need), human_bytes(free)))

    QUIET["max_wait"] = a.max_wait
    t_start = time.monotonic()
    R = {"lines": N, "sqlite_lines": Ns, "seed": a.seed, "shape": shape, "notes": [],
         "started": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
         "command": a.command or "bench/run.sh " + shlex.join(sys.argv[1:])}
    R["machine"] = machine()

    # a. releases
    R["releases"] = {}
    rels = {}
    for n in sizes:
        d, gen = release(n, a.seed, shape)
        rels[n] = d
        dat = os.path.join(d, "idmapping.dat.gz")
        info = {"dir": d, "gen_wall": gen, "gz_size": os.path.getsize(dat)}
        m = None
        try:
            with open(os.path.join(d, "genrelease.log")) as f:
                m = re.search(r"(\d+) dat lines", f.read())
        except OSError:
            pass
        info["dat_lines"] = int(m.group(1)) if m else n
        R["releases"][str(n)] = info

    # b. decompression limit on the main release (page cache warm after one read)
    dat = os.path.join(rels[N], "idmapping.dat.gz")
    D = {}
    p = subprocess.run([INFLATE, dat], capture_output=True, text=True, check=True)
    D["text_bytes"] = int(p.stdout.split()[1])
    for k, argv in (("gzip", ["gzip", "-dc", dat]), ("igzip", ["igzip", "-dc", dat]),
                    ("inflate_loop", [INFLATE, dat])):
        if not shutil.which(argv[0]):
            D[k + "_note"] = "%s not installed (Debian package isal)" % argv[0]
            log("decompression %s: skipped, not installed" % k)
            continue
        wait_quiet("decompression " + k)
        rs = [timed(argv) for _ in range(a.decomp_runs)]
        m = median_run(rs)
        D[k] = dict(m.as_dict(), cpu=m.cpu, runs=len(rs), walls=[r.wall for r in rs])
        log("decompression %s: %.2f s (%s)" % (k, m.wall, ", ".join("%.2f" % r.wall
                                                                    for r in rs)))
    R["decomp"] = D
    for n in sizes:
        if n == N:
            R["releases"][str(n)]["text"] = D["text_bytes"]
        else:
            p = subprocess.run([INFLATE, os.path.join(rels[n], "idmapping.dat.gz")],
                               capture_output=True, text=True, check=True)
            R["releases"][str(n)]["text"] = int(p.stdout.split()[1])

    # c. builds: main size at 2G and 512M; the smaller sizes at 2G (for f, and for d at
    # equal N)
    builds = []
    igzip = ["igzip", "-dc", dat] if shutil.which("igzip") else None
    main2 = idmap_build(rels[N], N, "2G", a.threads, a.build_runs, pair=igzip)
    main2["lines"] = N
    builds.append(main2)
    b512 = idmap_build(rels[N], N, "512M", a.threads, a.build_runs)
    b512["lines"] = N
    builds.append(b512)
    R["notes"].append(compare_indexes(main2["index"], b512["index"]))
    os.unlink(b512["index"])
    index_of = {N: main2["index"]}
    for n in sizes:
        if n == N:
            continue
        b = idmap_build(rels[n], n, "2G", a.threads, a.build_runs)
        b["lines"] = n
        builds.append(b)
        index_of[n] = b["index"]
    R["builds"] = builds
    R["build_main"] = main2
    R["threads"] = thread_split(rels[N], N)

    # samples
    S = {n: samples(rels[n], a.sample, a.sample, a.seed) for n in sizes}

    # d. SQLite
    if Ns:
        R["sqlite"] = sqlite_import(rels[Ns], Ns)
        R["build_at_sqlite_n"] = next(b for b in builds if b["lines"] == Ns and
                                      b["memory"] == "2G")
    else:
        R["sqlite_note"] = "skipped with --no-sqlite"

    # e. mapping
    def counts(s):
        c = {}
        for k in ("acc", "gi", "refseq"):
            with open(s[k]) as f:
                c[k] = sum(1 for _ in f)
        return c

    R["mapping"] = {}
    huge = file_huge_bytes()
    if huge is not None:
        R["notes"].append(
            "Page cache before the mapping runs: %s in 2 MiB folios (FileHugePages of "
            "/proc/meminfo) with the %s index of %s lines cached (bench/pagecache.sh measures "
            "what the folio size changes)." % (human_bytes(huge),
                                              human_bytes(os.path.getsize(index_of[N])),
                                              fmt_lines(N)))
    c = counts(S[N])
    R["mapping"]["main"] = {"lines": N, "n_acc": c["acc"], "n_gi": c["gi"],
                            "n_rs": c["refseq"],
                            "res": mapping(index_of[N], S[N],
                                           R["sqlite"]["db"] if Ns == N else None,
                                           a.map_runs, fmt_lines(N))}
    if Ns and Ns != N:
        c = counts(S[Ns])
        R["mapping"]["sqlite"] = {"lines": Ns, "n_acc": c["acc"], "n_gi": c["gi"],
                                  "n_rs": c["refseq"],
                                  "res": mapping(index_of[Ns], S[Ns], R["sqlite"]["db"],
                                                 a.map_runs, fmt_lines(Ns))}
    R["lookup_rate"] = lookup_rate(index_of[N], S[N], 3)
    if not has_batch_api():
        R["batch_note"] = ("engine/include/idmap_index.h has no `idmap_*_batch` API at this "
                           "commit; the rates above are the one-id-at-a-time API")

    # f. one-id lookups
    R["one_id"] = []
    for n in sizes:
        with open(S[n]["acc"]) as f:
            acc = f.readline().strip()
        o = one_id(index_of[n], acc, a.lookup_runs)
        o["lines"] = n
        o["acc"] = acc
        R["one_id"].append(o)
        log("one-id %s: %.2f ms median" % (fmt_lines(n), o["median"] * 1e3))

    # notes
    R["notes"] += [
        "Page cache warm throughout: every timed command ran after an untimed run of the "
        "same command (decompression: after the inflate loop read the file once). Wall time "
        "is a monotonic clock around the process; CPU time and peak RSS come from "
        "`/usr/bin/time -v`.",
        "Decompression: each tool reads idmapping.dat.gz and writes to /dev/null; median of "
        "%d runs. MB/s are of uncompressed text (10^6 bytes)." % a.decomp_runs,
        "`idmap build -q -o IDX --memory M --tmpdir %s idmapping.dat.gz` with the default "
        "--threads (all %s cores); %d runs per configuration (the median by wall time; peak "
        "RSS and disk: the largest of the runs). The smaller indexes (%s lines) "
        "are built the same way, at --memory 2G, for the one-id lookups%s."
        % ("bench/work", R["machine"]["cores"], a.build_runs,
           ", ".join(fmt_lines(n) for n in sizes if n != N),
           " and the SQLite comparison at equal N" if Ns and Ns != N else ""),
        "Peak disk in use is the peak growth of the work dir's file system during the build "
        "(temporary partitions plus the index being written), sampled every 0.25 s.",
    ]
    if Ns:
        R["notes"].append(
            "SQLite: two `sqlite3 -batch` processes, first `CREATE TABLE m(acc TEXT, type TEXT, "
            "id TEXT)` and `.mode tabs` + `.import \"|igzip -dc idmapping.dat.gz\" m` (the "
            "decompression runs in its own process, in parallel), then `CREATE INDEX m_acc ON "
            "m(acc)` and `CREATE INDEX m_id_type ON m(id, type)`; both with `PRAGMA "
            "journal_mode=OFF; synchronous=OFF; cache_size=-1048576` (1 GiB cache), "
            "SQLITE_TMPDIR in the work dir. Wall = import + indexes; 1 run.")
        if Ns != N:
            R["notes"].append(
                "SQLite was measured at %s lines, not %s (`--sqlite-lines %s`): at %s lines "
                "the import and the indexes take too long for one harness run. Every ratio "
                "against SQLite is taken at equal N: the idmap build and the mapping "
                "comparison use the %s-line release and index too."
                % (fmt_lines(Ns), fmt_lines(N), fmt_lines(Ns), fmt_lines(N), fmt_lines(Ns)))
        R["notes"].append(
            "SQLite join: `sqlite3 -batch -readonly DB` with `CREATE TEMP TABLE q(id TEXT); "
            ".import --schema temp IDS q`, then `SELECT q.id, m.id FROM q CROSS JOIN m ON "
            "m.acc = q.id WHERE m.type = 'UniRef90' ORDER BY q.rowid` (plan: scan q, search m "
            "by m_acc; no sort); external ids: `q(type, id)` and `... ON m.id = q.id AND "
            "m.type = q.type`, search by m_id_type. The time includes loading the ids, as "
            "idmap's does. idmap prints distinct (From, To) pairs; the join keeps the input's "
            "rare duplicate lines, so outputs are compared as sets of lines (without idmap's `From<TAB>To` header).")
    R["notes"].append(
        "awk scan: what users do without an index, `igzip -dc idmapping.dat.gz | LC_ALL=C "
        "mawk -F'\\t' 'NR==FNR{w[$1];next} $2==\"UniRef90\" && ($1 in w){print $1 \"\\t\" "
        "$3}' ids -` (the ids read into an array, then one pass over the release; GI: "
        "`$2==\"GI\" && ($3 in w){print $3 \"\\t\" $1}`), output to a file; the fastest "
        "decompressor and awk on the machine (gzip -dc and awk where there are none). The "
        "release repeats some lines, so outputs are compared as sets.")
    R["notes"] += [
        "Mapping ids: up to %d distinct accessions drawn at random (Python "
        "`random.Random(%d)`) from the entries (UniProtKB-ID lines) of the release (all of "
        "them when there are fewer); external ids: up to half that many distinct GI values "
        "and as many distinct RefSeq values. idmap maps them with `idmap map -i IDX --to "
        "UniRef90 < ids` and `idmap map -i IDX --from GI|RefSeq --to UniProtKB < ids` (default "
        "--threads: all %d cores, one thread per 16384 ids at most), output TSV to a file. "
        "The index is the one just built, cached as the build wrote it. Warm-up run, then "
        "median of %d." % (a.sample, a.seed, os.cpu_count() or 1, a.map_runs),
        "Library lookups: `build/bench/idmap-lookup-rate IDX IDS --to UniRef90` (`--from GI`; "
        "`--batch 256` for the batched API, `--find-only` to stop at the slot) runs the same "
        "random ids as the mapping through the engine API in one thread: a warm-up pass, then "
        "passes until >= 3 s; one lookup = find + walk all pairs of the wanted type. The "
        "batch-lookup target is judged on the batched accession -> UniRef90 figure.",
        "One-id lookups: a whole `idmap map` process (exec, open, one lookup, output), "
        "`hyperfine -N --warmup 5 --runs %d`; lookups/s = 1 / median." % a.lookup_runs,
    ]
    if shape == "real":
        R["notes"].append(
            "Data shape: `idmap-genrelease --shape real` lays entries out like UniProt's files "
            "(organism batches, near-consecutive accessions, shared values; see the head comment "
            "of scripts/genrelease.c) and writes its .gz at gzip level 6 like UniProt's, so "
            "ratios to the gzip input are against input that compresses ~5x; the default "
            "shape's .gz is level 1 (~3x).")
    R["quiet"] = QUIET["seen"]
    R["max_wait"] = a.max_wait
    finish_notes(R)
    R["targets"] = targets(R)
    R["scale_targets"] = scale_targets(R)
    R["finished"] = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    R["elapsed"] = time.monotonic() - t_start
    with open(results_path(N, shape), "w") as f:
        json.dump(R, f, indent=1, default=str)
    log("shape %s measured (%.0f s)" % (shape, R["elapsed"]))
    return R


WORK = None

if __name__ == "__main__":
    main()
