"""idmap: UniProt's ID mapping, offline, from one index file (Python binding of libidmap).

    import idmap
    with idmap.Index("uniprot.idx") as ix:
        pairs = ix.map(["P31946", "ALBU_HUMAN"], to="UniRef90")
"""
from ._lib import VERSION as __version__
from ._lib import lib as _libidmap
from .errors import IdmapError, RequestError
from .index import Index
from .result import MapResult

__all__ = ["Index", "MapResult", "IdmapError", "RequestError", "version", "__version__"]


def version():
    """The version of the libidmap loaded ("MAJOR.MINOR.PATCH")."""
    return _libidmap.idmap_version().decode()
