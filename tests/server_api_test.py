#!/usr/bin/env python3
"""`idmap serve` against real clients: UniProt's documented Python flow (requests), the curl
examples of UniProt's documentation, bad requests, jobs (deterministic ids, chaining,
intersect, restart, expiry, damaged result files) and a load of 100 concurrent 10,000-id jobs.

Expected answers come from `idmap map` on the same index and ids (the same library through
the command line), so the test checks what the server adds: transport, paging, formats,
job storage. Prints one line per check and `N passed, N failed`; exits 1 on a failure.
"""
import argparse
import concurrent.futures
import gzip
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zlib
from urllib.parse import urlencode, urlparse, parse_qs

try:
    import requests
    from requests.adapters import HTTPAdapter, Retry
except ImportError:  # scripts/deps.sh installs python3-requests
    print("server_api_test: python3-requests is missing (apt-get install python3-requests)")
    sys.exit(1)


from checks import Checks  # noqa: E402,F401 (also imported from here by other tests)


class Server:
    """An `idmap serve` process on a free loopback port."""

    def __init__(self, idmap, index, jobs, *extra):
        self.log_path = jobs.rstrip("/") + ".log"
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [idmap, "serve", "-i", index, "--listen", "127.0.0.1:0", "--jobs-dir", jobs,
             "--quiet", *extra], stdout=self.log, stderr=subprocess.PIPE)
        line = self.proc.stderr.readline().decode()
        m = re.search(r"listening on (http://[^/]+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"server did not start: {line!r}")
        self.url = m.group(1)
        # drain stderr so the server never blocks on a full pipe
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stderr:
            self.log.write(line)
            self.log.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def cli_map(idmap, index, frm, to, ids, fmt="tsv", extra=()):
    p = subprocess.run([idmap, "map", "-i", index, "--from", frm, "--to", to, "--format", fmt,
                        *extra], input="\n".join(ids).encode(), capture_output=True)
    return p.stdout.decode()


# ---- UniProt's documented Python client (https://www.uniprot.org/help/id_mapping) ------------
# The functions below follow UniProt's example code; only API_URL points at the local server.

POLLING_INTERVAL = 0.2


def make_session():
    retries = Retry(total=5, backoff_factor=0.25, status_forcelist=[500, 502, 503, 504])
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retries))
    return session


class UniProtClient:
    def __init__(self, api_url):
        self.API_URL = api_url
        self.session = make_session()

    def check_response(self, response):
        response.raise_for_status()

    def submit_id_mapping(self, from_db, to_db, ids):
        request = requests.post(f"{self.API_URL}/idmapping/run",
                                data={"from": from_db, "to": to_db, "ids": ",".join(ids)})
        self.check_response(request)
        return request.json()["jobId"]

    def get_next_link(self, headers):
        re_next_link = re.compile(r'<(.+)>; rel="next"')
        if "Link" in headers:
            match = re_next_link.match(headers["Link"])
            if match:
                return match.group(1)

    def check_id_mapping_results_ready(self, job_id):
        while True:
            request = self.session.get(f"{self.API_URL}/idmapping/status/{job_id}")
            self.check_response(request)
            j = request.json()
            if "jobStatus" in j:
                if j["jobStatus"] in ("NEW", "RUNNING"):
                    time.sleep(POLLING_INTERVAL)
                else:
                    raise Exception(j["jobStatus"])
            else:
                return bool(j["results"] or j["failedIds"])

    def get_batch(self, batch_response, file_format, compressed):
        batch_url = self.get_next_link(batch_response.headers)
        while batch_url:
            batch_response = self.session.get(batch_url)
            batch_response.raise_for_status()
            yield self.decode_results(batch_response, file_format, compressed)
            batch_url = self.get_next_link(batch_response.headers)

    def combine_batches(self, all_results, batch_results, file_format):
        if file_format == "json":
            for key in ("results", "failedIds"):
                if key in batch_results and batch_results[key]:
                    all_results[key] += batch_results[key]
        elif file_format == "tsv":
            return all_results + batch_results[1:]
        else:
            return all_results + batch_results
        return all_results

    def get_id_mapping_results_link(self, job_id):
        url = f"{self.API_URL}/idmapping/details/{job_id}"
        request = self.session.get(url)
        self.check_response(request)
        return request.json()["redirectURL"]

    def decode_results(self, response, file_format, compressed):
        if compressed:
            decompressed = zlib.decompress(response.content, 16 + zlib.MAX_WBITS)
            if file_format == "json":
                return json.loads(decompressed.decode("utf-8"))
            elif file_format == "tsv":
                return [line for line in decompressed.decode("utf-8").split("\n") if line]
            return decompressed.decode("utf-8")
        elif file_format == "json":
            return response.json()
        elif file_format == "tsv":
            return [line for line in response.text.split("\n") if line]
        return response.text

    def get_id_mapping_results_search(self, url):
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        file_format = query["format"][0] if "format" in query else "json"
        if "size" in query:
            size = int(query["size"][0])
        else:
            size = 500
            query["size"] = size
        compressed = (query["compressed"][0].lower() == "true" if "compressed" in query
                      else False)
        parsed = parsed._replace(query=urlencode(query, doseq=True))
        url = parsed.geturl()
        request = self.session.get(url)
        self.check_response(request)
        results = self.decode_results(request, file_format, compressed)
        self.total = int(request.headers["x-total-results"])
        self.pages = 1
        for batch in self.get_batch(request, file_format, compressed):
            results = self.combine_batches(results, batch, file_format)
            self.pages += 1
        return results

    def get_id_mapping_results_stream(self, url):
        if "/stream/" not in url:
            url = url.replace("/results/", "/results/stream/")
        request = self.session.get(url)
        self.check_response(request)
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        file_format = query["format"][0] if "format" in query else "json"
        compressed = (query["compressed"][0].lower() == "true" if "compressed" in query
                      else False)
        return self.decode_results(request, file_format, compressed)


