"""``Video``: clips from frame arrays (encoded as GIF, mp4 or webm) or video files (stored as they are)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, BinaryIO, Union

import numpy as np

from .codecs import ffmpeg as _ffmpeg
from .codecs import gif as _gif
from .codecs.sniff import sniff_video
from .core.coerce import ArrayLike, as_array
from .core.errors import FormatError, MissingDependencyError, ValidationError
from .core.inputs import check_caption, check_positive_number, read_source
from .core.media import Media, field, register
from .store.local import Store

__all__ = [
    "Video",
    "VideoLike",
    "FORMATS",
    "ENCODABLE",
    "MAX_FRAMES",
    "MAX_PIXELS",
    "MAX_DECODE_BYTES",
]

#: The file formats a ``Video`` stores (sniffed from the first bytes, never from a file name).
FORMATS = ("gif", "mp4", "webm", "mov")
#: The formats frame arrays can be encoded to (mp4 and webm need the ``video`` extra).
ENCODABLE = ("gif", "mp4", "webm")
#: The most frames an array may have.
MAX_FRAMES = 100_000
#: The most pixels (height x width) a frame of an array may have.
MAX_PIXELS = 8192 * 8192
#: ``to_numpy`` refuses to decode more bytes of RGB frames than this unless told otherwise.
MAX_DECODE_BYTES = 2 * 1024**3
_WHERE = ("data_or_path",)
_LAYOUTS = ("THWC", "TCHW")

VideoLike = Union[ArrayLike, str, "os.PathLike[str]", BinaryIO, bytes]


@register
class Video(Media):
    """A video clip.

    From frames, the clip is encoded when it is first dumped (or compared): to
    an animated GIF by Pillow (the default: it needs no extra, every browser
    plays it, but it has 256 colours per frame and is large), or to mp4
    (H.264, yuv420p) or webm (VP9) through ffmpeg, which needs the ``video``
    extra (``pip install 'richtypes[video]'``). From a file (a path, a file
    object or its bytes) of GIF, mp4, webm or mov, the bytes are stored as
    they are, with the format sniffed from the header; its frame count, size
    and rate are read from it (for mp4, webm and mov only when the ``video``
    extra is installed; otherwise they are ``None``).

    Equality compares the encoded bytes and the metadata. A decoded video keeps
    its bytes, so encoding it again writes the same file (video encoders are
    not bit-identical across versions).

    Parameters
    ----------
    data_or_path:
        Frames as a (T, H, W) grey, (T, H, W, C) or (T, C, H, W) array with C
        = 1, 3 (RGB) or 4 (RGBA; gif and webm only): uint8, other integers in
        0..255, or floats in [0, 1] (scaled by 255 and rounded); any
        array-like. A batch of N clips, (N, T, C, H, W) or (N, T, H, W, C),
        is tiled into one grid clip (see :func:`grid`), as the reference
        tracker and TensorBoard do. Or a path (``str`` or ``os.PathLike``), file object or
        ``bytes`` of a video file.
    fps:
        Frames per second, a positive finite number. A file keeps its own rate
        when it states one (its bytes are not re-encoded).
    format:
        For frames: ``"gif"`` (default), ``"mp4"`` or ``"webm"``. For a file:
        ``None`` or the sniffed format.
    caption:
        Optional text shown with the clip.
    layout:
        ``"THWC"`` or ``"TCHW"`` for a 4-D array; needed only when both read
        C in 1, 3, 4 (e.g. shape (8, 3, 32, 3)).

    Raises
    ------
    ValidationError
        For a bad shape, dtype, value (naming the first), ``fps``, ``format``
        or limit (:data:`MAX_FRAMES`, :data:`MAX_PIXELS`), odd sizes for mp4,
        or an unrecognised file.
    MissingDependencyError
        For mp4 or webm frames without the ``video`` extra.

    Examples
    --------
    >>> import numpy as np
    >>> clip = Video(np.zeros((8, 3, 16, 24), np.uint8), fps=8, caption="rollout")
    >>> clip.format, clip.frames, clip.height, clip.width, clip.fps
    ('gif', 8, 16, 24, 8.0)
    >>> clip.to_numpy().shape
    (8, 16, 24, 3)
    """

    _type = "video"
    _version = 1

    format: str
    fps: float
    frames: int | None
    width: int | None
    height: int | None
    caption: str | None

    def __init__(
        self,
        data_or_path: VideoLike,
        fps: float = 4,
        format: str | None = None,
        caption: str | None = None,
        *,
        layout: str | None = None,
    ) -> None:
        fps = check_positive_number(fps, ("fps",))
        caption = check_caption(caption)
        if format is not None and format not in FORMATS:
            raise ValidationError(
                f"must be one of {', '.join(FORMATS)}", value=format, path=("format",)
            )
        data = read_source(data_or_path, _WHERE)
        frames_arr: np.ndarray | None = None
        if data is not None:
            sniffed = sniff_video(data[:64])
            if sniffed is None:
                raise ValidationError(
                    f"is not a {', '.join(FORMATS)} file (unrecognised header)",
                    value=data[:12],
                    path=_WHERE,
                )
            if format is not None and format != sniffed:
                raise ValidationError(
                    f"does not match the file's content ({sniffed})", value=format, path=("format",)
                )
            format = sniffed
            count, width, height, file_fps = _probe(data, format)
            fps = file_fps or fps
        else:
            format = format or "gif"
            if format not in ENCODABLE:
                raise ValidationError(
                    f"frames can be encoded as {', '.join(ENCODABLE)} only",
                    value=format,
                    path=("format",),
                )
            frames_arr = _frames(data_or_path, layout, format)
            count, height, width = frames_arr.shape[:3]
            if format != "gif":
                _ffmpeg.require_ffmpeg(f"writing {format} video")
        self._set(format, fps, count, width, height, caption, data, frames_arr)

    def _set(
        self,
        fmt: str,
        fps: float,
        frames: int | None,
        width: int | None,
        height: int | None,
        caption: str | None,
        data: bytes | None,
        frames_arr: np.ndarray | None,
    ) -> None:
        self.format = fmt
        self.fps = fps
        self.frames = frames
        self.width = width
        self.height = height
        self.caption = caption
        self._data = data
        self._frames_arr = frames_arr
        self._freeze()

    # ------------------------------------------------------------------ views
    @property
    def data(self) -> bytes:
        """The encoded file (encoded from the frames on first use, then kept)."""
        if self._data is None:
            frames = self._frames_arr
            assert frames is not None
            if self.format == "gif":
                data = _gif.encode_gif(frames, self.fps)
            else:
                data = _ffmpeg.encode_video(frames, self.fps, self.format)
            object.__setattr__(self, "_data", data)
            object.__setattr__(self, "_frames_arr", None)  # the bytes now stand for the clip
        return self._data  # type: ignore[return-value]

    def to_numpy(
        self, max_frames: int | None = None, max_bytes: int = MAX_DECODE_BYTES
    ) -> np.ndarray:
        """Decode the (T, H, W, 3) RGB uint8 frames (at most ``max_frames``), read-only.

        The frames are those of the encoded file (GIF has 256 colours per
        frame; mp4 and webm are lossy). Raises ``FormatError`` when the
        frames would take more than ``max_bytes`` (budgeted from the file's
        own headers and frame timing while decoding, not from the document's
        ``frames``/``width``/``height``), or for a damaged file; mp4, webm
        and mov need the ``video`` extra.
        """
        limit = MAX_FRAMES if max_frames is None else int(max_frames)
        if self.frames is not None and self.width and self.height:
            need = min(self.frames, limit) * self.width * self.height * 3
            if need > max_bytes:
                raise FormatError(
                    f"video: decoding {min(self.frames, limit)} frames of {self.width}x{self.height} needs {need} bytes, "
                    f"above max_bytes={max_bytes}; pass max_frames or a larger max_bytes"
                )
        if self.format == "gif":
            out = _gif.decode_gif(self.data, limit, self.fps, max_bytes)
        else:
            out = _ffmpeg.decode_video(self.data, self.format, limit, max_bytes)
        out.flags.writeable = False
        return out

    def __repr__(self) -> str:
        return (
            f"Video(format={self.format!r}, frames={self.frames}, size={self.width}x{self.height}, "
            f"fps={self.fps:g})"
        )

    def _content(self) -> tuple[Any, ...]:
        return (
            self.format,
            self.fps,
            self.frames,
            self.width,
            self.height,
            self.caption,
            self.data,
        )

    # ------------------------------------------------------------------- wire
    def to_json(self, store: Store) -> dict[str, Any]:
        return self._envelope(
            format=self.format,
            fps=self.fps,
            frames=self.frames,
            width=self.width,
            height=self.height,
            caption=self.caption,
            file=store.put_bytes(self.data, self.format),
        )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> Video:
        """Rebuild a clip, checking the document against the constructor's rules and the stored file.

        For a GIF, ``frames``, ``width`` and ``height`` must be what the file
        itself gives at ``fps`` (what :meth:`to_numpy` would decode); mp4,
        webm and mov are not probed here (that needs ffmpeg and a pass over the
        file) and are budgeted while decoding instead.
        """
        fmt = field(doc, "format", str)
        if fmt not in FORMATS:
            raise FormatError(f"must be one of {', '.join(FORMATS)}", value=fmt, path=("format",))
        fps = check_positive_number(field(doc, "fps", (int, float)), ("fps",))
        names = ("frames", "width", "height")
        sizes = [field(doc, name, (int, type(None))) for name in names]
        for name, value in zip(names, sizes):
            if value is not None and value < 0:
                raise FormatError("must be >= 0", value=value, path=(name,))
        caption = check_caption(field(doc, "caption", (str, type(None))))
        ref = field(doc, "file", dict)
        if ref.get("format") != fmt:
            raise FormatError(
                f"must be the video's format {fmt!r}",
                value=ref.get("format"),
                path=("file", "format"),
            )
        data = store.get_bytes(ref)
        if sniff_video(data[:64]) != fmt:
            raise FormatError(f"the stored file is not a {fmt} file", path=("file",))
        if fmt == "gif":
            try:
                probed = _gif.gif_frames_at(data, fps)
            except FormatError as err:
                raise err.with_prefix("file") from None
            if tuple(sizes) != probed:
                raise FormatError(
                    f"frames, width and height must be those of the stored gif file at fps {fps:g} {list(probed)}",
                    value=sizes,
                    path=(),
                )
        video = cls.__new__(cls)
        video._set(fmt, fps, sizes[0], sizes[1], sizes[2], caption, data, None)
        return video


def _probe(data: bytes, fmt: str) -> tuple[int | None, int | None, int | None, float | None]:
    """(frames, width, height, fps) of a video file; all None for mp4/webm/mov without ffmpeg."""
    try:
        if fmt == "gif":
            return _gif.gif_info(data)
        return _ffmpeg.probe_video(data, fmt)
    except MissingDependencyError:
        return None, None, None, None
    except FormatError as exc:  # the codecs' word for a damaged file
        raise ValidationError(exc.problem, path=_WHERE) from None
    except Exception as exc:  # the decoders raise many types for a damaged file
        raise ValidationError(
            f"is not a readable {fmt} file ({type(exc).__name__})", path=_WHERE
        ) from None


def _frames(value: Any, layout: str | None, fmt: str) -> np.ndarray:
    """Validate frames; return a new read-only (T, H, W) or (T, H, W, 3|4) uint8 array."""
    arr = as_array(value, _WHERE, what="an array of frames")
    if layout is not None and layout not in _LAYOUTS:
        raise ValidationError("must be 'THWC' or 'TCHW'", value=layout, path=("layout",))
    shown = arr.shape
    if arr.ndim == 5:  # a batch of clips: tiled into one grid clip below, once validated
        batch, arr = arr.shape[0], arr.reshape((-1,) + arr.shape[2:])
        if batch == 0:
            raise ValidationError(
                f"a batch of clips must hold at least one clip, got shape {shown}",
                path=_WHERE,
            )
    else:
        batch = 0
    if arr.ndim == 4:
        last, first = arr.shape[3] in (1, 3, 4), arr.shape[1] in (1, 3, 4)
        if layout is None:
            if last and first:
                raise ValidationError(
                    f"is ambiguous: shape {shown} reads as (T, H, W, C) and as (T, C, H, W); "
                    "pass layout='THWC' or 'TCHW'",
                    path=_WHERE,
                )
            layout = "THWC" if last else "TCHW"
        channels = arr.shape[3] if layout == "THWC" else arr.shape[1]
        if channels not in (1, 3, 4):
            raise ValidationError(
                f"must have 1, 3 or 4 channels, got shape {shown} ({layout})", path=_WHERE
            )
        if channels == 4 and fmt == "mp4":
            raise ValidationError(
                "mp4 has no alpha channel; give 3 channels or use format 'gif' or 'webm'",
                value=fmt,
                path=("format",),
            )
    elif arr.ndim != 3:
        raise ValidationError(
            f"must have shape (T, H, W), (T, H, W, C) or (T, C, H, W), got shape {shown}",
            path=_WHERE,
        )
    count, height, width = (arr.shape[0], *(arr.shape[2:] if layout == "TCHW" else arr.shape[1:3]))
    if batch:
        count //= batch
        rows, cols = grid(batch)
        height, width = height * rows, width * cols
    if not 1 <= count <= MAX_FRAMES:
        raise ValidationError(f"must have 1 to {MAX_FRAMES} frames, got {count}", path=_WHERE)
    if height * width > MAX_PIXELS or height * width == 0:
        raise ValidationError(
            f"frames of {height}x{width} pixels are outside 1..{MAX_PIXELS} pixels", path=_WHERE
        )
    if fmt == "mp4" and (height % 2 or width % 2):
        raise ValidationError(
            f"mp4 (H.264, yuv420p) needs an even height and width, got {height}x{width}",
            value=fmt,
            path=("format",),
        )
    out = _to_uint8(arr.reshape(shown))  # errors name the pixel in the array as given
    out = out.reshape(arr.shape)
    if layout == "TCHW":
        out = out.transpose(0, 2, 3, 1)
    if batch:
        out = _tile(out.reshape((batch, count) + out.shape[1:]))
    if out.ndim == 4 and out.shape[3] == 1:
        out = out[..., 0]
    out = np.array(
        out, order="C", copy=not (out is not arr and out.flags.c_contiguous and out.flags.owndata)
    )
    out.flags.writeable = False
    return out


def grid(clips: int) -> tuple[int, int]:
    """``(rows, columns)`` of the grid a batch of ``clips`` is tiled into (as the reference tracker and TensorBoard do).

    The batch is padded with black clips to the next power of two, ``P``;
    the grid has ``2 ** ((clips.bit_length() - 1) // 2)`` rows and ``P / rows``
    columns.

    Examples
    --------
    >>> [grid(n) for n in (1, 2, 3, 4, 5, 8, 16)]
    [(1, 1), (1, 2), (1, 4), (2, 2), (2, 4), (2, 4), (4, 4)]
    """
    padded = 1 << (clips - 1).bit_length()
    rows = 1 << ((clips.bit_length() - 1) // 2)
    return rows, padded // rows


def _tile(clips: np.ndarray) -> np.ndarray:
    """(N, T, H, W[, C]) uint8 clips as one (T, rows * H, cols * W[, C]) grid clip, row by row, padded black."""
    n, t, h, w = clips.shape[:4]
    rows, cols = grid(n)
    out = np.zeros((t, rows, h, cols, w) + clips.shape[4:], np.uint8)
    for k in range(n):  # one block copy per clip
        out[:, k // cols, :, k % cols] = clips[k]
    return out.reshape((t, rows * h, cols * w) + clips.shape[4:])


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind in "iu":
        bad = np.flatnonzero((arr < 0) | (arr > 255))
        if bad.size:
            i = int(bad[0])
            raise ValidationError(
                f"must be within 0..255 for {arr.dtype} frames",
                value=arr.reshape(-1)[i].item(),
                path=_WHERE + _index(arr, i),
            )
        return arr.astype(np.uint8)
    if arr.dtype.kind == "f":
        bad = np.flatnonzero(~((arr >= 0) & (arr <= 1)))  # NaN fails both comparisons
        if bad.size:
            i = int(bad[0])
            raise ValidationError(
                "must be within [0, 1] for float frames (scaled by 255)",
                value=arr.reshape(-1)[i].item(),
                path=_WHERE + _index(arr, i),
            )
        work = np.float32 if arr.dtype.itemsize <= 4 else np.float64
        return np.rint(np.multiply(arr, 255, dtype=work)).astype(np.uint8)
    raise ValidationError(
        f"must hold uint8, integers in 0..255 or floats in [0, 1], got dtype {arr.dtype}",
        path=_WHERE,
    )


def _index(arr: np.ndarray, flat: int) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, arr.shape))
