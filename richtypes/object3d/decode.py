"""Decoding an ``object3d`` envelope: the document back into the constructor's inputs, through its checks.

Every field is read at its place in the document, so a ``FormatError`` names
it (``$.boxes.corners[0]: ...``); the arrays then go through the same checks
as construction (:func:`~.points.check_packed` / :func:`~.points.check_columns`,
:func:`~.scene.check_boxes`, :func:`~.scene.check_vectors`, and for a mesh
:func:`~.mesh.check_mesh`), whose errors carry document paths too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.errors import FormatError, ValidationError
from ..core.media import field
from ..store.local import Store
from . import mesh as _mesh
from .points import check_columns, check_packed, decode_array, labels_from_json
from .scene import check_boxes, check_vectors

__all__ = ["KINDS", "SCENE_TYPE", "decode_fields"]

#: The ``kind`` values of the wire format.
KINDS = ("points", "scene", "mesh")
#: The ``type`` of a lidar scene dict (the wire's ``scene_type``).
SCENE_TYPE = "lidar/beta"


def decode_fields(doc: Mapping[str, Any], store: Store) -> dict[str, Any]:
    """The keyword arguments of ``Object3D._set`` for an envelope, checked as construction checks them."""
    kind = field(doc, "kind", str)
    if kind not in KINDS:
        raise FormatError(f"must be one of {', '.join(KINDS)}", value=kind, path=("kind",))
    if kind == "mesh":
        fmt = field(doc, "format", str)
        return {"kind": "mesh", "mesh": (_read_mesh(doc, fmt, store), fmt)}
    return _decode_points(kind, doc, store)


def _decode_points(kind: str, doc: Mapping[str, Any], store: Store) -> dict[str, Any]:
    points = decode_array(field(doc, "points", dict), store, ("points",), 2)

    def optional(name: str, ndim: int) -> Any:
        return None if doc.get(name) is None else decode_array(doc[name], store, (name,), ndim)

    colors, categories = optional("colors", 2), optional("categories", 1)
    labels = labels_from_json(doc.get("class_labels"))
    dropped = field(doc, "dropped_nonfinite", int)
    if dropped < 0:
        raise FormatError("must be >= 0", value=dropped, path=("dropped_nonfinite",))
    if kind == "points" and (colors is not None or categories is not None):
        try:
            pts, col, cat, _ = check_columns(
                points, colors, categories, labels, drop_nonfinite=False
            )
        except ValidationError as err:  # the columnar constructor calls the points "xyz"
            where = ("points",) + err.path[1:] if err.path[:1] == ("xyz",) else err.path
            raise FormatError(err.problem, value=err.value, path=where) from None
    else:
        for name, value in (("colors", colors), ("categories", categories)):
            if value is not None:
                raise FormatError(f"must be null for a {kind}", path=(name,))
        pts, _ = check_packed(points, ("points",), drop_nonfinite=False, class_labels=labels)
        col = cat = None
    out: dict[str, Any] = {
        "kind": kind,
        "points": pts,
        "colors": col,
        "categories": cat,
        "class_labels": labels,
        "dropped": dropped,
    }
    if kind == "scene":
        scene_type = field(doc, "scene_type", str)
        if scene_type != SCENE_TYPE:
            raise FormatError(f"must be {SCENE_TYPE!r}", value=scene_type, path=("scene_type",))
        b, v = field(doc, "boxes", dict), field(doc, "vectors", dict)
        if not isinstance(b.get("labels"), list):
            raise FormatError("must be a list", value=b.get("labels"), path=("boxes", "labels"))
        if not isinstance(b.get("scores"), (list, type(None))):
            raise FormatError(
                "must be a list or null", value=b.get("scores"), path=("boxes", "scores")
            )
        out["boxes"] = check_boxes(
            {
                "corners": decode_array(b.get("corners"), store, ("boxes", "corners"), 3),
                "labels": b["labels"],
                "scores": b.get("scores"),
                "colors": decode_array(b.get("colors"), store, ("boxes", "colors"), 2),
            }
        )
        out["vectors"] = check_vectors(
            {
                k: decode_array(v.get(k), store, ("vectors", k), 2)
                for k in ("starts", "ends", "colors")
            }
        )
    return out


def _read_mesh(doc: Mapping[str, Any], fmt: str, store: Store) -> bytes:
    if fmt not in _mesh.MESH_FORMATS:
        raise FormatError(
            f"must be one of {', '.join(_mesh.MESH_FORMATS)}", value=fmt, path=("format",)
        )
    ref = field(doc, "file", dict)
    size = ref.get("size")
    if isinstance(size, int) and size > _mesh.MAX_MESH_BYTES:
        raise FormatError(
            f"must be at most the mesh limit of {_mesh.MAX_MESH_BYTES} bytes",
            value=size,
            path=("file", "size"),
        )
    data = store.get_bytes(ref)
    try:  # the constructor's check: declared sizes within the file, trimesh loads it, it has geometry
        _mesh.check_mesh(data, fmt)
    except ValidationError as err:
        raise FormatError(err.problem, path=("file",)) from None
    return data
