"""``Image``: a picture, optionally with bounding boxes, segmentation masks and a class set."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Union

import numpy as np

from ..codecs import image as codec
from ..core.coerce import ArrayLike
from ..core.errors import FormatError, ValidationError
from ..core.media import Media, decode_envelope, deep_equal, field, register
from ..store.local import Store
from . import input as inp
from .classes import Classes, ClassesLike
from .masks import ImageMask, MaskLike, check_mask_size

__all__ = ["Image", "ImageLike"]

ImageLike = Union[ArrayLike, "os.PathLike[str]", str, bytes, Any]
_FILE_TYPES = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg", "webp": "webp"}
_KEPT = ("png", "jpeg", "webp")  # formats stored as they are
_MODES = tuple(codec.MODE_LAYOUT)
_LOSSLESS = ("png", "webp")


@register
class Image(Media):
    """An image, stored as a PNG (default), JPEG or lossless WebP sidecar.

    Parameters
    ----------
    data_or_path:
        - a numpy array or array-like (``__array__``, or a torch-like tensor
          with ``.numpy()``): HxW, HxWx1, HxWx3, HxWx4, or channels-first
          1xHxW, 3xHxW, 4xHxW (detected when only one axis can hold channels);
        - a ``PIL.Image.Image``;
        - the path, ``bytes`` or binary file object of a PNG, JPEG, WebP, BMP
          or GIF file. PNG, JPEG and WebP files are **stored as they are**
          (never decoded and re-encoded; format, width and height come from
          the header). BMP and GIF (first frame) are converted to PNG;
        - another ``Image``: the same pixels (its file kept as it is), and its
          caption, boxes, masks and classes unless given here;
        - a matplotlib ``Figure``, or the ``matplotlib.pyplot`` module (its
          current figure): drawn by ``savefig`` into a PNG (needs the extra
          ``richtypes[matplotlib]``; the figure is left open).
    caption:
        Optional text shown with the image.
    mode:
        Optional Pillow mode to convert to (``"L"``, ``"RGB"``, ``"RGBA"``,
        ``"LA"``, ``"I;16"``); by default the input's own.
    file_type:
        ``"png"`` (default for arrays), ``"jpeg"`` or ``"jpg"`` (lossy, see
        ``quality``) or ``"webp"`` (lossless). A file of another format is
        converted. RGBA (LA) pixels stored as JPEG lose their alpha, with one
        ``UserWarning`` per process.
    boxes:
        ``{"group": BoundingBoxes2D or its dict form}``; boxes in pixels must
        lie inside the image.
    masks:
        ``{"group": ImageMask, HxW array, or {"mask_data": arr | "path": file,
        "class_labels": {...}}}``; each must have the image's height and width.
    classes:
        One class set (:class:`~richtypes.Classes` or its input forms) that
        every box class id and mask id must belong to.
    normalize:
        ``None`` (default; ``True`` is the same), ``False``, ``"clip"`` or
        ``"minmax"``, see the dtype rules.
    channels_first:
        Force the layout of a 3-D array when its shape is ambiguous (e.g. 3x3x3).
    quality:
        JPEG quality 1..100 (default :data:`richtypes.codecs.image.JPEG_QUALITY`, 90).

    Notes
    -----
    Dtype rules for arrays (``normalize=None``): uint8 as it is; bool to
    0/255; uint16 grey kept at 16 bits (16-bit PNG); float in [0, 1] scaled by
    255 and rounded to nearest; other integer dtypes (and uint16 colour) must
    lie in 0..255. Anything else is a ``ValidationError`` naming the first bad
    pixel, never a silent wraparound. ``normalize="clip"`` clips floats to
    [0, 1] and integers to 0..255; ``normalize="minmax"`` maps min..max to
    0..255 (a constant image becomes 0). ``normalize=False`` (the reference
    tracker's "do not rescale") takes values as 0..255 pixels: every value
    must lie in 0..255 (floats are rounded to nearest, uint16 grey becomes
    8-bit); anything outside is an error naming the pixel, never clipped or
    wrapped. NaN and infinity are always errors.
    At most :data:`richtypes.codecs.image.MAX_PIXELS` pixels (construction and
    decode): a guard against decompression bombs.

    Examples
    --------
    >>> import numpy as np
    >>> img = Image(np.zeros((2, 3, 3), np.float32) + 0.5, caption="grey")
    >>> img.width, img.height, img.mode, int(img.to_numpy()[0, 0, 0])
    (3, 2, 'RGB', 128)
    """

    _type = "image"
    _version = 1

    format: str
    width: int
    height: int
    channels: int
    mode: str
    dtype: str
    caption: str | None
    boxes: dict[str, Any]
    masks: dict[str, ImageMask]
    classes: Classes | None
    _pixels: np.ndarray | None  # the pixels to encode (None once decoded from a file)
    _data: bytes | None  # the encoded file, once it exists
    _quality: int

    def __init__(
        self,
        data_or_path: ImageLike,
        *,
        caption: str | None = None,
        mode: str | None = None,
        file_type: str | None = None,
        boxes: Mapping[str, Any] | None = None,
        masks: Mapping[str, MaskLike] | None = None,
        classes: ClassesLike | None = None,
        normalize: str | bool | None = None,
        channels_first: bool | None = None,
        quality: int = codec.JPEG_QUALITY,
    ) -> None:
        if isinstance(data_or_path, Image):  # a copy: what is not given is the source's
            src = data_or_path
            caption = src.caption if caption is None else caption
            boxes = src.boxes if boxes is None else boxes
            masks = src.masks if masks is None else masks
            classes = src.classes if classes is None else classes
            quality = src._quality if quality == codec.JPEG_QUALITY else quality
            if src._data is not None:  # the file itself: kept unless a conversion is asked for
                data_or_path = src._data
            else:
                data_or_path, file_type = src._pixels, file_type or src.format
        if caption is not None and not isinstance(caption, str):
            raise ValidationError("must be a string or None", value=caption, path=("caption",))
        normalize = inp.check_normalize(normalize)
        if mode is not None and mode not in _MODES:
            raise ValidationError(f"must be one of {', '.join(_MODES)}", value=mode, path=("mode",))
        if file_type is not None and file_type not in _FILE_TYPES:
            raise ValidationError(
                "must be 'png', 'jpeg' or 'webp'", value=file_type, path=("file_type",)
            )
        if (
            isinstance(quality, bool)
            or not isinstance(quality, (int, np.integer))
            or not 1 <= quality <= 100
        ):
            raise ValidationError("must be an integer in 1..100", value=quality, path=("quality",))
        path = ("data",)
        if inp.is_matplotlib(data_or_path):
            data_or_path = inp.render_matplotlib(data_or_path, path)
        data, pixels, info = inp.read_source(data_or_path, path), None, None
        if data is not None:
            try:
                info = codec.probe(data)
            except ValueError as exc:
                raise ValidationError(str(exc), path=path) from None
            wanted = _FILE_TYPES.get(file_type or "", info["format"])
            if (
                info["format"] not in _KEPT
                or wanted != info["format"]
                or (mode or info["mode"]) != info["mode"]
            ):
                pixels, data = self._decode(data, path, normalize), None
        elif inp.is_pil_image(data_or_path):
            pixels = inp.pixels_from_pil(data_or_path, normalize=normalize, path=path)
        else:
            pixels = inp.coerce_pixels(
                data_or_path, channels_first=channels_first, normalize=normalize, path=path
            )
        if pixels is not None:
            if mode is not None and mode != inp.mode_of(pixels):
                pixels = inp.convert_mode(pixels, mode)
            fmt = _FILE_TYPES[file_type or "png"]
            if fmt == "jpeg" and mode is None and inp.mode_of(pixels) in ("RGBA", "LA"):
                pixels = inp.drop_alpha(pixels)
            inp.check_file_type(fmt, pixels)
            info = {
                "format": fmt,
                "width": pixels.shape[1],
                "height": pixels.shape[0],
                "mode": inp.mode_of(pixels),
                "channels": 1 if pixels.ndim == 2 else pixels.shape[2],
                "dtype": str(pixels.dtype),
            }
        self._set(info, caption, pixels, data, int(quality))  # type: ignore[arg-type]
        self.classes = None if classes is None else Classes.coerce(classes, ("classes",))
        self.masks = {}
        for key, value in _groups(masks, "masks").items():
            mask = ImageMask.coerce(value, ("masks", key))
            where = "path" if isinstance(value, Mapping) and "path" in value else "mask_data"
            _check_mask(mask, ("masks", key, where), self.width, self.height, self.classes)
            self.masks[key] = mask
        self.boxes = {}
        for key, value in _groups(boxes, "boxes").items():
            self.boxes[key] = _coerce_boxes(value, key, self.width, self.height, self.classes)
        self._freeze()

    def _set(
        self,
        info: Mapping[str, Any],
        caption: str | None,
        pixels: np.ndarray | None,
        data: bytes | None,
        quality: int,
    ) -> None:
        for name in ("format", "width", "height", "channels", "mode", "dtype"):
            object.__setattr__(self, name, info[name])
        object.__setattr__(self, "caption", caption)
        object.__setattr__(self, "_pixels", pixels)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_quality", quality)

    @staticmethod
    def _decode(data: bytes, path: tuple, normalize: str | bool | None) -> np.ndarray:
        try:
            arr = codec.decode(data)
        except ValueError as exc:
            raise ValidationError(str(exc), path=path) from None
        if arr.ndim == 3 and arr.shape[2] == 2:
            arr = inp.convert_mode(arr, "RGBA")
        return inp.coerce_pixels(arr, channels_first=False, normalize=normalize, path=path)

    # ------------------------------------------------------------------ views
    def to_numpy(self) -> np.ndarray:
        """The pixels: HxW (grey, uint8 or uint16) or HxWxC uint8, read-only.

        For a JPEG these are the decoded JPEG pixels (what is stored), not the
        array it was built from. Pixels are as stored in the file: an EXIF
        orientation tag is not applied.
        """
        if self._pixels is None or self.format not in _LOSSLESS:
            try:
                arr = codec.decode(self._encoded(), mode=self.mode)
            except ValueError as exc:
                raise FormatError(
                    f"image: the {self.format} sidecar cannot be decoded: {exc}"
                ) from None
            if arr.shape[:2] != (self.height, self.width):
                raise FormatError(
                    f"image: the sidecar holds {arr.shape[1]}x{arr.shape[0]} pixels, "
                    f"the document says {self.width}x{self.height}"
                )
            arr.flags.writeable = False
            object.__setattr__(self, "_pixels", arr)
        return self._pixels  # type: ignore[return-value]

    def to_pil(self) -> Any:
        """The pixels as a ``PIL.Image.Image``."""
        from PIL import Image as PILImage

        return PILImage.fromarray(np.ascontiguousarray(self.to_numpy()))

    def __repr__(self) -> str:
        extra = "".join(
            f", {k}={sorted(getattr(self, k))}" for k in ("boxes", "masks") if getattr(self, k)
        )
        return f"Image({self.width}x{self.height} {self.mode} {self.format}, caption={self.caption!r}{extra})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        same = self._data is not None and self._data == other._data  # type: ignore[attr-defined]
        return (
            (same or deep_equal(self.to_numpy(), other.to_numpy()))
            and deep_equal(  # type: ignore[attr-defined]
                self._content()[1:], other._content()[1:]
            )
        )  # type: ignore[attr-defined]

    def _content(self) -> tuple[Any, ...]:
        return (self.to_numpy(), self.caption, self.boxes, self.masks, self.classes)

    # ------------------------------------------------------------------- wire
    def _encoded(self) -> bytes:
        """The file bytes: the file it was built from, else encoded from the pixels.

        A JPEG's encoded bytes are kept (its pixels are what they decode to);
        a lossless file encoded from pixels is not: holding every encoded file
        beside its pixels doubles an image's memory and, measured on 50 W1
        images, made ``dump`` ~10% slower (the kept buffers are fresh memory,
        page-faulted in, where a buffer freed at once is reused).
        """
        if self._data is not None:
            return self._data
        pixels = self._pixels
        if self.format == "jpeg":
            data = codec.encode_jpeg(pixels, self._quality)  # type: ignore[arg-type]
            object.__setattr__(self, "_data", data)
            return data
        return codec.CODECS[self.format](pixels)

    def _file_parts(self) -> list[Any]:
        """The file as buffers to write one after the other (a PNG's stream is never joined)."""
        if self._data is None and self.format == "png":
            return codec.encode_png_parts(self._pixels)  # type: ignore[arg-type]
        return [self._encoded()]

    def to_json(self, store: Store) -> dict[str, Any]:
        env = self._envelope(
            format=self.format,
            width=self.width,
            height=self.height,
            channels=self.channels,
            mode=self.mode,
            dtype=self.dtype,
            caption=self.caption,
            image=store.put_chunks(self._file_parts(), self.format),
        )
        if self.classes is not None:
            env["classes"] = self.classes.to_json(store)
        if self.masks:
            env["masks"] = {key: mask.to_json(store) for key, mask in self.masks.items()}
        if self.boxes:
            env["boxes"] = {key: boxes.to_json(store) for key, boxes in self.boxes.items()}
        return env

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> Image:
        info = {
            name: field(doc, name, kind)
            for name, kind in (
                ("format", str),
                ("width", int),
                ("height", int),
                ("channels", int),
                ("mode", str),
                ("dtype", str),
            )
        }
        if info["format"] not in _KEPT:
            raise FormatError(
                f"must be one of {', '.join(_KEPT)}", value=info["format"], path=("format",)
            )
        width, height = info["width"], info["height"]
        problem = codec.pixel_problem(width, height)
        if problem:
            raise FormatError(problem, path=("width",))
        if codec.MODE_LAYOUT.get(info["mode"]) != (info["channels"], info["dtype"]):
            raise FormatError(
                f"does not match {info['channels']} channels of {info['dtype']}",
                value=info["mode"],
                path=("mode",),
            )
        caption = field(doc, "caption", (str, type(None)), None)
        data = store.get_bytes(field(doc, "image", dict))
        try:
            size = codec.image_size(data) if codec.sniff_format(data) == info["format"] else None
        except ValueError:
            size = None
        if size != (width, height):
            raise FormatError(
                f"the sidecar is not a {width}x{height} {info['format']} file", path=("image",)
            )
        img = cls.__new__(cls)
        img._set(info, caption, None, data, codec.JPEG_QUALITY)
        # nested envelopes: each place takes only its own _type; then the constructor's checks
        classes = doc.get("classes")
        if classes is not None:
            classes = decode_envelope(classes, store, expect=Classes, path=("classes",))
        object.__setattr__(img, "classes", classes)
        masks = {
            key: decode_envelope(value, store, expect=ImageMask, path=("masks", key))
            for key, value in field(doc, "masks", dict, {}).items()
        }
        for key, mask in masks.items():
            _check_mask(mask, ("masks", key, "mask"), width, height, classes)
        object.__setattr__(img, "masks", masks)
        from .boxes import BoundingBoxes2D

        boxes = {}
        for key, value in field(doc, "boxes", dict, {}).items():
            group = decode_envelope(value, store, expect=BoundingBoxes2D, path=("boxes", key))
            boxes[key] = _check_boxes(group, key, width, height, classes)
        object.__setattr__(img, "boxes", boxes)
        img._freeze()
        return img


def _groups(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError("must be a dict of group name -> value", value=value, path=(name,))
    for key in value:
        if not isinstance(key, str):
            raise ValidationError("group names must be strings", value=key, path=(name,))
    return dict(value)


def _check_mask(
    mask: ImageMask, path: tuple[Any, ...], width: int, height: int, classes: Classes | None
) -> None:
    """What an image asks of each mask, on construction and on decode: its size, ids in ``classes``."""
    check_mask_size(mask, width, height, path)
    if classes is not None:
        mask.check_ids(classes.ids, path, "class id is not in classes")


def _coerce_boxes(value: Any, key: str, width: int, height: int, classes: Classes | None) -> Any:
    from .boxes import BoundingBoxes2D

    return _check_boxes(BoundingBoxes2D.coerce(value, ("boxes", key)), key, width, height, classes)


def _check_boxes(boxes: Any, key: str, width: int, height: int, classes: Classes | None) -> Any:
    """What an image asks of each box group, on construction and on decode: inside it, ids in ``classes``."""
    boxes.check_image(width, height, ("boxes", key))
    if classes is not None and len(boxes):
        bad = np.flatnonzero(classes.missing(boxes.class_ids))
        if bad.size:
            i = int(bad[0])
            raise ValidationError(
                "class id is not in classes",
                value=int(boxes.class_ids[i]),
                path=("boxes", key) + tuple(boxes.class_id_path(i)),
            )  # in the user's own form
    return boxes
