"""Logged media as the page shows them: one small JSON "view" per encoded envelope.

A view holds what the browser draws and nothing more: links to sidecars
(images, video, audio, html), boxes as fractions of the image, masks as
coloured PNGs, point clouds as data blobs, tables as a bounded list of rows.
Views are built from the encoded documents; a part is decoded (through
:func:`~richtypes.core.nest.decode_value`) only where the browser needs
numbers from a sidecar.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..codecs import image as image_codec
from ..core.nest import decode_value
from ..store.local import Store
from .assets import Assets

__all__ = ["view_of", "PALETTE", "MAX_TABLE_ROWS", "MAX_POINTS", "MAX_BOXES"]

#: Class colours for classes that bring none (by class id, cycling).
PALETTE = (
    (230, 25, 75),
    (60, 180, 75),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (210, 245, 60),
    (250, 190, 212),
    (0, 128, 128),
    (220, 190, 255),
    (170, 110, 40),
)
#: A table shows at most this many rows (the page says how many there were).
MAX_TABLE_ROWS = 1000
#: A point cloud is drawn with at most this many points (an even subsample beyond).
MAX_POINTS = 300_000
#: An image shows at most this many boxes per group (the highest scores first).
MAX_BOXES = 2000


def class_color(cid: int, given: Any = None) -> list[int]:
    """The colour of class ``cid``: the given one, else the palette's."""
    if given is not None:
        return [int(c) for c in given]
    return list(PALETTE[int(cid) % len(PALETTE)])


