"""Mesh files for ``Object3D``: read (path or file object), tell the format, bundle glTF, check with trimesh.

A mesh is stored as the file's own bytes. A ``.gltf`` whose buffers or images
live in other files is bundled into one GLB here (files are looked up in the
``.gltf``'s folder and never outside it) so a stored mesh is never missing a
part. trimesh is imported only when a mesh is read, checked or decoded to a
trimesh object.
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..core.errors import FormatError, PathKey, ValidationError
from .mesh_limits import check_declared

__all__ = [
    "MESH_FORMATS",
    "MAX_MESH_BYTES",
    "read_mesh",
    "read_file",
    "mesh_from_bytes",
    "check_mesh",
    "load_trimesh",
    "export_glb",
]

#: The mesh file formats accepted, by the name recorded on the wire.
MESH_FORMATS = ("obj", "gltf", "glb", "stl", "ply")
#: Mesh files (a bundled glTF with all its parts) larger than this are refused.
MAX_MESH_BYTES = 256 * 1024**2

_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


def read_mesh(src: Any, file_type: str | None) -> tuple[bytes, str]:
    """Read a mesh from a path or file object (binary or text mode); return ``(bytes, format)``."""
    fmt = check_file_type(file_type)
    data, name, folder = read_file(src)
    return mesh_from_bytes(data, name, folder, fmt)


def read_file(src: Any) -> tuple[bytes, str | None, Path | None]:
    """``(bytes, file name, folder)`` of a path or file object (binary or text mode), bounded by :data:`MAX_MESH_BYTES`."""
    if isinstance(src, (str, os.PathLike)):
        path = Path(src)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ValidationError(
                f"cannot read the mesh file ({exc.strerror})", value=str(src), path=()
            ) from None
        if size > MAX_MESH_BYTES:
            raise ValidationError(
                f"mesh file is {size} bytes, above the limit of {MAX_MESH_BYTES}",
                value=str(src),
                path=(),
            )
        return path.read_bytes(), path.name, path.parent
    try:
        raw = src.read(MAX_MESH_BYTES + 1)
    except UnicodeDecodeError:
        shown = getattr(src, "name", None)
        raise ValidationError(
            "the file is opened in text mode but holds binary data; open it with 'rb'",
            value=os.path.basename(shown) if isinstance(shown, str) else ValidationError.NO_VALUE,
            path=(),
        ) from None
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    elif not isinstance(raw, (bytes, bytearray, memoryview)):
        raise ValidationError("read() must return bytes or str", value=type(raw).__name__, path=())
    data = bytes(raw)
    if len(data) > MAX_MESH_BYTES:
        raise ValidationError(
            f"mesh file is larger than the limit of {MAX_MESH_BYTES} bytes", path=()
        )
    name = getattr(src, "name", None)
    if isinstance(name, (str, os.PathLike)):
        return data, Path(name).name, Path(name).parent
    return data, None, None


def mesh_from_bytes(
    data: bytes, name: str | None, folder: Path | None, fmt: str | None
) -> tuple[bytes, str]:
    """Tell the format (``fmt``, else the file name, else the content), bundle glTF, check; ``(bytes, format)``."""
    if fmt is None:
        fmt = _from_name(name) or sniff(data)
    if fmt is None:
        raise ValidationError(
            f"cannot tell the mesh format from the file's name or content; pass file_type= ({', '.join(MESH_FORMATS)})",
            value=name if name else ValidationError.NO_VALUE,
            path=(),
        )
    if fmt == "gltf":
        data, fmt = bundle_gltf(data, folder)
    check_mesh(data, fmt)
    return data, fmt


def check_file_type(file_type: str | None) -> str | None:
    if file_type is None:
        return None
    fmt = file_type.lower().lstrip(".") if isinstance(file_type, str) else None
    if fmt not in MESH_FORMATS:
        raise ValidationError(
            f"must be one of {', '.join(MESH_FORMATS)}", value=file_type, path=("file_type",)
        )
    return fmt


def _from_name(name: str | None) -> str | None:
    if not name:
        return None
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    return ext if ext in MESH_FORMATS else None


def sniff(data: bytes) -> str | None:
    """The mesh format of ``data`` by content, or ``None``."""
    head = data[:4096]
    if head[:4] == b"glTF":
        return "glb"
    if head[:4] in (b"ply\n", b"ply\r"):
        return "ply"
    if len(data) >= 84 and 84 + 50 * struct.unpack("<I", data[80:84])[0] == len(data):
        return "stl"  # binary STL: an 80-byte header, a count, 50 bytes per triangle
    text = head.lstrip()
    if text[:1] == b"{":
        return "gltf"
    if text[:5].lower() == b"solid":
        return "stl"
    for line in text.splitlines():
        if line.split(b" ", 1)[0] in (b"v", b"vn", b"vt", b"f", b"o", b"g", b"mtllib", b"usemtl"):
            return "obj"
    return None


def check_mesh(data: bytes, fmt: str) -> None:
    """Refuse bytes trimesh cannot load as ``fmt`` or that hold no geometry (``ValidationError``)."""
    try:
        loaded = load_trimesh(data, fmt)
    except FormatError as err:
        raise ValidationError(err.problem, path=()) from None
    geometry = getattr(loaded, "geometry", None)
    vertices = getattr(loaded, "vertices", None)
    empty = (not geometry) if geometry is not None else (vertices is None or len(vertices) == 0)
    if empty:
        raise ValidationError(f"is not a valid {fmt} mesh (it holds no geometry)", path=())


def load_trimesh(data: bytes, fmt: str) -> Any:
    """``trimesh.load`` of in-memory mesh bytes, after :func:`~.mesh_limits.check_declared`.

    Raises
    ------
    FormatError
        For declared sizes above the file's bytes, or anything trimesh raises
        while loading (it raises many kinds of errors for broken files).
    """
    import trimesh

    check_declared(data, fmt)
    try:
        return trimesh.load(io.BytesIO(data), file_type=fmt, process=False)
    except Exception as exc:
        text = f"{type(exc).__name__}: {exc}"
        text = text if len(text) <= 160 else text[:157] + "..."
        raise FormatError(f"is not a valid {fmt} mesh (trimesh: {text})") from None


def export_glb(mesh: Any) -> bytes:
    """A trimesh ``Trimesh`` or ``Scene`` as GLB bytes."""
    data = mesh.export(file_type="glb")
    return bytes(data)


# ---------------------------------------------------------------- glTF bundling
def bundle_gltf(data: bytes, folder: Path | None) -> tuple[bytes, str]:
    """A self-contained ``.gltf`` as it is; one with external files as a GLB that holds them."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"is not a valid gltf mesh (not JSON: {exc})", path=()) from None
    if not isinstance(doc, dict):
        raise ValidationError("is not a valid gltf mesh (the JSON is not an object)", path=())
    buffers = _list(doc, "buffers")
    images = _list(doc, "images")
    external = [
        b
        for b in buffers + images
        if isinstance(b.get("uri"), str) and not b["uri"].startswith("data:")
    ]
    if not external:
        return data, "gltf"
    blob = bytearray()
    starts = []
    for i, buf in enumerate(buffers):
        part = _read_uri(buf.get("uri"), folder, ("buffers", i, "uri"), len(blob))
        length = buf.get("byteLength")
        if not isinstance(length, int) or length < 0 or length > len(part):
            raise ValidationError(
                f"byteLength must be an integer within the {len(part)} bytes read",
                value=length,
                path=("buffers", i, "byteLength"),
            )
        _pad(blob, 0)
        starts.append(len(blob))
        blob += part[:length]
    views = _list(doc, "bufferViews")
    for j, view in enumerate(views):
        index = view.get("buffer")
        if not isinstance(index, int) or not 0 <= index < len(starts):
            raise ValidationError(
                f"must be a buffer index below {len(starts)}",
                value=index,
                path=("bufferViews", j, "buffer"),
            )
        view["buffer"] = 0
        view["byteOffset"] = int(view.get("byteOffset", 0)) + starts[index]
    for k, image in enumerate(images):
        uri = image.get("uri")
        if not isinstance(uri, str):
            continue
        part = _read_uri(uri, folder, ("images", k, "uri"), len(blob))
        _pad(blob, 0)
        views.append({"buffer": 0, "byteOffset": len(blob), "byteLength": len(part)})
        blob += part
        mime = image.get("mimeType") or _MIME.get(
            os.path.splitext(unquote(uri.split(",")[0]))[1].lower(), "image/png"
        )
        if uri.startswith("data:"):
            mime = uri[5:].split(";")[0] or mime
        image.pop("uri")
        image["bufferView"] = len(views) - 1
        image["mimeType"] = mime
    doc["bufferViews"] = views
    doc["buffers"] = [{"byteLength": len(blob)}]
    _pad(blob, 0)
    text = bytearray(json.dumps(doc, separators=(",", ":")).encode("utf-8"))
    _pad(text, 0x20)
    total = 12 + 8 + len(text) + 8 + len(blob)
    glb = b"".join(
        [
            struct.pack("<4sII", b"glTF", 2, total),
            struct.pack("<I4s", len(text), b"JSON"),
            bytes(text),
            struct.pack("<I4s", len(blob), b"BIN\x00"),
            bytes(blob),
        ]
    )
    return glb, "glb"


