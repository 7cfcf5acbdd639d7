"""libidmap loaded with ctypes: the structs and prototypes of engine/include/idmap_index.h and
idmap_map.h that the binding uses, declared field for field (tests/python_binding_test.py
compares them with the C compiler's layout).

ctypes.CDLL releases the GIL around every foreign call, so a long call (idmap_job_run,
idmap_verify) lets other Python threads run, and several threads may query one index at once.
"""
import ctypes
import ctypes.util
import os
from ctypes import POINTER, Structure, c_char, c_char_p, c_int, c_size_t, c_uint32, c_uint64
from ctypes import c_bool, c_uint, c_void_p

SONAME = "libidmap.so.1"
# The binding's version (the package's, read by pyproject.toml) = the library release whose
# struct layouts it declares; a library of another major.minor (0.x) is refused.
VERSION = "0.1.0"
ABI = tuple(int(x) for x in VERSION.split(".")[:2])

# Status codes (idmap_status; values pinned by the library).
OK, ERR_IO, ERR_NOT_INDEX, ERR_VERSION, ERR_CORRUPT = 0, 1, 2, 3, 4
ERR_NOT_FOUND, ERR_INVALID, DONE, STOPPED = 6, 7, 8, 10
ERR_BAD_FROM, ERR_BAD_OPTION = 20, 24
TYPE_ANY = 0xFFFFFFFF
ACC_TEXT_SIZE = 16
VALUE_SIZE = 1025  # IDMAP_VALUE_SIZE: the longest value and its NUL
OBSOLETE = {1: "secondary", 2: "deleted"}
VERIFY_FULL = 1


class TypeInfo(Structure):
    _fields_ = [("name", c_char_p), ("name_len", c_size_t), ("pairs", c_uint64),
                ("keys", c_uint64)]


class MetaLine(Structure):
    _fields_ = [("key", c_void_p), ("key_len", c_size_t), ("value", c_void_p),
                ("value_len", c_size_t)]


class SectionInfo(Structure):
    _fields_ = [("id", c_uint32), ("name", c_char_p), ("offset", c_uint64),
                ("length", c_uint64), ("crc", c_uint32)]


class Pair(Structure):
    _fields_ = [("type_id", c_uint32), ("len", c_size_t), ("key_slot", c_uint64),
                ("value", c_char * VALUE_SIZE)]

    def text(self):
        """The value, decoded into the pair's own buffer (it may hold NUL bytes)."""
        return text(ctypes.addressof(self) + Pair.value.offset, self.len)


class Iter(Structure):
    """An idmap_fwd_iter or idmap_rev_iter: private fields, so only room for them (the
    layout test checks that both fit)."""
    _fields_ = [("space", c_uint64 * 32)]


class DbInfo(Structure):
    _fields_ = [("name", c_char_p), ("display", c_char_p), ("group", c_char_p),
                ("file_type", c_char_p), ("kind", c_int), ("flags", c_uint), ("rule", c_int),
                ("type_id", c_uint32), ("ids", c_uint64), ("uri_link", c_char_p)]


class Request(Structure):
    _fields_ = [("from_", c_char_p), ("to", c_char_p), ("via", c_char_p),
                ("taxa", POINTER(c_uint64)), ("n_taxa", c_size_t),
                ("include_isoforms", c_int), ("canonical", c_int),
                ("allow_one_to_many", c_int), ("include_inactive", c_int)]


class Diag(Structure):
    _fields_ = [("status", c_int), ("message", c_char * 256), ("hint", c_char * 512)]


class JobStats(Structure):
    _fields_ = [(name, c_uint64) for name in (
        "inputs", "distinct", "duplicates", "mapped", "failed", "secondary", "deleted",
        "obsolete", "results", "suggested", "max_fanout", "max_fanout_id", "inactive")]


class IdInfo(Structure):
    _fields_ = [("text", c_void_p), ("len", c_size_t), ("from_len", c_size_t),
                ("status", c_int), ("obsolete", c_int), ("deleted_from", c_int),
                ("reason", c_char_p), ("rows", c_uint64)]


class Result(Structure):
    _fields_ = [("id", c_uint64), ("from_", c_void_p), ("from_len", c_size_t),
                ("to", c_void_p), ("to_len", c_size_t), ("via", c_void_p),
                ("via_len", c_size_t), ("acc_slot", c_uint64), ("inactive", c_int),
                ("xref_inactive", c_int), ("to_buf", c_char * VALUE_SIZE), ("via_buf", c_char * ACC_TEXT_SIZE)]


