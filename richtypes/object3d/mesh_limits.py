"""Bounds a mesh file's declared sizes by its real bytes, before trimesh allocates anything.

A mesh file states counts and lengths (glTF accessor counts and buffer
lengths, PLY element counts, GLB chunk lengths) that a loader trusts to
allocate arrays. A few hostile bytes can state billions. :func:`check_declared`
checks, without building any array, that what the file states fits in what it
holds, so loading it costs memory proportional to the file:

- GLB: chunks lie inside the file; the JSON chunk is parsed as glTF below.
- glTF: every buffer is the GLB's binary chunk or a ``data:`` URI long enough
  for its ``byteLength`` (a stored mesh never names an external file:
  construction bundles them); every buffer view lies inside its buffer; every
  accessor inside its buffer view; accessors with no buffer view (zero
  filled) total at most :data:`MAX_ZERO_FILLED_BYTES`.
- PLY: the element counts times the smallest row each can have (binary: its
  fixed-size properties; text: two characters a value) fit in the bytes after
  the header.

Each broken rule raises :class:`~richtypes.FormatError` with its own message.
"""

from __future__ import annotations

import json
import struct
from typing import Any

from ..core.errors import FormatError

__all__ = ["MAX_ZERO_FILLED_BYTES", "check_declared"]

#: glTF accessors without a buffer view are filled with zeros by the loader; their bytes in
#: one mesh may total at most this much.
MAX_ZERO_FILLED_BYTES = 64 * 1024**2
_MAX_HEADER = 64 * 1024
_COMPONENT_BYTES = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
_TYPE_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
_PLY_BYTES = {
    "char": 1,
    "uchar": 1,
    "int8": 1,
    "uint8": 1,
    "short": 2,
    "ushort": 2,
    "int16": 2,
    "uint16": 2,
    "int": 4,
    "uint": 4,
    "int32": 4,
    "uint32": 4,
    "float": 4,
    "float32": 4,
    "double": 8,
    "float64": 8,
}


def check_declared(data: bytes, fmt: str) -> None:
    """Refuse a mesh file whose declared sizes exceed its bytes (``FormatError``); see the module docs."""
    if fmt == "glb":
        _check_glb(data)
    elif fmt == "gltf":
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise _bad(fmt, f"not JSON: {type(exc).__name__}") from None
        _check_gltf(doc, None, fmt)
    elif fmt == "ply":
        _check_ply(data)


def _bad(fmt: str, why: str) -> FormatError:
    return FormatError(f"is not a valid {fmt} mesh ({why})")


