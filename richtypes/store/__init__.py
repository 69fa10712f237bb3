"""Content-addressed sidecar stores.

:class:`Store` writes each payload once, named by the BLAKE3 digest of its bytes,
and reads it back only after checking size, digest and that its path stays
inside the store root.
"""

from .local import DEFAULT_INLINE_LIMIT, DEFAULT_MAX_SIDECAR_BYTES, Store, StoreLike, as_store

__all__ = ["Store", "StoreLike", "as_store", "DEFAULT_INLINE_LIMIT", "DEFAULT_MAX_SIDECAR_BYTES"]
