"""Content-addressed sidecar stores.

:class:`Store` writes each payload once, named by the BLAKE3 digest of its bytes,
and reads it back only after checking size, digest and that its path stays
inside the store root. ``Store("s3://bucket/prefix")`` (any fsspec URL) is a
:class:`RemoteStore` on object storage with the same contract.
"""

from .local import DEFAULT_INLINE_LIMIT, DEFAULT_MAX_SIDECAR_BYTES, Store, StoreLike, as_store
from .remote import RemoteStore, is_url

__all__ = [
    "Store",
    "RemoteStore",
    "StoreLike",
    "as_store",
    "is_url",
    "DEFAULT_INLINE_LIMIT",
    "DEFAULT_MAX_SIDECAR_BYTES",
]