def _int(value: Any, fmt: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(fmt, f"{what} must be a non-negative integer, got {value!r}"[:200])
    return value


# ----------------------------------------------------------------------- glTF
def _check_glb(data: bytes) -> None:
    if len(data) < 12 or data[:4] != b"glTF":
        raise _bad("glb", "no glTF header")
    _, length = struct.unpack_from("<II", data, 4)
    if length > len(data):
        raise _bad("glb", f"the header states {length} bytes, the file has {len(data)}")
    chunks: list[tuple[bytes, int, int]] = []
    at = 12
    while at + 8 <= length:
        size, kind = struct.unpack_from("<I4s", data, at)
        at += 8
        if at + size > length:
            raise _bad("glb", f"a {kind!r} chunk of {size} bytes runs past the end of the file")
        chunks.append((kind, at, size))
        at += size
    if not chunks or chunks[0][0] != b"JSON":
        raise _bad("glb", "the first chunk is not JSON")
    _, start, size = chunks[0]
    try:
        doc = json.loads(data[start : start + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _bad("glb", f"the JSON chunk is not JSON: {type(exc).__name__}") from None
    binary = next((size for kind, _, size in chunks[1:] if kind == b"BIN\x00"), None)
    _check_gltf(doc, binary, "glb")


def _items(doc: dict[str, Any], key: str, fmt: str) -> list[dict[str, Any]]:
    items = doc.get(key, [])
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise _bad(fmt, f"{key} must be a list of objects")
    return items


def _check_gltf(doc: Any, binary: int | None, fmt: str) -> None:
    """Buffers within the bytes held, views within buffers, accessors within views."""
    if not isinstance(doc, dict):
        raise _bad(fmt, "the JSON is not an object")
    lengths = []
    for i, buf in enumerate(_items(doc, "buffers", fmt)):
        length = _int(buf.get("byteLength"), fmt, f"buffers[{i}].byteLength")
        uri = buf.get("uri")
        if uri is None:
            held = binary if i == 0 and binary is not None else 0
            what = "the binary chunk" if i == 0 and binary is not None else "no data"
        elif isinstance(uri, str) and uri.startswith("data:"):
            payload = uri.partition(",")[2]
            held, what = len(payload) * 3 // 4, "its data: URI"
        else:
            raise _bad(fmt, f"buffers[{i}] names an external file; a stored mesh holds every part")
        if length > held:
            raise _bad(fmt, f"buffers[{i}] states {length} bytes, {what} holds {held}")
        lengths.append(length)
    views = []
    for j, view in enumerate(_items(doc, "bufferViews", fmt)):
        index = view.get("buffer")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(lengths):
            raise _bad(fmt, f"bufferViews[{j}].buffer must be a buffer index below {len(lengths)}")
        offset = _int(view.get("byteOffset", 0), fmt, f"bufferViews[{j}].byteOffset")
        length = _int(view.get("byteLength"), fmt, f"bufferViews[{j}].byteLength")
        if offset + length > lengths[index]:
            raise _bad(fmt, f"bufferViews[{j}] runs past the end of buffers[{index}]")
        stride = _int(view.get("byteStride", 0), fmt, f"bufferViews[{j}].byteStride")
        views.append((length, stride))
    zero_filled = 0
    for k, acc in enumerate(_items(doc, "accessors", fmt)):
        count = _int(acc.get("count"), fmt, f"accessors[{k}].count")
        size = _COMPONENT_BYTES.get(acc.get("componentType"))  # type: ignore[arg-type]
        width = _TYPE_COMPONENTS.get(acc.get("type"))  # type: ignore[arg-type]
        if size is None or width is None:
            raise _bad(fmt, f"accessors[{k}] has an unknown componentType or type")
        element = size * width
        view_index = acc.get("bufferView")
        if view_index is None:
            zero_filled += count * element
            if zero_filled > MAX_ZERO_FILLED_BYTES:
                raise _bad(
                    fmt,
                    f"accessors without a buffer view total {zero_filled} bytes, above {MAX_ZERO_FILLED_BYTES}",
                )
            continue
        if (
            not isinstance(view_index, int)
            or isinstance(view_index, bool)
            or not 0 <= view_index < len(views)
        ):
            raise _bad(fmt, f"accessors[{k}].bufferView must be a view index below {len(views)}")
        length, stride = views[view_index]
        offset = _int(acc.get("byteOffset", 0), fmt, f"accessors[{k}].byteOffset")
        need = offset + (count - 1) * max(stride, element) + element if count else 0
        if need > length:
            raise _bad(
                fmt,
                f"accessors[{k}] needs {need} bytes of bufferViews[{view_index}], which has {length}",
            )
    for m, image in enumerate(_items(doc, "images", fmt)):
        uri = image.get("uri")
        if uri is not None and not (isinstance(uri, str) and uri.startswith("data:")):
            raise _bad(fmt, f"images[{m}] names an external file; a stored mesh holds every part")


# ------------------------------------------------------------------------ PLY
def _check_ply(data: bytes) -> None:
    end = data.find(b"end_header", 0, _MAX_HEADER)
    if end < 0:
        raise _bad("ply", f"no end_header within the first {_MAX_HEADER} bytes")
    body = len(data) - data.find(b"\n", end) - 1 if data.find(b"\n", end) >= 0 else 0
    lines = data[:end].decode("ascii", "replace").splitlines()
    binary = any(
        line.split()[:2] in (["format", "binary_little_endian"], ["format", "binary_big_endian"])
        for line in lines
    )
    need = 0
    counts: list[tuple[str, int, int]] = []  # element name, count, smallest row in bytes
    for line in lines:
        words = line.split()
        if words[:1] == ["element"] and len(words) == 3:
            try:
                count = int(words[2])
            except ValueError:
                raise _bad(
                    "ply", f"element {words[1]!r} has a count that is not an integer"
                ) from None
            if count < 0:
                raise _bad("ply", f"element {words[1]!r} has a negative count")
            counts.append((words[1], count, 0))
        elif words[:1] == ["property"] and counts:
            name, count, row = counts[-1]
            kind = (
                words[2]
                if words[1:2] == ["list"] and len(words) > 2
                else words[1]
                if len(words) > 1
                else ""
            )
            step = _PLY_BYTES.get(kind, 1) if binary else 2
            counts[-1] = (name, count, row + step)
    for name, count, row in counts:
        need += count * max(row, 1)
        if need > body:
            raise _bad(
                "ply",
                f"element {name!r} states {count} rows, more than the {body} bytes after the header can hold",
            )
