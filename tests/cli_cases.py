#!/usr/bin/env python3
"""CLI cases of `idmap map` and `idmap info` against an index of the sample release.

Builds an index from the sample release (`idmap build -o X DIR/*`, READMEs left out), then
runs a table of commands, each with its expected exit code and fragments (or the exact text)
of its stdout, stderr and written files. Expectations that depend on the data are read from
the sample files. Prints `N passed, N failed`; exits 1 when a case failed.
"""
import argparse
import glob
import gzip
import os
import shutil
import subprocess
import sys


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            yield line.rstrip("\n")


def sample_file(sample, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(sample, name)
        if os.path.exists(path):
            return path
    return None


def load_dat(sample):
    """(accession, type, value) triples of idmapping.dat."""
    path = sample_file(sample, "idmapping.dat")
    rows = []
    if path:
        for line in read_lines(path):
            parts = line.split("\t")
            if len(parts) == 3:
                rows.append(tuple(parts))
    return rows


def load_sec_ac(sample):
    path = sample_file(sample, "sec_ac.txt")
    pairs = []
    if not path:
        return pairs
    started = False
    for line in read_lines(path):
        if line.startswith("____"):
            started = True
            continue
        parts = line.split()
        if started and len(parts) == 2 and parts[0][:1].isalnum() and parts[1][:1].isalnum():
            pairs.append((parts[0], parts[1]))
    return pairs


def load_delac(sample):
    """Deleted accessions of delac_sp.txt: the lines after the underscores, up to the footer."""
    path = sample_file(sample, "delac_sp.txt")
    out, started = [], False
    for line in read_lines(path) if path else []:
        if line.startswith("____"):
            started = True
        elif started and line.strip().isalnum():
            out.append(line.strip())
        elif started and line.startswith("---"):
            break
    return out


def two_column_cases(m, sample, accs):
    """The plain TSV is From<TAB>To whatever the inputs (UniProt's plain TSV
    is always From/To: uniprot-rest-api pir-id-mapping-return-fields.json). Obsolete inputs
    (secondary, deleted) are present on every target; a two-column parser reads the output."""
    sec = [s for s, p in load_sec_ac(sample) if p in accs and s not in accs][:2]
    ids = ["P31946", "nope"] + sec + load_delac(sample)[:2]
    targets = ["UniProtKB", "UniProtKB-Swiss-Prot", "GeneID", "UniRef90", "UniParc",
               "RefSeq_Protein", "Gene_Name"]
    return [("two-column tsv to " + t, m + ["--to", t] + ids,
             dict(code=0, two_columns=True, err=["obsolete"])) for t in targets]


def review_cases(sample, workdir, dat):
    """The review status is never guessed. The reviewed flag is the entry
    name (UniProtKB-ID); an index without names refuses the Swiss-Prot target, an entry
    without a name is left out with warning 63, never called unreviewed (the old answer for
    P31946 was 'only unreviewed (TrEMBL) entries'). Builds two indexes from idmapping.dat
    alone: without any UniProtKB-ID row, and without P31946's."""
    cases = []
    for name, keep in (("no-names", lambda a, t: t != "UniProtKB-ID"),
                       ("some-names", lambda a, t: (a, t) != ("P31946", "UniProtKB-ID"))):
        path = os.path.join(workdir, name + ".dat")
        with open(path, "w") as f:
            f.writelines("%s\t%s\t%s\n" % r for r in dat if keep(r[0], r[1]))
        idx = os.path.join(workdir, name + ".idx")
        cases.append(("build " + name, ["build", "--quiet", "-o", idx, path], dict(code=0)))
        m = ["map", "-i", idx, "--to", "UniProtKB-Swiss-Prot"]
        if name == "no-names":
            cases += [
                ("%s: Swiss-Prot refused" % name, m + ["--from", "GeneID", "7529"],
                 dict(code=2, exact="", err=["has no entry names (UniProtKB-ID), so it "
                                             "cannot tell reviewed entries"])),
                ("%s: info says so" % name, ["info", "-i", idx],
                 dict(code=0, out=["reviewed flag none: no entry names"]))]
        else:
            cases += [
                ("%s: no name, no guess" % name, m + ["--format", "json", "P31946", "P62258"],
                 dict(code=0, out=['{"results":[{"from":"P62258","to":"P62258"}],'
                                   '"failedIds":["P31946"],"warnings":[{"code":63,'],
                      err=["P31946 (review status unknown (no entry name in the index))"])),
                ("%s: reviewed column empty" % name,
                 ["map", "-i", idx, "--fields", "accession,reviewed", "P31946", "P62258"],
                 dict(code=0, exact="From\tEntry\tReviewed\nP31946\tP31946\t\n"
                                    "P62258\tP62258\treviewed\n")),
                ("%s: info says where the flag comes from" % name, ["info", "-i", idx],
                 dict(code=0, out=["reviewed flag from entry names (UniProtKB-ID rows"]))]
    return cases


def trembl_deleted_cases(sample, workdir):
    """Accessions deleted from TrEMBL (delac_tr.txt) and from Swiss-Prot
    (delac_sp.txt) are told apart in the index and in the answers; only Swiss-Prot's carry
    uniprot-core's DeletedReason SWISSPROT_DELETION ("Deleted from Swiss-Prot")."""
    tr = os.path.join(workdir, "delac_tr.txt")
    with open(tr, "w") as f:
        f.write("Description: Accession numbers deleted from UniProtKB/TrEMBL\n"
                "Name:        delac_tr.txt\n\nAccession number\n________________\n"
                "A0A0A0MRZ7\n")
    idx = os.path.join(workdir, "tr.idx")
    inputs = [sample_file(sample, n) for n in ("idmapping.dat", "delac_sp.txt")] + [tr]
    m = ["map", "-i", idx]
    return [
        ("build with delac_tr", ["build", "--quiet", "-o", idx] + inputs, dict(code=0)),
        ("deleted from TrEMBL or Swiss-Prot", m + ["--to", "GeneID", "--fields",
                                                    "from,to,obsolete", "A0A0A0MRZ7",
                                                    "A0A087WTH5"],
         dict(code=0, exact="From\tTo\tObsolete\nA0A0A0MRZ7\t\tdeleted from TrEMBL\n"
                            "A0A087WTH5\t\tdeleted from Swiss-Prot\n",
              err=["A0A0A0MRZ7 deleted from TrEMBL", "A0A087WTH5 deleted from Swiss-Prot"])),
        ("inactive entry of a TrEMBL deletion", m + ["--fields", "accession", "--format", "json",
                                                      "A0A0A0MRZ7"],
         dict(code=0, out=['"to":{"entryType":"Inactive","primaryAccession":"A0A0A0MRZ7",'
                           '"inactiveReason":{"inactiveReasonType":"DELETED"}}}]'])),
        ("deleted sections in info", ["info", "-i", idx],
         dict(code=0, out=["deleted, Swiss-Prot", "deleted, TrEMBL "])),
    ]


def build_cases(idx, sample, workdir):
    """The table: (name, argv, options) with options code/out/err/exact/stdin/env/files."""
    dat = load_dat(sample)
    accs = {a for a, _, _ in dat}
    # KEGG values come from idmapping.dat alone: their count and bytes, as info --sizes says.
    kegg = {v for _, t, v in dat if t == "KEGG"}
    kegg_sizes = "%-24s %15d %15d " % ("KEGG", len(kegg), sum(len(v.encode()) for v in kegg))
    entry = {}
    for a, t, v in dat:
        if t == "UniProtKB-ID":
            entry.setdefault(v, set()).add(a)
    gi_of = sorted({v for a, t, v in dat if a == "P31946" and t == "GI"})
    unmapped_file = os.path.join(workdir, "unmapped.txt")
    notidx = sample_file(sample, "idmapping.dat") or os.path.join(workdir, "not-an-index")
    old_idx = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "inputs",
                           "old-merops-alias.idx")  # format version 2
    if not os.path.exists(notidx):
        with open(notidx, "w") as f:
            f.write("hello\n")
    env_only = dict(os.environ, IDMAP_INDEX=idx)
    no_env = {k: v for k, v in os.environ.items() if k != "IDMAP_INDEX"}
    m = ["map", "-i", idx]

    cases = [
        ("demo mapping", m + ["P31946", "P62258", "ALBU_HUMAN"],
         dict(code=0, exact="From\tTo\nP31946\tP31946\nP62258\tP62258\nALBU_HUMAN\tP02768\n")),
        ("duplicates mapped once", m + ["P31946", "p31946", "P31946"],
         dict(code=0, exact="From\tTo\nP31946\tP31946\np31946\tP31946\n")),
        ("commas and stdin", m, dict(code=0, stdin="P31946,P62258\n  ALBU_HUMAN\n",
                                     exact="From\tTo\nP31946\tP31946\nP62258\tP62258\n"
                                           "ALBU_HUMAN\tP02768\n")),
        ("list format", m + ["--format", "list", "P31946", "ALBU_HUMAN", "P62258", "P31946"],
         dict(code=0, exact="P31946\nP02768\nP62258\n")),
        # as a target UniProtKB-ID gives entry names, as every file type name
        # gives its values; UniProtKB stays the accession target; as a source it is
        # UniProtKB_AC-ID
        ("to UniProtKB-ID gives entry names", m + ["--to", "UniProtKB-ID", "P02768",
                                                   "A0A024R161"],
         dict(code=0, exact="From\tTo\nP02768\tALBU_HUMAN\nA0A024R161\tA0A024R161_HUMAN\n")),
        ("to UniProtKB gives accessions", m + ["--to", "UniProtKB", "ALBU_HUMAN"],
         dict(code=0, exact="From\tTo\nALBU_HUMAN\tP02768\n")),
        ("from UniProtKB-ID is UniProtKB_AC-ID", m + ["--from", "UniProtKB-ID", "P02768"],
         dict(code=0, exact="From\tTo\nP02768\tP02768\n")),
        ("entry name column", m + ["--fields", "accession,id", "P02768"],
         dict(code=0, exact="From\tEntry\tEntry Name\nP02768\tP02768\tALBU_HUMAN\n")),
        ("names case-insensitive", m + ["--from", "uniprotkb-id", "--to", "uniprotkb",
                                        "--fields", "ID", "ALBU_HUMAN"],
         dict(code=0, exact="From\tEntry Name\nALBU_HUMAN\tALBU_HUMAN\n")),
        ("REST and file names", m + ["--from", "gi_number", "--to", "uniprotkb", "4507949"],
         dict(code=0, exact="From\tTo\n4507949\tP31946\n")),
        ("unmapped file", m + ["--unmapped", unmapped_file, "P31946", "NOPE_1", "nope,P62258",
                               "NOPE_1"],
         dict(code=0, out=["P31946\tP31946\n", "P62258\tP62258\n"],
              err=["idmap: mapped 2 of 4 ids; 2 not mapped"],
              files={unmapped_file: "NOPE_1\nnope\n"})),
        ("all mapped: no summary", m + ["P31946"], dict(code=0, err_exact="")),
        ("IDMAP_INDEX", ["map", "P31946"], dict(code=0, env=env_only, out=["P31946\tP31946"])),
        ("info", ["info", "-i", idx],
         dict(code=0, out=["release", "accessions", "keys", "UniProtKB-ID", "META", "TYPES",
                           "KEY_POOL"])),
        ("info with IDMAP_INDEX", ["info"], dict(code=0, env=env_only, out=["accessions"])),
        ("info --sizes: value bytes of a type", ["info", "-i", idx, "--sizes"],
         dict(code=0, out=[kegg_sizes, "KEY_POOL"])),
        ("help", ["--help"], dict(code=0, out=["map", "info", "build"])),
        ("map help", ["map", "--help"], dict(code=0, out=["--from", "--unmapped", "--taxon",
                                                          "--via", "--fields", "--threads"])),
        ("databases", ["databases", "-i", idx],
         dict(code=0, out=["Name\tFile type\tFrom\tTo\tRule\tIds\tNote\n",
                           "EMBL-GenBank-DDBJ\tEMBL\tyes\tyes\t7\t"])),
        ("version", ["--version"], dict(code=0, out=["idmap "])),
        # usage errors
        ("no command", [], dict(code=2, err=["usage"])),
        ("unknown command", ["frobnicate"], dict(code=2, err=["unknown command"])),
        ("no index", ["map", "P31946"], dict(code=2, env=no_env, err=["IDMAP_INDEX"])),
        ("bad format", m + ["--format", "xml", "P31946"], dict(code=2, err=["--format"])),
        ("unknown option", m + ["--bogus", "P31946"], dict(code=2, err=["--bogus"])),
        ("threads zero", m + ["--threads", "0", "P31946"], dict(code=2, err=["--threads"])),
        ("threads not a number", m + ["--threads", "2x", "P31946"],
         dict(code=2, err=["--threads"])),
        ("threads given", m + ["--threads", "3", "P31946"],
         dict(code=0, out=["P31946\tP31946\n"])),
        ("missing value", m + ["--to"], dict(code=2, err=["needs a value"])),
        ("unknown from", m + ["--from", "NoSuchDB", "x"],
         dict(code=2, err=["The parameter 'from' has an invalid value 'NoSuchDB'.\n"])),
        ("unknown to", m + ["--to", "NoSuchDB", "x"],
         dict(code=2, err=["The parameter 'to' has an invalid value 'NoSuchDB'.\n"])),
        ("internal type refused", m + ["--from", "#secondary", "x"],
         dict(code=2, err=["The parameter 'from' has an invalid value '#secondary'."])),
        ("pair outside the rules", m + ["--from", "Ensembl", "--to", "PDB", "x"],
         dict(code=2, err=["The combination of 'from=Ensembl' and 'to=PDB' parameters is "
                           "invalid\n", "--via UniProtKB"])),
        ("info extra argument", ["info", "-i", idx, "extra"], dict(code=2, err=["extra"])),
        # data errors
        ("missing index", ["map", "-i", os.path.join(workdir, "missing.idx"), "P31946"],
         dict(code=1, err=["missing.idx: No such file or directory"])),
        ("not an index", ["map", "-i", notidx, "P31946"],
         dict(code=1, err=[notidx + ": header: not an idmap index (bad magic)"])),
        ("info of not an index", ["info", "-i", notidx], dict(code=1, err=["not an idmap index"])),
        ("old format version", ["map", "-i", old_idx, "P00750"],
         dict(code=1, err=[old_idx + ": header: index format version 2 is not supported by "
                           "this idmap (version 6): rebuild the index with `idmap build`"])),
        ("unwritable unmapped file", m + ["--unmapped", "/nonexistent/dir/u.txt", "x"],
         dict(code=1, err=["/nonexistent/dir/u.txt"])),
    ]
    if gi_of:
        rows = "".join("P31946\t%s\n" % v for v in gi_of)
        cases.append(("to GI", m + ["--to", "GI", "P31946"], dict(code=0, out=[rows])))
        cases.append(("from GI to UniProtKB", m + ["--from", "GI", "--to", "UniProtKB", gi_of[0]],
                      dict(code=0, out=["%s\tP31946\n" % gi_of[0]])))
        cases.append(("from GI, unknown value", m + ["--from", "GI", "NOPE"],
                      dict(code=0, exact="From\tTo\n", err=["mapped 0 of 1 ids"])))
    for sec, prim in load_sec_ac(sample):
        if sec not in accs and prim in accs and sec not in entry:
            cases.append(("secondary accession", m + [sec],
                          dict(code=0, exact="From\tTo\n%s\t%s\n" % (sec, prim),
                               err=["%s secondary -> %s" % (sec, prim)])))
            cases.append(("obsolete column on request", m + ["--fields", "from,to,obsolete",
                                                             sec],
                          dict(code=0, exact="From\tTo\tObsolete\n%s\t%s\tsecondary\n"
                               % (sec, prim))))
            break
    cases += two_column_cases(m, sample, accs)
    cases += review_cases(sample, workdir, dat)
    cases += trembl_deleted_cases(sample, workdir)
    return cases


