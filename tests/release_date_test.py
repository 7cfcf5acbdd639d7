#!/usr/bin/env python3
"""X-UniProt-Release-Date is the release's date in UniProt's form.

UniProt's REST services send `X-UniProt-Release-Date` from their service-info.json
(`"releaseDate": "20-Apr-2021"`, uniprot-rest-api common-rest ServiceInfoConfig and
HttpCommonHeaderConfig). `idmap serve` sends the date the index read from its inputs: the
"Release:" line of sec_ac.txt / delac_sp.txt, or reldate.txt given as a build input; an index
that does not know the date sends no date at all, never the build date. Prints one line per
check and `N passed, N failed`; exits 1 on a failure.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import urllib.request

RELDATE = ("UniProt Knowledgebase Release 2026_02 consists of:\n"
           "UniProtKB/Swiss-Prot Release 2026_02 of 25-Mar-2026\n"
           "UniProtKB/TrEMBL Release 2026_02 of 25-Mar-2026\n")


def headers_of(idmap, index, workdir):
    """The response headers of /configure/idmapping/fields from `idmap serve -i index`."""
    jobs = os.path.join(workdir, os.path.basename(index) + ".jobs")
    proc = subprocess.Popen([idmap, "serve", "-i", index, "--listen", "127.0.0.1:0",
                             "--jobs-dir", jobs, "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        line = proc.stderr.readline().decode()
        m = re.search(r"listening on (http://[^/]+)/", line)
        if not m:
            raise RuntimeError(f"server did not start: {line!r}")
        with urllib.request.urlopen(m.group(1) + "/configure/idmapping/fields",
                                    timeout=30) as r:
            return dict(r.headers.items())
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    reldate = os.path.join(a.workdir, "reldate.txt")
    with open(reldate, "w") as f:
        f.write(RELDATE)
    dat = os.path.join(a.sample, "idmapping.dat")
    history = [os.path.join(a.sample, n) for n in ("sec_ac.txt", "delac_sp.txt")]
    # index name -> (inputs, X-UniProt-Release, X-UniProt-Release-Date or None)
    cases = {
        "history.idx": ([dat] + history, "2026_01", "28-Jan-2026"),
        "reldate.idx": ([dat, reldate], "2026_02", "25-Mar-2026"),
        "undated.idx": ([dat], "unknown", None),
    }
    passed = failed = 0

    def check(name, cond, detail):
        nonlocal passed, failed
        passed += bool(cond)
        failed += not cond
        print(("ok - " if cond else "not ok - ") + name + ("" if cond else f": {detail}"))

    for name, (inputs, release, date) in cases.items():
        index = os.path.join(a.workdir, name)
        b = subprocess.run([a.idmap, "build", "--quiet", "-o", index] + inputs,
                           capture_output=True, text=True)
        if b.returncode != 0:
            check(f"{name}: build", False, b.stderr)
            continue
        h = headers_of(a.idmap, index, a.workdir)
        check(f"{name}: X-UniProt-Release {release}", h.get("X-UniProt-Release") == release, h)
        check(f"{name}: X-UniProt-Release-Date {date}",
              h.get("X-UniProt-Release-Date") == date, h)
        info = subprocess.run([a.idmap, "info", "-i", index], capture_output=True,
                              text=True).stdout
        want = f"release_date  {date}" if date else None
        got = next((ln.rstrip() for ln in info.splitlines()
                    if ln.startswith("release_date")), None)
        check(f"{name}: idmap info release_date", got == want, got)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
