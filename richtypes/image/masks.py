"""``ImageMask``: a segmentation mask of integer class ids, stored as a PNG sidecar."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Union

import numpy as np

from ..codecs import image as codec
from ..core.coerce import ArrayLike, as_array
from ..core.errors import FormatError, PathKey, ValidationError
from ..core.media import Media, deep_equal, field, register
from ..store.local import Store
from .classes import class_labels as _class_labels
from .input import read_source

__all__ = ["ImageMask", "MaskLike", "MAX_MASK_ID", "check_mask_size"]

#: The largest id a mask pixel may hold (masks are stored as 16-bit grey PNG at most).
MAX_MASK_ID = 65535

MaskLike = Union["ImageMask", ArrayLike, str, "os.PathLike[str]", bytes, Mapping[str, Any]]
_DICT_KEYS = ("mask_data", "path", "class_labels")


@register
class ImageMask(Media):
    """A segmentation mask: an HxW array of integer class ids.

    Ids are stored as an 8-bit grey PNG, or a 16-bit one when an id exceeds
    255 (ids 0..65535). Inside an :class:`~richtypes.Image` a mask must have
    the image's height and width, and only the image's ``classes=`` restrict
    which ids it may hold.

    Parameters
    ----------
    mask_data_or_path:
        An HxW array-like of integer or bool ids (HxWx1 and 1xHxW are
        squeezed; floats are accepted when every value is a whole number), or
        the path, bytes or binary file of a one-channel PNG (grey, palette
        indices or 16-bit grey), which is stored as it is.
    class_labels:
        Optional names of some or all ids: ``{class_id: name}`` or any other
        :class:`~richtypes.Classes` form. Ids without a label are allowed (the
        background 0 usually has none); :attr:`labels` names them
        ``class_<id>``.

    Raises
    ------
    ValidationError
        E.g. ``$.mask_data[4][7]: class ids must be in 0..65535, got 70000``.

    Examples
    --------
    >>> import numpy as np
    >>> m = ImageMask(np.array([[0, 1], [1, 2]]), class_labels={0: "bg", 1: "cat", 2: "dog"})
    >>> m.mask_data.dtype, m.width, m.height, m.class_ids.tolist()
    (dtype('uint8'), 2, 2, [0, 1, 2])
    >>> ImageMask(np.array([[0, 1]]), class_labels={1: "car"}).labels
    {0: 'class_0', 1: 'car'}
    """

    _type = "mask"
    _version = 1

    width: int
    height: int
    dtype: str
    class_labels: dict[int, str] | None

    def __init__(
        self, mask_data_or_path: Any, class_labels: Mapping[int, str] | None = None
    ) -> None:
        self._build(mask_data_or_path, class_labels, "mask_data")

    def _build(self, source: Any, class_labels: Any, key: str) -> None:
        path: tuple[PathKey, ...] = (key,)
        labels = _class_labels(class_labels, ("class_labels",), sort=False)
        data = read_source(source, path)
        if data is not None:
            if codec.sniff_format(data) != "png":
                raise ValidationError("a mask file must be a PNG", value=data[:8], path=path)
            try:
                ids = _normalize_ids(codec.decode_indices(data), path)
            except ValueError as exc:
                raise ValidationError(str(exc), path=path) from None
        else:
            ids = _normalize_ids(as_array(source, path, what="a mask array"), path, copy=True)
        self._ids: np.ndarray | None = ids
        self._data: bytes | None = data
        self.height, self.width = ids.shape
        self.dtype = str(ids.dtype)
        self.class_labels = labels
        self._freeze()

    @classmethod
    def coerce(cls, value: Any, path: Sequence[PathKey]) -> ImageMask:
        """An ``ImageMask`` from itself, an array, a path, or the dict form
        ``{"mask_data": arr | "path": "mask.png", "class_labels": {...}}``; errors prefixed with ``path``."""
        if isinstance(value, ImageMask):
            return value
        try:
            if isinstance(value, Mapping):
                unknown = [k for k in value if k not in _DICT_KEYS]
                if unknown:
                    raise ValidationError(
                        "unknown key (expected mask_data or path, and class_labels)",
                        value=unknown[0],
                    )
                keys = [k for k in ("mask_data", "path") if k in value]
                if len(keys) != 1:
                    raise ValidationError(
                        "needs exactly one of 'mask_data' and 'path'", value=sorted(value)
                    )
                mask = cls.__new__(cls)
                mask._build(value[keys[0]], value.get("class_labels"), keys[0])
                return mask
            return cls(value)
        except ValidationError as err:
            raise err.with_prefix(*path) from None

    # ------------------------------------------------------------------ views
    @property
    def mask_data(self) -> np.ndarray:
        """The HxW read-only array of class ids (uint8 or uint16)."""
        if self._ids is None:
            try:
                ids = _normalize_ids(codec.decode_indices(self._data), ())  # type: ignore[arg-type]
            except (ValueError, ValidationError) as exc:
                raise FormatError(f"mask: the PNG sidecar cannot be decoded: {exc}") from None
            if ids.shape != (self.height, self.width) or str(ids.dtype) != self.dtype:
                raise FormatError(
                    f"mask: the PNG holds {ids.shape} {ids.dtype}, the document says "
                    f"{(self.height, self.width)} {self.dtype}"
                )
            object.__setattr__(self, "_ids", ids)
        return self._ids  # type: ignore[return-value]

    def to_numpy(self) -> np.ndarray:
        """Same as :attr:`mask_data`."""
        return self.mask_data

    @property
    def labels(self) -> dict[int, str]:
        """A name for every id present: its label, or ``class_<id>`` when it has none."""
        given = self.class_labels or {}
        return {i: given.get(i, f"class_{i}") for i in self.class_ids.tolist()}

    @property
    def class_ids(self) -> np.ndarray:
        """The sorted distinct class ids present in the mask (int64)."""
        return np.flatnonzero(np.bincount(self.mask_data.ravel())).astype(np.int64)

    def check_ids(self, allowed: np.ndarray, path: Sequence[PathKey], problem: str) -> None:
        """Raise ``ValidationError`` at the first pixel whose id is not in ``allowed``.

        Fast path: when ``allowed`` covers every integer between the mask's
        smallest and largest id (the usual ``0..K`` labels), no pixel is
        visited again; otherwise one table lookup over the whole mask.
        """
        ids = self.mask_data
        lo, hi = int(ids.min()), int(ids.max())
        allowed = np.asarray(allowed, dtype=np.int64)
        covered = np.unique(allowed[(allowed >= lo) & (allowed <= hi)])
        if covered.size == hi - lo + 1:
            return
        table = np.zeros(hi + 1, dtype=bool)
        table[allowed[allowed <= hi]] = True
        bad = ~table[ids]
        if bad.any():
            flat = int(np.flatnonzero(bad)[0])
            index = tuple(int(i) for i in np.unravel_index(flat, ids.shape))
            raise ValidationError(problem, value=int(ids[index]), path=tuple(path) + index)

    def __repr__(self) -> str:
        return f"ImageMask({self.height}x{self.width} {self.dtype}, class_labels={self.class_labels!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        same = self._data is not None and self._data == other._data  # type: ignore[attr-defined]
        return (
            same or deep_equal(self.mask_data, other.mask_data)
        ) and self.class_labels == other.class_labels  # type: ignore[attr-defined]

    def _content(self) -> tuple[Any, ...]:
        return (self.mask_data, self.class_labels)

    # ------------------------------------------------------------------- wire
    def _file_parts(self) -> list[Any]:
        """The PNG as buffers to write: the file it came from, else encoded from the ids (not kept)."""
        return codec.encode_png_parts(self.mask_data) if self._data is None else [self._data]

    def to_json(self, store: Store) -> dict[str, Any]:
        labels = (
            None if self.class_labels is None else {str(k): v for k, v in self.class_labels.items()}
        )
        return self._envelope(
            width=self.width,
            height=self.height,
            dtype=self.dtype,
            mask=store.put_chunks(self._file_parts(), "png"),
            class_labels=labels,
        )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> ImageMask:
        width, height = field(doc, "width", int), field(doc, "height", int)
        dtype = field(doc, "dtype", str)
        if dtype not in ("uint8", "uint16"):
            raise FormatError("must be 'uint8' or 'uint16'", value=dtype, path=("dtype",))
        problem = codec.pixel_problem(width, height)
        if problem:
            raise FormatError(problem, path=("width",))
        labels = _class_labels(
            field(doc, "class_labels", (dict, type(None)), None), ("class_labels",), sort=False
        )
        data = store.get_bytes(field(doc, "mask", dict))
        try:
            size = codec.image_size(data) if codec.sniff_format(data) == "png" else None
        except ValueError:
            size = None
        if size != (width, height):
            raise FormatError(f"the sidecar is not a {width}x{height} PNG", path=("mask",))
        mask = cls.__new__(cls)
        for name, value in (
            ("_ids", None),
            ("_data", data),
            ("width", width),
            ("height", height),
            ("dtype", dtype),
            ("class_labels", labels),
        ):
            object.__setattr__(mask, name, value)
        mask._freeze()
        return mask


def check_mask_size(mask: ImageMask, width: int, height: int, path: Sequence[PathKey]) -> None:
    """The one mask-size rule: a mask has its image's height and width (``ValidationError`` at ``path``)."""
    if (mask.height, mask.width) != (height, width):
        raise ValidationError(
            f"shape {(mask.height, mask.width)} does not match the image's {(height, width)}",
            path=tuple(path),
        )