def run_case(idmap, name, argv, opt):
    proc = subprocess.run([idmap] + argv, input=opt.get("stdin", "").encode(),
                          capture_output=True, env=opt.get("env"), timeout=60)
    out = proc.stdout.decode(errors="replace")
    err = proc.stderr.decode(errors="replace")
    problems = []
    if proc.returncode != opt["code"]:
        problems.append("exit %d, expected %d" % (proc.returncode, opt["code"]))
    if "exact" in opt and out != opt["exact"]:
        problems.append("stdout %r, expected %r" % (out, opt["exact"]))
    if opt.get("two_columns"):
        lines = out.split("\n")
        if lines[0] != "From\tTo" or lines[-1] != "" or len(lines) < 3 or \
                any(len(l.split("\t")) != 2 or not all(l.split("\t")) for l in lines[1:-1]):
            problems.append("stdout %r is not From<TAB>To rows" % out)
    for frag in opt.get("out", []):
        if frag not in out:
            problems.append("stdout lacks %r" % frag)
    if "err_exact" in opt and err != opt["err_exact"]:
        problems.append("stderr %r, expected %r" % (err, opt["err_exact"]))
    for frag in opt.get("err", []):
        if frag not in err:
            problems.append("stderr lacks %r" % frag)
    for path, want in opt.get("files", {}).items():
        try:
            with open(path) as f:
                got = f.read()
        except OSError as e:
            got = "<%s>" % e
        if got != want:
            problems.append("%s holds %r, expected %r" % (path, got, want))
    if problems:
        print("FAIL %s: idmap %s" % (name, " ".join(argv)))
        for p in problems:
            print("     " + p)
        if err and not any(p.startswith("stderr") for p in problems):
            print("     stderr: " + err.strip().replace("\n", "\n             "))
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idmap", required=True, help="the idmap binary")
    ap.add_argument("--sample", required=True, help="directory of the sample release")
    ap.add_argument("--workdir", required=True, help="scratch directory (recreated)")
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    idx = os.path.join(a.workdir, "sample.idx")
    # the release files of DIR; a README beside them is not an input
    inputs = sorted(p for p in glob.glob(os.path.join(a.sample, "*"))
                    if os.path.isfile(p) and not p.endswith(".md"))
    build = subprocess.run([a.idmap, "build", "-o", idx] + inputs, capture_output=True)
    if build.returncode != 0 or not os.path.exists(idx):
        sys.stdout.write(build.stderr.decode(errors="replace"))
        print("FAIL build: idmap build -o %s %s (exit %d)" % (idx, " ".join(inputs),
                                                            build.returncode))
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for name, argv, opt in build_cases(idx, a.sample, a.workdir):
        if run_case(a.idmap, name, argv, opt):
            passed += 1
        else:
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