# ---- Helpers --------------------------------------------------------------------------------

def tsv_rows(text_or_lines):
    lines = text_or_lines.split("\n") if isinstance(text_or_lines, str) else text_or_lines
    return [tuple(l.split("\t")) for l in lines if l]


def wait_finished(base, job, timeout=60):
    """The status answer once the job ended: 303 (finished), 400 or 500 (failed)."""
    end = time.time() + timeout
    while time.time() < end:
        r = requests.get(f"{base}/idmapping/status/{job}", allow_redirects=False)
        if r.status_code in (303, 400, 500):
            return r
        time.sleep(0.05)
    return None


def submit(base, **fields):
    return requests.post(f"{base}/idmapping/run", data=fields)


SAMPLE_FILES = ["idmapping.dat", "idmapping_selected.tab", "sec_ac.txt", "delac_sp.txt"]


def build_sample(idmap, sample, index):
    """The index of a release's four files in directory sample (data/sample) at index."""
    subprocess.run([idmap, "build", "--quiet", "-o", index] +
                   [os.path.join(sample, n) for n in SAMPLE_FILES], check=True)


def read_sample_accessions(sample):
    accs = []
    with open(os.path.join(sample, "idmapping.dat")) as f:
        for line in f:
            a = line.split("\t", 1)[0]
            if a not in accs:
                accs.append(a)
    return accs


def server_args(doc, *extra):
    """The arguments of a server test: --idmap, --sample, --workdir, and extra ones."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name in ("--idmap", "--sample", "--workdir") + extra:
        ap.add_argument(name, required=True)
    return ap.parse_args()


def sample_index(idmap, sample, work):
    """A fresh workdir with the index of the sample release in it; returns the index path."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    index = os.path.join(work, "sample.idx")
    build_sample(idmap, sample, index)
    return index


# ---- The checks -----------------------------------------------------------------------------

