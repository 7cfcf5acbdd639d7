#!/usr/bin/env python3
"""Headless-Chromium test of the web page that `idmap serve` embeds at `/`.

Usage: web_page_test.py --idmap PATH/TO/idmap --index PATH/TO/sample.idx --out DIR
                        [--dat data/sample/idmapping.dat] [--chromium /usr/bin/chromium]

Starts `idmap serve` on a free local port and Debian's chromium (headless), drives the page
through the Chrome DevTools Protocol (websocket-client, Debian's python3-websocket) and
checks the form (database menus and their rules, error messages), a job (status, results
compared with `idmap map`, the server's entry columns, unmapped ids, counts, downloads; FASTA
with its isoform and subsequence options compared with `idmap map --format fasta`) and the
paging of the results table. The index must hold the sample's FASTA files. Prints one line per check ("ok - ..." / "not ok - ..."); exit 0 when all pass, 1 on
any failure (2 on a usage error). Saves DIR/web_form.png and DIR/web_page.png, and the logs
of the server and of chromium in DIR. The whole run is bounded (120 s); the server and
chromium are always stopped.

Needs: apt-get install chromium python3-websocket
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

try:
    import websocket  # websocket-client
except ImportError:  # a python3 other than Debian's: use Debian's pure-python package
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import websocket
    except ImportError:
        print("not ok - python3-websocket is missing (apt-get install python3-websocket)")
        sys.exit(1)

TOTAL_TIMEOUT = 120  # seconds for the whole test
MAIN_IDS = ["P31946", "P62258", "ALBU_HUMAN", "XYZ_NOT_AN_ID", "P31946"]
JOB_ID_RE = re.compile(r"^[0-9A-Za-z]{10}$")


class TestTimeout(Exception):
    pass


class Failed(Exception):
    """A step that the following checks depend on went wrong."""


# ---- reporting -------------------------------------------------------------------------------

RESULTS = []


def check(ok, what, detail=None):
    RESULTS.append(bool(ok))
    line = ("ok - " if ok else "not ok - ") + what
    if not ok and detail is not None:
        line += ": " + str(detail)
    print(line, flush=True)
    return bool(ok)


def short(v, n=400):
    s = repr(v)
    return s if len(s) <= n else s[:n] + "..."


# ---- HTTP ------------------------------------------------------------------------------------

class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(url, data=None, timeout=10):
    req = urllib.request.Request(url, data=data)
    if data is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with OPENER.open(req, timeout=timeout) as r:
            return Answer(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.headers, e.read())


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the CLI's answers (the expected results) -----------------------------------------------

def cli_map(idmap, index, ids, extra=()):
    """Runs `idmap map --format tsv`; returns ([(from, to)], [failed ids])."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as unmapped:
        p = subprocess.run([idmap, "map", "-i", index, "--format", "tsv", *extra,
                            "--unmapped", unmapped.name, *ids],
                           capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise Failed(f"idmap map exited {p.returncode}: {p.stderr.strip()}")
        failed = [l for l in unmapped.read().split("\n") if l]
    lines = [l for l in p.stdout.split("\n") if l]
    if not lines or lines[0].split("\t")[:2] != ["From", "To"]:
        raise Failed(f"idmap map printed no From/To header: {short(p.stdout)}")
    rows = [tuple(l.split("\t")[:2]) for l in lines[1:]]
    return rows, failed


def cli_fasta(idmap, index, ids, extra=()):
    """The bytes of `idmap map --format fasta`."""
    p = subprocess.run([idmap, "map", "-i", index, "--format", "fasta", *extra, *ids],
                       capture_output=True, timeout=30)
    if p.returncode != 0:
        raise Failed(f"idmap map --format fasta exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def fasta_names(sample):
    """accession -> protein name, from the headers of the sample's UniProtKB FASTA files."""
    names = {}
    for name in ("uniprot_sprot.fasta", "uniprot_trembl.fasta"):
        with open(os.path.join(sample, name)) as f:
            for line in f:
                m = re.match(r">(?:sp|tr)\|([^|]+)\|\S+ (.*?) OS=", line)
                if m:
                    names[m.group(1)] = m.group(2)
    return names


def click_download(page, downloads, sel, timeout=15):
    """Clicks a download link; returns the path of the new file in `downloads`, or None."""
    before = set(os.listdir(downloads))
    page.click(sel)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        new = [n for n in set(os.listdir(downloads)) - before
               if not n.endswith(".crdownload") and not n.startswith(".")]
        if new:
            time.sleep(0.2)  # let chromium finish the rename
            return os.path.join(downloads, new[0])
        time.sleep(0.1)
    return None


def take_bytes(path):
    """The content of a downloaded file, removed (the next download of that name is new)."""
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    return data


def fasta_job(page, base, downloads, args, ids, to, option, previous):
    """Submits ids to `to`; checks the FASTA download, with `option` (the checkbox of a CLI
    flag) ticked, equals `idmap map --format fasta`. Returns the job id."""
    page.navigate(base + "/#/")
    page.wait(JS_FORM_READY, 15, "the form")
    page.set_value("#from", "UniProtKB_AC-ID", "change")
    page.set_value("#to", to, "change")
    page.set_value("#ids", " ".join(ids))
    page.click("#submit")
    jid = job_id_of(page, previous)
    wait_finished(page)
    page.wait("!document.getElementById('download-fasta-item').hidden", 10, f"the FASTA link ({to})")
    shown = page.eval("['isoforms', 'subsequence'].map(k =>"
                      " !document.getElementById(`fasta-${k}-label`).hidden)")
    want_shown = [to.startswith("UniProtKB"), option == "--subsequence"]
    check(shown == want_shown, f"To={to}, ids {ids}: FASTA options shown {want_shown}", shown)
    if option:
        page.click("#fasta-" + option.lstrip("-"))
    extra = ["--to", to] + ([option] if option else [])
    want = cli_fasta(args.idmap, args.index, ids, extra)
    path = click_download(page, downloads, "#download-fasta")
    got = take_bytes(path) if path else None
    check(got == want and want.startswith(b">"),
          f"To={to}, ids {ids}: the FASTA download equals idmap map --format fasta {' '.join(extra)}",
          f"{path}: {short(got)}, expected {short(want)}")
    return jid


# ---- Chrome DevTools Protocol ---------------------------------------------------------------

class CDP:
    def __init__(self, url, timeout=10):
        self.ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass

    def call(self, method, params=None, timeout=15):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params or {}}))
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise Failed(f"no answer to {method} within {timeout} s")
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if msg.get("id") == mid:
                if "error" in msg:
                    raise Failed(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def drain(self, seconds=0.2):
        """Collects the events that arrive within seconds."""
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                return
            if "method" in msg:
                self.events.append(msg)


class Page:
    def __init__(self, cdp):
        self.cdp = cdp

    def eval(self, expression, timeout=15):
        r = self.cdp.call("Runtime.evaluate", {
            "expression": expression, "awaitPromise": True, "returnByValue": True,
            "userGesture": True}, timeout=timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            raise Failed(f"JavaScript error in {short(expression, 120)}: {text}")
        return r.get("result", {}).get("value")

    def wait(self, expression, timeout=15, what=None):
        """Polls expression until it is truthy; returns its value."""
        end = time.monotonic() + timeout
        value = None
        while time.monotonic() < end:
            try:
                value = self.eval(expression)
            except Failed as e:  # e.g. the page is still loading: its elements are not there
                value = str(e)
            else:
                if value:
                    return value
            time.sleep(0.1)
        raise Failed(f"timed out after {timeout} s waiting for {what or expression}"
                     f" (last value {short(value, 200)})")

    def navigate(self, url):
        r = self.cdp.call("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise Failed(f"navigate {url}: {r['errorText']}")
        self.wait(f"location.href === {json.dumps(url)} && document.readyState === 'complete'", 15,
                  f"the page {url}")

    def screenshot(self, path):
        r = self.cdp.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                          timeout=30)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    # form helpers
    def set_value(self, sel, value, event="input"):
        self.eval(f"(() => {{ const e = document.querySelector({json.dumps(sel)});"
                  f" e.value = {json.dumps(value)};"
                  f" e.dispatchEvent(new Event({json.dumps(event)}, {{bubbles: true}})); return e.value; }})()")

    def set_file(self, sel, path):
        root = self.cdp.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.cdp.call("DOM.querySelector", {"nodeId": root, "selector": sel})["nodeId"]
        self.cdp.call("DOM.setFileInputFiles", {"files": [path], "nodeId": node})

    def click(self, sel):
        self.eval(f"document.querySelector({json.dumps(sel)}).click()")

    def text(self, sel):
        return self.eval(f"(document.querySelector({json.dumps(sel)}) || {{}}).textContent")

    def table_rows(self, sel="#results", width=2):
        """The first `width` cells of each row (From, To; None: every cell)."""
        return [tuple(r[:width]) for r in self.eval(
            f"[...document.querySelectorAll({json.dumps(sel + ' tbody tr')})]"
            ".map(tr => [...tr.cells].map(td => td.textContent))")]


JS_FORM_READY = ("(() => { const f = document.getElementById('from');"
                 " return !f.disabled && !!f.querySelector('option[value=\"UniProtKB_AC-ID\"]')"
                 " && !document.getElementById('form-view').hidden; })()")
JS_FASTA_HREF = "document.getElementById('download-fasta').getAttribute('href')"
JS_OPTIONS = "sel => [...document.querySelectorAll(sel + ' option')].map(o => o.value)"
JS_FORM_ERROR = ("(() => { const e = document.getElementById('form-error');"
                 " return !e.hidden && e.textContent.trim() ? e.textContent : ''; })()")


def options(page, sel):
    return page.eval(f"({JS_OPTIONS})({json.dumps(sel)})")


JS_JOB_ID = ("(() => { const m = /^#\\/job\\/([0-9A-Za-z]{10})$/.exec(location.hash);"
             " return m ? m[1] : ''; })()")


def job_id_of(page, previous=None):
    """The job id the page went to after Submit (raises when the form shows an error)."""
    end = time.monotonic() + 15
    while time.monotonic() < end:
        jid = page.eval(JS_JOB_ID)
        if jid and jid != previous:
            return jid
        err = page.eval(JS_FORM_ERROR)
        if err:
            raise Failed(f"the form shows an error: {err.strip()}")
        time.sleep(0.1)
    raise Failed("the page did not go to #/job/<jobId> after Submit")


def wait_finished(page, timeout=30):
    page.wait("document.getElementById('job-status').textContent === 'FINISHED'"
              " || document.getElementById('job-status').textContent === 'ERROR'",
              timeout, "the job status FINISHED")
    status = page.text("#job-status")
    if status != "FINISHED":
        raise Failed(f"job status {status}: {page.text('#job-error')}")
    page.wait("!document.getElementById('job-done').hidden"
              " && document.getElementById('range').textContent !== ''"
              " && !document.getElementById('results').hasAttribute('aria-busy')",
              15, "the results table")


# ---- the test --------------------------------------------------------------------------------

def run(args, tmp):
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)

    # the server
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    jobs_dir = os.path.join(tmp, "jobs")
    server_log = open(os.path.join(out, "web_server.log"), "wb")
    procs["server"] = subprocess.Popen(
        [args.idmap, "serve", "-i", args.index, "--listen", f"127.0.0.1:{port}",
         "--jobs-dir", jobs_dir],
        stdin=subprocess.DEVNULL, stdout=server_log, stderr=subprocess.STDOUT)
    fields = None
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if procs["server"].poll() is not None:
            raise Failed(f"idmap serve exited {procs['server'].returncode} (see web_server.log)")
        try:
            a = http(base + "/configure/idmapping/fields", timeout=2)
            if a.status == 200:
                fields = a
                break
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    if not check(fields is not None, "idmap serve answers GET /configure/idmapping/fields"):
        raise Failed("no server")
    catalog = fields.json()
    release = fields.headers.get("X-UniProt-Release")
    items = {it["name"]: it for g in catalog["groups"] for it in g["items"]}
    rules = {r["ruleId"]: r for r in catalog["rules"]}

    # chromium
    profile = os.path.join(tmp, "profile")
    downloads = os.path.join(tmp, "downloads")
    os.makedirs(downloads)
    chromium_log = open(os.path.join(out, "web_chromium.log"), "wb")
    procs["chromium"] = subprocess.Popen(
        [args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "--remote-allow-origins=*",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=chromium_log, stderr=subprocess.STDOUT,
        start_new_session=True)
    port_file = os.path.join(profile, "DevToolsActivePort")
    end = time.monotonic() + 20
    devtools = None
    while time.monotonic() < end:
        if procs["chromium"].poll() is not None:
            raise Failed(f"chromium exited {procs['chromium'].returncode} (see web_chromium.log)")
        try:
            with open(port_file) as f:
                lines = f.read().split("\n")
            if len(lines) >= 2 and lines[0].strip() and lines[1].strip():
                devtools = (int(lines[0]), lines[1].strip())
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    if not check(devtools is not None, "chromium starts and writes DevToolsActivePort"):
        raise Failed("no chromium")
    browser = CDP(f"ws://127.0.0.1:{devtools[0]}{devtools[1]}")
    cdps.append(browser)
    browser.call("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    cdp = CDP(f"ws://127.0.0.1:{devtools[0]}/devtools/page/{target}")
    cdps.append(cdp)
    for domain in ("Page", "Runtime", "Network"):
        cdp.call(f"{domain}.enable")
    try:
        cdp.call("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    except Failed:
        pass  # deprecated; Browser.setDownloadBehavior above is the one that counts
    cdp.call("Emulation.setDeviceMetricsOverride",
             {"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    page = Page(cdp)

    # ---- the form ----
    page.navigate(base + "/")
    page.wait(JS_FORM_READY, 15, "the From/To menus")
    check(page.eval("document.title").startswith("idmap"), "the page at / is idmap's",
          page.eval("document.title"))
    frm, to = page.eval("[document.getElementById('from').value, document.getElementById('to').value]")
    check((frm, to) == ("UniProtKB_AC-ID", "UniProtKB"),
          "From UniProtKB_AC-ID and To UniProtKB are selected by default", (frm, to))
    want_from = [it["name"] for g in catalog["groups"] for it in g["items"] if it.get("from")]
    got_from = options(page, "#from")
    check(got_from == want_from, f"From offers the {len(want_from)} sources of the fields, in order",
          f"expected {short(want_from)}, got {short(got_from)}")
    groups = page.eval("[...document.querySelectorAll('#from optgroup')].map(g => g.label)")
    want_groups = [g["groupName"] for g in catalog["groups"] if any(i.get("from") for i in g["items"])]
    check(groups == want_groups, "From is grouped by groupName (optgroup)", f"got {short(groups)}")
    got_to = set(options(page, "#to"))
    want_to = set(rules[items["UniProtKB_AC-ID"]["ruleId"]]["tos"])
    check(got_to == want_to, "To offers the tos of rule 1 for UniProtKB_AC-ID",
          f"missing {short(sorted(want_to - got_to))}, extra {short(sorted(got_to - want_to))}")
    check(page.eval("document.getElementById('taxid').disabled"
                    " && document.getElementById('taxid').offsetParent === null"),
          "the taxon input is hidden and disabled for UniProtKB_AC-ID")
    if release:
        shown = page.text("#release") or ""
        check(release in shown, f"the header shows the release {release} (X-UniProt-Release)",
              f"#release is {shown!r}")

    page.set_value("#from", "Gene_Name", "change")
    got_to = options(page, "#to")
    want_to = set(rules[items["Gene_Name"]["ruleId"]]["tos"])
    check("UniProtKB" in got_to and set(got_to) == want_to,
          "From=Gene_Name: To offers UniProtKB (rule 6 tos only)", f"got {short(got_to)}")
    check(page.eval("!document.getElementById('taxid').disabled"
                    " && document.getElementById('taxid').offsetParent !== null"),
          "From=Gene_Name: the taxon input is shown and enabled")

    page.set_value("#from", "UniRef90", "change")
    got_to = options(page, "#to")
    check("UniRef90" in got_to and "UniRef50" not in got_to and set(got_to) == set(
        rules[items["UniRef90"]["ruleId"]]["tos"]),
        "From=UniRef90: To offers UniRef90 (rule 4 tos only)", f"got {short(got_to)}")
    check(page.eval("document.getElementById('taxid').disabled"),
          "From=UniRef90: the taxon input is disabled again")
    page.set_value("#from", "UniProtKB_AC-ID", "change")
    page.set_value("#to", "UniProtKB", "change")

    page.click("#example")
    check(page.eval("document.getElementById('ids').value") == "P31946 P62258 ALBU_HUMAN",
          "the example link fills P31946 P62258 ALBU_HUMAN")

    # a bad request: empty ids; the server's own message must show on the form
    page.set_value("#ids", "")
    expected = http(base + "/idmapping/run",
                    urllib.parse.urlencode({"from": "UniProtKB_AC-ID", "to": "UniProtKB",
                                            "ids": ""}).encode())
    page.click("#submit")
    shown = ""
    try:
        shown = page.wait(JS_FORM_ERROR, 10, "#form-error")
    except Failed as e:
        shown = str(e)
    try:
        messages = expected.json().get("messages", [])
    except ValueError:
        messages = []
    check(expected.status in (400, 413) and messages and all(m in shown for m in messages),
          "empty ids: #form-error shows the server's message",
          f"server {expected.status} {short(expected.body)}, page {shown!r}")
    check(page.eval("location.hash") in ("", "#/"), "empty ids: the page stays on the form")

    # an invalid From (not in the menu): the server's message again
    page.eval("(() => { const o = document.createElement('option'); o.value = 'GO_NOT_A_DB';"
              " o.textContent = 'GO_NOT_A_DB'; document.getElementById('from').appendChild(o);"
              " document.getElementById('from').value = 'GO_NOT_A_DB'; })()")
    page.set_value("#ids", "P31946")
    expected = http(base + "/idmapping/run",
                    urllib.parse.urlencode({"from": "GO_NOT_A_DB", "to": "UniProtKB",
                                            "ids": "P31946"}).encode())
    page.click("#submit")
    page.wait("(() => { const e = document.getElementById('form-error');"
              " return !e.hidden && e.textContent.includes('GO_NOT_A_DB'); })()", 10,
              "the invalid-from message")
    shown = page.eval(JS_FORM_ERROR)
    try:
        messages = expected.json().get("messages", [])
    except ValueError:
        messages = []
    check(expected.status == 400 and messages and all(m in shown for m in messages),
          "from=GO_NOT_A_DB: #form-error shows the server's message",
          f"server {expected.status} {short(expected.body)}, page {shown!r}")
    page.eval("document.querySelector('#from option[value=\"GO_NOT_A_DB\"]').remove();"
              " document.getElementById('from').value = 'UniProtKB_AC-ID'")

    page.set_value("#ids", " ".join(MAIN_IDS))
    page.screenshot(os.path.join(out, "web_form.png"))
    check(os.path.getsize(os.path.join(out, "web_form.png")) > 1000, "screenshot web_form.png saved")

    # ---- a job ----
    want_rows, want_failed = cli_map(args.idmap, args.index, MAIN_IDS)
    page.click("#submit")
    jid = job_id_of(page)
    check(JOB_ID_RE.match(jid), f"Submit goes to #/job/<10 base-62> ({jid})")
    wait_finished(page)
    check(True, "the job page shows FINISHED")
    got_rows = page.table_rows()
    check(got_rows == want_rows, f"the results table has the {len(want_rows)} rows of idmap map",
          f"expected {want_rows}, got {got_rows}")
    check(page.text("#range") == f"rows 1-{len(want_rows)} of {len(want_rows)}",
          "the range reads rows 1-N of N", page.text("#range"))
    failed = page.eval("[...document.querySelectorAll('#failed li')].map(li => li.textContent)")
    check("XYZ_NOT_AN_ID" in failed and failed == want_failed, "#failed lists XYZ_NOT_AN_ID",
          f"expected {want_failed}, got {failed}")
    counts = page.eval("Object.fromEntries([...document.querySelectorAll('#counts [data-count]')]"
                       ".map(li => [li.dataset.count, Number(li.dataset.value)]))")
    check(counts.get("duplicates") == 1, "the counts show 1 duplicate", counts)
    check(counts.get("results") == len(want_rows) and counts.get("failed") == len(want_failed),
          "the counts show the result rows and the failed ids", counts)
    mapping = page.text("#job-mapping") or ""
    check("UniProtKB AC/ID" in mapping and "UniProtKB" in mapping, "the job page shows from -> to",
          mapping)
    links = page.eval("Object.fromEntries(['tsv', 'json', 'list', 'entries'].map(k => {"
                      " const a = document.getElementById('download-' + k);"
                      " return [k, [a.getAttribute('href'), a.getAttribute('download'),"
                      " a.offsetParent !== null]]; }))")
    check(links["tsv"][:2] == [f"/idmapping/stream/{jid}?format=tsv", f"idmap-{jid}.tsv"]
          and links["json"][0] == f"/idmapping/stream/{jid}?format=json"
          and links["list"][0] == f"/idmapping/stream/{jid}?format=list"
          and all(links[k][1] for k in ("tsv", "json", "list")),
          "the TSV, JSON and list download links", links)
    check(links["entries"][2]
          and links["entries"][0] == f"/idmapping/uniprotkb/results/stream/{jid}?format=tsv",
          "the entry-columns download is offered for To=UniProtKB, with the default fields",
          links["entries"])

    # the table's columns are the server's default ones: with FASTA, the protein names
    entries_tsv = http(f"{base}/idmapping/uniprotkb/results/stream/{jid}?format=tsv").body.decode()
    titles = page.eval("[...document.querySelectorAll('#results thead th')].map(th => th.textContent)")
    check(titles == entries_tsv.split("\n")[0].split("\t") and "Protein names" in titles,
          "the results table has the server's default columns (Protein names among them)",
          f"table {titles}, server {entries_tsv.split(chr(10))[0]!r}")
    names = fasta_names(os.path.dirname(os.path.abspath(args.dat)))
    full = page.table_rows(width=None)
    col = titles.index("Protein names") if "Protein names" in titles else -1
    want_names = [names.get(r[1]) for r in full]
    check(full and col >= 0 and [r[col] for r in full] == want_names and all(want_names),
          "the table shows the protein names of the sample's FASTA",
          f"expected {want_names}, got {[r[col] if col >= 0 else None for r in full]}")

    answers = {k: http(base + links[k][0]).status for k in ("json", "list", "entries")}
    check(all(v == 200 for v in answers.values()), "the JSON, list and entry-column links answer 200",
          answers)
    path = click_download(page, downloads, "#download-tsv")
    stream = http(f"{base}/idmapping/stream/{jid}?format=tsv")
    if check(path is not None, "clicking #download-tsv downloads a file"):
        with open(path, "rb") as f:
            got = f.read()
        check(os.path.basename(path) == f"idmap-{jid}.tsv", "the download is named idmap-<id>.tsv",
              os.path.basename(path))
        check(stream.status == 200 and got == stream.body,
              "the downloaded TSV equals GET /idmapping/stream/<id>?format=tsv",
              f"file {short(got)}, stream {stream.status} {short(stream.body)}")

    # FASTA, as `idmap map --format fasta`, and with the isoforms option as --include-isoforms
    want_fasta = cli_fasta(args.idmap, args.index, MAIN_IDS)
    want_iso = cli_fasta(args.idmap, args.index, MAIN_IDS, ["--include-isoforms"])
    page.wait("!document.getElementById('download-fasta-item').hidden", 10, "the FASTA link")
    check(page.eval("document.getElementById('fasta-subsequence-label').hidden"),
          "no subsequence option for ids without ranges")
    path = click_download(page, downloads, "#download-fasta")
    got = take_bytes(path) if path else None
    check(path and os.path.basename(path) == f"idmap-{jid}.fasta" and got == want_fasta
          and got.startswith(b">sp|P31946|"),
          "the FASTA download equals idmap map --format fasta", f"{path}: {short(got)}")
    page.click("#fasta-isoforms")
    path = click_download(page, downloads, "#download-fasta")
    got = take_bytes(path) if path else None
    check(got == want_iso and want_iso != want_fasta and b">sp|P31946-2|" in got,
          "with Include isoforms it equals idmap map --format fasta --include-isoforms",
          f"{path}: {short(got)}, href {page.eval(JS_FASTA_HREF)},"
          f" files {sorted(os.listdir(downloads))}")
    page.screenshot(os.path.join(out, "web_page.png"))
    check(os.path.getsize(os.path.join(out, "web_page.png")) > 1000, "screenshot web_page.png saved")

    page.eval("window.__before_reload = true")
    cdp.call("Page.reload")
    page.wait("!window.__before_reload && document.readyState === 'complete'", 15, "the reload")
    wait_finished(page)
    check(page.table_rows() == want_rows, "a reload of #/job/<id> shows the job again")

    # ---- ids from an uploaded file, added to the typed ones ----
    upload = os.path.join(tmp, "ids.txt")
    with open(upload, "w") as f:
        f.write("P62258\nALBU_HUMAN,P02768-2\n")
    up_ids = ["P31946", "P62258", "ALBU_HUMAN", "P02768-2"]
    want_rows, _ = cli_map(args.idmap, args.index, up_ids)
    page.navigate(base + "/#/")
    page.wait(JS_FORM_READY, 15, "the form")
    page.set_value("#ids", "P31946")
    page.set_file("#file", upload)
    page.click("#submit")
    jid_up = job_id_of(page, jid)
    wait_finished(page)
    details = http(f"{base}/idmapping/details/{jid_up}").json()
    check(details.get("ids") == ",".join(up_ids),
          "an uploaded file's ids are sent with the typed ones", details.get("ids"))
    check(page.table_rows() == want_rows, "the upload job shows the rows of idmap map",
          f"expected {want_rows}, got {page.table_rows()}")
    page.navigate(base + "/#/")
    page.wait(JS_FORM_READY, 15, "the form")
    page.eval("document.getElementById('file').value = ''")

    # ---- gene names, with and without a taxon ----
    gene_ids = ["YWHAQ", "SH3BP5"]
    want_rows, _ = cli_map(args.idmap, args.index, gene_ids, ["--from", "Gene_Name", "--taxon", "10090"])
    page.set_value("#from", "Gene_Name", "change")
    page.set_value("#to", "UniProtKB", "change")
    page.set_value("#ids", " ".join(gene_ids))
    page.set_value("#taxid", "10090")
    page.click("#submit")
    jid_tax = job_id_of(page, jid_up)
    wait_finished(page)
    check(page.table_rows() == want_rows and "10090" in (page.text("#job-taxid") or ""),
          "From=Gene_Name with taxon 10090: the rows of idmap map --taxon 10090, taxon shown",
          f"expected {want_rows}, got {page.table_rows()}, taxon {page.text('#job-taxid')!r}")
    page.navigate(base + "/#/")
    page.wait(JS_FORM_READY, 15, "the form")
    check(page.eval("document.getElementById('from').value") == "Gene_Name",
          "the form keeps its choices when coming back to it")
    page.set_value("#taxid", "")
    page.click("#submit")
    jid_gene = job_id_of(page, jid_tax)
    wait_finished(page)
    first = http(f"{base}/idmapping/results/{jid_gene}?format=json&size=25").json()
    server_warnings = [w.get("message") for w in first.get("warnings", [])]
    shown = page.eval("(() => { const e = document.getElementById('warnings');"
                      " return e.hidden ? '' : e.textContent; })()")
    check(server_warnings and all(m in shown for m in server_warnings),
          "From=Gene_Name without a taxon: the job page shows the server's warnings",
          f"server {server_warnings}, page {shown!r}")
    jid_last = uniparc_suggestions(page, base, args, jid_gene)

    # ---- FASTA of ranges (subsequence) and of UniRef clusters, as the CLI's ----
    jid_last = fasta_job(page, base, downloads, args, ["P00750[39-81]", "P31946[1-10]"], "UniProtKB",
                         "--subsequence", jid_last)
    jid_last = fasta_job(page, base, downloads, args, ["P31946", "P62258"], "UniRef90", None, jid_last)

    # ---- paging ----
    accessions = []
    with open(args.dat) as f:
        for line in f:
            acc = line.split("\t", 1)[0].strip()
            if acc and acc not in accessions:
                accessions.append(acc)
    want_rows, _ = cli_map(args.idmap, args.index, accessions)
    n = len(want_rows)
    if not check(n > 25, f"the paging job has more than 25 result rows ({n})"):
        raise Failed("no paging job")
    page.navigate(base + "/#/")
    page.wait(JS_FORM_READY, 15, "the form")
    page.set_value("#from", "UniProtKB_AC-ID", "change")
    page.set_value("#to", "UniProtKB", "change")
    page.set_value("#ids", "\n".join(accessions))
    page.click("#submit")
    jid2 = job_id_of(page, jid_last)
    wait_finished(page)
    last = min(50, n)
    check(page.text("#range") == f"rows 1-25 of {n}" and page.table_rows() == want_rows[:25],
          f"page 1 shows rows 1-25 of {n}", f"{page.text('#range')}, {short(page.table_rows())}")
    check(page.eval("document.getElementById('prev').disabled && !document.getElementById('next').disabled"),
          "on page 1 #prev is disabled and #next enabled")
    page.click("#next")
    page.wait(f"document.getElementById('range').textContent === 'rows 26-{last} of {n}'", 10,
              f"rows 26-{last}")
    check(page.table_rows() == want_rows[25:50], f"#next shows rows 26-{last}",
          short(page.table_rows()))
    check(page.eval("!document.getElementById('prev').disabled")
          and page.eval("document.getElementById('next').disabled") == (n <= 50),
          "on page 2 #prev is enabled (and #next only when more rows follow)")
    page.click("#prev")
    page.wait(f"document.getElementById('range').textContent === 'rows 1-25 of {n}'", 10, "rows 1-25")
    check(page.table_rows() == want_rows[:25], "#prev goes back to rows 1-25")
    page.set_value("#size", "100", "change")
    page.wait(f"document.getElementById('range').textContent === 'rows 1-{min(n, 100)} of {n}'", 10,
              "size 100")
    check(page.table_rows() == want_rows[:100], f"100 rows per page shows rows 1-{min(n, 100)}")

    # ---- an unknown job ----
    page.navigate(f"{base}/#/job/{'0' * 32}")
    page.wait("document.getElementById('job-status').textContent === 'NOT FOUND'", 10, "NOT FOUND")
    check(page.eval("!document.getElementById('job-error').hidden"
                    " && document.getElementById('job-done').hidden"),
          "an unknown job id shows NOT FOUND and an error")

    # ---- the page as a whole ----
    cdp.drain(0.3)
    errors = [e["params"]["exceptionDetails"].get("exception", {}).get("description")
              or e["params"]["exceptionDetails"].get("text")
              for e in cdp.events if e["method"] == "Runtime.exceptionThrown"]
    check(not errors, "no JavaScript exception on the page", errors)
    urls = {e["params"]["request"]["url"] for e in cdp.events if e["method"] == "Network.requestWillBeSent"}
    outside = sorted(u for u in urls if not (u.startswith(base + "/") or u.startswith("blob:")
                                             or u.startswith("data:") or u == "about:blank"))
    check(not outside and urls, "the page loads nothing from outside the server", outside)
    kinds = {}
    for path_ in ("/", "/app.js", "/style.css"):
        a = http(base + path_)
        kinds[path_] = (a.status, (a.headers.get("Content-Type") or "").split(";")[0])
    check(kinds == {"/": (200, "text/html"), "/app.js": (200, "text/javascript"),
                    "/style.css": (200, "text/css")} or (
        kinds["/app.js"] == (200, "application/javascript")
        and kinds["/"] == (200, "text/html") and kinds["/style.css"] == (200, "text/css")),
        "/, /app.js and /style.css are served with their content types", kinds)


def uniparc_suggestions(page, base, args, previous):
    """RefSeq ids without UniProtKB entry: their UPI suggestions in the Suggested table (as in
    the CLI's JSON), each linked to /uniparc/<upi>.fasta when the index holds its record
    (UPI0027C4D5E1 has one, tests/data/uniparc/uniparc_extra.fasta; UPI0027C4D5E2 not)."""
    ids = ["NP_003395.1", "XP_054207398.1", "XP_016856103"]
    p = subprocess.run([args.idmap, "map", "-i", args.index, "--from", "RefSeq_Protein",
                        "--format", "json", *ids], capture_output=True, text=True, timeout=30)
    want = [(x["from"], x["to"]) for x in json.loads(p.stdout).get("suggestedIds", [])]
    page.navigate(base + "/#/")
    page.wait(JS_FORM_READY, 15, "the form")
    page.set_value("#from", "RefSeq_Protein", "change")
    page.set_value("#to", "UniProtKB", "change")
    page.set_value("#taxid", "")
    page.set_value("#ids", " ".join(ids))
    page.click("#submit")
    jid = job_id_of(page, previous)
    wait_finished(page)
    page.wait("document.querySelectorAll('#suggested a.upi-fasta').length > 0", 10,
              "the UPI links")
    got = page.table_rows("#suggested")
    check(want == [("XP_054207398.1", "UPI0027C4D5E1"), ("XP_016856103", "UPI0027C4D5E2")]
          and got == want and page.eval("!document.getElementById('suggested-block').hidden"),
          "RefSeq ids only in UniParc: their UPIs in the Suggested table, as the CLI's",
          f"expected {want}, got {got}")
    links = page.eval("[...document.querySelectorAll('#suggested tbody tr')].map(tr => {"
                      " const a = tr.cells[1].querySelector('a');"
                      " return a ? a.getAttribute('href') : null; })")
    check(links == ["/uniparc/UPI0027C4D5E1.fasta", None],
          "a suggested UPI links to its FASTA when the index holds it, else not", links)
    record = http(base + "/uniparc/UPI0027C4D5E1.fasta")
    entry = subprocess.run([args.idmap, "entry", "-i", args.index, "UPI0027C4D5E1"],
                           capture_output=True, timeout=30).stdout
    check(record.status == 200 and record.body == entry and entry.startswith(b">UPI0027C4D5E1"),
          "the link answers the record idmap entry prints", short(record.body))
    return jid


procs = {}
cdps = []


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def stop(proc, group=False):
    """Stops a process this test started (with group: its process group, chromium's helpers)."""
    if proc is None:
        return
    if proc.poll() is None:
        try:
            if group:
                os.killpg(proc.pid, signal.SIGTERM)
            else:
                proc.terminate()
            proc.wait(timeout=5)
        except (subprocess.TimeoutExpired, ProcessLookupError, PermissionError):
            pass
    if group:
        end = time.monotonic() + 5
        while group_alive(proc.pid) and time.monotonic() < end:
            time.sleep(0.05)
        if group_alive(proc.pid):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--idmap", required=True, help="the idmap binary (with `serve`)")
    ap.add_argument("--index", required=True, help="an index of the sample release")
    ap.add_argument("--out", required=True, help="folder for screenshots and logs")
    ap.add_argument("--dat", default=os.path.join(here, "..", "data", "sample", "idmapping.dat"),
                    help="the sample idmapping.dat (accessions of the paging job)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()
    for what, p in (("--idmap", args.idmap), ("--index", args.index), ("--dat", args.dat)):
        if not os.path.exists(p):
            print(f"web_page_test: {what} {p}: no such file", file=sys.stderr)
            return 2
    if not os.path.exists(args.chromium):
        print(f"not ok - chromium not found at {args.chromium} (apt-get install chromium)")
        return 1

    def on_alarm(signum, frame):
        raise TestTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TOTAL_TIMEOUT)
    tmp = tempfile.mkdtemp(prefix="idmap-web-test-")
    try:
        run(args, tmp)
    except TestTimeout:
        check(False, f"the test finished within {TOTAL_TIMEOUT} s")
    except Failed as e:
        check(False, "a step failed", e)
    except Exception as e:  # a bug of the test or an unexpected answer: report, do not hang
        check(False, "unexpected error", f"{type(e).__name__}: {e}")
    finally:
        signal.alarm(0)
        for c in cdps:
            c.close()
        stop(procs.get("chromium"), group=True)
        stop(procs.get("server"))
        shutil.rmtree(tmp, ignore_errors=True)
    passed = sum(RESULTS)
    print(f"# {passed} of {len(RESULTS)} checks passed", flush=True)
    return 0 if RESULTS and all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
