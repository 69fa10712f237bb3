"""Video (mp4, webm, mov) and compressed audio through the ffmpeg binary of ``imageio-ffmpeg``.

``imageio-ffmpeg`` is the ``video`` extra; it is imported only when one of
these functions runs, and its absence raises
:class:`~richtypes.MissingDependencyError` naming ``richtypes[video]``.
ffmpeg reads and writes files, so these functions use a private temporary
directory that they remove.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..core.errors import FormatError, MissingDependencyError

__all__ = [
    "require_ffmpeg",
    "encode_video",
    "probe_video",
    "decode_video",
    "decode_audio",
    "CODECS",
]

#: format -> (ffmpeg video encoder, extra output arguments); H.264 and VP9 play in every browser.
CODECS: dict[str, tuple[str, list[str]]] = {
    "mp4": ("libx264", ["-movflags", "+faststart", "-preset", "medium", "-crf", "23"]),
    "webm": (
        "libvpx-vp9",
        ["-crf", "32", "-b:v", "0", "-row-mt", "1", "-deadline", "good", "-cpu-used", "4"],
    ),
}


def require_ffmpeg(feature: str) -> Any:
    """The ``imageio_ffmpeg`` module, or ``MissingDependencyError`` naming the ``video`` extra."""
    try:
        import imageio_ffmpeg
    except ImportError:
        raise MissingDependencyError("imageio-ffmpeg", "video", feature) from None
    return imageio_ffmpeg


class _TempFile:
    def __init__(self, suffix: str, data: bytes | None = None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="richtypes-")
        self.path = os.path.join(self._dir.name, "media" + suffix)
        if data is not None:
            with open(self.path, "wb") as fh:
                fh.write(data)

    def __enter__(self) -> str:
        return self.path

    def __exit__(self, *exc: Any) -> None:
        self._dir.cleanup()


def encode_video(frames: np.ndarray, fps: float, fmt: str) -> bytes:
    """mp4 (H.264) or webm (VP9) bytes for (T, H, W) grey or (T, H, W, 3|4) uint8 frames."""
    ffmpeg = require_ffmpeg(f"writing {fmt} video")
    codec, params = CODECS[fmt]
    channels = 1 if frames.ndim == 3 else frames.shape[3]
    pix_in = {1: "gray", 3: "rgb24", 4: "rgba"}[channels]
    pix_out = "yuva420p" if channels == 4 else "yuv420p"
    height, width = frames.shape[1:3]
    with _TempFile("." + fmt) as path:
        writer = ffmpeg.write_frames(
            path,
            (width, height),
            fps=fps,
            codec=codec,
            pix_fmt_in=pix_in,
            pix_fmt_out=pix_out,
            quality=None,
            macro_block_size=1,
            ffmpeg_log_level="error",
            output_params=params,
        )
        writer.send(None)
        for frame in frames:
            writer.send(np.ascontiguousarray(frame))
        writer.close()
        with open(path, "rb") as fh:
            return fh.read()


#: What imageio-ffmpeg raises for a damaged file (reported as ``FormatError``).
_BROKEN = (
    RuntimeError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    StopIteration,
    OverflowError,
)


def probe_video(data: bytes, fmt: str) -> tuple[int, int, int, float | None]:
    """``(frames, width, height, fps)`` of an mp4, mov or webm file; ``FormatError`` for a damaged one."""
    ffmpeg = require_ffmpeg(f"reading {fmt} video")
    try:
        with _TempFile("." + fmt, data) as path:
            reader = ffmpeg.read_frames(path)
            try:
                meta = next(reader)
            finally:
                reader.close()  # type: ignore[attr-defined]  # imageio-ffmpeg's reader is a generator
            frames, _ = ffmpeg.count_frames_and_secs(path)
        width, height = meta["size"]
        fps = meta.get("fps")
        return int(frames), int(width), int(height), (float(fps) if fps else None)
    except _BROKEN as exc:
        raise FormatError(f"is not a readable {fmt} file ({type(exc).__name__})") from None


def decode_video(data: bytes, fmt: str, max_frames: int, max_bytes: int) -> np.ndarray:
    """The (T, H, W, 3) RGB frames of an mp4, mov or webm file, at most ``max_frames`` of them.

    The memory is budgeted from the stream itself while decoding: a
    ``FormatError`` as soon as the frames read so far (and the next one) would
    take more than ``max_bytes``, or for a damaged file.
    """
    ffmpeg = require_ffmpeg(f"decoding {fmt} video")
    try:
        with _TempFile("." + fmt, data) as path:
            reader: Iterator[Any] = ffmpeg.read_frames(path, pix_fmt="rgb24")
            try:
                meta = next(reader)
                width, height = (int(v) for v in meta["size"])
                frame_bytes = width * height * 3
                buf = bytearray()  # frames appended in place: no list of frames stacked at the end
                count = 0
                while count < max_frames:
                    if (count + 1) * frame_bytes > max_bytes:
                        if count and next(reader, None) is None:  # the stream ends in the budget
                            break
                        raise FormatError(
                            f"decoding more than {count} frames of {width}x{height} needs more than "
                            f"max_bytes={max_bytes} bytes; pass max_frames or a larger max_bytes"
                        )
                    raw = next(reader, None)
                    if raw is None:
                        break
                    if len(raw) != frame_bytes:
                        raise FormatError(f"{fmt} frame {count} is truncated")
                    buf += raw
                    count += 1
            finally:
                reader.close()  # type: ignore[attr-defined]  # imageio-ffmpeg's reader is a generator
    except FormatError:
        raise
    except _BROKEN as exc:
        raise FormatError(f"is not a readable {fmt} file ({type(exc).__name__})") from None
    return np.frombuffer(buf, np.uint8).reshape(count, height, width, 3)


def decode_audio(
    data: bytes, fmt: str, channels: int, max_samples: int, max_bytes: int
) -> np.ndarray:
    """The (samples, channels) float32 samples of a flac, mp3 or ogg file (at most ``max_samples``).

    ffmpeg stops after ``max_bytes // (4 * channels) + 1`` samples, so the
    output read back is bounded whatever the file states; ``FormatError`` when
    the clip (up to ``max_samples``) would take more than ``max_bytes``, or
    for a file ffmpeg cannot decode.
    """
    ffmpeg = require_ffmpeg(f"decoding {fmt} audio")
    budget = max_bytes // (4 * channels)
    limit = min(max_samples, budget + 1)
    cmd = [
        ffmpeg.get_ffmpeg_exe(),
        "-v",
        "error",
        "-i",
        "pipe:0",
        "-af",
        f"atrim=end_sample={limit}",
        "-f",
        "f32le",
        "-ac",
        str(channels),
        "pipe:1",
    ]
    out, code, errors = _run_into(cmd, data, 4 * channels * (limit + 1))
    if code != 0:
        raise FormatError(
            f"ffmpeg could not decode the {fmt} file: {errors.decode(errors='replace').strip()[:300]}"
        )
    samples = np.frombuffer(out, "<f4")
    samples = samples[: samples.size - samples.size % channels].reshape(-1, channels)
    if samples.shape[0] > budget and max_samples > budget:
        raise FormatError(
            f"decoding more than {budget} samples of {channels} channels needs more than "
            f"max_bytes={max_bytes} bytes; pass max_samples or a larger max_bytes"
        )
    return samples[:max_samples]


def _run_into(cmd: list[str], data: bytes, capacity: int) -> tuple[bytearray, int, bytes]:
    """Run ``cmd`` with ``data`` on stdin; read at most ``capacity`` bytes of stdout into one buffer.

    ``subprocess.run(capture_output=True)`` joins the output chunks at the end,
    which peaks at twice the output; here stdout fills one
    buffer grown in place up to ``capacity`` (the memory budget), and stderr
    goes to a temporary file.
    """
    buf = bytearray()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdin is not None and proc.stdout is not None

        def feed() -> None:
            try:
                proc.stdin.write(data)  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except (BrokenPipeError, OSError):  # ffmpeg stopped reading (damaged input)
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        while (
            len(buf) < capacity
        ):  # grown in place (no final join of chunks), never past the budget
            chunk = proc.stdout.read(min(1 << 20, capacity - len(buf)))
            if not chunk:
                break
            buf += chunk
        proc.stdout.close()
        code = proc.wait()
        writer.join()
        err.seek(0)
        errors = err.read(4096)
    return buf, code, errors
