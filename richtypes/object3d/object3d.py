"""``Object3D``: point clouds, lidar scenes with 3D boxes and vectors, and mesh files.

Coordinates are right-handed, in metres, ``x`` forward, ``y`` left, ``z`` up
(the usual lidar frame); yaw turns counter-clockwise about ``+z`` from ``+x``;
quaternions are ``(w, x, y, z)``. Box corners are stored in a canonical order
(see :mod:`richtypes.object3d.scene`).

Wire format (``_type`` ``"object3d"``, ``_version`` 1, schema
``richtypes/schemas/object3d.v1.json``): a ``kind`` field tells ``"points"``,
``"scene"`` and ``"mesh"`` apart. Every array is an ``.npy`` sidecar (or inline
``{"dtype", "shape", "data"}`` when small); a mesh is its file, stored as it is.
Decoding memory-maps ``.npy`` sidecars of at least
:data:`~richtypes.object3d.points.MMAP_MIN_BYTES` bytes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..core.coerce import ArrayLike
from ..core.errors import ValidationError
from ..core.media import Media, register
from ..store.local import Store
from . import mesh as _mesh
from .decode import SCENE_TYPE, decode_fields
from .points import (
    check_class_labels,
    check_columns,
    check_packed,
    encode_array,
    labels_to_json,
)
from .pts import PTS_TYPE, is_pts_name, looks_like_pts, parse_pts
from .scene import box3d, check_boxes, check_vectors

__all__ = ["Object3D", "box3d", "SCENE_TYPE"]

_SCENE_KEYS = ("type", "points", "boxes", "vectors")


@register
class Object3D(Media):
    """A 3D object: a point cloud, a lidar scene (points + boxes + vectors) or a mesh file.

    Parameters
    ----------
    data:
        One of

        - a point array of shape (N, 3) ``xyz``, (N, 4) ``xyz`` + category id, or
          (N, 6) ``xyz`` + ``rgb`` on the 0..255 scale (any real dtype, kept as
          it is: float32 stays float32); array-likes (``__array__``, a torch
          tensor's ``.numpy()``) work too. The array is viewed, not copied: do
          not change it afterwards;
        - a scene dict ``{"type": "lidar/beta", "points": ..., "boxes": ...,
          "vectors": ...}`` (see :meth:`scene`; every key but ``type`` may be
          left out: ``{"type": "lidar/beta"}`` is an empty scene);
          An empty list is an empty cloud;
        - a mesh file: a path, or a file object opened in binary or text mode,
          of an ``obj``, ``gltf``, ``glb``, ``stl`` or ``ply`` file;
        - a ``.pts.json`` point file (the reference tracker's: a JSON list of
          ``[x, y, z]``, ``[x, y, z, c]`` or ``[x, y, z, r, g, b]`` rows), told
          by ``file_type="pts.json"``, its name or its content (a JSON list);
          read into a point cloud;
        - a ``trimesh`` mesh or scene (stored as GLB).
    file_type:
        The mesh format (or ``"pts.json"``), when neither the file's name nor
        its content tell it.
    drop_nonfinite:
        Drop points with a NaN or infinite coordinate (counted in
        :attr:`dropped_nonfinite`) instead of refusing them.
    class_labels:
        Names of category ids, ``{id: name}`` or a list of names; every
        category id must be one of them.

    Raises
    ------
    ValidationError
        Naming the path of the first bad value, e.g. ``$.points[17]:
        coordinates must be finite, got [nan, 0.0, 1.0]``.

    Examples
    --------
    >>> import numpy as np
    >>> cloud = Object3D(np.zeros((5, 6), dtype=np.float32))
    >>> cloud.kind, cloud.points.shape, cloud.points.dtype
    ('points', (5, 6), dtype('float32'))
    """

    _type = "object3d"
    _version = 1

    kind: str
    points: np.ndarray | None
    colors: np.ndarray | None
    categories: np.ndarray | None
    class_labels: dict[int, str] | None
    dropped_nonfinite: int
    boxes: dict[str, Any] | None
    vectors: dict[str, Any] | None
    mesh_format: str | None
    mesh_bytes: bytes | None

    def __init__(
        self,
        data: Any,
        *,
        file_type: str | None = None,
        drop_nonfinite: bool = False,
        class_labels: Any = None,
    ) -> None:
        if isinstance(data, Mapping):
            unknown = [k for k in data if k not in _SCENE_KEYS]
            if unknown:
                raise ValidationError(
                    f"unknown key (a scene has {', '.join(_SCENE_KEYS)})", value=unknown[0], path=()
                )
            if data.get("type") != SCENE_TYPE:
                raise ValidationError(
                    f"must be {SCENE_TYPE!r}", value=data.get("type"), path=("type",)
                )
            self._set_scene(
                data.get("points"),
                data.get("boxes"),
                data.get("vectors"),
                class_labels,
                drop_nonfinite,
            )
        elif isinstance(data, (str, os.PathLike)) or hasattr(data, "read"):
            self._set_file(data, file_type, class_labels, drop_nonfinite)
        elif type(data).__module__.split(".")[0] == "trimesh":
            self._set(kind="mesh", mesh=(_mesh.export_glb(data), "glb"))
        else:
            if isinstance(data, (list, tuple)) and not data:
                data = np.zeros((0, 3))  # the reference's empty point list
            labels = check_class_labels(class_labels)
            points, dropped = check_packed(
                data, ("points",), drop_nonfinite=drop_nonfinite, class_labels=labels
            )
            self._set(kind="points", points=points, class_labels=labels, dropped=dropped)
        self._freeze()

    # ----------------------------------------------------------- constructors
    @classmethod
    def from_points(
        cls,
        xyz: ArrayLike,
        colors: ArrayLike | None = None,
        categories: ArrayLike | None = None,
        class_labels: Any = None,
        *,
        drop_nonfinite: bool = False,
    ) -> Object3D:
        """A point cloud from columns.

        Parameters
        ----------
        xyz:
            (N, 3) coordinates (float32 stays float32).
        colors:
            (N, 3) ``rgb``: integers within 0..255 (stored as ``uint8``) or
            floats within [0, 1] (kept in their dtype).
        categories:
            (N,) non-negative integer category ids (whole floats are converted).
        class_labels:
            ``{id: name}`` or a list of names; needs ``categories``.
        drop_nonfinite:
            Drop rows with non-finite coordinates instead of refusing them.

        Examples
        --------
        >>> cloud = Object3D.from_points([[0, 0, 0], [1, 2, 3]], colors=[[255, 0, 0], [0, 0, 255]])
        >>> cloud.points.shape, cloud.colors.dtype
        ((2, 3), dtype('uint8'))
        """
        labels = check_class_labels(class_labels)
        pts, col, cat, dropped = check_columns(
            xyz, colors, categories, labels, drop_nonfinite=drop_nonfinite
        )
        obj = cls.__new__(cls)
        obj._set(
            kind="points",
            points=pts,
            colors=col,
            categories=cat,
            class_labels=labels,
            dropped=dropped,
        )
        obj._freeze()
        return obj

    @classmethod
    def scene(
        cls,
        points: ArrayLike,
        boxes: Any = None,
        vectors: Any = None,
        *,
        class_labels: Any = None,
        drop_nonfinite: bool = False,
    ) -> Object3D:
        """A lidar scene: points with 3D boxes and vectors.

        Parameters
        ----------
        points:
            An (N, 3), (N, 4) or (N, 6) point array, as for ``Object3D(points)``.
        boxes:
            A list (or numpy object array) of dicts ``{"corners": (8, 3), "label":
            str, "color": (r, g, b), "score": float}`` (all but ``corners``
            optional; see :func:`box3d`), or columns ``{"corners": (M, 8, 3),
            "labels": M names, "colors": (M, 3), "scores": (M,)}``. Corners may
            come in any order; they must form a rectangular box and are stored
            in the canonical order. Colours are integers within 0..255
            (default white).
        vectors:
            A list of dicts ``{"start": xyz, "end": xyz, "color": (r, g, b)}``
            or columns ``{"starts": (K, 3), "ends": (K, 3), "colors": (K, 3)}``.

        Examples
        --------
        >>> s = Object3D.scene(np.zeros((3, 3)), boxes=[box3d((0, 0, 0), (2, 1, 1), label="car")],
        ...                    vectors=[{"start": [0, 0, 0], "end": [1, 0, 0]}])
        >>> s.kind, s.boxes["corners"].shape, s.boxes["labels"], s.vectors["colors"].tolist()
        ('scene', (1, 8, 3), ['car'], [[255, 255, 255]])
        """
        obj = cls.__new__(cls)
        obj._set_scene(points, boxes, vectors, class_labels, drop_nonfinite)
        obj._freeze()
        return obj

    @classmethod
    def from_file(cls, data_or_path: Any, file_type: str | None = None) -> Object3D:
        """A mesh or ``.pts.json`` point file from a path or file object (the reference tracker's name).

        The same as ``Object3D(data_or_path, file_type=file_type)``.

        Examples
        --------
        >>> import io
        >>> Object3D.from_file(io.StringIO("[[0, 0, 0, 1]]"), file_type="pts.json").points.tolist()
        [[0.0, 0.0, 0.0, 1.0]]
        """
        return cls(data_or_path, file_type=file_type)

    @classmethod
    def from_numpy(cls, data: ArrayLike) -> Object3D:
        """A point cloud from an (N, 3), (N, 4) or (N, 6) array (the reference tracker's name).

        The same as ``Object3D(data)``.

        Examples
        --------
        >>> Object3D.from_numpy(np.zeros((2, 6))).points.shape
        (2, 6)
        """
        return cls(data)

    @classmethod
    def from_point_cloud(
        cls,
        points: Any,
        boxes: Any = None,
        vectors: Any = None,
        point_cloud_type: str = SCENE_TYPE,
    ) -> Object3D:
        """A lidar scene from point rows, box dicts and vector dicts (the reference tracker's signature).

        The same as :meth:`scene`; ``point_cloud_type`` must be ``"lidar/beta"``.

        Examples
        --------
        >>> s = Object3D.from_point_cloud([[0, 0, 0]], [box3d((0, 0, 0), (1, 1, 1))])
        >>> s.kind, s.boxes["corners"].shape
        ('scene', (1, 8, 3))
        """
        if point_cloud_type != SCENE_TYPE:
            raise ValidationError(
                f"must be {SCENE_TYPE!r}", value=point_cloud_type, path=("point_cloud_type",)
            )
        obj = cls.__new__(cls)
        obj._set_scene(points, boxes, vectors, None, False)
        obj._freeze()
        return obj

    @classmethod
    def from_trimesh(cls, mesh: Any) -> Object3D:
        """A mesh from a ``trimesh.Trimesh`` or ``trimesh.Scene``, stored as GLB.

        Examples
        --------
        >>> import trimesh
        >>> Object3D.from_trimesh(trimesh.creation.box()).mesh_format
        'glb'
        """
        obj = cls.__new__(cls)
        data = _mesh.export_glb(mesh)
        _mesh.check_mesh(data, "glb")
        obj._set(kind="mesh", mesh=(data, "glb"))
        obj._freeze()
        return obj

    def _set_file(self, src: Any, file_type: Any, class_labels: Any, drop: bool) -> None:
        """A mesh file, or a ``.pts.json`` point file (by ``file_type``, name or a JSON list inside)."""
        pts_type = isinstance(file_type, str) and file_type.lower().lstrip(".") == PTS_TYPE
        fmt = None if pts_type else _mesh.check_file_type(file_type)
        data, name, folder = _mesh.read_file(src)
        if pts_type or (fmt is None and (is_pts_name(name) or looks_like_pts(data))):
            labels = check_class_labels(class_labels)
            try:
                rows = parse_pts(data)
            except ValidationError as err:
                raise err.with_prefix("data") from None
            points, dropped = check_packed(
                rows, ("points",), drop_nonfinite=drop, class_labels=labels
            )
            self._set(kind="points", points=points, class_labels=labels, dropped=dropped)
        else:
            self._set(kind="mesh", mesh=_mesh.mesh_from_bytes(data, name, folder, fmt))

    def _set_scene(
        self, points: Any, boxes: Any, vectors: Any, class_labels: Any, drop: bool
    ) -> None:
        if points is None or (isinstance(points, (list, tuple)) and not points):
            points = np.zeros((0, 3))  # an empty scene: {"type": "lidar/beta"} or points=[]
        labels = check_class_labels(class_labels)
        pts, dropped = check_packed(points, ("points",), drop_nonfinite=drop, class_labels=labels)
        self._set(
            kind="scene",
            points=pts,
            class_labels=labels,
            dropped=dropped,
            boxes=check_boxes(boxes if boxes is not None else []),
            vectors=check_vectors(vectors if vectors is not None else []),
        )

    def _set(
        self,
        kind: str,
        points: np.ndarray | None = None,
        colors: np.ndarray | None = None,
        categories: np.ndarray | None = None,
        class_labels: dict[int, str] | None = None,
        dropped: int = 0,
        boxes: dict[str, Any] | None = None,
        vectors: dict[str, Any] | None = None,
        mesh: tuple[bytes, str] | None = None,
    ) -> None:
        self.kind = kind
        self.points, self.colors, self.categories = points, colors, categories
        self.class_labels = class_labels
        self.dropped_nonfinite = dropped
        self.boxes, self.vectors = boxes, vectors
        self.mesh_bytes, self.mesh_format = mesh if mesh is not None else (None, None)

    # ------------------------------------------------------------------ views
    @property
    def xyz(self) -> np.ndarray:
        """The (N, 3) coordinates (a view; points and scenes only)."""
        if self.points is None:
            raise AttributeError("a mesh has no point coordinates; use to_trimesh()")
        return self.points[:, :3]

    def to_trimesh(self) -> Any:
        """The mesh as a trimesh object (``Trimesh`` or ``Scene``, as trimesh loads it).

        ``FormatError`` for a file whose declared sizes exceed its bytes or
        that trimesh cannot load (memory stays proportional to the file; see
        :mod:`richtypes.object3d.mesh_limits`).
        """
        if self.mesh_bytes is None:
            raise AttributeError(f"a {self.kind} Object3D has no mesh")
        return _mesh.load_trimesh(self.mesh_bytes, self.mesh_format)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        if self.kind == "mesh":
            return f"Object3D(kind='mesh', format={self.mesh_format!r}, bytes={len(self.mesh_bytes or b'')})"
        assert self.points is not None
        extra = ""
        if self.kind == "scene":
            extra = f", boxes={self.boxes['corners'].shape[0]}, vectors={self.vectors['starts'].shape[0]}"  # type: ignore[index]
        if self.dropped_nonfinite:
            extra += f", dropped_nonfinite={self.dropped_nonfinite}"
        return f"Object3D(kind={self.kind!r}, points={self.points.shape}, dtype={self.points.dtype}{extra})"

    def _content(self) -> tuple[Any, ...]:
        return (
            self.kind,
            self.points,
            self.colors,
            self.categories,
            self.class_labels,
            self.dropped_nonfinite,
            self.boxes,
            self.vectors,
            self.mesh_format,
            self.mesh_bytes,
        )

    # ------------------------------------------------------------------- wire
    def to_json(self, store: Store) -> dict[str, Any]:
        if self.kind == "mesh":
            assert self.mesh_format is not None and self.mesh_bytes is not None
            return self._envelope(
                kind="mesh",
                format=self.mesh_format,
                file=store.put_bytes(self.mesh_bytes, self.mesh_format),
            )
        opt = lambda arr: None if arr is None else encode_array(arr, store)  # noqa: E731
        fields: dict[str, Any] = {
            "kind": self.kind,
            "points": encode_array(self.points, store),  # type: ignore[arg-type]
            "colors": opt(self.colors),
            "categories": opt(self.categories),
            "class_labels": labels_to_json(self.class_labels),
            "dropped_nonfinite": self.dropped_nonfinite,
        }
        if self.kind == "scene":
            b, v = self.boxes, self.vectors
            assert b is not None and v is not None
            fields["scene_type"] = SCENE_TYPE
            fields["boxes"] = {
                "corners": encode_array(b["corners"], store),
                "labels": list(b["labels"]),
                "colors": encode_array(b["colors"], store),
                "scores": b["scores"],
            }
            fields["vectors"] = {k: encode_array(v[k], store) for k in ("starts", "ends", "colors")}
        return self._envelope(**fields)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> Object3D:
        """Rebuild an Object3D; the document's arrays go through the constructor's checks."""
        obj = cls.__new__(cls)
        obj._set(**decode_fields(doc, store))
        obj._freeze()
        return obj
