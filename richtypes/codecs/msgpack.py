"""msgpack blocks: lists of strings (table string columns, box captions) and back.

Decoding is bounded by the block's own size and by the number of items the
document promises, takes no binary, map or extension items, and never
recurses deeper than :data:`MAX_DEPTH`; any failure is an
:class:`~richtypes.FormatError` at the
caller's path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgpack as _msgpack

from ..core.errors import FormatError, PathKey

__all__ = ["encode_strings", "decode_strings", "CODECS"]


def encode_strings(values: Sequence[str | None]) -> bytes:
    """A msgpack array of strings (``None`` as nil)."""
    return _msgpack.packb(list(values), use_bin_type=True)


def decode_strings(
    data: bytes, count: int, path: Sequence[PathKey], *, allow_none: bool = False
) -> list[str | None]:
    """Read what :func:`encode_strings` wrote: exactly ``count`` strings (or ``None`` if ``allow_none``)."""
    where = tuple(path)
    try:
        cells = _msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=True,
            use_list=True,
            max_str_len=len(data),
            max_array_len=count,
            max_bin_len=0,
            max_map_len=0,
            max_ext_len=0,
        )
    except (ValueError, _msgpack.UnpackException, UnicodeDecodeError) as exc:
        raise FormatError(
            f"not a valid msgpack list of strings ({type(exc).__name__})", path=where
        ) from None
    if not isinstance(cells, list):
        raise FormatError("the msgpack block must hold a list of strings", path=where)
    if len(cells) != count:
        raise FormatError(f"must hold {count} values", value=len(cells), path=where)
    for i, cell in enumerate(cells):
        if not (isinstance(cell, str) or (allow_none and cell is None)):
            raise FormatError(
                "must be a string" + (" or null" if allow_none else ""),
                value=cell,
                path=where + (i,),
            )
    return cells


#: name -> decoder, the codec table of this module.
CODECS: dict[str, Callable[..., Any]] = {"msgpack": decode_strings}
