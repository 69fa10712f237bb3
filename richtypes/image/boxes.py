"""``BoundingBoxes2D``: one group of 2-D boxes (predictions or ground truth) on an image."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core.coerce import ArrayLike
from ..core.errors import PathKey, ValidationError
from ..core.media import Media, register
from ..store.local import Store
from . import boxes_dicts as _dicts
from . import boxes_geometry as _geo
from . import boxes_input as _in
from . import boxes_wire as _w

__all__ = ["BoundingBoxes2D", "MAX_BOXES"]

#: Decoding refuses documents that claim more boxes than this.
MAX_BOXES = 100_000_000
_GROUP_KEYS = (
    "box_data",
    "class_labels",
    "xyxy",
    "cxcywh",
    "xywh",
    "class_ids",
    "scores",
    "captions",
    "domain",
)


@register
class BoundingBoxes2D(Media):
    """A group of 2-D bounding boxes with class ids, optional scores and captions.

    Give the boxes in exactly one form:

    - ``box_data``: the list-of-dicts form, one dict per box::

        {"position": {"minX": 0.1, "maxX": 0.4, "minY": 0.2, "maxY": 0.5},
         # or {"middle": [x, y], "width": w, "height": h}
         "class_id": 0, "box_caption": "cat 0.9", "scores": {"acc": 0.9},
         "domain": "pixel"}  # optional; absent = fractions of the image

      ``position`` and ``class_id`` are required. Each box has its own
      ``domain``: a group may mix fractional and pixel boxes (as the
      reference tracker's example does); :attr:`domain` is then ``"mixed"``
      and :attr:`pixel` tells which box is which. A box may leave out a score name others have
      (stored as NaN, "not given"). The whole group dict
      ``{"box_data": [...], "class_labels": {...}}`` is accepted too.
    - ``xyxy`` (minX, minY, maxX, maxY), ``cxcywh`` (centre, width, height) or
      ``xywh`` (top-left corner, width, height): an (N, 4) array, with
      ``class_ids`` (N,), default all 0, ``scores`` ``{name: (N,)}``,
      ``captions`` (N strings or None), ``domain`` (one value, or one per
      box). Nothing loops in Python.
    - :meth:`from_coco` for COCO annotations.

    Coordinates are fractions of the image (0..1) unless ``domain="pixel"``;
    float32 and float64 coordinates keep their dtype, every other real dtype
    becomes float64. The object remembers the form and the layout it was given
    in (a ``box_data`` group mixing both position styles is stored as corners).

    Class labels: ``class_labels`` maps class id to name; when given, every
    class id must be one of its keys. When not given, :attr:`class_labels` is
    None and :attr:`labels` names each class id present ``class_<id>``.

    Parameters
    ----------
    box_data:
        The list of box dicts (or the whole group dict).
    xyxy, cxcywh, xywh:
        (N, 4) coordinates in that layout.
    class_ids:
        (N,) non-negative integer class ids (columnar forms only).
    scores:
        ``{name: (N,) finite numbers}`` (columnar forms only).
    captions:
        N strings or None, one per box (columnar forms only).
    domain:
        ``"pixel"`` or None for fractions of the image, or a sequence of N
        such values, one per box (columnar forms only).
    class_labels:
        ``{class id: name}``; keys may be ints or decimal strings (JSON keys).

    Raises
    ------
    ValidationError
        Naming the box and field in the form given, e.g.
        ``$.box_data[3].position.maxX: must be >= minX (0.2), got 0.1`` or
        ``$.xyxy[3][2]: must be >= minX (0.2), got 0.1``.

    Examples
    --------
    >>> b = BoundingBoxes2D({"box_data": [{"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6},
    ...     "class_id": 1, "scores": {"acc": 0.9}}], "class_labels": {1: "dog"}})
    >>> len(b), b.class_ids.tolist(), b.xyxy.tolist(), b.scores["acc"].tolist()
    (1, [1], [[0.1, 0.2, 0.5, 0.6]], [0.9])
    >>> BoundingBoxes2D(xyxy=[[10, 20, 50, 60]], domain="pixel").cxcywh.tolist()
    [[30.0, 40.0, 40.0, 40.0]]
    """

    _type = "boxes2d"
    _version = 2  # 2: a per-box domain column for groups mixing pixel and fractional boxes

    class_ids: np.ndarray

    def __init__(
        self,
        box_data: Any = None,
        *,
        xyxy: ArrayLike | None = None,
        cxcywh: ArrayLike | None = None,
        xywh: ArrayLike | None = None,
        class_ids: ArrayLike | None = None,
        scores: Mapping[str, ArrayLike] | None = None,
        captions: Sequence[str | None] | None = None,
        domain: str | None = None,
        class_labels: Mapping[Any, str] | None = None,
    ) -> None:
        if isinstance(box_data, Mapping):
            if class_labels is not None:
                raise ValidationError(
                    "give class_labels inside the group dict or as an argument, not both",
                    path=("class_labels",),
                )
            unknown = [k for k in box_data if k not in ("box_data", "class_labels")]
            if unknown:
                raise ValidationError(
                    "unknown key (a box group has 'box_data' and 'class_labels')",
                    path=(unknown[0],),
                )
            if "box_data" not in box_data:
                raise ValidationError("missing 'box_data'", path=())
            box_data, class_labels = box_data["box_data"], box_data.get("class_labels")
        given = [
            (name, value)
            for name, value in (
                ("box_data", box_data),
                ("xyxy", xyxy),
                ("cxcywh", cxcywh),
                ("xywh", xywh),
            )
            if value is not None
        ]
        if not given:
            raise ValidationError(
                "give the boxes as one of box_data, xyxy, cxcywh or xywh", path=()
            )
        if len(given) > 1:
            raise ValidationError(
                f"give only one of box_data, xyxy, cxcywh or xywh (also got {given[0][0]})",
                path=(given[1][0],),
            )
        form, coords = given[0]
        if form == "box_data":
            for name, value in (
                ("class_ids", class_ids),
                ("scores", scores),
                ("captions", captions),
                ("domain", domain),
            ):
                if value is not None:
                    raise ValidationError(
                        f"with box_data give {name} inside each box dict", path=(name,)
                    )
            parsed = _dicts.parse_box_data(coords, class_labels)
        else:
            parsed = _in.parse_columns(
                form, coords, class_ids, scores, captions, domain, class_labels
            )
        self._setup(parsed)

    @classmethod
    def from_coco(
        cls,
        annotations: Sequence[Mapping[str, Any]],
        categories: Sequence[Mapping[str, Any]] | None = None,
    ) -> BoundingBoxes2D:
        """Boxes from COCO annotations of one image.

        Parameters
        ----------
        annotations:
            Dicts with ``bbox`` ([x, y, width, height] in pixels) and
            ``category_id``, optionally ``score`` (kept as the score ``"score"``;
            an annotation without one stores NaN). Other keys are ignored.
        categories:
            Optional ``[{"id": 1, "name": "person"}, ...]``: the class labels.

        Examples
        --------
        >>> b = BoundingBoxes2D.from_coco([{"bbox": [10, 20, 30, 40], "category_id": 1}], [{"id": 1, "name": "person"}])
        >>> b.xyxy.tolist(), b.domain, b.labels
        ([[10.0, 20.0, 40.0, 60.0]], 'pixel', {1: 'person'})
        """
        obj = cls.__new__(cls)
        obj._setup(_in.parse_coco(annotations, categories))
        return obj

    @classmethod
    def coerce(cls, value: Any, path: tuple[PathKey, ...] = ()) -> BoundingBoxes2D:
        """Return ``value`` if it is a ``BoundingBoxes2D``, else build one from a group dict.

        A dict is ``{"box_data": [...], "class_labels": {...}}`` or holds the
        columnar keyword arguments (``{"xyxy": ..., "class_ids": ...}``). Errors
        carry ``path`` as a prefix (``$.boxes.predictions.box_data[3]...``).

        Examples
        --------
        >>> BoundingBoxes2D.coerce({"xyxy": [[0, 0, 1, 1]]}, ("boxes", "gt")).xyxy.tolist()
        [[0.0, 0.0, 1.0, 1.0]]
        """
        if isinstance(value, cls):
            return value
        try:
            if not isinstance(value, Mapping):
                raise ValidationError(
                    "must be a BoundingBoxes2D or a dict with 'box_data'", value=value, path=()
                )
            for key in value:
                if key not in _GROUP_KEYS:
                    raise ValidationError(
                        f"unknown key (known: {', '.join(_GROUP_KEYS)})", path=(key,)
                    )
            if "box_data" in value:
                return cls(
                    box_data=value["box_data"],
                    **{k: v for k, v in value.items() if k != "box_data"},
                )
            return cls(**value)
        except ValidationError as err:
            raise err.with_prefix(*path) from None

    def _setup(self, p: _in.Parsed) -> None:
        xyxy = _geo.check_geometry(p.native, p.layout, p.domain, p.paths, p.pixel)
        native, layout = (xyxy, "xyxy") if p.paths.middle is not None else (p.native, p.layout)
        for arr in (native, xyxy, p.class_ids, p.scores):
            arr.flags.writeable = False
        self._native = native
        self._layout = layout
        self._xyxy = xyxy
        self.class_ids = p.class_ids
        self._score_names = p.score_names
        self._scores = p.scores
        self._captions = p.captions
        self._domain = p.domain
        self._pixel = p.pixel
        # the wire version this group needs: 1 unless pixel and fractional boxes mix
        object.__setattr__(self, "_version", 2 if p.pixel is not None else 1)
        self._labels = p.class_labels
        self._form = p.form
        self._paths = p.paths  # to name fields in the user's form in later errors (check_image)
        self._freeze()

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return int(self._native.shape[0])

    @property
    def form(self) -> str:
        """The input form: ``"box_data"``, ``"xyxy"``, ``"cxcywh"``, ``"xywh"`` or ``"coco"``."""
        return self._form

    @property
    def layout(self) -> str:
        """The layout the coordinates are stored in: ``"xyxy"``, ``"cxcywh"`` or ``"xywh"``."""
        return self._layout

    @property
    def domain(self) -> str | None:
        """``"pixel"``, None for fractions of the image, or ``"mixed"`` (see :attr:`pixel`)."""
        return self._domain

    @property
    def pixel(self) -> np.ndarray:
        """(N,) read-only bool: which boxes are in pixels (the others are fractions of the image)."""
        if self._pixel is not None:
            return self._pixel
        out = np.full(len(self), self._domain == "pixel")
        out.flags.writeable = False
        return out

    @property
    def xyxy(self) -> np.ndarray:
        """(N, 4) read-only corners: minX, minY, maxX, maxY."""
        return self._xyxy

    @property
    def cxcywh(self) -> np.ndarray:
        """(N, 4) centre x, centre y, width, height (the stored array when given so)."""
        return self._native if self._layout == "cxcywh" else _geo.from_xyxy(self._xyxy, "cxcywh")

    @property
    def xywh(self) -> np.ndarray:
        """(N, 4) top-left x, top-left y, width, height (the stored array when given so)."""
        return self._native if self._layout == "xywh" else _geo.from_xyxy(self._xyxy, "xywh")

    @property
    def scores(self) -> dict[str, np.ndarray]:
        """``{name: (N,) float64}`` read-only; NaN where a box gave no such score."""
        return {name: self._scores[:, k] for k, name in enumerate(self._score_names)}

    @property
    def captions(self) -> tuple[str | None, ...] | None:
        """One caption (or None) per box, or None when no box has one."""
        return self._captions

    @property
    def class_labels(self) -> dict[int, str] | None:
        """The class labels as given (sorted by id, a copy), or None."""
        return None if self._labels is None else dict(self._labels)

    @property
    def labels(self) -> dict[int, str]:
        """:attr:`class_labels`, or ``{id: "class_<id>"}`` for each class id present when none were given."""
        if self._labels is not None:
            return dict(self._labels)
        return {int(i): f"class_{int(i)}" for i in np.unique(self.class_ids)}

    def check_image(self, width: int, height: int, path: tuple[PathKey, ...] = ()) -> None:
        """Check that pixel-domain boxes lie inside a ``width`` x ``height`` image.

        Fraction-domain boxes are already checked to lie within [0, 1]. Raises
        :class:`~richtypes.ValidationError` naming the box and field with
        ``path`` as a prefix, e.g. ``$.boxes.gt.xyxy[3][2]: must be <= 640
        (the image width), got 700.0``.

        Examples
        --------
        >>> b = BoundingBoxes2D(xyxy=[[0, 0, 700, 10]], domain="pixel")
        >>> b.check_image(640, 480, ("boxes", "gt"))
        Traceback (most recent call last):
        ...
        richtypes.core.errors.ValidationError: $.boxes.gt.xyxy[0][2]: must be <= 640 (the image width), got 700.0
        """
        if self._domain is None:
            return
        try:
            _geo.check_inside(
                self._xyxy,
                self._native,
                self._layout,
                int(width),
                int(height),
                self._paths,
                self._pixel,
            )
        except ValidationError as err:
            raise err.with_prefix(*path) from None

    def class_id_path(self, i: int) -> tuple[PathKey, ...]:
        """The path of box ``i``'s class id in the form the boxes were given in (for containers' errors).

        Examples
        --------
        >>> BoundingBoxes2D(xyxy=[[0, 0, 1, 1]]).class_id_path(0)
        ('class_ids', 0)
        >>> BoundingBoxes2D.from_coco([{"bbox": [0, 0, 1, 1], "category_id": 1}]).class_id_path(0)
        ('annotations', 0, 'category_id')
        """
        return self._paths.class_id(int(i))

    def to_box_data(self) -> dict[str, Any]:
        """The list-of-dicts form ``{"box_data": [...], "class_labels": {...}}``.

        Positions use ``middle``/``width``/``height`` when the boxes were given
        as centres, ``minX``... otherwise. Scores given as NaN (not given) are
        left out; ``class_labels`` is present only when labels were given.

        Examples
        --------
        >>> BoundingBoxes2D(xyxy=[[0.1, 0.2, 0.3, 0.4]], captions=["a"]).to_box_data()
        {'box_data': [{'position': {'minX': 0.1, 'maxX': 0.3, 'minY': 0.2, 'maxY': 0.4}, 'class_id': 0, 'box_caption': 'a'}]}
        """
        return _dicts.to_box_data(self)

    def __repr__(self) -> str:
        return (
            f"BoundingBoxes2D(n={len(self)}, form={self._form!r}, domain={self._domain or 'fraction'!r}, "
            f"scores={list(self._score_names)}, classes={len(self.labels)})"
        )

    def _content(self) -> tuple[Any, ...]:
        return (
            self._form,
            self._layout,
            self._domain,
            self._pixel,
            self._native,
            self.class_ids,
            self._score_names,
            self._scores,
            self._captions,
            self._labels,
        )

    # ------------------------------------------------------------------- wire
    def to_json(self, store: Store) -> dict[str, Any]:
        """Columns inline when their bytes fit ``store.inline_limit``, else one record ``.npy`` sidecar.

        The sidecar is a structured array of ``count`` records with the fields
        ``coords`` (4 numbers in ``dtype``), ``class_id`` (int64), when there
        are scores ``scores`` (K float64, NaN where a box gave none) and, for
        a group mixing pixel and fractional boxes (``_version`` 2), ``pixel``
        (bool); the columns all refer to it. A group in one domain is written
        as ``_version`` 1, byte for byte as before.
        """
        return self._envelope(**_w.encode(self, store))

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> BoundingBoxes2D:
        obj = cls.__new__(cls)
        obj._setup(_w.decode(doc, store, MAX_BOXES))
        return obj
