/* idmap web page: the Retrieve/ID mapping form and the job page.
 *
 * A single page app with hash routes, so that reloads and bookmarks work:
 *   #/             the form   (POST /idmapping/run)
 *   #/job/<jobId>  one job    (status, details, paged results, unmapped ids, downloads)
 * It speaks only the server's REST API (UniProt's, plus the idmap extensions
 * `status?redirect=false` and `details.stats`), loads nothing from elsewhere and needs
 * no framework: plain ES2020.
 */
'use strict';

(() => {
  const DEFAULT_FROM = 'UniProtKB_AC-ID';
  const DEFAULT_TO = 'UniProtKB';
  const EXAMPLE_IDS = 'P31946 P62258 ALBU_HUMAN';
  const UNIPROTKB_TARGETS = new Set(['UniProtKB', 'UniProtKB-Swiss-Prot']);
  /* targets with FASTA records: the path of their result streams */
  const FASTA_KINDS = {
    UniProtKB: 'uniprotkb', 'UniProtKB-Swiss-Prot': 'uniprotkb',
    UniRef100: 'uniref', UniRef90: 'uniref', UniRef50: 'uniref', UniParc: 'uniparc',
  };
  const RANGE_RE = /\[\d+-\d+\]$/; /* P00750[39-81] */
  const POLL_MS = 500;
  const RETRY_MS = 2000;
  const FAILED_SHOWN = 1000; /* longer unmapped lists are offered as a download */
  const UPI_RE = /^UPI[0-9A-F]{10}$/;
  const UPI_LINKS = 200; /* suggested UPIs whose FASTA record is looked for */

  const $ = (id) => document.getElementById(id);
  const el = {
    release: $('release'),
    formView: $('form-view'), form: $('map-form'), formError: $('form-error'),
    ids: $('ids'), idCount: $('id-count'), example: $('example'), file: $('file'),
    from: $('from'), to: $('to'), taxidField: $('taxid-field'), taxid: $('taxid'),
    taxidAdvice: $('taxid-advice'), submit: $('submit'),
    jobView: $('job-view'), jobId: $('job-id'), jobStatus: $('job-status'),
    jobMapping: $('job-mapping'), jobTaxidLabel: $('job-taxid-label'), jobTaxid: $('job-taxid'),
    jobError: $('job-error'), jobDone: $('job-done'), counts: $('counts'), warnings: $('warnings'),
    size: $('size'), range: $('range'), prev: $('prev'), next: $('next'),
    results: $('results'), resultsEmpty: $('results-empty'),
    failedSummary: $('failed-summary'), failed: $('failed'), obsolete: $('obsolete'),
    suggestedBlock: $('suggested-block'), suggested: $('suggested'),
    dlTsv: $('download-tsv'), dlJson: $('download-json'), dlList: $('download-list'),
    dlEntriesItem: $('download-entries-item'), dlEntries: $('download-entries'),
    dlFastaItem: $('download-fasta-item'), dlFasta: $('download-fasta'),
    isoformsLabel: $('fasta-isoforms-label'), isoforms: $('fasta-isoforms'),
    subsequenceLabel: $('fasta-subsequence-label'), subsequence: $('fasta-subsequence'),
  };

  /* ---- small helpers ---------------------------------------------------------------- */

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const enc = encodeURIComponent;

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function make(tag, textContent, className) {
    const node = document.createElement(tag);
    if (textContent !== undefined && textContent !== null) node.textContent = String(textContent);
    if (className) node.className = className;
    return node;
  }

  function splitIds(text) {
    return text.split(/[\s,]+/).filter((s) => s.length > 0);
  }

  function plural(n, one, many) {
    return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
  }

  /* fetch and parse a JSON answer; body is null when the answer is not JSON */
  async function getJson(url, options) {
    const opts = Object.assign({ headers: { Accept: 'application/json' } }, options || {});
    const res = await fetch(url, opts);
    let body = null;
    const raw = await res.text();
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch (e) {
        body = null;
      }
    }
    return { res, body, raw };
  }

  /* the messages of an error answer: UniProt's {"messages":[...]} or {"errors":[{message}]} */
  function errorMessages(res, body, raw) {
    if (body && Array.isArray(body.messages) && body.messages.length > 0) {
      return body.messages.map(String);
    }
    if (body && Array.isArray(body.errors) && body.errors.length > 0) {
      return body.errors.map((e) => (e && e.message ? String(e.message) : JSON.stringify(e)));
    }
    const text = (raw || '').trim();
    return [`The server answered ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 300)}` : '.'}`];
  }

  function showMessages(box, messages) {
    clear(box);
    if (!messages || messages.length === 0) {
      box.hidden = true;
      return;
    }
    if (messages.length === 1) {
      box.appendChild(make('p', messages[0]));
    } else {
      const ul = make('ul');
      for (const m of messages) ul.appendChild(make('li', m));
      box.appendChild(ul);
    }
    box.hidden = false;
  }

  /* a server URL (absolute, as in Link headers) as a path on this page's origin */
  function localUrl(url) {
    const u = new URL(url, window.location.href);
    return u.pathname + u.search;
  }

  function nextLink(header) {
    if (!header) return null;
    for (const part of header.split(/,(?=\s*<)/)) {
      const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
      if (m && /(^|;)\s*rel\s*=\s*"?next"?\s*(;|$)/i.test(m[2])) return localUrl(m[1]);
    }
    return null;
  }

  /* ---- the database catalogue (GET /configure/idmapping/fields) ----------------------- */

  const catalog = {
    groups: [],
    items: new Map(), /* name -> item */
    rules: new Map(), /* ruleId -> rule */
    ready: null, /* promise */
  };

  function displayName(name) {
    const item = catalog.items.get(name);
    return item && item.displayName ? item.displayName : name;
  }

  async function loadCatalog() {
    const { res, body, raw } = await getJson('/configure/idmapping/fields');
    const release = res.headers.get('X-UniProt-Release');
    const date = res.headers.get('X-UniProt-Release-Date');
    if (release) {
      el.release.textContent = `UniProt release ${release}${date ? ` (${date})` : ''}`;
      el.release.title = 'Release of the local index';
    }
    if (!res.ok || !body || !Array.isArray(body.groups)) {
      throw new Error(errorMessages(res, body, raw).join(' '));
    }
    catalog.groups = body.groups;
    for (const group of body.groups) {
      for (const item of group.items || []) {
        if (!catalog.items.has(item.name)) catalog.items.set(item.name, item);
      }
    }
    for (const rule of body.rules || []) catalog.rules.set(rule.ruleId, rule);
    fillFrom();
    updateTo(true);
    el.from.disabled = false;
    el.to.disabled = false;
    el.submit.disabled = false;
  }

  function option(item) {
    const opt = make('option', item.displayName || item.name);
    opt.value = item.name;
    if (typeof item.ids === 'number') opt.title = `${item.ids.toLocaleString('en')} ids in the local index`;
    return opt;
  }

  function fillFrom() {
    clear(el.from);
    for (const group of catalog.groups) {
      const items = (group.items || []).filter((it) => it.from);
      if (items.length === 0) continue;
      const og = document.createElement('optgroup');
      og.label = group.groupName;
      for (const it of items) og.appendChild(option(it));
      el.from.appendChild(og);
    }
    if (catalog.items.has(DEFAULT_FROM)) el.from.value = DEFAULT_FROM;
  }

  function ruleOf(fromName) {
    const item = catalog.items.get(fromName);
    return item ? catalog.rules.get(item.ruleId) : undefined;
  }

  /* offer in To only the targets of the selected source's rule; keep the current choice when
   * it stays allowed, else take the rule's default */
  function updateTo(preferDefault) {
    const rule = ruleOf(el.from.value);
    const tos = new Set(rule && Array.isArray(rule.tos) ? rule.tos : []);
    const previous = el.to.value;
    clear(el.to);
    const offered = new Set();
    for (const group of catalog.groups) {
      const items = (group.items || []).filter((it) => it.to && tos.has(it.name) && !offered.has(it.name));
      if (items.length === 0) continue;
      const og = document.createElement('optgroup');
      og.label = group.groupName;
      for (const it of items) {
        og.appendChild(option(it));
        offered.add(it.name);
      }
      el.to.appendChild(og);
    }
    /* a target named by the rule but absent from the groups */
    const rest = [...tos].filter((name) => !offered.has(name));
    if (rest.length > 0) {
      const og = document.createElement('optgroup');
      og.label = 'Other';
      for (const name of rest) {
        og.appendChild(option({ name, displayName: name }));
        offered.add(name);
      }
      el.to.appendChild(og);
    }
    const fallback = rule && offered.has(rule.defaultTo) ? rule.defaultTo
      : offered.has(DEFAULT_TO) ? DEFAULT_TO : null;
    if (!preferDefault && offered.has(previous)) el.to.value = previous;
    else if (fallback) el.to.value = fallback;

    const taxon = Boolean(rule && rule.taxonId);
    el.taxidField.hidden = !taxon;
    el.taxid.disabled = !taxon;
    el.taxidAdvice.hidden = !taxon;
  }

  /* ---- the form ---------------------------------------------------------------------- */

  function updateIdCount() {
    const n = splitIds(el.ids.value).length;
    el.idCount.textContent = n > 0 ? plural(n, 'identifier', 'identifiers') : '';
  }

  function readFile(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error || new Error('cannot read the file'));
      reader.readAsText(file);
    });
  }

  async function onSubmit(event) {
    event.preventDefault();
    showMessages(el.formError, []);
    let text = el.ids.value;
    const file = el.file.files && el.file.files[0];
    if (file) {
      try {
        text += `\n${await readFile(file)}`;
      } catch (e) {
        showMessages(el.formError, [`Cannot read ${file.name}: ${e.message}`]);
        return;
      }
    }
    const params = new URLSearchParams();
    params.set('from', el.from.value);
    params.set('to', el.to.value);
    params.set('ids', splitIds(text).join(','));
    const taxon = el.taxid.value.trim();
    if (!el.taxid.disabled && taxon !== '') params.set('taxId', taxon);

    const label = el.submit.textContent;
    el.submit.disabled = true;
    el.submit.textContent = 'Submitting…';
    try {
      const { res, body, raw } = await getJson('/idmapping/run', { method: 'POST', body: params });
      if (res.ok && body && typeof body.jobId === 'string' && body.jobId !== '') {
        window.location.hash = `#/job/${enc(body.jobId)}`;
      } else {
        showMessages(el.formError, errorMessages(res, body, raw));
      }
    } catch (e) {
      showMessages(el.formError, [`Cannot reach the idmap server: ${e.message}`]);
    } finally {
      el.submit.disabled = false;
      el.submit.textContent = label;
    }
  }

  el.form.addEventListener('submit', onSubmit);
  el.from.addEventListener('change', () => updateTo(false));
  el.ids.addEventListener('input', updateIdCount);
  el.example.addEventListener('click', () => {
    el.ids.value = EXAMPLE_IDS;
    if (catalog.items.has(DEFAULT_FROM)) {
      el.from.value = DEFAULT_FROM;
      updateTo(true);
    }
    updateIdCount();
    el.ids.focus();
  });
  el.form.addEventListener('reset', () => {
    /* after the browser has reset the fields */
    setTimeout(() => {
      showMessages(el.formError, []);
      if (catalog.items.has(DEFAULT_FROM)) el.from.value = DEFAULT_FROM;
      updateTo(true);
      updateIdCount();
    }, 0);
  });

  /* ---- the job page ------------------------------------------------------------------ */

  let generation = 0; /* bumped at each route change: work of an older route stops */

  const COUNT_LABELS = [
    ['inputs', 'identifier submitted', 'identifiers submitted'],
    ['distinct', 'distinct identifier', 'distinct identifiers'],
    ['duplicates', 'duplicate (mapped once)', 'duplicates (mapped once)'],
    ['mapped', 'mapped', 'mapped'],
    ['failed', 'not mapped', 'not mapped'],
    ['obsolete', 'obsolete (secondary or deleted accession)', 'obsolete (secondary or deleted accessions)'],
    ['secondary', 'secondary accession', 'secondary accessions'],
    ['deleted', 'deleted accession', 'deleted accessions'],
    ['results', 'result row', 'result rows'],
    ['suggested', 'suggested', 'suggested'],
  ];

  function setStatus(status) {
    el.jobStatus.textContent = status;
    el.jobStatus.dataset.status = status;
  }

  function renderCounts(stats) {
    clear(el.counts);
    const known = new Set();
    const add = (key, one, many) => {
      const value = stats[key];
      if (typeof value !== 'number') return;
      const li = make('li');
      li.dataset.count = key;
      li.dataset.value = String(value);
      if (value === 0) li.className = 'zero';
      li.appendChild(make('strong', value.toLocaleString('en')));
      li.appendChild(document.createTextNode(` ${value === 1 ? one : many}`));
      el.counts.appendChild(li);
    };
    for (const [key, one, many] of COUNT_LABELS) {
      known.add(key);
      add(key, one, many);
    }
    for (const key of Object.keys(stats)) {
      if (!known.has(key)) add(key, key, key);
    }
  }

  /* rows: {from, to} objects (JSON results) or arrays of cells (TSV results) */
  function renderRows(tbody, rows, toIsEntry) {
    clear(tbody);
    const frag = document.createDocumentFragment();
    for (const row of rows) {
      const cells = Array.isArray(row) ? row : [row.from, row.to];
      const tr = make('tr');
      cells.forEach((value, i) => {
        const cell = make('td', typeof value === 'object' && value !== null ? JSON.stringify(value) : value);
        if (i === 1 && toIsEntry) cell.className = 'acc';
        tr.appendChild(cell);
      });
      frag.appendChild(tr);
    }
    tbody.appendChild(frag);
  }

  function renderHead(table, titles) {
    const tr = make('tr');
    for (const title of titles) {
      const th = make('th', title);
      th.scope = 'col';
      tr.appendChild(th);
    }
    clear(table.tHead);
    table.tHead.appendChild(tr);
  }

  /* a TSV answer: its first line titles the columns */
  function parseTsv(raw) {
    const lines = raw.split('\n').filter((l) => l.length > 0);
    const titles = lines.length > 0 ? lines[0].split('\t') : [];
    return { titles, rows: lines.slice(1).map((l) => l.split('\t')) };
  }

  /* Suggested UniParc ids (RefSeq, EMBL and GI ids without a UniProtKB entry) link to their
   * FASTA records, /uniparc/<upi>.fasta, when the index holds them (uniparc_active.fasta):
   * a HEAD request tells, as the FASTA download's probe does. */
  async function linkUpis(tbody, gen) {
    const cells = [...tbody.rows].map((tr) => tr.cells[1])
      .filter((td) => td && UPI_RE.test(td.textContent)).slice(0, UPI_LINKS);
    for (const td of cells) {
      const upi = td.textContent;
      const url = `/uniparc/${upi}.fasta`;
      const res = await fetch(url, { method: 'HEAD' }).catch(() => null);
      if (gen !== generation) return;
      if (!res || !res.ok) continue;
      const a = make('a', upi, 'upi-fasta');
      a.href = url;
      a.title = `The sequence of ${upi} (FASTA)`;
      td.textContent = '';
      td.appendChild(a);
    }
  }

  function renderUnmapped(body, jobId) {
    const failedIds = Array.isArray(body.failedIds) ? body.failedIds : [];
    clear(el.failed);
    if (failedIds.length === 0) {
      el.failedSummary.textContent = 'Every identifier was mapped.';
    } else {
      el.failedSummary.textContent = `${plural(failedIds.length, 'identifier', 'identifiers')} could not be mapped`
        + (failedIds.length > FAILED_SHOWN ? ` (the first ${FAILED_SHOWN} are shown).` : '.');
      for (const id of failedIds.slice(0, FAILED_SHOWN)) el.failed.appendChild(make('li', id));
      const blob = new Blob([`${failedIds.join('\n')}\n`], { type: 'text/plain' });
      const a = make('a', 'Download the unmapped identifiers');
      a.id = 'download-failed';
      a.href = URL.createObjectURL(blob);
      a.download = `idmap-${jobId}-unmapped.txt`;
      el.failedSummary.appendChild(document.createTextNode(' '));
      el.failedSummary.appendChild(a);
    }
    const obsolete = typeof body.obsoleteCount === 'number' ? body.obsoleteCount : 0;
    el.obsolete.textContent = obsolete > 0
      ? `${plural(obsolete, 'obsolete identifier', 'obsolete identifiers')} (secondary or deleted UniProtKB accessions; deleted ones have no target).`
      : 'No obsolete identifier.';
    el.obsolete.dataset.value = String(obsolete);
    const suggested = Array.isArray(body.suggestedIds) ? body.suggestedIds : [];
    renderRows(el.suggested.tBodies[0], suggested.map((p) => (p && p.active === false
      ? [p.from, `${p.to} (inactive)`] : p)), false);
    el.suggestedBlock.hidden = suggested.length === 0;
    linkUpis(el.suggested.tBodies[0], generation);
    const warnings = Array.isArray(body.warnings) ? body.warnings : [];
    showMessages(el.warnings, warnings.map((w) => (w && typeof w === 'object' && w.message
      ? `${w.message}${typeof w.code === 'number' ? ` (warning ${w.code})` : ''}` : JSON.stringify(w))));
  }

  function fastaUrl(base) {
    const params = new URLSearchParams({ format: 'fasta' });
    if (!el.isoformsLabel.hidden && el.isoforms.checked) params.set('includeIsoform', 'true');
    if (!el.subsequenceLabel.hidden && el.subsequence.checked) params.set('subsequence', 'true');
    return `${base}?${params}`;
  }

  /* FASTA, with the options of UniProt's download dialog: isoforms for UniProtKB targets,
   * subsequence when every id carries a range (the server refuses it otherwise); offered
   * only when the server has the records (an index without sequences answers 400) */
  async function setFastaDownload(jobId, to, ids, gen) {
    el.dlFastaItem.hidden = true;
    const kind = FASTA_KINDS[to];
    if (!kind) return;
    const job = enc(jobId);
    const probe = await fetch(`/idmapping/${kind}/results/${job}?format=fasta&size=1`).catch(() => null);
    if (gen !== generation || !probe || !probe.ok) return;
    const base = `/idmapping/${kind}/results/stream/${job}`;
    el.isoformsLabel.hidden = kind !== 'uniprotkb';
    el.subsequenceLabel.hidden = !(kind === 'uniprotkb' && ids.length > 0 && ids.every((id) => RANGE_RE.test(id)));
    el.isoforms.checked = false;
    el.subsequence.checked = false;
    const update = () => {
      el.dlFasta.href = fastaUrl(base);
    };
    el.isoforms.onchange = update;
    el.subsequence.onchange = update;
    update();
    el.dlFasta.download = `idmap-${jobId}.fasta`;
    el.dlFastaItem.hidden = false;
  }

  function setDownloads(jobId, to) {
    const base = `/idmapping/stream/${enc(jobId)}`;
    const files = [[el.dlTsv, 'tsv', 'tsv'], [el.dlJson, 'json', 'json'], [el.dlList, 'list', 'txt']];
    for (const [a, format, ext] of files) {
      a.href = `${base}?format=${format}`;
      a.download = `idmap-${jobId}.${ext}`;
    }
    const entries = UNIPROTKB_TARGETS.has(to);
    el.dlEntriesItem.hidden = !entries;
    if (entries) {
      /* no fields: the server's default columns, those of the results table */
      el.dlEntries.href = `/idmapping/uniprotkb/results/stream/${enc(jobId)}?format=tsv`;
      el.dlEntries.download = `idmap-${jobId}-entries.tsv`;
    }
  }

  /* the paged results table: urls[i] is the address of page i (from the Link headers),
   * starts[i] the number of rows before it, so Previous needs no cursor arithmetic */
  const pager = {
    jobId: null, toIsEntry: false, urls: [], starts: [0], index: 0, busy: false, gen: 0,
    haveStats: false,
  };

  /* UniProtKB targets: the server's entry columns as TSV (its default columns, so that the
   * table shows what the index holds); the unmapped ids come from the JSON results */
  function firstPageUrl(jobId) {
    const size = enc(el.size.value);
    return pager.toIsEntry ? `/idmapping/uniprotkb/results/${enc(jobId)}?format=tsv&size=${size}`
      : `/idmapping/results/${enc(jobId)}?format=json&size=${size}`;
  }

  async function getPage(url) {
    if (!pager.toIsEntry) {
      const answer = await getJson(url);
      return Object.assign(answer, { rows: answer.body && Array.isArray(answer.body.results) ? answer.body.results : [] });
    }
    const res = await fetch(url, { headers: { Accept: 'text/plain;format=tsv' } });
    const raw = await res.text();
    if (!res.ok) return { res, body: null, raw, rows: [] };
    const { titles, rows } = parseTsv(raw);
    if (titles.length > 0) renderHead(el.results, titles);
    const json = await getJson(`/idmapping/results/${enc(pager.jobId)}?format=json&size=0`);
    return { res, body: json.body, raw, rows };
  }

  async function loadPage(index) {
    const gen = pager.gen;
    pager.busy = true;
    el.prev.disabled = true;
    el.next.disabled = true;
    el.results.setAttribute('aria-busy', 'true');
    try {
      const { res, body, raw, rows } = await getPage(pager.urls[index]);
      if (gen !== pager.gen) return;
      if (!res.ok || !body) {
        showMessages(el.jobError, errorMessages(res, body, raw));
        return;
      }
      const next = nextLink(res.headers.get('Link'));
      pager.index = index;
      pager.urls.length = index + 1;
      if (next) pager.urls.push(next);
      pager.starts[index + 1] = pager.starts[index] + rows.length;
      renderRows(el.results.tBodies[0], rows, pager.toIsEntry);

      const totalHeader = res.headers.get('X-Total-Results');
      const total = totalHeader !== null && totalHeader !== '' ? Number(totalHeader) : null;
      const first = pager.starts[index] + 1;
      const last = pager.starts[index] + rows.length;
      const of = total !== null && !Number.isNaN(total) ? ` of ${total.toLocaleString('en')}` : '';
      el.range.textContent = rows.length > 0 ? `rows ${first}-${last}${of}` : `no rows${of}`;
      el.resultsEmpty.hidden = !(index === 0 && rows.length === 0);

      if (index === 0) {
        renderUnmapped(body, pager.jobId);
        if (!pager.haveStats) {
          /* a server without the stats extension: what the first page tells */
          const stats = {};
          if (total !== null && !Number.isNaN(total)) stats.results = total;
          stats.failed = Array.isArray(body.failedIds) ? body.failedIds.length : 0;
          if (typeof body.obsoleteCount === 'number') stats.obsolete = body.obsoleteCount;
          renderCounts(stats);
        }
      }
      el.prev.disabled = index === 0;
      el.next.disabled = !next;
    } catch (e) {
      if (gen === pager.gen) showMessages(el.jobError, [`Cannot load the results: ${e.message}`]);
    } finally {
      if (gen === pager.gen) {
        pager.busy = false;
        el.results.removeAttribute('aria-busy');
      }
    }
  }

  function startPaging() {
    pager.gen += 1;
    pager.urls = [firstPageUrl(pager.jobId)];
    pager.starts = [0];
    pager.index = 0;
    return loadPage(0);
  }

  el.next.addEventListener('click', () => {
    if (!pager.busy && pager.urls.length > pager.index + 1) loadPage(pager.index + 1);
  });
  el.prev.addEventListener('click', () => {
    if (!pager.busy && pager.index > 0) loadPage(pager.index - 1);
  });
  el.size.addEventListener('change', () => {
    if (pager.jobId) startPaging();
  });

  function resetJobView(jobId) {
    el.jobId.textContent = jobId;
    setStatus('…');
    el.jobMapping.textContent = '…';
    el.jobTaxidLabel.hidden = true;
    el.jobTaxid.hidden = true;
    showMessages(el.jobError, []);
    showMessages(el.warnings, []);
    el.jobDone.hidden = true;
    clear(el.counts);
    clear(el.results.tBodies[0]);
    renderHead(el.results, ['From', 'To']);
    el.dlFastaItem.hidden = true;
    clear(el.failed);
    el.failedSummary.textContent = '';
    el.obsolete.textContent = '';
    el.range.textContent = '';
    el.prev.disabled = true;
    el.next.disabled = true;
    pager.gen += 1;
    pager.jobId = null;
  }

  async function pollStatus(jobId, gen) {
    const url = `/idmapping/status/${enc(jobId)}?redirect=false`;
    for (;;) {
      let answer;
      try {
        answer = await getJson(url);
      } catch (e) {
        if (gen !== generation) return null;
        setStatus('waiting for the server…');
        await sleep(RETRY_MS);
        if (gen !== generation) return null;
        continue;
      }
      if (gen !== generation) return null;
      const { res, body, raw } = answer;
      const status = body && typeof body.jobStatus === 'string' ? body.jobStatus : null;
      /* a server that redirects anyway: fetch followed the 303 to the results */
      if (status === 'FINISHED' || (res.redirected && res.ok)) return 'FINISHED';
      if (res.status === 404) {
        setStatus('NOT FOUND');
        showMessages(el.jobError, [`There is no job ${jobId}: unknown, or expired and deleted.`]);
        return null;
      }
      if (status === 'ERROR' || !res.ok) {
        setStatus('ERROR');
        showMessages(el.jobError, errorMessages(res, body, raw));
        return null;
      }
      setStatus(status || 'RUNNING');
      await sleep(POLL_MS);
      if (gen !== generation) return null;
    }
  }

  async function showJob(jobId, gen) {
    el.formView.hidden = true;
    el.jobView.hidden = false;
    document.title = `Job ${jobId} — idmap`;
    resetJobView(jobId);

    const status = await pollStatus(jobId, gen);
    if (status !== 'FINISHED' || gen !== generation) return;
    setStatus('FINISHED');

    let details;
    try {
      const { res, body, raw } = await getJson(`/idmapping/details/${enc(jobId)}`);
      if (gen !== generation) return;
      if (!res.ok || !body) {
        showMessages(el.jobError, errorMessages(res, body, raw));
        return;
      }
      details = body;
    } catch (e) {
      if (gen === generation) showMessages(el.jobError, [`Cannot load the job details: ${e.message}`]);
      return;
    }
    await catalog.ready.catch(() => undefined); /* display names, when there are any */
    if (gen !== generation) return;

    el.jobMapping.textContent = '';
    const from = make('span', displayName(details.from));
    from.title = details.from;
    const to = make('span', displayName(details.to));
    to.title = details.to;
    el.jobMapping.append(from, ' → ', to);
    if (details.ids) {
      const n = splitIds(String(details.ids)).length;
      el.jobMapping.append(` (${plural(n, 'identifier', 'identifiers')})`);
    }
    if (details.taxId) {
      el.jobTaxid.textContent = `NCBI taxon ${details.taxId}`;
      el.jobTaxidLabel.hidden = false;
      el.jobTaxid.hidden = false;
    }
    pager.haveStats = Boolean(details.stats && typeof details.stats === 'object');
    if (pager.haveStats) renderCounts(details.stats);
    setDownloads(jobId, details.to);
    setFastaDownload(jobId, details.to, splitIds(String(details.ids || '')), gen);

    pager.jobId = jobId;
    pager.toIsEntry = UNIPROTKB_TARGETS.has(details.to);
    el.jobDone.hidden = false;
    await startPaging();
  }

  function showForm() {
    el.jobView.hidden = true;
    el.formView.hidden = false;
    document.title = 'idmap — Retrieve/ID mapping (local)';
    pager.gen += 1;
    pager.jobId = null;
  }

  function route() {
    generation += 1;
    const gen = generation;
    const m = /^#\/job\/([^/?#]+)\/?$/.exec(window.location.hash);
    if (m) {
      let jobId = m[1];
      try {
        jobId = decodeURIComponent(jobId);
      } catch (e) {
        /* keep it as typed */
      }
      showJob(jobId, gen);
    } else {
      showForm();
    }
  }

  window.addEventListener('hashchange', route);

  catalog.ready = loadCatalog();
  catalog.ready.catch((e) => {
    showMessages(el.formError, [`Cannot load the list of databases: ${e.message}`]);
    for (const select of [el.from, el.to]) {
      clear(select);
      select.appendChild(make('option', 'unavailable'));
    }
  });
  updateIdCount();
  route();
})();
