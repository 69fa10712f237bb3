"""A plain PCM WAV writer and reader on numpy arrays (no dependency beyond numpy).

Writes canonical 44-byte-header RIFF/WAVE files (format tag 1, integer PCM,
as the standard library ``wave`` module does). Reads integer PCM (8, 16, 24 and
32 bits) and IEEE float (32, 64 bits), including ``WAVE_FORMAT_EXTENSIBLE``
headers, without copying the sample data.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

__all__ = [
    "WavInfo",
    "encode_wav",
    "parse_wav",
    "wav_samples",
    "float_to_pcm16",
    "pcm16_to_float",
    "PCM16_SCALE",
]

#: Floats in [-1, 1] become ``round(x * PCM16_SCALE)`` 16-bit samples (symmetric: never overflows).
PCM16_SCALE = 32767
_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE
_MAX_DATA = 0xFFFFFFFF - 36  # the RIFF size field is 32 bits


@dataclass(frozen=True)
class WavInfo:
    """What a WAV header says: encoding, layout and where the samples are."""

    format_tag: int  # 1 integer PCM, 3 IEEE float (the subformat for EXTENSIBLE)
    channels: int
    sample_rate: int
    bits: int
    data_offset: int
    data_size: int  # bytes of whole sample frames

    @property
    def num_samples(self) -> int:
        """Samples per channel."""
        return self.data_size // (self.channels * self.bits // 8)

    @property
    def dtype(self) -> str:
        """The numpy dtype :func:`wav_samples` returns."""
        if self.format_tag == _FLOAT:
            return {32: "float32", 64: "float64"}[self.bits]
        return {8: "uint8", 16: "int16", 24: "int32", 32: "int32"}[self.bits]


def float_to_pcm16(x: np.ndarray) -> np.ndarray:
    """Quantize floats in [-1, 1] to int16 (``round(x * 32767)``), vectorized."""
    scaled = np.multiply(x, PCM16_SCALE, dtype=np.float32 if x.dtype.itemsize <= 4 else np.float64)
    np.rint(scaled, out=scaled)
    return scaled.astype("<i2")


def pcm16_to_float(pcm: np.ndarray) -> np.ndarray:
    """The float32 values :func:`float_to_pcm16` samples stand for (within 0.5 / 32767)."""
    return np.divide(pcm, np.float32(PCM16_SCALE), dtype=np.float32)


def encode_wav(pcm: np.ndarray, sample_rate: int) -> bytes:
    """WAV bytes for a (samples, channels) int16 or int32 array.

    Examples
    --------
    >>> data = encode_wav(np.array([[0], [1], [-1]], np.int16), 8000)
    >>> len(data), data[:4], parse_wav(data).num_samples
    (50, b'RIFF', 3)
    """
    if pcm.ndim != 2 or pcm.dtype.kind != "i" or pcm.dtype.itemsize not in (2, 4):
        raise ValueError(
            f"expected a (samples, channels) int16 or int32 array, got {pcm.dtype} {pcm.shape}"
        )
    channels = pcm.shape[1]
    width = pcm.dtype.itemsize
    body = np.ascontiguousarray(pcm, dtype=f"<i{width}")
    size = body.nbytes
    if size > _MAX_DATA:
        raise ValueError(f"{size} bytes of samples do not fit a WAV file (at most {_MAX_DATA})")
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + size + (size & 1),
        b"WAVE",
        b"fmt ",
        16,
        _PCM,
        channels,
        sample_rate,
        sample_rate * channels * width,
        channels * width,
        width * 8,
        b"data",
        size,
    )
    out = bytearray(len(header) + size + (size & 1))
    out[: len(header)] = header
    out[len(header) : len(header) + size] = memoryview(body.reshape(-1).view(np.uint8))  # type: ignore[arg-type]  # ndarray is a buffer
    return bytes(out)


def parse_wav(data: bytes) -> WavInfo:
    """Read a WAV header; ``ValueError`` saying why for anything this reader cannot decode."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    pos, fmt, data_chunk = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if cid == b"fmt ":
            if size < 16 or body + size > len(data):
                raise ValueError(f"fmt chunk of {size} bytes is too short or truncated")
            fmt = struct.unpack_from("<HHIIHH", data, body)
            if fmt[0] == _EXTENSIBLE:
                if size < 40:
                    raise ValueError("WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes")
                fmt = (struct.unpack_from("<H", data, body + 24)[0],) + fmt[1:]
        elif cid == b"data":
            data_chunk = (
                body,
                min(size, len(data) - body),
            )  # streaming writers may leave size unset
            break
        pos = body + size + (size & 1)
    if fmt is None or data_chunk is None:
        raise ValueError("no 'fmt ' chunk before the 'data' chunk")
    tag, channels, rate, _, _, bits = fmt
    known = {_PCM: (8, 16, 24, 32), _FLOAT: (32, 64)}
    if tag not in known or bits not in known[tag]:
        raise ValueError(
            f"unsupported WAV encoding (format tag {tag}, {bits} bits); readable: integer PCM 8/16/24/32, float 32/64"
        )
    if channels < 1 or rate < 1:
        raise ValueError(f"header says {channels} channels at {rate} Hz")
    frame = channels * bits // 8
    offset, size = data_chunk
    return WavInfo(tag, channels, rate, bits, offset, size - size % frame)


def wav_samples(data: bytes, info: WavInfo) -> np.ndarray:
    """The (samples, channels) array of a parsed WAV (a read-only view for 8/16/32/64 bits)."""
    n = info.num_samples * info.channels
    if info.bits == 24:
        raw = np.frombuffer(data, np.uint8, n * 3, info.data_offset).reshape(-1, 3).astype(np.int32)
        values = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        values = (values << 8) >> 8  # sign-extend 24 -> 32 bits
    else:
        kind = {
            (_FLOAT, 32): "<f4",
            (_FLOAT, 64): "<f8",
            (_PCM, 8): "u1",
            (_PCM, 16): "<i2",
            (_PCM, 32): "<i4",
        }
        values = np.frombuffer(data, kind[(info.format_tag, info.bits)], n, info.data_offset)
    return values.reshape(info.num_samples, info.channels)
