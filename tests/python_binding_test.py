#!/usr/bin/env python3
"""The Python binding (python/idmap) against the CLI's answers, on the bundled sample and on a
generated release: map() rows and failed ids, lookup()/reverse() raw pairs, iteration, info(),
errors with the library's messages, threads, and ctypes layouts equal to the C compiler's.

  python_binding_test.py --idmap IDMAP --genrelease GEN --sample DIR --workdir DIR [--layout BIN]

The binding is imported as installed, or from PYTHONPATH; libidmap from IDMAP_LIBRARY or the
dynamic linker's paths."""
import argparse
import ctypes
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import threading
import unittest

import idmap
from idmap import _lib

ARGS = None
SAMPLE_IDX = None


def cli(*args, check=True, stdin=None):
    p = subprocess.run([ARGS.idmap, *args], input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError("idmap %s: exit %d: %s" % (args, p.returncode, p.stderr))
    return p


def build(path, release_dir, names):
    cli("build", "--quiet", "-o", path, *[os.path.join(release_dir, n) for n in names])


def cli_map(index, ids, options):
    """The CLI's rows (From, To[, Via]; deleted ids' rows with an empty To left out, as
    they are no result) and its failed ids."""
    unmapped = os.path.join(ARGS.workdir, "unmapped.txt")
    p = cli("map", "-i", index, "--unmapped", unmapped, *options, stdin="\n".join(ids))
    lines = p.stdout.splitlines()
    head = lines[0].split("\t")
    cols = [head.index(c) for c in ("From", "To", "Via") if c in head]
    rows = [tuple(f[c] for c in cols) for f in (line.split("\t") for line in lines[1:])]
    with open(unmapped) as f:
        failed = f.read().split()
    return [r for r in rows if r[1]], failed


# (CLI options, map() keyword arguments)
REQUESTS = [
    ([], {}),
    (["--to", "UniRef90"], {"to": "UniRef90"}),
    (["--to", "GeneID"], {"to": "GeneID"}),
    (["--from", "GI", "--to", "UniProtKB"], {"from_": "GI"}),
    (["--from", "Gene_Name", "--taxon", "10090"], {"from_": "Gene_Name", "taxon": 10090}),
    (["--from", "Gene_Name"], {"from_": "Gene_Name"}),
    (["--to", "UniProtKB-Swiss-Prot"], {"to": "UniProtKB-Swiss-Prot"}),
    (["--to", "UniParc", "--include-isoforms"], {"to": "UniParc", "include_isoforms": True}),
    (["--from", "Ensembl_Transcript", "--canonical"],
     {"from_": "Ensembl_Transcript", "canonical": True}),
    (["--from", "GO", "--allow-one-to-many"], {"from_": "GO", "allow_one_to_many": True}),
    (["--from", "Ensembl", "--to", "PDB", "--via", "UniProtKB"],
     {"from_": "Ensembl", "to": "PDB", "via": "UniProtKB"}),
]


def values_of(path, types):
    """Every value of idmapping.dat of the given ID_types, with its type."""
    out = []
    with open(path) as f:
        for line in f:
            acc, t, v = line.rstrip("\n").split("\t")
            if t in types:
                out.append((t, v, acc))
    return out


class Sample(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ix = idmap.Index(SAMPLE_IDX)
        with open(os.path.join(ARGS.sample, "idmapping.dat")) as f:
            cls.dat = [line.rstrip("\n").split("\t") for line in f]

    @classmethod
    def tearDownClass(cls):
        cls.ix.close()

    def ids_for(self, options):
        """Ids of the request's source: the sample's values of that type, plus obsolete,
        malformed and duplicate ids."""
        source = options[options.index("--from") + 1] if "--from" in options else None
        file_type = {"GI": "GI", "Gene_Name": "Gene_Name", "Ensembl_Transcript": "Ensembl_TRS",
                     "Ensembl": "Ensembl"}.get(source)
        if source == "GO":  # GO ids are in idmapping_selected.tab only
            ids = ["GO:0019904", "GO:0005737", "GO:0005829", "GO:0045744", "go:0005737"]
        elif file_type:
            ids = [v for _, t, v in self.dat if t == file_type]
            ids += [i.lower() for i in ids[:3]] + [i.split(".")[0] for i in ids[:3]]
        else:
            ids = sorted({a for a, _, _ in self.dat}) + ["B4DJ71", "Q9UBL9", "A0A087WTH5",
                                                          "a4_human", "P00750[39-81]"]
        return ids + ["nope", "P00750-0", ids[0]]

    def test_map_equals_cli(self):
        for options, kwargs in REQUESTS:
            with self.subTest(options=options):
                ids = self.ids_for(options)
                rows, failed = cli_map(SAMPLE_IDX, ids, options)
                got = self.ix.map(ids, **kwargs)
                self.assertTrue(rows or "--via" in options)
                self.assertEqual(list(got), rows)
                self.assertEqual(got.failed, failed)

    def test_map_details(self):
        r = self.ix.map("P31946 P62258,P31946 B4DJ71 A0A087WTH5 A0A024R161 nope")
        self.assertEqual(r.obsolete, {"B4DJ71": "secondary", "A0A087WTH5": "deleted"})
        self.assertEqual(r.stats["duplicates"], 1)
        self.assertEqual(r.failed, ["nope"])
        r = self.ix.map(["P31946", "A0A024R161"], to="UniProtKB-Swiss-Prot")
        self.assertEqual(r.suggested, [("A0A024R161", "A0A024R161")])
        r = self.ix.map(["ywhaq"], from_="Gene_Name")
        self.assertEqual([c for c, _ in r.warnings], [60])

    def test_uniparc_suggestions(self):
        """UPIs of RefSeq ids without entry (the sample's UniParc XML part), as the CLI's
        --suggested FILE; inactive cross-references with include_inactive, marked."""
        index = os.path.join(ARGS.workdir, "uniparc.idx")
        build(index, ARGS.sample, ["idmapping.dat", "uniparc_p1.xml"])
        ids = ["NP_003395.1", "XP_054207398.1", "XP_016856103", "nope"]
        with idmap.Index(index) as ix:
            for inactive in (False, True):
                path = os.path.join(ARGS.workdir, "suggested.tsv")
                cli("map", "-i", index, "--from", "RefSeq_Protein", "--suggested", path,
                    *(["--include-inactive"] if inactive else []), stdin="\n".join(ids))
                with open(path) as f:
                    want = [tuple(line.split("\t")) for line in f.read().splitlines()[1:]]
                want = [w[:2] + ((w[2] == "Y"),) if inactive else w for w in want]
                r = ix.map(ids, from_="RefSeq_Protein", include_inactive=inactive)
                self.assertEqual(r.suggested, want)
                self.assertEqual(r.failed, ["nope"])
                self.assertEqual(r.columns[-1] == "active", inactive)
            self.assertIn(("XP_016856103", "UPI0027C4D5E1", False), r.suggested)

    def test_request_errors_carry_uniprot_messages(self):
        for options, kwargs in [(["--from", "Ensmbl"], {"from_": "Ensmbl"}),
                                (["--from", "Ensembl", "--to", "PDB"],
                                 {"from_": "Ensembl", "to": "PDB"}),
                                (["--from", "GO"], {"from_": "GO"})]:
            p = cli("map", "-i", SAMPLE_IDX, *options, "x", check=False)
            self.assertEqual(p.returncode, 2)
            message, hint = [line[len("idmap: "):] for line in p.stderr.splitlines()[:2]]
            with self.assertRaises(idmap.RequestError) as e:
                self.ix.map(["x"], **kwargs)
            self.assertEqual((str(e.exception), e.exception.hint), (message, hint))
            self.assertIsInstance(e.exception, ValueError)

    def test_lookup_equals_cli_forward(self):
        # raw pairs of an accession = the CLI's forward answer for that target
        accs = sorted({a for a, _, _ in self.dat if "-" not in a})
        for ftype, target in [("GeneID", "GeneID"), ("PDB", "PDB"), ("EMBL", "EMBL-GenBank-DDBJ"),
                              ("UniRef90", "UniRef90"), ("RefSeq", "RefSeq_Protein")]:
            rows, _ = cli_map(SAMPLE_IDX, accs, ["--to", target])
            want = {}
            for f, t in rows:
                want.setdefault(f, set()).add(t)
            got = {a: set(self.ix.lookup(a, type=ftype).get(ftype, [])) for a in accs}
            self.assertEqual({a: v for a, v in got.items() if v}, want, target)
        self.assertEqual(self.ix.lookup("P31946")["GeneID"], ["7529"])
        self.assertNotIn("#isoform-of", self.ix.lookup("P31946-2"))
        with self.assertRaises(KeyError):
            self.ix.lookup("Q00000")
        with self.assertRaises(KeyError):
            self.ix.lookup("P31946", type="NoSuchType")

    def test_reverse_equals_cli(self):
        for ftype, source in [("GeneID", "GeneID"), ("PDB", "PDB")]:
            values = sorted({v for _, t, v in self.dat if t == ftype})
            rows, _ = cli_map(SAMPLE_IDX, values, ["--from", source])
            for v in values:
                self.assertEqual(sorted(self.ix.reverse(ftype, v)),
                                 sorted(t for f, t in rows if f == v), v)
        with self.assertRaises(KeyError):
            self.ix.reverse("GeneID", "0")

    def test_iteration(self):
        accs = list(self.ix)
        self.assertEqual(len(accs), len(self.ix))
        self.assertEqual(len(set(accs)), len(accs))
        self.assertTrue({a for a, _, _ in self.dat} <= set(accs))
        self.assertTrue(all(a in self.ix for a in accs))
        self.assertNotIn("Q00000", self.ix)

    def test_info_equals_cli(self):
        info = self.ix.info()
        text = cli("info", "-i", SAMPLE_IDX).stdout.splitlines()
        fields = dict(line.split(None, 1) for line in text if line and not line[0].isspace()
                      and len(line.split(None, 1)) == 2)
        for key in ("release", "build_date", "tool_version", "lines", "pairs"):
            self.assertEqual(info[key], fields[key].strip(), key)
        self.assertEqual(info["accessions"], int(fields["accessions"]))
        self.assertEqual(info["keys"], int(fields["keys"]))
        self.assertEqual(len(info["input"]), 4)
        start = next(i for i, line in enumerate(text) if line.startswith("ID type"))
        for line in text[start + 1:]:
            if not line.strip():
                break
            name, pairs, keys = line.split()
            self.assertEqual(info["types"][name], {"pairs": int(pairs), "keys": int(keys)})
        self.assertIn("KEY_POOL", [s["name"] for s in info["sections"]])

    def test_databases_equal_cli(self):
        names = [line.split("\t")[0] for line in
                 cli("databases", "-i", SAMPLE_IDX).stdout.splitlines()[1:]]
        self.assertEqual([d["name"] for d in self.ix.databases()], names)

    def test_threads_share_one_index(self):
        ids = sorted({a for a, _, _ in self.dat})
        want = self.ix.map(ids, to="UniRef90")
        got = [None] * 4

        def work(i):
            got[i] = self.ix.map(ids, to="UniRef90", threads=2)
        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(got, [want] * 4)

    def test_frame(self):
        r = self.ix.map(["P31946", "P62258"], to="GeneID")
        if importlib.util.find_spec("pandas") is None:
            with self.assertRaises(ImportError):
                r.to_frame()
            return
        frame = self.ix.map(["P31946", "P62258"], to="GeneID", as_frame=True)
        self.assertEqual(list(frame.columns), ["from", "to"])
        self.assertEqual([tuple(x) for x in frame.itertuples(index=False)], list(r))


class Errors(unittest.TestCase):
    def test_open_errors(self):
        with self.assertRaises(idmap.IdmapError) as e:
            idmap.Index(os.path.join(ARGS.workdir, "missing.idx"))
        self.assertEqual((e.exception.status, e.exception.errno), (_lib.ERR_IO, 2))
        self.assertIn("No such file or directory", str(e.exception))
        junk = os.path.join(ARGS.workdir, "junk.idx")
        with open(junk, "wb") as f:
            f.write(b"not an index" * 100)
        with self.assertRaises(idmap.IdmapError) as e:
            idmap.Index(junk)
        self.assertEqual(e.exception.status, _lib.ERR_NOT_INDEX)
        want = cli("info", "-i", junk, check=False).stderr.strip()
        self.assertEqual("idmap: " + str(e.exception), want)

    def test_verify(self):
        idmap.Index(SAMPLE_IDX).verify(full=True)
        bad = os.path.join(ARGS.workdir, "bad.idx")
        shutil.copy(SAMPLE_IDX, bad)
        with open(bad, "r+b") as f:
            f.seek(5000)
            byte = f.read(1)
            f.seek(5000)
            f.write(bytes([byte[0] ^ 0xFF]))
        p = cli("verify", "-i", bad, check=False)
        self.assertEqual(p.returncode, 1)
        with idmap.Index(bad) as ix, self.assertRaises(idmap.IdmapError) as e:
            ix.verify()
        self.assertEqual(e.exception.status, _lib.ERR_CORRUPT)
        detail = str(e.exception).split(": ", 1)[1]
        self.assertTrue(p.stderr.strip().endswith(detail), (p.stderr, detail))

    def test_closed(self):
        ix = idmap.Index(SAMPLE_IDX)
        ix.close()
        ix.close()
        with self.assertRaises(ValueError):
            len(ix)


class Generated(unittest.TestCase):
    """A synthetic release of 20,000 lines: random ids, both directions, against the CLI."""

    def test_generated_release(self):
        rel = os.path.join(ARGS.workdir, "release")
        subprocess.run([ARGS.genrelease, "--lines", "20000", "--seed", "11", "--out", rel],
                       check=True, capture_output=True)
        index = os.path.join(ARGS.workdir, "gen.idx")
        build(index, rel, ["idmapping.dat", "idmapping_selected.tab", "sec_ac.txt",
                           "delac_sp.txt"])
        rnd = random.Random(5)
        dat = values_of(os.path.join(rel, "idmapping.dat"),
                        {"GeneID", "RefSeq", "EMBL", "Gene_Name", "UniProtKB-ID"})
        accs = sorted({a for _, _, a in dat})
        with open(os.path.join(rel, "sec_ac.txt")) as f:
            secondary = [line.split()[0] for line in f if line[:1].isalnum()
                         and len(line.split()) == 2][-20:]
        with idmap.Index(index) as ix:
            ids = rnd.sample(accs, 300) + secondary + ["nope"]
            for target in ("UniProtKB", "UniRef90", "GeneID", "EMBL-GenBank-DDBJ",
                           "RefSeq_Protein", "UniProtKB-Swiss-Prot"):
                rows, failed = cli_map(index, ids, ["--to", target])
                got = ix.map(ids, to=target)
                self.assertEqual((list(got), got.failed), (rows, failed), target)
            for ftype, source in (("GeneID", "GeneID"), ("RefSeq", "RefSeq_Protein"),
                                  ("Gene_Name", "Gene_Name"), ("UniProtKB-ID", "UniProtKB_AC-ID")):
                values = [v for t, v, _ in dat if t == ftype]
                ids = rnd.sample(values, min(200, len(values))) + ["nope"]
                rows, failed = cli_map(index, ids, ["--from", source, "--to", "UniProtKB"])
                got = ix.map(ids, from_=source)
                self.assertEqual((list(got), got.failed), (rows, failed), source)
            self.assertEqual(len(list(ix)), ix.info()["accessions"])


class Package(unittest.TestCase):
    def test_version(self):
        self.assertEqual(idmap.version(), idmap.__version__)
        self.assertEqual("idmap " + idmap.version(), cli("--version").stdout.strip())

    def test_missing_library_is_named(self):
        env = dict(os.environ, IDMAP_LIBRARY=os.path.join(ARGS.workdir, "none.so"))
        p = subprocess.run([sys.executable, "-c", "import idmap"], env=env,
                           capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ImportError: idmap: cannot load " + env["IDMAP_LIBRARY"], p.stderr)

    def test_layout_equals_c(self):
        if not ARGS.layout:
            self.skipTest("no --layout program")
        c = dict(line.rsplit(" ", 1) for line in subprocess.run(
            [ARGS.layout], check=True, capture_output=True, text=True).stdout.splitlines())
        for cls, name in _lib.STRUCTS.items():
            self.assertEqual(ctypes.sizeof(cls), int(c[name]), name)
            for field, _ in cls._fields_:
                self.assertEqual(getattr(cls, field).offset,
                                 int(c["%s.%s" % (name, field.rstrip("_"))]), (name, field))
        for it in ("idmap_fwd_iter", "idmap_rev_iter"):
            self.assertLessEqual(int(c[it]), ctypes.sizeof(_lib.Iter), it)


def main():
    global ARGS, SAMPLE_IDX
    ap = argparse.ArgumentParser()
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--layout")
    ARGS, rest = ap.parse_known_args()
    shutil.rmtree(ARGS.workdir, ignore_errors=True)
    os.makedirs(ARGS.workdir)
    SAMPLE_IDX = os.path.join(ARGS.workdir, "sample.idx")
    build(SAMPLE_IDX, ARGS.sample, ["idmapping.dat", "idmapping_selected.tab", "sec_ac.txt",
                                    "delac_sp.txt"])
    print("idmap binding %s from %s, libidmap %s" % (idmap.__version__, idmap.__file__,
                                                     idmap.version()))
    prog = unittest.main(argv=[sys.argv[0], "-v"] + rest, exit=False)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
