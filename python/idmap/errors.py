"""Exceptions carrying libidmap's messages."""
import os

from . import _lib


class IdmapError(Exception):
    """A libidmap call failed. status is the library's idmap_status code; errno the cause of
    an input/output error (else None)."""

    def __init__(self, message, status, errno=None):
        super().__init__(message)
        self.status = status
        self.errno = errno


class RequestError(IdmapError, ValueError):
    """A mapping request that UniProt's rules refuse (bad from/to, pair, option): message is
    UniProt's wording, hint what to do instead ("" when none)."""

    def __init__(self, message, status, hint=""):
        super().__init__(message, status)
        self.hint = hint


def check(status, what):
    """Raises IdmapError for a failed status: "what: the library's message"."""
    if status in (_lib.OK, _lib.DONE):
        return
    message = "%s: %s" % (what, _lib.lib.idmap_strerror(status).decode())
    errno = None
    if status == _lib.ERR_IO:
        errno = _lib.ctypes.get_errno()
        if errno:
            message += ": " + os.strerror(errno)
    raise IdmapError(message, status, errno)
