"""idmap.Index: an open index file, its raw pairs, and UniProt's ID mapping over it."""
import ctypes
import os
from ctypes import byref, c_char_p, c_int, c_size_t, c_uint32, c_uint64

from . import _lib
from ._lib import lib, text
from .errors import IdmapError, RequestError, check
from .result import MapResult


def _encode(s):
    return s.encode("utf-8", "surrogateescape") if isinstance(s, str) else bytes(s)


def _decode(p):
    """A NUL-terminated string of the library (c_char_p), or None."""
    return p.decode() if p is not None else None


class Index:
    """An idmap index, opened read-only (memory-mapped; opening is O(1) in its size).

    Any number of threads may query one Index at once. Strings come back as str.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self._ix = ctypes.c_void_p()
        self._types = None
        detail = ctypes.create_string_buffer(512)
        rc = lib.idmap_open_detail(os.fsencode(self.path), byref(self._ix), detail, len(detail))
        if rc != _lib.OK:  # the reason names the damaged part, as the CLI says it
            errno = ctypes.get_errno() if rc == _lib.ERR_IO else None
            raise IdmapError("%s: %s" % (self.path, detail.value.decode(errors="replace")),
                             rc, errno)

    def close(self):
        """Unmaps the index; the Index is unusable afterwards. Safe to call twice."""
        if self._ix:
            lib.idmap_close(self._ix)
            self._ix = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_ix", None):
            self.close()

    def _handle(self):
        if not self._ix:
            raise ValueError("idmap: the index is closed")
        return self._ix

    # ---- accessions and raw pairs ----------------------------------------------------------

    def __len__(self):
        """Number of accessions, isoforms included."""
        return lib.idmap_acc_count(self._handle())

    def _slot(self, accession):
        b = _encode(accession)
        slot = c_uint64()
        rc = lib.idmap_acc_find(self._handle(), b, len(b), byref(slot))
        if rc == _lib.ERR_NOT_FOUND:
            return None
        check(rc, accession)
        return slot.value

    def __contains__(self, accession):
        return isinstance(accession, str) and self._slot(accession) is not None

    def __iter__(self):
        """The accessions of the index (isoforms too), in index order: not sorted."""
        ix = self._handle()
        buf = ctypes.create_string_buffer(_lib.ACC_TEXT_SIZE)
        n = c_size_t()
        for slot in range(lib.idmap_acc_count(ix)):
            check(lib.idmap_acc_text(ix, slot, buf, byref(n)), self.path)
            yield buf.raw[:n.value].decode()

    def _type_id(self, name):
        tid = c_uint32()
        if lib.idmap_type_find(self._handle(), _encode(name), byref(tid)) != _lib.OK:
            raise KeyError(name)
        return tid.value

    def _type_names(self):
        """The names of the type ids (the TYPES dictionary is small), read once."""
        if self._types is None:
            info, names = _lib.TypeInfo(), []
            for tid in range(lib.idmap_type_count(self._handle())):
                check(lib.idmap_type_get(self._handle(), tid, byref(info)), self.path)
                names.append(info.name.decode())
            self._types = names
        return self._types

    def lookup(self, accession, type=None):
        """The pairs the index holds for an accession (or isoform), as {ID_type: [values]} in
        the file's type order: the release's raw data, without UniProt's rules (map() applies
        them). type keeps one ID_type. KeyError when the accession (or type) is absent."""
        slot = self._slot(accession)
        if slot is None:
            raise KeyError(accession)
        want = _lib.TYPE_ANY if type is None else self._type_id(type)
        it, pair, names, out = _lib.Iter(), _lib.Pair(), self._type_names(), {}
        check(lib.idmap_fwd_begin(self._handle(), slot, want, byref(it)), self.path)
        while True:
            rc = lib.idmap_fwd_next(byref(it), byref(pair))
            if rc == _lib.DONE:
                return out
            check(rc, self.path)
            name = names[pair.type_id]
            if not name.startswith("#"):  # idmap's own links (isoforms, unversioned forms)
                out.setdefault(name, []).append(pair.text())

    def reverse(self, type, value):
        """The accessions holding value of ID_type type (exact, case-sensitive), raw as
        lookup(). KeyError when the index has no such key."""
        b = _encode(value)
        slot, acc, count = c_uint64(), c_uint64(), c_uint64()
        ix = self._handle()
        rc = lib.idmap_key_find(ix, self._type_id(type), b, len(b), byref(slot))
        if rc == _lib.ERR_NOT_FOUND:
            raise KeyError((type, value))
        check(rc, self.path)
        it, buf, n, out = _lib.Iter(), ctypes.create_string_buffer(_lib.ACC_TEXT_SIZE), \
            c_size_t(), []
        check(lib.idmap_rev_begin(ix, slot.value, byref(it), byref(count)), self.path)
        while True:
            rc = lib.idmap_rev_next(byref(it), byref(acc))
            if rc == _lib.DONE:
                return out
            check(rc, self.path)
            check(lib.idmap_acc_text(ix, acc.value, buf, byref(n)), self.path)
            out.append(buf.raw[:n.value].decode())

    # ---- metadata --------------------------------------------------------------------------

    def info(self):
        """What `idmap info` shows: the META lines (release, build_date, ...; "input" as a
        list), counts, ID types ({name: {"pairs", "keys"}}, idmap's own "#" types too) and
        sections."""
        ix = self._handle()
        out = {"path": self.path, "input": []}
        cursor, line = c_size_t(0), _lib.MetaLine()
        while True:
            rc = lib.idmap_meta_next(ix, byref(cursor), byref(line))
            if rc == _lib.DONE:
                break
            check(rc, self.path)
            key, value = text(line.key, line.key_len), text(line.value, line.value_len)
            if key == "input":
                out["input"].append(value)
            else:
                out.setdefault(key, value)
        out["accessions"] = lib.idmap_acc_count(ix)
        out["keys"] = lib.idmap_key_count(ix)
        types, t = {}, _lib.TypeInfo()
        for i in range(lib.idmap_type_count(ix)):
            check(lib.idmap_type_get(ix, i, byref(t)), self.path)
            types[t.name.decode()] = {"pairs": t.pairs, "keys": t.keys}
        out["types"] = types
        sections, s = [], _lib.SectionInfo()
        for i in range(lib.idmap_section_count(ix)):
            check(lib.idmap_section_get(ix, i, byref(s)), self.path)
            sections.append({"id": s.id, "name": _decode(s.name),
                             "offset": s.offset, "length": s.length, "crc": s.crc})
        out["sections"] = sections
        return out

    def databases(self):
        """The names map() takes, as `idmap databases` lists them: dicts with name,
        display, group, file_type, source, target, rule, ids, uri_link."""
        cat = ctypes.c_void_p()
        check(lib.idmap_catalog_open(self._handle(), byref(cat)), self.path)
        try:
            out, d = [], _lib.DbInfo()
            for i in range(lib.idmap_catalog_count(cat)):
                check(lib.idmap_catalog_get(cat, i, byref(d)), self.path)
                s = _decode
                out.append({"name": s(d.name), "display": s(d.display), "group": s(d.group),
                            "file_type": s(d.file_type), "source": bool(d.flags & 1),
                            "target": bool(d.flags & 2), "rule": d.rule or None,
                            "ids": None if d.ids == 2**64 - 1 else d.ids,
                            "uri_link": s(d.uri_link)})
            return out
        finally:
            lib.idmap_catalog_free(cat)

    def verify(self, full=False):
        """Checks every checksum and structure (O(index size)); full also looks up the key of
        every forward pair. Returns None, or raises IdmapError naming the damaged part."""
        detail = ctypes.create_string_buffer(512)
        flags = _lib.VERIFY_FULL if full else 0
        rc = lib.idmap_verify_flags(self._handle(), flags, detail, len(detail))
        if rc != _lib.OK:
            message = detail.value.decode(errors="replace") or \
                lib.idmap_strerror(rc).decode()
            raise IdmapError("%s: %s" % (self.path, message), rc)

    # ---- UniProt ID mapping ----------------------------------------------------------------

    def map(self, ids, from_="UniProtKB_AC-ID", to="UniProtKB", taxon=None, *, via=None,
            include_isoforms=False, canonical=False, allow_one_to_many=False, threads=None,
            as_frame=False, include_inactive=False):
        """Maps ids as UniProt's ID mapping (and `idmap map`) does. ids: an iterable of str,
        or one str split on white space and commas. taxon: an NCBI taxon id or several.
        Returns a MapResult: a list of (from, to) pairs, (from, to, via) with via="UniProtKB",
        in first-seen order of the ids, with .failed, .suggested, .obsolete, .warnings and
        .stats; as_frame=True returns result.to_frame() (a pandas.DataFrame) instead.
        include_inactive=True also lists inactive UniParc cross-references, each row (and
        suggestion) then ending with active (True or False), as `idmap map --include-inactive`.
        Raises RequestError for a request UniProt's rules refuse."""
        taxa = [] if taxon is None else [taxon] if isinstance(taxon, int) else list(taxon)
        taxa_arr = (c_uint64 * max(len(taxa), 1))(*taxa)
        req = _lib.Request(from_=_encode(from_), to=_encode(to),
                           via=_encode(via) if via else None, taxa=taxa_arr,
                           n_taxa=len(taxa), include_isoforms=bool(include_isoforms),
                           canonical=bool(canonical), allow_one_to_many=bool(allow_one_to_many),
                           include_inactive=bool(include_inactive))
        job, diag = ctypes.c_void_p(), _lib.Diag()
        rc = lib.idmap_job_new(self._handle(), byref(req), byref(job), byref(diag))
        if _lib.ERR_BAD_FROM <= rc <= _lib.ERR_BAD_OPTION:
            raise RequestError(diag.message.decode(), rc, diag.hint.decode())
        check(rc, self.path)
        try:
            data = _encode(ids) if isinstance(ids, (str, bytes)) else \
                b"\n".join(_encode(i) for i in ids)
            check(lib.idmap_job_add_ids(job, data, len(data)), "ids")
            check(lib.idmap_job_set_threads(job, threads or os.cpu_count() or 1), "threads")
            # the GIL is released while the job runs (ctypes.CDLL)
            check(lib.idmap_job_run(job), self.path)
            result = _collect(job, via is not None, bool(include_inactive))
        finally:
            lib.idmap_job_free(job)
        return result.to_frame() if as_frame else result


def _collect(job, with_via, with_active=False):
    """The rows, failed and obsolete ids, suggestions and warnings of a run job."""
    st = _lib.JobStats()
    lib.idmap_job_get_stats(job, byref(st))
    r = _lib.Result()

    def rows(get, n):
        for i in range(n):
            check(get(job, i, byref(r)), "result")
            row = (text(r.from_, r.from_len), text(r.to, r.to_len))
            row += (text(r.via, r.via_len),) if with_via else ()
            yield row + (not r.xref_inactive,) if with_active else row

    result = MapResult(rows(lib.idmap_job_result, st.results), with_via, with_active)
    result.suggested = list(rows(lib.idmap_job_suggested, st.suggested))
    info = _lib.IdInfo()
    for i in range(st.distinct):
        check(lib.idmap_job_id(job, i, byref(info)), "id")
        if lib.idmap_id_failed(info.status):  # the library's one rule (suggested ids are not)
            result.failed.append(text(info.text, info.len))
        if info.obsolete:
            result.obsolete[text(info.text, info.from_len)] = _lib.OBSOLETE[info.obsolete]
    code, msg = c_int(), c_char_p()
    while lib.idmap_job_warning(job, len(result.warnings), byref(code), byref(msg)) == _lib.OK:
        result.warnings.append((code.value, msg.value.decode()))
    result.stats = {name: getattr(st, name) for name, _ in _lib.JobStats._fields_}
    return result