# Every struct the binding shares with C, for the layout test: ctypes class -> C type name.
STRUCTS = {TypeInfo: "idmap_type_info", MetaLine: "idmap_meta_line",
           SectionInfo: "idmap_section_info", Pair: "idmap_pair", DbInfo: "idmap_db_info",
           Request: "idmap_request", Diag: "idmap_diag", JobStats: "idmap_job_stats",
           IdInfo: "idmap_id_info", Result: "idmap_result"}

P = c_void_p  # idmap_index *, idmap_job *, idmap_catalog *: opaque handles
_PROTOTYPES = {
    # name: (restype, argtypes)
    "idmap_version": (c_char_p, []),
    "idmap_strerror": (c_char_p, [c_int]),
    "idmap_open": (c_int, [c_char_p, POINTER(P)]),
    "idmap_open_detail": (c_int, [c_char_p, POINTER(P), c_char_p, c_size_t]),
    "idmap_close": (None, [P]),
    "idmap_verify_flags": (c_int, [P, c_uint, c_char_p, c_size_t]),
    "idmap_acc_count": (c_uint64, [P]),
    "idmap_key_count": (c_uint64, [P]),
    "idmap_meta_next": (c_int, [P, POINTER(c_size_t), POINTER(MetaLine)]),
    "idmap_type_count": (c_uint32, [P]),
    "idmap_type_get": (c_int, [P, c_uint32, POINTER(TypeInfo)]),
    "idmap_type_find": (c_int, [P, c_char_p, POINTER(c_uint32)]),
    "idmap_section_count": (c_uint32, [P]),
    "idmap_section_get": (c_int, [P, c_uint32, POINTER(SectionInfo)]),
    "idmap_acc_find": (c_int, [P, c_char_p, c_size_t, POINTER(c_uint64)]),
    "idmap_acc_text": (c_int, [P, c_uint64, c_char_p, POINTER(c_size_t)]),
    "idmap_key_find": (c_int, [P, c_uint32, c_char_p, c_size_t, POINTER(c_uint64)]),
    "idmap_fwd_begin": (c_int, [P, c_uint64, c_uint32, POINTER(Iter)]),
    "idmap_fwd_next": (c_int, [POINTER(Iter), POINTER(Pair)]),
    "idmap_rev_begin": (c_int, [P, c_uint64, POINTER(Iter), POINTER(c_uint64)]),
    "idmap_rev_next": (c_int, [POINTER(Iter), POINTER(c_uint64)]),
    "idmap_catalog_open": (c_int, [P, POINTER(P)]),
    "idmap_catalog_free": (None, [P]),
    "idmap_catalog_count": (c_size_t, [P]),
    "idmap_catalog_get": (c_int, [P, c_size_t, POINTER(DbInfo)]),
    "idmap_job_new": (c_int, [P, POINTER(Request), POINTER(P), POINTER(Diag)]),
    "idmap_job_free": (None, [P]),
    "idmap_job_add_ids": (c_int, [P, c_char_p, c_size_t]),
    "idmap_job_set_threads": (c_int, [P, c_uint]),
    "idmap_job_run": (c_int, [P]),
    "idmap_job_get_stats": (None, [P, POINTER(JobStats)]),
    "idmap_job_id": (c_int, [P, c_uint64, POINTER(IdInfo)]),
    "idmap_id_failed": (c_bool, [c_int]),
    "idmap_job_result": (c_int, [P, c_uint64, POINTER(Result)]),
    "idmap_job_suggested": (c_int, [P, c_uint64, POINTER(Result)]),
    "idmap_job_warning": (c_int, [P, c_size_t, POINTER(c_int), POINTER(c_char_p)]),
}


def _open_library():
    """The library at $IDMAP_LIBRARY, else the one the dynamic linker finds by its name."""
    path = os.environ.get("IDMAP_LIBRARY")
    names = [path] if path else [SONAME, ctypes.util.find_library("idmap")]
    errors = []
    for name in filter(None, names):
        try:
            return ctypes.CDLL(name, use_errno=True)
        except OSError as e:
            errors.append(str(e))
    raise ImportError("idmap: cannot load %s (install idmap with cmake --install, add its "
                      "library directory to LD_LIBRARY_PATH, or set IDMAP_LIBRARY to its "
                      "path): %s" % (path or SONAME, "; ".join(errors) or "not found"))


def _bind(lib):
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    version = lib.idmap_version().decode()
    if tuple(int(x) for x in version.split(".")[:2]) != ABI:
        raise ImportError("idmap: %s is version %s; this binding is for %d.%d.x"
                          % (lib._name, version, *ABI))
    return lib


lib = _bind(_open_library())


def text(ptr, length):
    """Copies length bytes at ptr (owned by the index, a job or a struct) into a
    str. Bytes that are not UTF-8 survive a round trip (surrogateescape)."""
    return ctypes.string_at(ptr, length).decode("utf-8", "surrogateescape") if length else ""
