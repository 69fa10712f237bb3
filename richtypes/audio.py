"""``Audio``: sound clips from sample arrays (stored as WAV) or audio files (stored as they are)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, BinaryIO, Union

import numpy as np

from .codecs import ffmpeg as _ffmpeg
from .codecs import wav as _wav
from .codecs.sniff import flac_info, mp3_info, ogg_info, sniff_audio
from .core.coerce import ArrayLike, as_array
from .core.errors import FormatError, ValidationError
from .core.inputs import check_caption, read_source
from .core.media import Media, field, register
from .store.local import Store

__all__ = [
    "Audio",
    "AudioLike",
    "FORMATS",
    "MAX_CHANNELS",
    "MAX_DECODE_SAMPLES",
    "MAX_DECODE_BYTES",
]

#: The file formats ``Audio`` stores (sniffed from the first bytes, never from a file name).
FORMATS = ("wav", "flac", "mp3", "ogg")
#: The most channels an array of samples may have.
MAX_CHANNELS = 64
#: ``to_numpy`` of a compressed file decodes at most this many samples per channel by default.
MAX_DECODE_SAMPLES = 1 << 28
#: ``to_numpy`` of a compressed file refuses (``FormatError``) to decode more bytes of float32
#: samples (samples x channels x 4) than this unless told otherwise; the decoder is stopped there.
MAX_DECODE_BYTES = 1024**3
_DTYPES = ("uint8", "int16", "int32", "float32", "float64")
_WHERE = ("data_or_path",)

AudioLike = Union[ArrayLike, str, "os.PathLike[str]", BinaryIO, bytes]


@register
class Audio(Media):
    """A sound clip.

    From samples, the clip is stored as a PCM WAV file (written by
    :mod:`richtypes.codecs.wav`, byte-identical to the standard library
    ``wave`` module): int16 and int32 samples are stored exactly (16- and
    32-bit PCM); float samples in [-1, 1] are stored as 16-bit PCM
    ``round(x * 32767)`` (the CD format, which every player reads, at a
    quarter of the size of float64) and decode as float32 within half a PCM
    step (0.5 / 32767) of the input. From a file (a path, a file object or its
    bytes) of WAV, FLAC, MP3 or Ogg (Vorbis, Opus), the bytes are stored as
    they are, with the format sniffed from the header.

    Parameters
    ----------
    data_or_path:
        A (samples,) or (samples, channels) array (float in [-1, 1], int16 or
        int32; any array-like), or a path (``str`` or ``os.PathLike``), file
        object or ``bytes`` of an audio file.
    sample_rate:
        Samples per second per channel, a positive integer; required for
        arrays. For a file it may be omitted and must otherwise match the
        file's own rate.
    caption:
        Optional text shown with the clip.
    clip:
        Clip float samples outside [-1, 1] instead of refusing them (NaN and
        infinities are always refused).

    Raises
    ------
    ValidationError
        For a bad shape or dtype, a non-finite or out-of-range float sample
        (naming the first), a missing or bad ``sample_rate``, or an
        unrecognised or unreadable file.

    Examples
    --------
    >>> import numpy as np
    >>> a = Audio(np.array([0.0, 0.5, -1.0]), sample_rate=8000, caption="beep")
    >>> a.format, a.sample_rate, a.channels, a.num_samples, a.duration, a.dtype
    ('wav', 8000, 1, 3, 0.000375, 'float32')
    >>> a.to_numpy().tolist() == [0.0, np.float32(16384 / 32767), -1.0]
    True
    """

    _type = "audio"
    _version = 1

    format: str
    sample_rate: int | None
    channels: int | None
    num_samples: int | None
    dtype: str | None
    caption: str | None
    data: bytes

    def __init__(
        self,
        data_or_path: AudioLike,
        sample_rate: int | None = None,
        caption: str | None = None,
        clip: bool = False,
    ) -> None:
        caption = check_caption(caption)
        if sample_rate is not None:
            sample_rate = _check_rate(sample_rate)
        data = read_source(data_or_path, _WHERE)
        if data is not None:
            fmt = sniff_audio(data[:64])
            if fmt is None:
                raise ValidationError(
                    f"is not a {', '.join(FORMATS)} file (unrecognised header)",
                    value=data[:12],
                    path=_WHERE,
                )
            try:
                rate, channels, num_samples, dtype = _probe(data, fmt)
            except ValueError as exc:
                raise ValidationError(
                    f"is not a readable {fmt} file ({exc})", path=_WHERE
                ) from None
            if sample_rate is not None and sample_rate != rate:
                raise ValidationError(
                    f"does not match the file's sample rate ({rate})",
                    value=sample_rate,
                    path=("sample_rate",),
                )
        else:
            if sample_rate is None:
                raise ValidationError("is required for an array of samples", path=("sample_rate",))
            pcm, dtype = _samples_to_pcm(data_or_path, clip)
            rate, channels, num_samples, fmt = sample_rate, pcm.shape[1], pcm.shape[0], "wav"
            if rate * channels * pcm.dtype.itemsize > 0xFFFFFFFF:
                raise ValidationError(
                    "is too high for a WAV file (bytes per second must fit 32 bits)",
                    value=rate,
                    path=("sample_rate",),
                )
            try:
                data = _wav.encode_wav(pcm, rate)
            except ValueError as exc:
                raise ValidationError(str(exc), value=data_or_path, path=_WHERE) from None
        self._set(fmt, data, rate, channels, num_samples, dtype, caption)

    def _set(
        self,
        fmt: str,
        data: bytes,
        rate: int | None,
        channels: int | None,
        num_samples: int | None,
        dtype: str | None,
        caption: str | None,
    ) -> None:
        self.format = fmt
        self.data = data
        self.sample_rate = rate
        self.channels = channels
        self.num_samples = num_samples
        self.dtype = dtype
        self.caption = caption
        self._freeze()

    # ------------------------------------------------------------------ views
    @property
    def duration(self) -> float | None:
        """Length in seconds (``None`` when the file does not say, e.g. an MP3)."""
        if self.num_samples is None or not self.sample_rate:
            return None
        return self.num_samples / self.sample_rate

    def to_numpy(
        self, max_samples: int = MAX_DECODE_SAMPLES, max_bytes: int = MAX_DECODE_BYTES
    ) -> np.ndarray:
        """The samples: (samples,) for mono, else (samples, channels), read-only.

        WAV samples come back exactly in the file's own type (uint8 for 8-bit,
        int16, int32 for 24- and 32-bit, float32/float64), or as float32 when
        the clip was made from floats. FLAC, MP3 and Ogg decode to float32
        through ffmpeg (the ``video`` extra), at most ``max_samples`` per
        channel; ``FormatError`` when those would take more than ``max_bytes``
        (samples x channels x 4 bytes; ffmpeg is stopped there, whatever the
        file states), or for a file that cannot be decoded.
        """
        if self.format == "wav":
            samples = _wav.wav_samples(self.data, _wav.parse_wav(self.data))[:max_samples]
            if self.dtype == "float32" and samples.dtype == np.int16:
                samples = _wav.pcm16_to_float(samples)
        else:
            samples = _ffmpeg.decode_audio(
                self.data, self.format, self.channels or 2, max_samples, max_bytes
            )
        if samples.shape[1] == 1:
            samples = samples[:, 0]
        samples.flags.writeable = False
        return samples

    def __repr__(self) -> str:
        seconds = "?" if self.duration is None else f"{self.duration:.3g}"
        return f"Audio(format={self.format!r}, sample_rate={self.sample_rate}, channels={self.channels}, duration={seconds} s)"

    def _content(self) -> tuple[Any, ...]:
        return (
            self.format,
            self.dtype,
            self.sample_rate,
            self.channels,
            self.num_samples,
            self.caption,
            self.data,
        )

    # ------------------------------------------------------------------- wire
    def to_json(self, store: Store) -> dict[str, Any]:
        return self._envelope(
            format=self.format,
            sample_rate=self.sample_rate,
            channels=self.channels,
            samples=self.num_samples,
            duration=self.duration,
            dtype=self.dtype,
            caption=self.caption,
            file=store.put_bytes(self.data, self.format),
        )

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> Audio:
        """Rebuild a clip from its stored file; the document's facts must be the file's own."""
        fmt = field(doc, "format", str)
        if fmt not in FORMATS:
            raise FormatError(f"must be one of {', '.join(FORMATS)}", value=fmt, path=("format",))
        dtype = field(doc, "dtype", (str, type(None)))
        caption = check_caption(field(doc, "caption", (str, type(None))))
        ref = field(doc, "file", dict)
        if ref.get("format") != fmt:
            raise FormatError(
                f"must be the clip's format {fmt!r}",
                value=ref.get("format"),
                path=("file", "format"),
            )
        data = store.get_bytes(ref)
        if sniff_audio(data[:64]) != fmt:
            raise FormatError(f"the stored file is not a {fmt} file", path=("file",))
        try:
            probed = _probe(data, fmt)
        except ValueError as exc:
            raise FormatError(
                f"the stored {fmt} file cannot be read ({exc})", path=("file",)
            ) from None
        for name, stated, actual in zip(
            ("sample_rate", "channels", "samples"), _stated(doc), probed
        ):
            if stated != actual:
                raise FormatError(
                    f"must be the stored file's {actual!r}", value=stated, path=(name,)
                )
        if dtype != probed[3] and not (
            dtype == "float32" and probed[3] == "int16" and fmt == "wav"
        ):
            raise FormatError(
                f"does not fit the stored {fmt} file ({probed[3]})", value=dtype, path=("dtype",)
            )
        audio = cls.__new__(cls)
        audio._set(fmt, data, probed[0], probed[1], probed[2], dtype, caption)
        return audio


def _stated(doc: Mapping[str, Any]) -> tuple[int | None, ...]:
    names = ("sample_rate", "channels", "samples")
    return tuple(field(doc, name, (int, type(None))) for name in names)


def _check_rate(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValidationError("must be a positive integer", value=value, path=("sample_rate",))
    if not 1 <= value <= 0xFFFFFFFF:
        raise ValidationError(
            "must be between 1 and 4294967295", value=value, path=("sample_rate",)
        )
    return int(value)


def _probe(data: bytes, fmt: str) -> tuple[int, int, int | None, str]:
    """(sample_rate, channels, samples per channel, dtype of to_numpy) of an audio file."""
    if fmt == "wav":
        info = _wav.parse_wav(data)
        return info.sample_rate, info.channels, info.num_samples, info.dtype
    rate, channels, num_samples = {"flac": flac_info, "ogg": ogg_info, "mp3": mp3_info}[fmt](data)
    return rate, channels, num_samples, "float32"


def _samples_to_pcm(value: Any, clip: bool) -> tuple[np.ndarray, str]:
    """Validate an array of samples; return (samples, channels) int16/int32 PCM and the decoded dtype."""
    arr = as_array(value, _WHERE, what="an array of samples")
    if arr.ndim not in (1, 2):
        raise ValidationError(
            f"must have shape (samples,) or (samples, channels), got shape {arr.shape}", path=_WHERE
        )
    if arr.ndim == 2 and not 1 <= arr.shape[1] <= MAX_CHANNELS:
        raise ValidationError(
            f"has {arr.shape[1]} channels, expected 1 to {MAX_CHANNELS} (shape is (samples, channels); transpose with .T?)",
            path=_WHERE,
        )
    frames = arr.reshape(arr.shape[0], 1) if arr.ndim == 1 else arr
    if arr.dtype in (np.int16, np.int32):
        return frames, str(arr.dtype)
    if arr.dtype.kind != "f":
        raise ValidationError(
            f"must hold floats in [-1, 1], int16 or int32, got dtype {arr.dtype}", path=_WHERE
        )
    in_range = np.abs(frames) <= 1  # one pass: False for NaN, inf and out-of-range values
    if not in_range.all():
        bad = np.flatnonzero(~np.isfinite(frames) if clip else ~in_range)
        if bad.size:
            i = int(bad[0])
            value = arr.reshape(-1)[i].item()
            problem = (
                "must be finite"
                if not np.isfinite(value)
                else "must be within [-1, 1] (pass clip=True to clip)"
            )
            raise ValidationError(problem, value=value, path=_WHERE + _index(arr, i))
        frames = np.clip(frames, -1.0, 1.0)
    return _wav.float_to_pcm16(frames), "float32"


def _index(arr: np.ndarray, flat: int) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, arr.shape))