def python_flow(c, base, idmap, index, accs):
    cl = UniProtClient(base)
    ids = accs[:40] + ["P31946", "NOT_AN_ID", "Q9UBL9", "A0AV18"]
    want_tsv = tsv_rows(cli_map(idmap, index, "UniProtKB_AC-ID", "UniRef90", ids))
    want_json = json.loads(cli_map(idmap, index, "UniProtKB_AC-ID", "UniRef90", ids, "json"))

    job = cl.submit_id_mapping("UniProtKB_AC-ID", "UniRef90", ids)
    c.ok("python flow: submit returns a 10-character base-62 jobId (UniProt's form)",
         re.fullmatch(r"[0-9A-Za-z]{10}", job), job)
    c.ok("python flow: status follows the 303 to results", cl.check_id_mapping_results_ready(job))
    link = cl.get_id_mapping_results_link(job)
    c.ok("python flow: redirectURL of a UniRef90 job is /idmapping/uniref/results",
         link == f"{base}/idmapping/uniref/results/{job}", link)
    res = cl.get_id_mapping_results_search(link + "?size=7")
    pairs = [{"from": r["from"], "to": r["to"]["id"]} for r in res["results"]]
    c.ok("python flow: json pages combine to idmap map's results (UniRef entry objects)",
         pairs == want_json["results"], f"{len(res['results'])} rows")
    # failedIds on every page, as UniProt's: its client then adds them up once per page
    c.ok("python flow: failedIds on every page",
         res.get("failedIds") == want_json.get("failedIds") * cl.pages,
         str(res.get("failedIds")))
    c.ok("python flow: several pages walked through Link", cl.pages == -(-cl.total // 7),
         f"{cl.pages} pages, total {cl.total}")
    c.ok("python flow: X-Total-Results = result rows", cl.total == len(want_json["results"]))
    tsv = cl.get_id_mapping_results_search(link + "?format=tsv&size=5")
    c.ok("python flow: tsv pages combine to idmap map's tsv", tsv_rows(tsv) == want_tsv,
         f"{len(tsv)} lines")
    gz = cl.get_id_mapping_results_search(link + "?format=tsv&size=9&compressed=true")
    c.ok("python flow: compressed tsv pages", tsv_rows(gz) == want_tsv)
    stream = cl.get_id_mapping_results_stream(link + "?format=json")
    c.ok("python flow: stream gives everything at once",
         [{"from": r["from"], "to": r["to"]["id"]} for r in stream["results"]] ==
         want_json["results"] and stream.get("obsoleteCount") == want_json.get("obsoleteCount"))
    gzs = cl.get_id_mapping_results_stream(link + "?format=json&compressed=true")
    c.ok("python flow: compressed stream", gzs == stream)

    # UniProtKB target: redirect to the uniprotkb results, entries as objects
    job2 = cl.submit_id_mapping("UniProtKB_AC-ID", "UniProtKB", ids)
    cl.check_id_mapping_results_ready(job2)
    link2 = cl.get_id_mapping_results_link(job2)
    c.ok("python flow: redirectURL of a UniProtKB job is /idmapping/uniprotkb/results",
         link2 == f"{base}/idmapping/uniprotkb/results/{job2}", link2)
    kb = cl.get_id_mapping_results_search(link2 + "?size=10")
    want_kb = json.loads(cli_map(idmap, index, "UniProtKB_AC-ID", "UniProtKB", ids, "json"))
    got_pairs = [(r["from"], r["to"]["primaryAccession"]) for r in kb["results"]]
    want_pairs = [(r["from"], r["to"]) for r in want_kb["results"]]
    c.ok("python flow: uniprotkb results name the entries idmap map names",
         got_pairs == want_pairs, f"{got_pairs[:3]} vs {want_pairs[:3]}")
    active = [r["to"] for r in kb["results"] if r["to"].get("entryType") != "Inactive"]
    c.ok("python flow: entries carry uniProtkbId and organism",
         active and all("uniProtkbId" in e and "organism" in e for e in active))
    # the deleted A0AV18 maps to its inactive entry, counted in obsoleteCount (uniprot-rest-api
    # PIRJobTask.getObsoleteUniProtEntryCount; the secondary Q9UBL9 is not counted)
    inactive = [r for r in kb["results"] if r["to"].get("entryType") == "Inactive"]
    c.ok("python flow: obsoleteCount counts the inactive entries",
         [r["to"]["primaryAccession"] for r in inactive] == ["A0AV18"] and
         inactive[0]["to"]["inactiveReason"] == {"inactiveReasonType": "DELETED",
                                                 "deletedReason": "Deleted from Swiss-Prot"} and
         kb.get("obsoleteCount") == 1, str(inactive)[:200] + " " + str(kb.get("obsoleteCount")))
    kbt = requests.get(f"{base}/idmapping/uniprotkb/results/stream/{job2}",
                       params={"format": "tsv", "fields": "accession,id,gene_primary"})
    want_t = cli_map(idmap, index, "UniProtKB_AC-ID", "UniProtKB", ids, "tsv",
                     ["--fields", "accession,id,gene_primary"])
    c.ok("uniprotkb stream tsv with fields = idmap map --fields", kbt.text == want_t,
         kbt.text[:200])
    return job, job2


def plain_tsv_two_columns(c, base):
    """Results and stream TSV are From<TAB>To whatever the inputs (UniProt's
    plain TSV is always From/To: uniprot-rest-api pir-id-mapping-return-fields.json), with
    secondary (Q9UBL9, B4DJ71) and deleted (A0A087WTH5, A0AV18) inputs present."""
    ids = "P31946,Q9UBL9,B4DJ71,A0A087WTH5,A0AV18,nope"
    for to in ("UniRef90", "GeneID", "UniProtKB-Swiss-Prot"):
        job = submit(base, **{"from": "UniProtKB_AC-ID", "to": to, "ids": ids}).json()["jobId"]
        wait_finished(base, job)
        for path in ("results", "results/stream"):
            r = requests.get(f"{base}/idmapping/{path}/{job}", params={"format": "tsv"})
            lines = r.text.split("\n")
            shaped = (r.status_code == 200 and lines[0] == "From\tTo" and lines[-1] == "" and
                      all(len(l.split("\t")) == 2 and all(l.split("\t")) for l in lines[1:-1]))
            total = r.headers.get("X-Total-Results")
            c.ok(f"plain tsv of {path} to {to} is From<TAB>To with obsolete inputs",
                 shaped and (total is None or int(total) == len(lines) - 2), r.text[:300])


def curl_examples(c, base, ids_job):
    """The curl commands of UniProt's ID mapping documentation, pointed at the server."""
    def curl(*a):
        p = subprocess.run(["curl", "-s", *a], capture_output=True)
        return p.stdout.decode()
    out = curl("--request", "POST", f"{base}/idmapping/run", "--form", 'ids="P21802,P31946"',
               "--form", 'from="UniProtKB_AC-ID"', "--form", 'to="UniRef90"')
    try:
        job = json.loads(out)["jobId"]
    except (ValueError, KeyError):
        c.ok("curl: POST --form run", False, out)
        return
    c.ok("curl: POST --form run", True)
    wait_finished(base, job)
    head = curl("-i", f"{base}/idmapping/status/{job}")
    c.ok("curl: status answers 303 with a Location", head.startswith("HTTP/1.1 303") and
         f"Location: {base}/idmapping/uniref/results/{job}" in head, head[:300])
    det = json.loads(curl(f"{base}/idmapping/details/{job}"))
    c.ok("curl: details echo the request", det["from"] == "UniProtKB_AC-ID" and
         det["to"] == "UniRef90" and det["ids"] == "P21802,P31946", str(det))
    res = json.loads(curl(f"{base}/idmapping/uniref/results/{job}"))
    c.ok("curl: /idmapping/uniref/results answers UniRef entry objects",
         [(r["from"], r["to"]["id"][:9]) for r in res["results"]] == [("P31946", "UniRef90_")]
         and res.get("failedIds") == ["P21802"], str(res))
    tsv = curl(f"{base}/idmapping/stream/{job}?format=tsv")
    c.ok("curl: stream as tsv", tsv.startswith("From\tTo\n") and "P31946\tUniRef90_" in tsv, tsv)
    lst = curl("-H", "Accept: text/plain;format=list", f"{base}/idmapping/stream/{job}")
    c.ok("curl: Accept text/plain;format=list", re.fullmatch(r"UniRef90_\S+\n", lst) is not None,
         lst)
    fields = json.loads(curl(f"{base}/configure/idmapping/fields"))
    names = [i["name"] for g in fields["groups"] for i in g["items"]]
    c.ok("curl: /configure/idmapping/fields lists UniProt's names",
         "UniProtKB_AC-ID" in names and "EMBL-GenBank-DDBJ" in names and "rules" in fields)
    h = curl("-D", "-", "-o", "/dev/null", f"{base}/configure/idmapping/fields")
    c.ok("curl: release headers", "X-UniProt-Release: " in h and "X-UniProt-Release-Date: " in h,
         h)


def bad_requests(c, base, job):
    def err(r, status, msg_part):
        try:
            body = r.json()
        except ValueError:
            body = {}
        return (r.status_code == status and msg_part in " ".join(body.get("messages", [])) and
                body.get("url", "").startswith(base))
    cases = [
        ("missing from", dict(to="UniProtKB", ids="P31946"), 400,
         "'from' is a required parameter"),
        ("missing to", {"from": "UniProtKB_AC-ID", "ids": "P31946"}, 400,
         "'to' is a required parameter"),
        ("missing ids", {"from": "UniProtKB_AC-ID", "to": "UniProtKB"}, 400,
         "'ids' is a required parameter"),
        ("invalid from", {"from": "GO", "to": "UniProtKB", "ids": "GO:0005634"}, 400,
         "The parameter 'from' has an invalid value 'GO'."),
        ("invalid to", {"from": "UniProtKB_AC-ID", "to": "Nope", "ids": "P1"}, 400,
         "The parameter 'to' has an invalid value 'Nope'."),
        ("invalid pair", {"from": "Ensembl", "to": "PDB", "ids": "ENSG1"}, 400,
         "The combination of 'from=Ensembl' and 'to=PDB' parameters is invalid"),
        ("invalid taxId", {"from": "Gene_Name", "to": "UniProtKB", "ids": "YWHAB",
                           "taxId": "human"}, 400, "'taxId' has an invalid value 'human'"),
        ("job: with a bad id", {"from": "UniProtKB_AC-ID", "to": "UniProtKB",
                                "ids": "job:../../etc"}, 400, "job"),
        ("job: unknown", {"from": "UniProtKB_AC-ID", "to": "UniProtKB",
                          "ids": "job:" + "0" * 10}, 400, "unknown or expired"),
    ]
    for name, data, status, msg in cases:
        r = submit(base, **data)
        c.ok(f"bad request: {name} -> {status}", err(r, status, msg), f"{r.status_code} {r.text}")
    r = requests.post(f"{base}/idmapping/run", json={"from": "UniProtKB_AC-ID"})
    c.ok("bad request: JSON body -> 415", r.status_code == 415, r.text)
    r = submit(base, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB", "ids": "P" * 70000})
    c.ok("bad request: an id of 70,000 characters -> 400", err(r, 400, "longer than"), r.text)
    for path in ["/idmapping/status/../../etc/passwd", "/idmapping/status/..%2F..%2Fetc",
                 "/idmapping/results/" + "0" * 10, "/idmapping/status/" + "f" * 10,
                 "/idmapping/status/" + "A" * 32, "/idmapping/details/xyz",
                 f"/idmapping/intersect/{job}/" + "1" * 10, "/nothing/here"]:
        r = requests.get(base + path, allow_redirects=False)
        c.ok(f"bad request: GET {path[:50]} -> 404", err(r, 404, "Resource not found"),
             f"{r.status_code} {r.text[:200]}")
    for q, msg in [("cursor=zz%21", "'cursor' parameter has an invalid value"),
                   ("cursor=" + "z" * 40, "'cursor'"), ("cursor=zzzzz", "'cursor'"),
                   ("size=abc", "'size'"), ("size=501", "'size'"), ("size=-3", "'size'"),
                   ("format=xml", "format")]:
        r = requests.get(f"{base}/idmapping/results/{job}?{q}")
        c.ok(f"bad request: results?{q[:30]} -> 400", err(r, 400, msg), r.text[:200])
    r = requests.delete(f"{base}/idmapping/status/{job}")
    c.ok("bad request: DELETE -> 405", r.status_code == 405)
    r = requests.get(f"{base}/configure/idmapping/fields")
    c.ok("server alive after bad requests", r.status_code == 200)


def oversized(c, idmap, index, workdir):
    jobs = os.path.join(workdir, "jobs-small")
    s = Server(idmap, index, jobs, "--max-ids", "1000")
    try:
        ids = ",".join(f"P{i:05d}" for i in range(1001))
        r = submit(s.url, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB", "ids": ids})
        c.ok("oversized: 1001 ids over --max-ids 1000 -> 400 with the limit named",
             r.status_code == 400 and "'1000' is the maximum count limit" in r.text,
             f"{r.status_code} {r.text}")
        big = "P31946," * (12 << 20)  # 84 MB: answered before the whole body is read
        try:
            r = requests.post(f"{s.url}/idmapping/run",
                              data={"from": "UniProtKB_AC-ID", "to": "UniProtKB", "ids": big})
            c.ok("oversized: an 84 MB body -> 400", r.status_code == 400, str(r.status_code))
        except requests.exceptions.ConnectionError:
            # the server answered and closed while the client was still sending
            c.ok("oversized: an 84 MB body -> refused, connection closed", True)
        r = submit(s.url, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB",
                             "ids": ",".join(["P31946"] * 1000)})
        c.ok("oversized: 1000 ids are accepted", r.status_code == 200, r.text)
        leftovers = [f for f in os.listdir(jobs) if f.startswith(".spool")]
        c.ok("oversized: no spool files left", not leftovers, str(leftovers))
    finally:
        s.stop()


def jobs_semantics(c, base, idmap, index, accs, workdir):
    ids = accs[:10]
    a = submit(base, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB", "ids": ",".join(ids)})
    b = submit(base, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB", "ids": "\n".join(ids)})
    c.ok("jobs: the same request gives the same job id (commas or new lines)",
         a.json()["jobId"] == b.json()["jobId"])
    d = submit(base, **{"from": "UniProtKB_AC-ID", "to": "UniRef90", "ids": ",".join(ids)})
    c.ok("jobs: another target gives another job", d.json()["jobId"] != a.json()["jobId"])
    ja, jd = a.json()["jobId"], d.json()["jobId"]
    wait_finished(base, ja), wait_finished(base, jd)
    # chaining: accessions -> UniRef90, then those clusters -> UniProtKB
    ch = submit(base, **{"from": "UniRef90", "to": "UniProtKB", "ids": f"job:{jd}"})
    jc = ch.json()["jobId"]
    wait_finished(base, jc)
    clusters = requests.get(f"{base}/idmapping/stream/{jd}?format=list").text.split()
    want = tsv_rows(cli_map(idmap, index, "UniRef90", "UniProtKB", clusters))
    got = tsv_rows(requests.get(f"{base}/idmapping/stream/{jc}?format=tsv").text)
    c.ok("jobs: ids=job:<id> maps the targets of the earlier job", got == want and len(got) > 1,
         f"{got[:3]} vs {want[:3]}")
    # intersect: accessions of job a and of the chained job
    la = set(requests.get(f"{base}/idmapping/stream/{ja}?format=list").text.split())
    lc = requests.get(f"{base}/idmapping/stream/{jc}?format=list").text.split()
    inter = requests.get(f"{base}/idmapping/intersect/{ja}/{jc}").json()["results"]
    c.ok("jobs: intersect lists the targets present in both, sorted",
         inter == sorted(set(lc) & la) and inter, f"{inter[:5]}")
    il = requests.get(f"{base}/idmapping/intersect/{ja}/{jc}?format=list").text.split()
    c.ok("jobs: intersect as a list", il == inter)
    det = requests.get(f"{base}/idmapping/details/{ja}").json()
    c.ok("jobs: details carry counts", det.get("stats", {}).get("mapped") == 10, str(det))
    r = requests.get(f"{base}/idmapping/status/{ja}?redirect=false")
    c.ok("jobs: status?redirect=false answers 200 FINISHED",
         r.status_code == 200 and r.json() == {"jobStatus": "FINISHED"})
    return ja, jc


def restart_and_expiry(c, idmap, index, workdir, accs):
    jobs = os.path.join(workdir, "jobs-restart")
    s = Server(idmap, index, jobs)
    ids = accs[:20] + ["XYZ"]
    try:
        j = submit(s.url, **{"from": "UniProtKB_AC-ID", "to": "UniRef50",
                             "ids": ",".join(ids)}).json()["jobId"]
        wait_finished(s.url, j)
        before = requests.get(f"{s.url}/idmapping/stream/{j}?format=json").text
    finally:
        s.stop()
    s = Server(idmap, index, jobs)
    try:
        r = requests.get(f"{s.url}/idmapping/status/{j}", allow_redirects=False)
        after = requests.get(f"{s.url}/idmapping/stream/{j}?format=json").text
        c.ok("restart: a finished job is still there, same results",
             r.status_code == 303 and after == before, f"{r.status_code}")
    finally:
        s.stop()
    # a damaged result file: the job is mapped again, same answer
    res = [f for f in os.listdir(jobs) if f.startswith(j) and f.endswith(".result")]
    if c.ok("restart: the result is a file in --jobs-dir", len(res) == 1, str(os.listdir(jobs))):
        p = os.path.join(jobs, res[0])
        with open(p, "r+b") as f:
            f.seek(os.path.getsize(p) // 2)
            f.write(b"\xff\x00\xff\x00")
        s = Server(idmap, index, jobs)
        try:
            r = requests.get(f"{s.url}/idmapping/stream/{j}?format=json")
            if r.status_code != 200:  # being mapped again
                wait_finished(s.url, j)
                r = requests.get(f"{s.url}/idmapping/stream/{j}?format=json")
            c.ok("restart: a damaged result file is mapped again, same results",
                 r.text == before, f"{r.status_code} {r.text[:200]}")
        finally:
            s.stop()
    # a new release at another path: the job is mapped again on it
    newidx = os.path.join(workdir, "new-release.idx")
    sample = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([idmap, "build", "--quiet", "-o", newidx,
                    os.path.join(sample, "data", "sample", "idmapping.dat")], check=True)
    s = Server(idmap, newidx, jobs)
    try:
        r = requests.get(f"{s.url}/idmapping/status/{j}", allow_redirects=False)
        if r.status_code != 303:
            wait_finished(s.url, j)
        got = requests.get(f"{s.url}/idmapping/stream/{j}?format=tsv").text
        want = cli_map(idmap, newidx, "UniProtKB_AC-ID", "UniRef50", ids)
        old = [f for f in os.listdir(jobs) if f.startswith(j) and f.endswith(".result")]
        c.ok("restart on another index: the job is mapped again on it, old result removed",
             got == want and len(old) == 1 and old != res, f"{old} {got[:100]!r}")
    finally:
        s.stop()
    # SIGHUP: the server opens the rebuilt index in place, on the same port, refusing nothing
    hup = os.path.join(workdir, "hup.idx")
    dat = os.path.join(sample, "data", "sample", "idmapping.dat")
    subprocess.run([idmap, "build", "--quiet", "--release", "2098_01", "-o", hup, dat],
                   check=True)
    s = Server(idmap, hup, os.path.join(workdir, "jobs-hup"))
    try:
        k = submit(s.url, **{"from": "UniProtKB_AC-ID", "to": "UniRef90",
                             "ids": ",".join(ids)}).json()["jobId"]
        wait_finished(s.url, k)
        r1 = requests.get(f"{s.url}/configure/idmapping/fields").headers["X-UniProt-Release"]
        subprocess.run([idmap, "build", "--quiet", "--release", "2099_01", "-o", hup, dat,
                        os.path.join(sample, "data", "sample", "idmapping_selected.tab")],
                       check=True)
        s.proc.send_signal(signal.SIGHUP)
        seen, errors = set(), 0
        for _ in range(100):  # requests straight through the reload
            try:
                seen.add(requests.get(f"{s.url}/configure/idmapping/fields", timeout=10)
                         .headers["X-UniProt-Release"])
            except requests.exceptions.ConnectionError:
                errors += 1
            if "2099_01" in seen:
                break
            time.sleep(0.02)
        c.ok("SIGHUP: the server reopens the rebuilt index on the same port, no request refused",
             r1 == "2098_01" and "2099_01" in seen and errors == 0 and s.proc.poll() is None,
             f"{r1} {seen} errors={errors}")
        wait_finished(s.url, k)
        got = requests.get(f"{s.url}/idmapping/stream/{k}?format=tsv").text
        want = cli_map(idmap, hup, "UniProtKB_AC-ID", "UniRef90", ids)
        c.ok("SIGHUP: a job finished before the reload answers from the new index",
             got == want, got[:200])
        with open(f"/proc/{s.proc.pid}/comm") as f:
            comm = f.read().strip()
        c.ok("SIGHUP: the process keeps its name (pkill -x idmap-serve)", comm == "idmap-serve",
             comm)
    finally:
        s.stop()
    # expiry: the job above is more than 2 s old once this sleep is over
    time.sleep(2.1)
    s = Server(idmap, index, jobs, "--job-ttl", "2s")
    try:
        r = requests.get(f"{s.url}/idmapping/status/{j}", allow_redirects=False)
        c.ok("expiry: a job older than --job-ttl is gone after a restart", r.status_code == 404,
             str(r.status_code))
        k = submit(s.url, **{"from": "UniProtKB_AC-ID", "to": "UniProtKB",
                             "ids": "P31946"}).json()["jobId"]
        wait_finished(s.url, k)
        ok1 = requests.get(f"{s.url}/idmapping/status/{k}", allow_redirects=False).status_code
        time.sleep(3.5)
        ok2 = requests.get(f"{s.url}/idmapping/status/{k}", allow_redirects=False).status_code
        files = [f for f in os.listdir(jobs) if f.startswith(k)]
        c.ok("expiry: a job answers, then 404 after --job-ttl 2s, files deleted",
             ok1 == 303 and ok2 == 404 and not files, f"{ok1} {ok2} {files}")
    finally:
        s.stop()


def load(c, idmap, index, workdir, n_jobs=100, per_job=10000):
    """100 concurrent submissions of 10,000 ids, all checked, then a restart."""
    ids_all = []
    with open(os.path.join(workdir, "gen", "idmapping.dat")) as f:
        for line in f:
            a = line.split("\t", 1)[0]
            if not ids_all or ids_all[-1] != a:
                ids_all.append(a)
    rnd = random.Random(5)
    jobs_ids = []
    for i in range(n_jobs):
        ids = rnd.sample(ids_all, min(per_job - 200, len(ids_all)))
        ids += [f"Q{rnd.randrange(10**5):05d}Z{i}" for _ in range(per_job - len(ids))]
        jobs_ids.append(ids)
    jobs_dir = os.path.join(workdir, "jobs-load")
    s = Server(idmap, index, jobs_dir)
    t0 = time.time()
    results = {}
    try:
        def one(i):
            sess = requests.Session()
            r = sess.post(f"{s.url}/idmapping/run", data={
                "from": "UniProtKB_AC-ID", "to": "UniRef90" if i % 2 else "UniProtKB",
                "ids": ",".join(jobs_ids[i])})
            r.raise_for_status()
            job = r.json()["jobId"]
            while True:
                st = sess.get(f"{s.url}/idmapping/status/{job}?redirect=false").json()
                if st["jobStatus"] in ("FINISHED", "ERROR"):
                    break
                time.sleep(0.05)
            body = sess.get(f"{s.url}/idmapping/stream/{job}?format=tsv").text
            return i, job, st["jobStatus"], body
        with concurrent.futures.ThreadPoolExecutor(n_jobs) as ex:
            for i, job, status, body in ex.map(one, range(n_jobs)):
                results[i] = (job, status, body)
        took = time.time() - t0
        statuses = [r[1] for r in results.values()]
        c.ok(f"load: {n_jobs} concurrent jobs of {per_job} ids all FINISHED ({took:.1f} s)",
             statuses.count("FINISHED") == n_jobs, str(set(statuses)))
        bad = []
        for i in range(n_jobs):
            want = cli_map(idmap, index, "UniProtKB_AC-ID", "UniRef90" if i % 2 else "UniProtKB",
                           jobs_ids[i])
            if results[i][2] != want:
                bad.append(i)
        c.ok(f"load: every job's results equal idmap map on its ids", not bad, f"jobs {bad[:5]}")
    finally:
        s.stop()
    s = Server(idmap, index, jobs_dir)
    try:
        same = 0
        for i in range(0, n_jobs, 7):
            job, _, body = results[i]
            r = requests.get(f"{s.url}/idmapping/stream/{job}?format=tsv")
            same += r.status_code == 200 and r.text == body
        c.ok("load: after a restart the finished jobs answer the same", same == len(
            range(0, n_jobs, 7)), f"{same}")
    finally:
        s.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idmap", required=True)
    ap.add_argument("--genrelease", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--skip-load", action="store_true")
    args = ap.parse_args()
    work = args.workdir
    index = sample_index(args.idmap, args.sample, work)
    names = SAMPLE_FILES
    accs = read_sample_accessions(args.sample)
    c = Checks()
    s = Server(args.idmap, index, os.path.join(work, "jobs"))
    try:
        job, job2 = python_flow(c, s.url, args.idmap, index, accs)
        curl_examples(c, s.url, job)
        plain_tsv_two_columns(c, s.url)
        bad_requests(c, s.url, job)
        jobs_semantics(c, s.url, args.idmap, index, accs, work)
    finally:
        rc = s.stop()
    c.ok("server stops on SIGTERM with exit 0", rc == 0, str(rc))
    oversized(c, args.idmap, index, work)
    restart_and_expiry(c, args.idmap, index, work, accs)
    if not args.skip_load:
        gen = os.path.join(work, "gen")
        subprocess.run([args.genrelease, "--lines", "400000", "--seed", "3", "--out", gen],
                       check=True, stdout=subprocess.DEVNULL)
        gidx = os.path.join(work, "gen.idx")
        build_sample(args.idmap, gen, gidx)
        load(c, args.idmap, gidx, work)
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
