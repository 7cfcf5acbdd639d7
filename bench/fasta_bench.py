#!/usr/bin/env python3
"""FASTA retrieval benchmark of issue 15: idmap's entry store against samtools faidx on a
bgzip FASTA of the same records. Store size vs gzip, one-id latency, 20,000 random accessions,
ingest time vs decompression. Prints PASS/MISS per target; --md FILE writes the section.

bench/fasta_bench.py --bin build [--lines N] [--work DIR] [--md docs/BENCHMARKS.md]"""
import argparse, glob, gzip, os, platform, random, re, resource, shutil, statistics, subprocess
import sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from md_section import write_section  # noqa: E402

def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)

def timed(cmd, **kw):
    t = time.perf_counter()
    run(cmd, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t

def cpu_time(cmd, **kw):
    """User + system CPU seconds of cmd (a child process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run(cmd, stdout=subprocess.DEVNULL, **kw)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime

def cpu_timed(cmd, n):
    """Best wall time and median CPU time (user + sys of the child) of n runs."""
    walls, cpus = [], []
    for _ in range(n):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls.append(timed(cmd))
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    return min(walls), statistics.median(cpus)

def median_time(cmd, n, **kw):
    return statistics.median(timed(cmd, **kw) for _ in range(n))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build", help="build directory with cli/idmap")
    ap.add_argument("--lines", type=int, default=3000000, help="idmapping lines generated")
    ap.add_argument("--work", default="bench/work/fasta")
    ap.add_argument("--ids", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--md", help="write the results section into this markdown file")
    a = ap.parse_args()
    idmap = os.path.join(a.bin, "cli", "idmap")
    gen = os.path.join(a.bin, "scripts", "idmap-genrelease")
    for tool in ("samtools", "bgzip"):
        if not shutil.which(tool):
            sys.exit(f"fasta_bench: {tool} missing (apt-get install samtools tabix)")
    unz = "igzip" if shutil.which("igzip") else "gzip"
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    rel = os.path.join(a.work, "rel")
    run([gen, "--lines", str(a.lines), "--seed", "15", "--out", rel, "--fasta", "--gzip"],
        stderr=subprocess.DEVNULL)
    fastas = sorted(glob.glob(os.path.join(rel, "*.fasta.gz")))
    others = sorted(set(glob.glob(os.path.join(rel, "*"))) - set(fastas))
    plain = os.path.join(a.work, "all.fasta")
    with open(plain, "wb") as out:
        for f in fastas:
            out.write(gzip.open(f).read())
    raw = open(plain, "rb").read()
    gz6 = sum(len(gzip.compress(gzip.open(f).read(), 6)) for f in fastas)
    gz9 = sum(len(gzip.compress(gzip.open(f).read(), 9)) for f in fastas)

    # ingest: the build with FASTA minus the build without, against decompressing the FASTA
    idx, idx0 = os.path.join(a.work, "f.idx"), os.path.join(a.work, "n.idx")
    with_f, with_c = cpu_timed([idmap, "build", "-o", idx] + others + fastas, 3)
    without, without_c = cpu_timed([idmap, "build", "-o", idx0] + others, 3)
    dec, dec_c = cpu_timed([unz, "-dc"] + fastas, 3)
    info = subprocess.run([idmap, "info", "-i", idx], capture_output=True, text=True).stdout
    m = re.search(r"store[^\n]*?([0-9][0-9,]*) bytes", info) or re.search(
        r"(?i)store size\D*([0-9][0-9,]*)", info)
    store = int(m.group(1).replace(",", "")) if m else None

    bgz = os.path.join(a.work, "all.fasta.gz")
    run(["bgzip", "-f", "-i", "-k", plain])
    run(["samtools", "faidx", bgz])
    names = [l[1:].split(b" ", 1)[0].decode() for l in raw.split(b"\n") if l.startswith(b">")]
    kb = [n for n in names if re.match(r"(sp|tr)\|[A-Z0-9]+\|", n)]
    rnd = random.Random(15)
    pick = [rnd.choice(kb) for _ in range(a.ids)]
    accs = [n.split("|")[1] for n in pick]
    regions = os.path.join(a.work, "regions.txt")
    with open(regions, "w") as f:
        f.write("\n".join(pick) + "\n")

    one_i = median_time([idmap, "entry", "-i", idx, accs[0]], 21)
    one_s = median_time(["samtools", "faidx", bgz, pick[0]], 21)
    many_i, many_s = [], []
    for _ in range(a.runs):  # alternating, so that both see the same machine load
        many_i.append(timed([idmap, "entry", "-i", idx] + accs))
        many_s.append(timed(["samtools", "faidx", bgz, "-r", regions]))
    many_i, many_s = statistics.median(many_i), statistics.median(many_s)
    # entry columns of the same accessions: the CPU of the columns over that of the bare rows
    ids_in = ("\n".join(accs) + "\n").encode()
    def cols(fields):
        return statistics.median(cpu_time([idmap, "map", "-i", idx, "--from", "UniProtKB_AC-ID",
                                           "--to", "UniProtKB", "--fields", fields], input=ids_in)
                                 for _ in range(a.runs))
    col_cpu = cols("accession,protein_name,organism_name,length") - cols("accession")

    rows = [
        ("store <= 1.0x gzip -6 of the FASTA", store is not None and store <= gz6,
         f"{store:,} B vs {gz6:,} B (-6), {gz9:,} B (-9): {store / gz6:.2f}x" if store else "?"),
        ("one id <= 5 ms warm", one_i <= 0.005,
         f"idmap entry {one_i * 1e3:.2f} ms, samtools faidx {one_s * 1e3:.2f} ms"),
        (f"{a.ids:,} accessions >= 3x samtools", many_s >= 3 * many_i,
         f"idmap {many_i:.3f} s, samtools {many_s:.3f} s: {many_s / many_i:.1f}x"),
        (f"{a.ids:,} rows of entry columns <= 10 us a row", col_cpu <= 10e-6 * a.ids,
         f"accession,protein_name,organism_name,length: {col_cpu:.2f} s CPU over bare rows, "
         f"{col_cpu / a.ids * 1e6:.1f} us a row"),
        (f"ingest <= 2x {unz} -dc", with_f - without <= 2 * dec,
         f"FASTA part {with_f - without:.2f} s ({with_f:.2f} - {without:.2f}), "
         f"{unz} -dc {dec:.2f} s: {(with_f - without) / dec:.1f}x; CPU {with_c - without_c:.2f} s "
         f"vs {dec_c:.2f} s: {(with_c - without_c) / dec_c:.1f}x, so 2x needs at least "
         f"{(with_c - without_c) / (2 * dec_c):.1f} cores"),
    ]
    lines = [f"{'PASS' if ok else 'MISS'}  {what}: {fig}" for what, ok, fig in rows]
    print("\n".join(lines))
    if a.md:
        sec = ["## FASTA retrieval against samtools faidx (issue 15; separate run of `bench/fasta_bench.py`)", "",
               f"`bench/fasta_bench.py --lines {a.lines}`: {len(names):,} FASTA records "
               f"({len(raw):,} bytes) from idmap-genrelease --fasta; {os.cpu_count()} cores "
               f"({platform.machine()}), shared. samtools faidx reads a bgzip copy with .fai/.gzi; "
               f"it gets full `sp|ACC|NAME` names (mapped outside the timing), idmap bare "
               f"accessions. Medians: 21 warm runs for one id, {a.runs} alternating runs for "
               f"{a.ids:,}. Ingest: `idmap build` of the release with minus without its FASTA "
               f"files against `{unz} -dc` of those files: best wall time and median CPU time of 3.", "",
               f"Command: `IDMAP_BENCH_FASTA=1 bench/run.sh`, or `bench/fasta_bench.py --bin "
               f"build --lines {a.lines} --md docs/BENCHMARKS.md`.", "", "```"] + lines + ["```", ""]
        write_section(a.md, sec)

if __name__ == "__main__":
    main()