def _list(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = doc.get(key, [])
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise ValidationError("must be a list of objects", path=(key,))
    return items


def _pad(buf: bytearray, fill: int) -> None:
    buf += bytes([fill]) * (-len(buf) % 4)


def _read_uri(uri: Any, folder: Path | None, path: tuple[PathKey, ...], used: int) -> bytes:
    if not isinstance(uri, str):
        raise ValidationError(
            "must be a string (a .gltf keeps its buffers in files or data: URIs)",
            value=uri,
            path=path,
        )
    if uri.startswith("data:"):
        head, sep, payload = uri.partition(",")
        if not sep or not head.endswith(";base64"):
            raise ValidationError("must be a base64 data: URI", value=uri, path=path)
        try:
            return base64.b64decode(payload, validate=True)
        except ValueError:
            raise ValidationError("holds invalid base64", value=uri, path=path) from None
    if folder is None:
        raise ValidationError(
            "names an external file; give the .gltf as a path (or a file object with a name) so it can be bundled",
            value=uri,
            path=path,
        )
    rel = unquote(uri)
    if (
        "://" in rel
        or os.path.isabs(rel)
        or rel.startswith(("/", "\\"))
        or ".." in rel.replace("\\", "/").split("/")
    ):
        raise ValidationError(
            "must be a relative path inside the .gltf's folder", value=uri, path=path
        )
    root = os.path.realpath(folder)
    full = os.path.realpath(os.path.join(root, rel))
    if os.path.commonpath([root, full]) != root:
        raise ValidationError(
            "must be a relative path inside the .gltf's folder", value=uri, path=path
        )
    try:
        size = os.stat(full).st_size
    except OSError:
        raise ValidationError(
            "names a file that does not exist beside the .gltf", value=uri, path=path
        ) from None
    if used + size > MAX_MESH_BYTES:
        raise ValidationError(
            f"makes the bundled mesh larger than the limit of {MAX_MESH_BYTES} bytes",
            value=uri,
            path=path,
        )
    with open(full, "rb") as fh:
        return fh.read()