def _normalize_ids(arr: np.ndarray, path: tuple[PathKey, ...], copy: bool = False) -> np.ndarray:
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    elif arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValidationError(
            f"must be a non-empty 2-D array of class ids (HxW), got shape {arr.shape}", path=path
        )
    problem = codec.pixel_problem(arr.shape[1], arr.shape[0])
    if problem:
        raise ValidationError(problem, path=path)
    kind = arr.dtype.kind
    if kind not in "biuf":
        raise ValidationError(f"must hold integer class ids, got dtype {arr.dtype}", path=path)
    if kind == "b":
        return _readonly(arr.astype(np.uint8))
    if kind == "f":
        whole = np.floor(arr) == arr  # False for NaN and inf
        if not whole.all():
            raise _first_bad(~whole, arr, path, "class ids must be whole numbers")
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi > MAX_MASK_ID:
        raise _first_bad(
            (arr < 0) | (arr > MAX_MASK_ID), arr, path, f"class ids must be in 0..{MAX_MASK_ID}"
        )
    dtype = np.uint8 if hi <= 255 else np.uint16
    if arr.dtype == dtype and not copy:
        return _readonly(arr)
    return _readonly(arr.astype(dtype))


def _first_bad(
    bad: np.ndarray, arr: np.ndarray, path: tuple[PathKey, ...], problem: str
) -> ValidationError:
    flat = int(np.flatnonzero(bad)[0])
    index = tuple(int(i) for i in np.unravel_index(flat, arr.shape))
    return ValidationError(problem, value=arr[index].item(), path=path + index)


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr = np.ascontiguousarray(arr)
    arr.flags.writeable = False
    return arr