def _number(x: Any) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _b64(arr: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii")


def _short_digest(ref: Mapping[str, Any]) -> str:
    return str(ref.get("digest", "")).split(":")[-1][:32]


# --------------------------------------------------------------------- images
def _boxes(
    doc: Mapping[str, Any], store: Store, size: tuple[float, float] | None
) -> dict[str, Any]:
    boxes = decode_value(doc, store)
    xyxy = np.asarray(boxes.xyxy, dtype=np.float64)
    if boxes.domain == "pixel":
        if size is None:  # boxes alone: draw them in their own extent
            size = (
                max(1.0, float(xyxy[:, 2].max(initial=1))),
                max(1.0, float(xyxy[:, 3].max(initial=1))),
            )
        xyxy = xyxy / np.array([size[0], size[1], size[0], size[1]], dtype=np.float64)
    scores = {name: np.asarray(s, dtype=np.float64) for name, s in boxes.scores.items()}
    order = np.arange(len(xyxy))
    truncated = len(xyxy) > MAX_BOXES
    if truncated:
        first = next(iter(scores.values()), None)
        order = (
            np.argsort(-np.nan_to_num(first, nan=-np.inf))[:MAX_BOXES]
            if first is not None
            else order[:MAX_BOXES]
        )
    captions = boxes.captions
    return {
        "xyxy": np.round(xyxy[order], 5).ravel().tolist(),
        "cls": [int(c) for c in np.asarray(boxes.class_ids)[order]],
        "scores": {n: [_number(v) for v in s[order]] for n, s in scores.items()},
        "captions": None if captions is None else [captions[i] for i in order],
        "labels": {str(k): v for k, v in boxes.labels.items()},
        "total": int(len(xyxy)),
    }


def _mask(
    doc: Mapping[str, Any],
    store: Store,
    assets: Assets,
    colors: dict[int, Any],
    names: dict[int, str] | None = None,
) -> dict[str, Any]:
    ref = doc["mask"]
    ids = image_codec.decode_indices(store.get_bytes(ref))
    labels = dict(names or {})
    labels.update({int(k): v for k, v in (doc.get("class_labels") or {}).items()})
    present = np.unique(ids)
    lut = np.zeros((int(present.max(initial=0)) + 1, 4), dtype=np.uint8)
    for cid in present.tolist():
        if cid == 0 and labels.get(0, "background") == "background":
            continue  # id 0 is the background unless it is named otherwise
        lut[cid] = class_color(cid, colors.get(cid)) + [255]
    rgba = lut[ids]
    src = assets.derived(f"mask-{_short_digest(ref)}.png", image_codec.encode_png(rgba), "png")
    shown = [c for c in present.tolist() if lut[c, 3]]
    return {
        "src": src,
        "classes": [[c, labels.get(c, f"class_{c}"), class_color(c, colors.get(c))] for c in shown],
    }


def _image(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
    w, h = int(doc["width"]), int(doc["height"])
    view: dict[str, Any] = {
        "t": "image",
        "src": assets.href(store, doc["image"]),
        "w": w,
        "h": h,
        "caption": doc.get("caption"),
    }
    colors: dict[int, Any] = {}
    names: dict[int, str] = {}
    if isinstance(doc.get("classes"), Mapping):
        classes = decode_value(doc["classes"], store)
        colors, names = dict(classes.colors), dict(classes.names)
        view["classes"] = {
            str(i): [name, class_color(i, classes.colors.get(i))]
            for i, name in classes.names.items()
        }
    if doc.get("boxes"):
        view["boxes"] = {g: _boxes(b, store, (w, h)) for g, b in doc["boxes"].items()}
    if doc.get("masks"):
        view["masks"] = {n: _mask(m, store, assets, colors, names) for n, m in doc["masks"].items()}
    return view


def _boxes_alone(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
    return {"t": "boxes2d", "boxes": {"boxes": _boxes(doc, store, None)}}


def _mask_alone(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
    return {
        "t": "mask",
        "w": doc["width"],
        "h": doc["height"],
        "mask": _mask(doc, store, assets, {}),
    }


# ------------------------------------------------------------- small types
def _histogram(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
    hist = decode_value(doc, store)
    counts, edges = hist.to_numpy()
    return {
        "t": "histogram",
        "counts": [_number(c) for c in counts],
        "edges": [_number(e) for e in edges],
    }


def _file(kind: str) -> Callable[[Mapping[str, Any], Store, Assets], dict[str, Any]]:
    def view(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
        return {
            "t": kind,
            "src": assets.href(store, doc["file"]),
            "format": doc.get("format"),
            "caption": doc.get("caption"),
        }

    return view


def _chart(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
    chart = decode_value(doc, store)
    return {"t": "chart", "spec": chart.to_vega_lite()}


def _classes(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
    classes = decode_value(doc, store)
    return {
        "t": "classes",
        "classes": [
            [i, n, class_color(i, classes.colors.get(i))] for i, n in classes.names.items()
        ],
    }


# --------------------------------------------------------------------- tables
def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, np.ndarray):
        return f"array{list(value.shape)} {value.dtype}"
    return str(value)


def _table(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
    table = decode_value(doc, store)
    nrows = len(table)
    shown = min(nrows, MAX_TABLE_ROWS)
    names = list(table.columns)
    types = table.column_types
    raw_columns = {c["name"]: c for c in doc.get("columns", [])}
    columns = []
    for name in names:
        raw = raw_columns.get(name, {})
        if str(types[name]).startswith("media:") and isinstance(raw.get("values"), list):
            columns.append(
                [None if v is None else view_of(v, store, assets) for v in raw["values"][:shown]]
            )
        else:
            columns.append([_cell(v) for v in table.get_column(name)[:shown]])
    rows = [list(r) for r in zip(*columns)] if columns else []
    return {
        "t": "table",
        "columns": names,
        "types": [str(types[n]) for n in names],
        "rows": rows,
        "nrows": nrows,
    }


# ------------------------------------------------------------------- 3D
def _point_colors(obj: Any) -> tuple[np.ndarray | None, list[Any]]:
    """Per-point RGB (uint8) and the legend ``[[id, name, rgb], ...]`` for categories."""
    pts = obj.points
    if obj.colors is not None:
        return np.asarray(obj.colors)[:, :3].astype(np.uint8), []
    cats = obj.categories
    if cats is None and pts.shape[1] == 4:
        cats = pts[:, 3]
    if cats is not None:
        cats = np.asarray(cats).astype(np.int64)
        labels = obj.class_labels or {}
        present = np.unique(cats)
        lut = np.array(
            [class_color(c) for c in range(int(present.max(initial=0)) + 1)], dtype=np.uint8
        )
        legend = [[int(c), labels.get(int(c), f"class_{int(c)}"), class_color(c)] for c in present]
        return lut[cats], legend
    if pts.shape[1] >= 6:
        rgb = np.asarray(pts[:, 3:6], dtype=np.float64)
        if rgb.max(initial=0) <= 1.0:
            rgb = rgb * 255
        return np.clip(rgb, 0, 255).astype(np.uint8), []
    return None, []


def _object3d(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
    obj = decode_value(doc, store)
    text = json.dumps(doc, sort_keys=True, default=str).encode()
    key = "obj-" + hashlib.sha256(text).hexdigest()[:32]
    ref = doc.get("points") if isinstance(doc.get("points"), Mapping) else doc.get("file")
    if isinstance(ref, Mapping) and "digest" in ref:
        key = f"obj-{_short_digest(ref)}"
    data: dict[str, Any] = {"kind": obj.kind}
    view: dict[str, Any] = {"t": "object3d", "kind": obj.kind}
    if obj.kind == "mesh":
        mesh = obj.to_trimesh()
        if hasattr(mesh, "to_geometry"):  # a trimesh Scene: one mesh of all its geometry
            mesh = mesh.to_geometry()
        elif hasattr(mesh, "dump"):  # trimesh before 4.5
            mesh = mesh.dump(concatenate=True)
        data["vertices"] = _b64(np.asarray(mesh.vertices, dtype="<f4"))
        data["faces"] = _b64(np.asarray(mesh.faces, dtype="<u4"))
        colors = getattr(getattr(mesh, "visual", None), "vertex_colors", None)
        if colors is not None and len(colors) == len(mesh.vertices):
            data["colors"] = _b64(np.asarray(colors)[:, :3].astype(np.uint8))
    else:
        xyz = np.asarray(obj.xyz, dtype=np.float64)
        rgb, legend = _point_colors(obj)
        n = len(xyz)
        if n > MAX_POINTS:
            pick = np.linspace(0, n - 1, MAX_POINTS).astype(np.int64)
            xyz, rgb = xyz[pick], (None if rgb is None else rgb[pick])
        view["points"], view["total"], view["legend"] = len(xyz), n, legend
        data["xyz"] = _b64(xyz.astype("<f4"))
        if rgb is not None:
            data["rgb"] = _b64(rgb)
        if obj.boxes is not None:
            b = obj.boxes
            data["boxes"] = {
                "corners": np.asarray(b["corners"], dtype=np.float64).round(5).ravel().tolist(),
                "labels": [str(x) for x in b.get("labels", [])],
                "colors": np.asarray(b["colors"]).astype(int).tolist()
                if b.get("colors") is not None
                else None,
            }
        if obj.vectors is not None:
            v = obj.vectors
            data["vectors"] = {
                "starts": np.asarray(v["starts"], dtype=np.float64).round(5).ravel().tolist(),
                "ends": np.asarray(v["ends"], dtype=np.float64).round(5).ravel().tolist(),
                "colors": np.asarray(v["colors"]).astype(int).tolist()
                if v.get("colors") is not None
                else None,
            }
    view.update(assets.blob(key, data))
    return view


_VIEWS: dict[str, Callable[[Mapping[str, Any], Store, Assets], dict[str, Any]]] = {
    "image": _image,
    "boxes2d": _boxes_alone,
    "mask": _mask_alone,
    "classes": _classes,
    "histogram": _histogram,
    "html": _file("html"),
    "video": _file("video"),
    "audio": _file("audio"),
    "chart": _chart,
    "table": _table,
    "object3d": _object3d,
}


#: Types whose view needs a decode: a document logged again (the same JSON) reuses its view.
_MEMO_TYPES = frozenset(("object3d", "table", "chart", "histogram", "image", "boxes2d", "mask"))


def view_of(doc: Mapping[str, Any], store: Store, assets: Assets) -> dict[str, Any]:
    """The view of one encoded envelope (an ``{"t": "unknown"}`` view for types the page does not draw)."""
    kind = str(doc.get("_type"))
    build = _VIEWS.get(kind)
    if build is None:
        return {"t": "unknown", "type": kind}
    if kind not in _MEMO_TYPES:
        return build(doc, store, assets)
    text = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    key = (id(store), hashlib.sha256(text).hexdigest())
    if key not in assets.memo:
        assets.memo[key] = build(doc, store, assets)
    return assets.memo[key]
