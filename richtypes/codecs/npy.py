"""The ``.npy`` container: write a header for an array, parse one strictly.

Writing produces standard NumPy format 1.0 files (2.0 when a structured dtype's
header is too long), so every sidecar opens with ``np.load``. Reading never
unpickles and never evaluates text: the header dictionary is matched field by
field, the shape is counted in Python integers (no int64 overflow), and the
element count must account for every byte that follows the header.
"""

from __future__ import annotations

import ast
import io
import math
import re
from collections.abc import Callable

import numpy as np

from ..core.errors import IntegrityError

__all__ = ["npy_header", "little_endian", "parse_header", "decode_npy", "CODECS"]

_MAGIC = b"\x93NUMPY"
#: Most elements (and the longest axis) an array may have: numpy counts in int64.
_MAX_COUNT = 2**62
#: Largest header this reader accepts (NumPy's own default limit is 10,000 bytes).
MAX_HEADER_BYTES = 1 << 16
_HEADER = re.compile(
    r"""\{\s*'descr'\s*:\s*(?P<descr>'[^']*'|\[.*\])\s*,"""
    r"""\s*'fortran_order'\s*:\s*(?P<fortran>True|False)\s*,"""
    r"""\s*'shape'\s*:\s*\((?P<shape>[0-9,\s]*)\)\s*,?\s*\}\s*""",
    re.S,
)


def npy_header(arr: np.ndarray) -> bytes:
    """The ``.npy`` header for a C-contiguous little-endian array."""
    header = io.BytesIO()
    info = np.lib.format.header_data_from_array_1_0(arr)
    try:
        np.lib.format.write_array_header_1_0(header, info)
    except ValueError:  # header too long for format 1.0 (huge structured dtypes)
        np.lib.format.write_array_header_2_0(header, info)
    return header.getvalue()


def little_endian(arr: np.ndarray) -> np.ndarray:
    """Return ``arr`` C-contiguous with an explicit little-endian dtype (copying only if needed)."""
    if arr.dtype.hasobject:
        raise TypeError("object arrays cannot be stored; convert them to a numeric dtype first")
    if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and not np.little_endian):
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    return np.ascontiguousarray(arr)


def parse_header(
    data: bytes, *, where: str, total: int
) -> tuple[np.dtype, tuple[int, ...], bool, int]:
    """Check the head of a ``.npy`` file whose full size is ``total`` bytes.

    Returns ``(dtype, shape, fortran_order, data_offset)``; raises
    :class:`~richtypes.IntegrityError` for anything that is not a plain
    ``.npy`` array whose data fills exactly the rest of the file.
    """

    def bad(problem: str) -> IntegrityError:
        return IntegrityError(f"sidecar {where!r} is not a valid .npy file: {problem}")

    if len(data) < 10 or data[:6] != _MAGIC:
        raise bad("missing the \\x93NUMPY magic")
    major = data[6]
    if major == 1:
        length, start = int.from_bytes(data[8:10], "little"), 10
    elif major in (2, 3):
        if len(data) < 12:
            raise bad("truncated header")
        length, start = int.from_bytes(data[8:12], "little"), 12
    else:
        raise bad(f"unsupported version {major}.{data[7]}")
    if length > MAX_HEADER_BYTES:
        raise bad(f"header of {length} bytes is above the limit of {MAX_HEADER_BYTES}")
    if len(data) < start + length:
        raise bad("truncated header")
    try:
        text = data[start : start + length].decode("utf-8" if major == 3 else "latin1")
    except UnicodeDecodeError:
        raise bad("header is not text") from None
    match = _HEADER.fullmatch(text)
    if match is None:
        raise bad(f"header is not a plain array header: {text[:80]!r}")
    dtype = _dtype(match.group("descr"), bad)
    if dtype.hasobject:
        raise IntegrityError(
            f"sidecar {where!r} holds Python objects (pickle); refusing to load it"
        )
    shape_text = match.group("shape").strip()
    try:
        shape = (
            tuple(int(part) for part in shape_text.split(",") if part.strip()) if shape_text else ()
        )
    except ValueError:
        raise bad(f"bad shape ({shape_text})") from None
    if "," not in shape_text and shape_text:
        raise bad(f"bad shape ({shape_text}) (a 1-tuple needs a trailing comma)")
    if dtype.itemsize == 0:
        raise bad(f"its dtype {dtype} has items of zero bytes")
    count = math.prod(shape)  # Python ints: no overflow
    if count > _MAX_COUNT or any(dim > _MAX_COUNT for dim in shape):
        raise bad(f"shape {shape} has more than 2**62 elements")
    offset = start + length
    expected = count * dtype.itemsize
    if total - offset != expected:
        raise IntegrityError(
            f"sidecar {where!r} should hold {expected} bytes of array data for shape {shape} {dtype}, has {total - offset}"
        )
    return dtype, shape, match.group("fortran") == "True", offset


def _dtype(descr: str, bad: Callable[[str], IntegrityError]) -> np.dtype:
    try:
        value = ast.literal_eval(descr) if len(descr) <= MAX_HEADER_BYTES else None
        if not isinstance(value, (str, list)):
            raise ValueError("descr must be a string or a list")
        return np.lib.format.descr_to_dtype(value)  # type: ignore[arg-type]  # a str descr is valid too
    except Exception as exc:  # literal_eval and dtype parsing raise many types on hostile text
        raise bad(f"bad descr ({type(exc).__name__})") from None


def decode_npy(data: bytes, *, where: str = "<bytes>") -> np.ndarray:
    """Parse ``.npy`` bytes into a read-only array without copying; refuses pickled objects."""
    dtype, shape, fortran, offset = parse_header(data, where=where, total=len(data))
    try:
        arr = np.frombuffer(data, dtype=dtype, offset=offset, count=math.prod(shape))
        return arr.reshape(shape, order="F" if fortran else "C")
    except (ValueError, TypeError, OverflowError) as exc:  # numpy refuses what the header allowed
        raise IntegrityError(
            f"sidecar {where!r} is not a valid .npy file: {type(exc).__name__}: {exc}"
        ) from None


#: name -> decoder, the codec table of this module.
CODECS: dict[str, Callable[..., np.ndarray]] = {"npy": decode_npy}
