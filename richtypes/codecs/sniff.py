"""Container sniffing and header probes for video and audio files (pure functions on bytes).

:func:`sniff_video` and :func:`sniff_audio` name a file's format from its first
bytes, never from its file name. The ``*_info`` probes read sample rate,
channels and length from FLAC, Ogg (Vorbis, Opus) and MP3 headers without
decoding.
"""

from __future__ import annotations

import struct

__all__ = ["sniff_video", "sniff_audio", "flac_info", "ogg_info", "mp3_info", "AudioHeader"]

AudioHeader = tuple[int, int, int | None]  # (sample_rate, channels, samples per channel or None)
_MOV_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def sniff_video(head: bytes) -> str | None:
    """``"gif"``, ``"mp4"``, ``"mov"``, ``"webm"`` or ``None`` from a file's first bytes.

    Examples
    --------
    >>> sniff_video(b"GIF89a..."), sniff_video(b"\\x00\\x00\\x00\\x18ftypisom"), sniff_video(b"\\x00\\x00\\x00\\x14ftypqt  ")
    ('gif', 'mp4', 'mov')
    """
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if head[4:8] in _MOV_ATOMS:
        return "mov"
    if head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:64]:
        return "webm"
    return None


def sniff_audio(head: bytes) -> str | None:
    """``"wav"``, ``"flac"``, ``"ogg"``, ``"mp3"`` or ``None`` from a file's first bytes.

    Examples
    --------
    >>> sniff_audio(b"RIFF\\x24\\x00\\x00\\x00WAVEfmt "), sniff_audio(b"fLaC\\x00"), sniff_audio(b"ID3\\x04"), sniff_audio(b"\\xff\\xfb\\x90\\x64")
    ('wav', 'flac', 'mp3', 'mp3')
    """
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3" or _mp3_frame_header(head, 0) is not None:
        return "mp3"
    return None


def flac_info(data: bytes) -> AudioHeader:
    """``(sample_rate, channels, samples)`` from a FLAC STREAMINFO block (samples None if unknown)."""
    if len(data) < 42 or data[:4] != b"fLaC" or data[4] & 0x7F != 0:
        raise ValueError("no FLAC STREAMINFO block")
    bits = int.from_bytes(data[18:26], "big")
    rate, channels, total = bits >> 44, ((bits >> 41) & 0x7) + 1, bits & ((1 << 36) - 1)
    if rate == 0:
        raise ValueError("FLAC STREAMINFO says 0 Hz")
    return rate, channels, total or None


def ogg_info(data: bytes) -> AudioHeader:
    """``(sample_rate, channels, samples)`` of an Ogg Vorbis or Opus stream (Opus decodes at 48 kHz)."""
    if data[:4] != b"OggS" or len(data) < 28:
        raise ValueError("not an Ogg stream")
    body = 27 + data[26]
    packet = data[body : body + 64]
    if packet[:7] == b"\x01vorbis" and len(packet) >= 16:
        channels, rate = packet[11], struct.unpack_from("<I", packet, 12)[0]
        skip = 0
    elif packet[:8] == b"OpusHead" and len(packet) >= 12:
        channels, rate, skip = packet[9], 48000, struct.unpack_from("<H", packet, 10)[0]
    else:
        raise ValueError("the Ogg stream is neither Vorbis nor Opus")
    if rate == 0 or channels == 0:
        raise ValueError(f"Ogg header says {channels} channels at {rate} Hz")
    last = data.rfind(b"OggS")
    granule = struct.unpack_from("<q", data, last + 6)[0] if last + 14 <= len(data) else -1
    return rate, channels, (granule - skip) if granule > skip else None


_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3_frame_header(data: bytes, pos: int) -> tuple[int, int] | None:
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[pos + 1] >> 3) & 3, (data[pos + 1] >> 1) & 3
    rate_index, bitrate_index = (data[pos + 2] >> 2) & 3, data[pos + 2] >> 4
    if version == 1 or layer == 0 or rate_index == 3 or bitrate_index in (0, 15):
        return None  # reserved values (layer 0 is AAC ADTS, not MP3)
    channels = 1 if data[pos + 3] >> 6 == 3 else 2
    return _MP3_RATES[version][rate_index], channels


def mp3_info(data: bytes) -> AudioHeader:
    """``(sample_rate, channels, None)`` from the first MPEG audio frame (after an ID3v2 tag)."""
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = (
            (data[6] & 0x7F) << 21
            | (data[7] & 0x7F) << 14
            | (data[8] & 0x7F) << 7
            | (data[9] & 0x7F)
        )
        pos = 10 + size
    start = pos
    for pos in range(start, min(len(data) - 3, start + 65536)):
        found = _mp3_frame_header(data, pos)
        if found is not None:
            return found[0], found[1], None
    raise ValueError("no MPEG audio frame header found")
